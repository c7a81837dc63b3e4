import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../shared/errors";
import { FrameDecoder } from "../../shared/frame-decoder";
import { fuzzInput } from "./fuzz-inputs";
import { concatBytes, serializeCommand, splitRandomly } from "./frame-mutations";
import { SUITE_PROFILE } from "./profiles";
import { Random } from "./random";
import { validRequest } from "./valid-requests";

const SEED = 0x5eed_f00d;
/** A smaller frame limit than the server's, so that lying lengths cross it often and cheaply. */
const MAX_FRAME = 1024 * 1024;

interface Decoded {
  frames: Uint8Array[];
  error: unknown;
  pendingBytes: number;
}

/** Pushes `chunks` until the decoder throws; the frames returned before that. */
function decode(chunks: readonly Uint8Array[]): Decoded {
  const decoder = new FrameDecoder(MAX_FRAME);
  const frames: Uint8Array[] = [];
  for (const chunk of chunks) {
    try {
      // copied: the decoder may return views of a chunk, and the next chunk is a view of the same stream
      frames.push(...decoder.push(chunk).map((f) => f.slice()));
    } catch (error) {
      return { frames, error, pendingBytes: decoder.pendingBytes };
    }
  }
  return { frames, error: null, pendingBytes: decoder.pendingBytes };
}

/** The reference: the stream one length prefix (or byte) at a time, so no frame is lost to an error. */
function byteByByte(stream: Uint8Array): Decoded {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i++) chunks.push(stream.subarray(i, i + 1));
  return decode(chunks);
}

const hex = (frames: readonly Uint8Array[]) => frames.map((f) => Buffer.from(f).toString("hex"));

describe("FrameDecoder under fuzzing", () => {
  it("returns valid frames of every request code byte-identical, however the stream is cut", () => {
    for (let i = 0; i < 400; i++) {
      const rng = Random.forInput(SEED, i);
      const frames: Uint8Array[] = [];
      for (let n = rng.range(1, 4); n > 0; n--) {
        const cmd = validRequest(rng, SUITE_PROFILE);
        frames.push(serializeCommand(rng, cmd, rng.chance(0.5) ? "JSON" : "ROCKETMQ", false, SUITE_PROFILE).bytes);
      }
      const got = decode(splitRandomly(rng, concatBytes(frames)));
      expect(got.error).toBeNull();
      expect(got.pendingBytes).toBe(0);
      expect(hex(got.frames)).toEqual(hex(frames.map((f) => f.subarray(4))));
    }
  });

  it("throws nothing but ProtocolError on fuzz inputs, and cutting the stream changes nothing else", () => {
    let errors = 0;
    for (let i = 0; i < 600; i++) {
      const rng = Random.forInput(SEED ^ 1, i);
      const parts = [fuzzInput(SEED, 3 * i, SUITE_PROFILE), fuzzInput(SEED, 3 * i + 1, SUITE_PROFILE), fuzzInput(SEED, 3 * i + 2, SUITE_PROFILE)];
      const stream = concatBytes(parts.map((p) => p.bytes));
      const reference = byteByByte(stream);
      const cut = decode(splitRandomly(rng, stream));
      const label = parts.map((p) => `#${p.index} ${p.label}`).join(" | ");
      if (reference.error !== null) {
        errors++;
        expect(reference.error, label).toBeInstanceOf(ProtocolError);
        expect(cut.error, label).toBeInstanceOf(ProtocolError);
        // a cut run may lose the frames of the chunk that held the bad length, never others
        expect(hex(reference.frames).slice(0, cut.frames.length), label).toEqual(hex(cut.frames));
      } else {
        expect(cut.error, label).toBeNull();
        expect(hex(cut.frames), label).toEqual(hex(reference.frames));
        expect(cut.pendingBytes, label).toBe(reference.pendingBytes);
      }
    }
    // the inputs do reach the decoder's error paths
    expect(errors).toBeGreaterThan(50);
  });
});
