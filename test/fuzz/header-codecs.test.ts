import { describe, expect, it } from "vitest";
import { LANGUAGE_NAMES } from "../../shared/codes";
import { ProtocolError } from "../../shared/errors";
import { FrameDecoder } from "../../shared/frame-decoder";
import { decodeJsonHeader, encodeJsonHeader } from "../../shared/header-json";
import { decodeRocketMQHeader, encodeRocketMQHeader } from "../../shared/header-rocketmq";
import { decodeCommand, type RemotingCommandHeader, type SerializeType } from "../../shared/remoting-command";
import { fuzzInput } from "./fuzz-inputs";
import { serializeCommand } from "./frame-mutations";
import { oddString, randomText } from "./hostile-values";
import { SUITE_PROFILE } from "./profiles";
import { Random } from "./random";
import { wellFormed } from "./registration-ledger";
import { validRequest } from "./valid-requests";

const SEED = 0x4ead_e125;

function setOwn(record: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A header either codec must carry: any int32 (int16 where the binary header has 16 bits), any text. */
function randomHeader(rng: Random, type: SerializeType): RemotingCommandHeader {
  const short = () => rng.range(-32768, 32767);
  let extFields: Record<string, string> | null = null;
  if (rng.chance(0.8)) {
    extFields = {};
    const seen = new Set<string>();
    for (let n = rng.size(8); n > 0; n--) {
      const key = rng.chance(0.5) ? randomText(rng, rng.range(1, 12)) : oddString(rng, 40);
      // keys the wire cannot tell apart (lone surrogates become U+FFFD) would make the expectation ambiguous
      if (seen.has(wellFormed(key))) continue;
      seen.add(wellFormed(key));
      setOwn(extFields, key, rng.chance(0.5) ? randomText(rng, rng.size(60)) : oddString(rng, 300));
    }
  }
  return {
    code: type === "ROCKETMQ" ? short() : rng.int32(),
    language: rng.pick(LANGUAGE_NAMES),
    version: type === "ROCKETMQ" ? short() : rng.int32(),
    opaque: rng.int32(),
    flag: rng.int32(),
    remark: rng.chance(0.3) ? null : rng.chance(0.5) ? randomText(rng, rng.size(80)) : oddString(rng, 300),
    extFields,
  };
}

/**
 * What a header is after a trip through `type`: text as UTF-8 carries it; the binary header writes
 * an empty remark, key or value as length 0, which reads back as absent (and an ext map without
 * entries as none); a JSON header without a language reads back as JAVA (RemotingCommand's default).
 */
function afterTrip(h: RemotingCommandHeader, type: SerializeType): RemotingCommandHeader {
  let extFields: Record<string, string> | null = null;
  if (h.extFields) {
    extFields = {};
    for (const [k, v] of Object.entries(h.extFields)) {
      if (type === "ROCKETMQ" && (k === "" || v === "")) continue;
      setOwn(extFields, wellFormed(k), wellFormed(v));
    }
    if (type === "ROCKETMQ" && Object.keys(h.extFields).length === 0) extFields = null;
  }
  const remark = h.remark === null || (type === "ROCKETMQ" && h.remark === "") ? null : wellFormed(h.remark);
  return { ...h, language: h.language ?? "JAVA", remark, extFields };
}

const CODECS = {
  JSON: { encode: (h: RemotingCommandHeader) => encodeJsonHeader(h), decode: decodeJsonHeader },
  ROCKETMQ: { encode: encodeRocketMQHeader, decode: decodeRocketMQHeader },
} as const;

/** Runs `decode`; a ProtocolError is an answer, any other exception fails the test with `label`. */
function decodeOrProtocolError<T>(decode: () => T, label: string): T | null {
  try {
    return decode();
  } catch (err) {
    expect(err, `${label}: ${String(err)}`).toBeInstanceOf(ProtocolError);
    return null;
  }
}

describe.each(["JSON", "ROCKETMQ"] as const)("%s header codec under fuzzing", (type) => {
  const codec = CODECS[type];

  it("decodes what it encodes, for any field values and text", () => {
    for (let i = 0; i < 1500; i++) {
      const h = randomHeader(Random.forInput(SEED, i), type);
      expect(codec.decode(codec.encode(h)), `header #${i}`).toEqual(afterTrip(h, type));
    }
  });

  it("decodes mutated headers to a header or a ProtocolError, and what it decodes survives another trip", () => {
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const rng = Random.forInput(SEED ^ 2, i);
      const cmd = validRequest(rng, SUITE_PROFILE);
      const frame = serializeCommand(rng, cmd, type, true, SUITE_PROFILE);
      const label = `#${i} ${cmd.code} ${frame.label}`;
      const decoded = decodeOrProtocolError(() => decodeCommand(frame.bytes.subarray(4)), label);
      if (decoded === null) {
        refused++;
        continue;
      }
      const header: RemotingCommandHeader = { ...decoded };
      delete (header as Partial<typeof decoded>).body;
      delete (header as Partial<typeof decoded>).serializeType;
      const codecOfFrame = CODECS[decoded.serializeType];
      expect(codecOfFrame.decode(codecOfFrame.encode(header)), label).toEqual(afterTrip(header, decoded.serializeType));
    }
    expect(refused).toBeGreaterThan(100);
  });

  it("throws nothing but ProtocolError on random bytes", () => {
    for (let i = 0; i < 3000; i++) {
      const rng = Random.forInput(SEED ^ 3, i);
      const bytes = rng.bytes(rng.size(300));
      if (type === "JSON" && rng.chance(0.5)) bytes[0] = 0x7b; // "{": past the first check
      decodeOrProtocolError(() => codec.decode(bytes), `#${i} ${Buffer.from(bytes).toString("hex")}`);
    }
  });
});

describe("decodeCommand under fuzzing", () => {
  it("throws nothing but ProtocolError on any frame of the fuzz inputs", () => {
    let frames = 0;
    for (let i = 0; i < 2000; i++) {
      const input = fuzzInput(SEED, i, SUITE_PROFILE);
      let decoded: Uint8Array[] = [];
      try {
        decoded = new FrameDecoder(1024 * 1024).push(input.bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError);
      }
      for (const frame of decoded) {
        frames++;
        decodeOrProtocolError(() => decodeCommand(frame), `#${i} ${input.label}`);
      }
    }
    expect(frames).toBeGreaterThan(1000);
  });
});
