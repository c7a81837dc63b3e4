import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { brokerBodyCrc32, crc32 } from "../../shared/crc32";
import { seededRandom } from "../support/seeded-random";

const enc = new TextEncoder();

describe("crc32", () => {
  it("gives the known CRC-32 check values", () => {
    const vectors: Array<[string, number]> = [
      ["", 0],
      ["123456789", 0xcbf43926],
      ["a", 0xe8b7be43],
      ["abc", 0x352441c2],
      ["message digest", 0x20159d7f],
      ["The quick brown fox jumps over the lazy dog", 0x414fa339],
    ];
    for (const [text, value] of vectors) expect(crc32(enc.encode(text)), text).toBe(value);
  });

  it("continues from a previous value", () => {
    const whole = enc.encode("The quick brown fox jumps over the lazy dog");
    for (const cut of [0, 1, 20, whole.length]) {
      expect(crc32(whole.subarray(cut), crc32(whole.subarray(0, cut)))).toBe(0x414fa339);
    }
  });

  it("agrees with zlib's, which the bridge passes in", () => {
    const next = seededRandom(32);
    for (let i = 0; i < 50; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(next() * 5000) }, () => Math.floor(next() * 256));
      expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    }
  });
});

describe("brokerBodyCrc32", () => {
  it("is CRC-32 with the top bit cleared, as UtilAll.crc32, and 0 without a body", () => {
    expect(brokerBodyCrc32(enc.encode("a"))).toBe(0x68b7be43);
    expect(brokerBodyCrc32(enc.encode("123456789"))).toBe(0x4bf43926);
    expect(brokerBodyCrc32(null)).toBe(0);
    expect(brokerBodyCrc32(new Uint8Array(0))).toBe(0);
  });

  it("uses the CRC-32 it is given", () => {
    expect(brokerBodyCrc32(enc.encode("x"), () => 3455812242)).toBe(1308328594);
    expect(brokerBodyCrc32(enc.encode("abc"), zlibCrc32)).toBe(0x352441c2);
  });
});
