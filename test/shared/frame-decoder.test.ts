import { describe, expect, it } from "vitest";
import { FrameDecoder } from "../../shared/frame-decoder";
import { ProtocolError } from "../../shared/errors";
import { MAX_FRAME_LENGTH } from "../../shared/codes";
import { ByteBudget } from "../../shared/byte-budget";
import { concat, hex } from "./helpers";

function lenPrefixed(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setInt32(0, payload.length);
  out.set(payload, 4);
  return out;
}

const payloads = [
  new Uint8Array([0, 0, 0, 3, 0x7b, 0x61, 0x7d]),
  new Uint8Array([1, 0, 0, 0]),
  new Uint8Array(Array.from({ length: 37 }, (_, i) => (i * 7) & 0xff)),
  new Uint8Array([0, 0, 0, 1, 0x20, 9, 9, 9]),
];
const stream = concat(...payloads.map(lenPrefixed));

describe("FrameDecoder", () => {
  it("decodes the §1.2 example prefix into one 135-byte frame", () => {
    const header = new Uint8Array(131).fill(0x20);
    const frame = concat(hex("00 00 00 87 00 00 00 83"), header);
    const frames = new FrameDecoder().push(frame);
    expect(frames).toHaveLength(1);
    expect(frames[0].length).toBe(135);
    expect(Array.from(frames[0].subarray(0, 4))).toEqual([0, 0, 0, 0x83]);
  });

  it("returns every frame whole for every single split offset", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(got.map((f) => Array.from(f))).toEqual(payloads.map((p) => Array.from(p)));
      expect(d.pendingBytes).toBe(0);
    }
  });

  it("returns every frame for every pair of split offsets", () => {
    for (let a = 0; a <= stream.length; a += 3) {
      for (let b = a; b <= stream.length; b += 2) {
        const d = new FrameDecoder();
        const got = [
          ...d.push(stream.subarray(0, a)),
          ...d.push(stream.subarray(a, b)),
          ...d.push(stream.subarray(b)),
        ];
        expect(got.map((f) => Array.from(f))).toEqual(payloads.map((p) => Array.from(p)));
      }
    }
  });

  it("handles byte-by-byte delivery", () => {
    const d = new FrameDecoder();
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...d.push(stream.subarray(i, i + 1)));
    expect(got.map((f) => Array.from(f))).toEqual(payloads.map((p) => Array.from(p)));
  });

  it("does not copy a frame that sits entirely in one chunk", () => {
    const d = new FrameDecoder();
    const frames = d.push(stream);
    expect(frames[0].buffer).toBe(stream.buffer);
    expect(frames[0].byteOffset).toBe(4);
  });

  it("keeps partial data until the frame completes", () => {
    const d = new FrameDecoder();
    expect(d.push(stream.subarray(0, 6))).toEqual([]);
    expect(d.pendingBytes).toBe(6);
  });

  it("accepts a frame of exactly the limit and rejects one byte more", () => {
    const limit = 64;
    const ok = lenPrefixed(new Uint8Array(limit - 4));
    expect(new FrameDecoder(limit).push(ok)).toHaveLength(1);
    const tooBig = lenPrefixed(new Uint8Array(limit - 3));
    expect(() => new FrameDecoder(limit).push(tooBig)).toThrow(ProtocolError);
  });

  it("rejects a length over 16 MiB as soon as the prefix is known", () => {
    const d = new FrameDecoder();
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setInt32(0, MAX_FRAME_LENGTH - 3);
    expect(() => d.push(prefix)).toThrow(ProtocolError);
    const d2 = new FrameDecoder();
    new DataView(prefix.buffer).setInt32(0, MAX_FRAME_LENGTH - 4);
    expect(d2.push(prefix)).toEqual([]);
  });

  it("rejects lengths below 4 and negative lengths", () => {
    expect(() => new FrameDecoder().push(hex("00 00 00 03 00 00 00"))).toThrow(ProtocolError);
    expect(() => new FrameDecoder().push(hex("00 00 00 00"))).toThrow(ProtocolError);
    expect(() => new FrameDecoder().push(hex("ff ff ff ff"))).toThrow(ProtocolError);
  });

  it("reassembles a large frame from many small chunks", () => {
    const big = Uint8Array.from({ length: 2_000_000 }, (_, i) => i % 251);
    const framed = lenPrefixed(big);
    const d = new FrameDecoder();
    const out: Uint8Array[] = [];
    for (let i = 0; i < framed.length; i += 100) out.push(...d.push(framed.subarray(i, i + 100)));
    expect(out).toHaveLength(1);
    expect(out[0].length).toBe(big.length);
    expect(out[0].every((b, i) => b === big[i])).toBe(true);
    expect(d.pendingBytes).toBe(0);
  });

  it("holds only the bytes that arrived, not the length a peer announced", () => {
    const budget = new ByteBudget(1 << 20);
    const d = new FrameDecoder(MAX_FRAME_LENGTH, budget);
    const announced = new Uint8Array(4);
    new DataView(announced.buffer).setInt32(0, MAX_FRAME_LENGTH - 4);
    expect(d.push(announced)).toEqual([]);
    expect(budget.used).toBe(0);
    d.push(new Uint8Array(1000));
    expect(budget.used).toBe(1000);
    expect(d.pendingBytes).toBe(1004);
  });

  it("refuses a piece that would pass the shared budget, and gives bytes back when a frame completes or is dropped", () => {
    const budget = new ByteBudget(100);
    const a = new FrameDecoder(MAX_FRAME_LENGTH, budget);
    const b = new FrameDecoder(MAX_FRAME_LENGTH, budget);
    const frameA = lenPrefixed(new Uint8Array(80).fill(1));
    const frameB = lenPrefixed(new Uint8Array(80).fill(2));
    a.push(frameA.subarray(0, 64)); // 60 bytes of A's frame held
    expect(budget.used).toBe(60);
    expect(() => b.push(frameB.subarray(0, 64))).toThrow(ProtocolError);
    expect(() => new FrameDecoder(MAX_FRAME_LENGTH, budget).push(frameB.subarray(0, 64))).toThrow(/limit is 100/);
    expect(budget.used).toBe(60);
    expect(a.push(frameA.subarray(64))).toEqual([frameA.subarray(4)]);
    expect(budget.used).toBe(0);
    // a frame that arrives whole in one chunk holds nothing
    expect(new FrameDecoder(MAX_FRAME_LENGTH, budget).push(frameB)).toHaveLength(1);
    expect(budget.used).toBe(0);
    const c = new FrameDecoder(MAX_FRAME_LENGTH, budget);
    c.push(frameB.subarray(0, 50));
    expect(budget.used).toBe(46);
    c.dispose();
    expect(budget.used).toBe(0);
  });
});
