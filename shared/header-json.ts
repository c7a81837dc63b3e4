/**
 * JSON remoting header (serialize type 0), PROTOCOL §1.4.
 *
 * Decoding is as lenient as fastjson's bean deserializer: any property order, unknown properties
 * ignored, names matched exactly or "smart" (case-insensitive, `_`/`-` ignored), unquoted and
 * single-quoted names/strings accepted, `language` as name or ordinal (unknown → null), numeric or
 * boolean `extFields` values turned into strings, null `extFields` values dropped.
 *
 * Encoding reproduces fastjson's output for `RemotingCommand`: properties in alphabetical order
 * (code, extFields, flag, language, opaque, remark, serializeTypeCurrentRPC, version), null remark /
 * extFields / language omitted, default string escaping.
 */
import { LANGUAGE_NAMES, type LanguageName } from "./codes";
import { JsonSyntaxError, ProtocolError } from "./errors";
import { DEFAULT_MAX_JSON_DEPTH, parseFastjson } from "./fastjson-reader";
import { quoteLegacy, strMap, writeJson } from "./fastjson-writer";
import { setOwn } from "./json-values";
import type { RemotingCommandHeader } from "./remoting-command";

/** Like Java, keeps a leading U+FEFF: it is part of the text, not a byte-order mark. */
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

type Field = "code" | "language" | "version" | "opaque" | "flag" | "remark" | "extFields";
const FIELD_LIST: readonly Field[] = ["code", "language", "version", "opaque", "flag", "remark", "extFields"];
/** fastjson "smart match": lower-cased, with `_` and `-` removed. */
const SMART = new Map<string, Field>(FIELD_LIST.map((f) => [f.toLowerCase(), f]));

function fieldOf(name: string): Field | undefined {
  switch (name) {
    case "code":
    case "language":
    case "version":
    case "opaque":
    case "flag":
    case "remark":
    case "extFields":
      return name;
    case "serializeTypeCurrentRPC": // sent by every Java client, read by no one
      return undefined;
    default:
      return SMART.get(name.toLowerCase().replace(/[_-]/g, ""));
  }
}

function toInt(value: unknown, field: string): number {
  if (typeof value === "number" && (value | 0) === value) return value | 0;
  if (value === null || value === undefined) return 0;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new ProtocolError(`bad ${field} in JSON header`);
    return Math.trunc(value) | 0;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const t = value.trim();
    if (/^[-+]?\d+(\.\d*)?$/.test(t)) return Math.trunc(Number(t)) | 0;
    if (t === "") return 0;
  }
  throw new ProtocolError(`bad ${field} in JSON header`);
}

function toLanguage(value: unknown): LanguageName | null {
  if (typeof value === "string") {
    const idx = (LANGUAGE_NAMES as readonly string[]).indexOf(value);
    if (idx >= 0) return LANGUAGE_NAMES[idx];
    if (/^\d+$/.test(value)) return LANGUAGE_NAMES[Number(value)] ?? null;
    return null;
  }
  if (typeof value === "number") return LANGUAGE_NAMES[value] ?? null;
  return null;
}

function extValueToString(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function toExtFields(value: unknown): Record<string, string> | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw new ProtocolError("bad extFields in JSON header");
  const source = value as Record<string, unknown>;
  const ext: Record<string, string> = {};
  for (const k in source) {
    if (!Object.hasOwn(source, k)) continue;
    const v = source[k];
    const s = typeof v === "string" ? v : extValueToString(v);
    if (s === null) continue;
    setOwn(ext, k, s);
  }
  return ext;
}

/**
 * Decodes header text. Throws ProtocolError on anything that fastjson would not turn into a
 * RemotingCommand, and on a header nested deeper than `maxJsonDepth` (checked before parsing, so a
 * remark nested a million levels costs one scan).
 */
export function decodeJsonHeaderText(text: string, maxJsonDepth: number = DEFAULT_MAX_JSON_DEPTH): RemotingCommandHeader {
  if (text.trim() === "") throw new ProtocolError("empty JSON header");
  let parsed: unknown;
  try {
    parsed = parseFastjson(text, maxJsonDepth);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ProtocolError(`malformed JSON header: ${e.message}`);
    throw e;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ProtocolError("JSON header is not an object");
  }
  const h: RemotingCommandHeader = {
    code: 0,
    language: "JAVA", // RemotingCommand's field initializer
    version: 0,
    opaque: 0,
    flag: 0,
    remark: null,
    extFields: null,
  };
  const object = parsed as Record<string, unknown>;
  for (const name in object) {
    if (!Object.hasOwn(object, name)) continue;
    const value = object[name];
    switch (fieldOf(name)) {
      case "code":
        h.code = toInt(value, "code");
        break;
      case "version":
        h.version = toInt(value, "version");
        break;
      case "opaque":
        h.opaque = toInt(value, "opaque");
        break;
      case "flag":
        h.flag = toInt(value, "flag");
        break;
      case "language":
        h.language = toLanguage(value);
        break;
      case "remark":
        h.remark = value === null || value === undefined ? null : typeof value === "string" ? value : extValueToString(value);
        break;
      case "extFields":
        h.extFields = toExtFields(value);
        break;
      default:
        break;
    }
  }
  return h;
}

/** Decodes the UTF-8 header bytes of a frame. */
export function decodeJsonHeader(bytes: Uint8Array, maxJsonDepth: number = DEFAULT_MAX_JSON_DEPTH): RemotingCommandHeader {
  if (bytes.length === 0) throw new ProtocolError("empty JSON header");
  return decodeJsonHeaderText(utf8Decoder.decode(bytes), maxJsonDepth);
}

/** Header text exactly as fastjson writes a RemotingCommand. */
export function encodeJsonHeaderText(h: RemotingCommandHeader, serializeTypeCurrentRPC: "JSON" | "ROCKETMQ" = "JSON"): string {
  let s = '{"code":' + (h.code | 0);
  if (h.extFields !== null && h.extFields !== undefined) s += ',"extFields":' + writeJson(strMap(h.extFields), "legacy");
  s += ',"flag":' + (h.flag | 0);
  if (h.language !== null && h.language !== undefined) s += ',"language":"' + h.language + '"';
  s += ',"opaque":' + (h.opaque | 0);
  if (h.remark !== null && h.remark !== undefined) s += ',"remark":' + quoteLegacy(h.remark);
  s += ',"serializeTypeCurrentRPC":"' + serializeTypeCurrentRPC + '"';
  s += ',"version":' + (h.version | 0) + "}";
  return s;
}

/** UTF-8 bytes of encodeJsonHeaderText. */
export function encodeJsonHeader(h: RemotingCommandHeader, serializeTypeCurrentRPC: "JSON" | "ROCKETMQ" = "JSON"): Uint8Array {
  return utf8Encoder.encode(encodeJsonHeaderText(h, serializeTypeCurrentRPC));
}
