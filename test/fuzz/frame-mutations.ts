/**
 * Frames on the wire: a command serialized with either header type (the header itself possibly
 * mutated), and mutations of the bytes of whole frames (bit flips, cuts, length fields that lie).
 */
import { MAX_FRAME_LENGTH } from "../../shared/codes";
import { encodeJsonHeaderText } from "../../shared/header-json";
import { encodeRocketMQHeader, ROCKETMQ_HEADER_FIXED_SIZE } from "../../shared/header-rocketmq";
import type { RemotingCommand, SerializeType } from "../../shared/remoting-command";
import { badUtf8 } from "./hostile-values";
import { mutateJsonText } from "./json-text-mutations";
import { valueSize, type FuzzProfile } from "./profiles";
import type { Random } from "./random";

const utf8 = new TextEncoder();

/** A frame (length prefix included) from its parts, length fields written as they are. */
export function frameOf(type: number, header: Uint8Array, body: Uint8Array | null): Uint8Array {
  const bodyLength = body ? body.length : 0;
  const out = new Uint8Array(8 + header.length + bodyLength);
  const view = new DataView(out.buffer);
  view.setInt32(0, 4 + header.length + bodyLength);
  view.setInt32(4, ((type & 0xff) << 24) | (header.length & 0xffffff));
  out.set(header, 8);
  if (body) out.set(body, 8 + header.length);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function insertAt(bytes: Uint8Array, at: number, insert: Uint8Array): Uint8Array {
  return concatBytes([bytes.subarray(0, at), insert, bytes.subarray(at)]);
}

/** A JSON header's text, mutated in ways only a JSON header can be (names, the language). */
function mutateJsonHeaderText(rng: Random, text: string, profile: FuzzProfile): { text: string; label: string } {
  switch (rng.int(4)) {
    case 0: {
      // fastjson's smart match: case and `_`/`-` do not matter in names
      const names = ["Code", "CODE", "c_o_d_e", "ext_fields", "EXTFIELDS", "op-aque", "Flag", "REMARK"];
      const name = rng.pick(names);
      const plain = name.replace(/[_-]/g, "").toLowerCase();
      const original = plain === "extfields" ? "extFields" : plain;
      return { text: text.replace(`"${original}"`, `"${name}"`), label: `smartName(${name})` };
    }
    case 1: {
      const language = rng.pick(['"GO"', '"go"', "9", '"99"', "-1", "null", '"ELVISH"']);
      return { text: text.replace(/"language":"[A-Z_]+"/, `"language":${language}`), label: `language=${language}` };
    }
    default:
      return mutateJsonText(rng, text, profile);
  }
}

/** Offsets of a ROCKETMQ header's length fields, so they can be made to lie. */
function rocketmqLengthFields(header: Uint8Array): Array<{ at: number; size: 2 | 4; name: string }> {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const fields: Array<{ at: number; size: 2 | 4; name: string }> = [{ at: 13, size: 4, name: "remarkLength" }];
  const extAt = 17 + view.getInt32(13);
  fields.push({ at: extAt, size: 4, name: "extLength" });
  let p = extAt + 4;
  while (p + 2 <= header.length) {
    fields.push({ at: p, size: 2, name: `keyLength@${p}` });
    p += 2 + Math.max(0, view.getInt16(p));
    if (p + 4 > header.length) break;
    fields.push({ at: p, size: 4, name: `valueLength@${p}` });
    p += 4 + Math.max(0, view.getInt32(p));
  }
  return fields;
}

function mutateRocketMQHeader(rng: Random, header: Uint8Array): { header: Uint8Array; label: string } {
  const out = header.slice();
  if (rng.chance(0.3) && out.length > ROCKETMQ_HEADER_FIXED_SIZE) {
    const at = rng.range(17, out.length - 1);
    return { header: insertAt(out, at, badUtf8(rng)), label: `badUtf8@${at}` };
  }
  const field = rng.pick(rocketmqLengthFields(out));
  const view = new DataView(out.buffer);
  const lie = rng.pick([-1, 0, 1, 0x7fff, 0x7fffffff, -0x80000000, out.length, out.length - field.at]);
  if (field.size === 2) view.setInt16(field.at, lie);
  else view.setInt32(field.at, lie);
  return { header: out, label: `${field.name}=${lie}` };
}

/**
 * The frame of `cmd` with a `type` header, the header mutated when asked. A command the binary
 * header cannot carry (a name over 32 KiB) goes out with a JSON header.
 */
export function serializeCommand(
  rng: Random,
  cmd: RemotingCommand,
  type: SerializeType,
  mutateHeader: boolean,
  profile: FuzzProfile,
): { bytes: Uint8Array; label: string } {
  if (type === "ROCKETMQ") {
    let header: Uint8Array | null = null;
    try {
      header = encodeRocketMQHeader(cmd);
    } catch {
      // falls through to JSON
    }
    if (header) {
      if (!mutateHeader) return { bytes: frameOf(1, header, cmd.body), label: "ROCKETMQ" };
      const mutated = mutateRocketMQHeader(rng, header);
      return { bytes: frameOf(1, mutated.header, cmd.body), label: `ROCKETMQ header.${mutated.label}` };
    }
  }
  const text = encodeJsonHeaderText(cmd, "JSON");
  if (!mutateHeader) return { bytes: frameOf(0, utf8.encode(text), cmd.body), label: "JSON" };
  if (rng.chance(0.15)) {
    const bytes = utf8.encode(text);
    const at = rng.int(bytes.length + 1);
    return { bytes: frameOf(0, insertAt(bytes, at, badUtf8(rng)), cmd.body), label: `JSON header.badUtf8@${at}` };
  }
  const mutated = mutateJsonHeaderText(rng, text, profile);
  return { bytes: frameOf(0, utf8.encode(mutated.text), cmd.body), label: `JSON header.${mutated.label}` };
}

/** Values a frame's length prefix may claim: off by a little, nonsense, or at the frame limit. */
function lyingLength(rng: Random, actual: number): number {
  return rng.pick([
    actual + 1,
    actual - 1,
    actual + rng.range(2, 64),
    Math.max(0, actual - rng.range(2, 64)),
    0,
    1,
    3,
    4,
    -1,
    -0x80000000,
    0x7fffffff,
    MAX_FRAME_LENGTH - 4,
    MAX_FRAME_LENGTH - 3,
    MAX_FRAME_LENGTH,
    rng.int32(),
  ]);
}

/** One mutation of a frame's bytes (length prefix included). */
export function mutateFrameBytes(rng: Random, frame: Uint8Array, profile: FuzzProfile): { bytes: Uint8Array; label: string } {
  const out = frame.slice();
  const view = new DataView(out.buffer);
  switch (rng.int(9)) {
    case 0: {
      const flips = rng.range(1, 8);
      for (let i = 0; i < flips; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return { bytes: out, label: `bitflips(${flips})` };
    }
    case 1: {
      const at = rng.int(out.length);
      out[at] = rng.int(256);
      return { bytes: out, label: `byte@${at}` };
    }
    case 2: {
      const at = rng.int(out.length + 1);
      return { bytes: out.subarray(0, at), label: `truncated@${at}` };
    }
    case 3: {
      const at = rng.int(out.length + 1);
      return { bytes: insertAt(out, at, rng.bytes(rng.range(1, 16))), label: `inserted@${at}` };
    }
    case 4: {
      const from = rng.int(out.length);
      const to = Math.min(out.length, from + rng.range(1, 32));
      return { bytes: concatBytes([out.subarray(0, from), out.subarray(to)]), label: `deleted@${from}-${to}` };
    }
    case 5: {
      const lie = lyingLength(rng, out.length - 4);
      view.setInt32(0, lie);
      return { bytes: out, label: `length=${lie}` };
    }
    case 6: {
      if (out.length < 8) return { bytes: out, label: "short" };
      const lie = rng.pick([0, 1, 20, 21, 0xffffff, out.length, rng.int(0x1000000)]);
      view.setInt32(4, (out[4] << 24) | lie);
      return { bytes: out, label: `headerLength=${lie}` };
    }
    case 7: {
      if (out.length < 5) return { bytes: out, label: "short" };
      out[4] = rng.chance(0.5) ? out[4] ^ 1 : rng.int(256);
      return { bytes: out, label: `serializeType=${out[4]}` };
    }
    default: {
      const n = valueSize(rng, profile);
      return { bytes: concatBytes([out, rng.bytes(n)]), label: `trailing(${n})` };
    }
  }
}

/** Bytes that are not remoting frames at all: other protocols and noise. */
export function foreignBytes(rng: Random, profile: FuzzProfile): { bytes: Uint8Array; label: string } {
  switch (rng.int(4)) {
    case 0:
      return { bytes: utf8.encode("GET / HTTP/1.1\r\nHost: namesrv\r\n\r\n"), label: "http" };
    case 1:
      return { bytes: Uint8Array.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), label: "tlsHello" };
    case 2:
      return { bytes: new Uint8Array(rng.range(1, 64)), label: "zeros" };
    default: {
      const n = rng.range(1, Math.min(4096, profile.maxValueBytes));
      return { bytes: rng.bytes(n), label: `noise(${n})` };
    }
  }
}

/** `bytes` cut at random places, as a socket may deliver them (sometimes byte by byte). */
export function splitRandomly(rng: Random, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const byteByByte = bytes.length <= 256 && rng.chance(0.1);
  for (let at = 0; at < bytes.length; ) {
    const n = byteByByte ? 1 : Math.min(bytes.length - at, 1 + rng.size(bytes.length));
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}
