/**
 * ROCKETMQ (binary) remoting header, serialize type 1 (PROTOCOL §1.5). Big-endian:
 * code int16 | language byte | version int16 | opaque int32 | flag int32 |
 * remarkLength int32 + remark UTF-8 | extLength int32 + entries (keyLength int16, key, valueLength int32, value).
 */
import { LANGUAGE_NAMES, type LanguageName } from "./codes";
import { ProtocolError } from "./errors";
import { setOwn } from "./json-values";
import type { RemotingCommandHeader } from "./remoting-command";

/** Like Java, keeps a leading U+FEFF: it is part of the text, not a byte-order mark. */
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Size of the fixed part (no remark, no ext fields). */
export const ROCKETMQ_HEADER_FIXED_SIZE = 21;

function languageCode(language: LanguageName | null): number {
  if (language === null) return 0;
  const idx = (LANGUAGE_NAMES as readonly string[]).indexOf(language);
  return idx < 0 ? 0 : idx;
}

export function encodeRocketMQHeader(h: RemotingCommandHeader): Uint8Array {
  const remark = h.remark ? utf8Encoder.encode(h.remark) : null;
  const entries: Array<[Uint8Array, Uint8Array]> = [];
  let extLength = 0;
  if (h.extFields) {
    for (const [k, v] of Object.entries(h.extFields)) {
      if (k === null || v === null || v === undefined) continue;
      const kb = utf8Encoder.encode(k);
      const vb = utf8Encoder.encode(v);
      if (kb.length > 0x7fff) throw new RangeError(`ext field name too long: ${kb.length} bytes`);
      entries.push([kb, vb]);
      extLength += 2 + kb.length + 4 + vb.length;
    }
  }
  const remarkLength = remark ? remark.length : 0;
  const out = new Uint8Array(ROCKETMQ_HEADER_FIXED_SIZE + remarkLength + extLength);
  const dv = new DataView(out.buffer);
  dv.setInt16(0, h.code);
  out[2] = languageCode(h.language);
  dv.setInt16(3, h.version);
  dv.setInt32(5, h.opaque);
  dv.setInt32(9, h.flag);
  dv.setInt32(13, remarkLength);
  let p = 17;
  if (remark) {
    out.set(remark, p);
    p += remark.length;
  }
  dv.setInt32(p, extLength);
  p += 4;
  for (const [kb, vb] of entries) {
    dv.setInt16(p, kb.length);
    p += 2;
    out.set(kb, p);
    p += kb.length;
    dv.setInt32(p, vb.length);
    p += 4;
    out.set(vb, p);
    p += vb.length;
  }
  return out;
}

export function decodeRocketMQHeader(bytes: Uint8Array): RemotingCommandHeader {
  const n = bytes.length;
  if (n < ROCKETMQ_HEADER_FIXED_SIZE) throw new ProtocolError(`ROCKETMQ header too short: ${n} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const code = dv.getInt16(0);
  const language = LANGUAGE_NAMES[bytes[2]] ?? null;
  const version = dv.getInt16(3);
  const opaque = dv.getInt32(5);
  const flag = dv.getInt32(9);
  const remarkLength = dv.getInt32(13);
  let p = 17;
  if (remarkLength < 0 || remarkLength > n - p - 4) {
    throw new ProtocolError(`ROCKETMQ header remark length ${remarkLength} exceeds header length ${n}`);
  }
  const remark = remarkLength === 0 ? null : utf8Decoder.decode(bytes.subarray(p, p + remarkLength));
  p += remarkLength;
  const extLength = dv.getInt32(p);
  p += 4;
  if (extLength < 0 || extLength > n - p) {
    throw new ProtocolError(`ROCKETMQ header ext length ${extLength} exceeds header length ${n}`);
  }
  let extFields: Record<string, string> | null = null;
  if (extLength > 0) {
    extFields = {};
    const end = p + extLength;
    while (p < end) {
      if (end - p < 2) throw new ProtocolError("truncated ext field name length");
      const kl = dv.getInt16(p);
      p += 2;
      if (kl < 0 || kl > end - p) throw new ProtocolError(`ext field name length ${kl} exceeds header`);
      const key = kl === 0 ? null : utf8Decoder.decode(bytes.subarray(p, p + kl));
      p += kl;
      if (end - p < 4) throw new ProtocolError("truncated ext field value length");
      const vl = dv.getInt32(p);
      p += 4;
      if (vl < 0 || vl > end - p) throw new ProtocolError(`ext field value length ${vl} exceeds header`);
      const value = vl === 0 ? null : utf8Decoder.decode(bytes.subarray(p, p + vl));
      p += vl;
      // a length-0 value decodes as null, i.e. absent
      if (key === null || value === null) continue;
      setOwn(extFields, key, value);
    }
  }
  return { code, language, version, opaque, flag, remark, extFields };
}
