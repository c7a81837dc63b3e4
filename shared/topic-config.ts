/**
 * TopicConfig in each form it is written in:
 *
 * - wire JSON, what brokers send in REGISTER_BROKER: read as leniently as fastjson reads it
 *   (numbers as strings, scalars as strings), with Java's defaults for missing fields;
 * - plain JSON, what the HTTP API takes: a strict zod schema (TopicConfigSchema);
 * - the line of the compressed REGISTER_BROKER body (PROTOCOL §3.3): `TopicConfig.encode()` and
 *   `TopicConfig.decode(line)`.
 *
 * Registrations carry thousands of these, so each JSON form has a hand-written check for the common
 * case (every field already of its JSON type) that gives exactly what its schema gives, or null to
 * let the schema decide; test/shared/topic-config.test.ts compares the two on seeded values.
 *
 * Failures throw BodyDecodeError; register-body.ts prefixes the message with what Java reports.
 */
import { z } from "zod";
import { BodyTooDeepError, zBool, zLong, zStr } from "./body-codec";
import { BodyDecodeError } from "./errors";
import { DEFAULT_MAX_JSON_DEPTH, JsonTooDeepError, parseFastjson } from "./fastjson-reader";
import { type JValue, strMap, writeJson } from "./fastjson-writer";
import { isInt, isObject, setOwn } from "./json-values";
import type { TopicConfig } from "./model";

/** `TopicFilterType`, in its ordinal order. */
export const TOPIC_FILTER_TYPES = ["SINGLE_TAG", "MULTI_TAG"] as const;
export type TopicFilterType = (typeof TOPIC_FILTER_TYPES)[number];

const filterTypes: ReadonlySet<unknown> = new Set(TOPIC_FILTER_TYPES);

export function isTopicFilterType(v: unknown): v is TopicFilterType {
  return filterTypes.has(v);
}

function fail(message: string): never {
  throw new BodyDecodeError(message);
}

// ---------------------------------------------------------------------------------------------
// Wire JSON (lenient)

/** What fastjson accepts for each field of a broker's TopicConfig. */
export const WireTopicConfigSchema = z.object({
  topicName: zStr.nullish(),
  readQueueNums: zLong.nullish(),
  writeQueueNums: zLong.nullish(),
  perm: zLong.nullish(),
  topicFilterType: zStr.nullish(),
  topicSysFlag: zLong.nullish(),
  order: zBool.nullish(),
  attributes: z.unknown().optional(),
});

/** Attributes as Java keeps them: null values dropped, other non-strings as their JSON text. */
function attributesFrom(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (val === null || val === undefined) continue;
    const r = zStr.safeParse(val);
    if (r.success) setOwn(out, k, r.data);
    else setOwn(out, k, JSON.stringify(val));
  }
  return out;
}

/** A wire TopicConfig through WireTopicConfigSchema, with Java's defaults (perm 6, read/write 16, sysFlag 0, SINGLE_TAG). */
export function wireTopicConfigBySchema(v: Record<string, unknown>): TopicConfig {
  const r = WireTopicConfigSchema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0];
    fail(`TopicConfig ${i ? i.path.join(".") + ": " + i.message : "invalid"}`);
  }
  const d = r.data;
  if (d.topicName === null || d.topicName === undefined) fail("TopicConfig without topicName");
  return {
    topicName: d.topicName,
    readQueueNums: d.readQueueNums ?? 16,
    writeQueueNums: d.writeQueueNums ?? 16,
    perm: d.perm ?? 6,
    topicFilterType: isTopicFilterType(d.topicFilterType) ? d.topicFilterType : "SINGLE_TAG",
    topicSysFlag: d.topicSysFlag ?? 0,
    order: d.order ?? false,
    attributes: attributesFrom(d.attributes),
  };
}

const isStringMap = (v: unknown) =>
  v === undefined || (isObject(v) && Object.values(v).every((x) => typeof x === "string"));

/**
 * wireTopicConfigBySchema's result for a TopicConfig exactly as brokers write it (every field of
 * its JSON type), taken without zod; null when the schema has to decide.
 */
export function plainWireTopicConfig(v: Record<string, unknown>): TopicConfig | null {
  const { topicName, readQueueNums, writeQueueNums, perm, topicFilterType, topicSysFlag, order, attributes } = v;
  if (typeof topicName !== "string" || !isInt(readQueueNums) || !isInt(writeQueueNums) || !isInt(perm)) return null;
  if (!isInt(topicSysFlag) || typeof order !== "boolean" || !isTopicFilterType(topicFilterType)) return null;
  if (!isStringMap(attributes)) return null;
  return {
    topicName,
    readQueueNums,
    writeQueueNums,
    perm,
    topicFilterType,
    topicSysFlag,
    order,
    attributes: attributes === undefined ? {} : { ...(attributes as Record<string, string>) },
  };
}

/** A TopicConfig from a broker's JSON. Throws BodyDecodeError. */
export function topicConfigFromWire(v: unknown): TopicConfig {
  if (!isObject(v)) fail("TopicConfig is not an object");
  return plainWireTopicConfig(v) ?? wireTopicConfigBySchema(v);
}

/** The bean a broker's fastjson writes (properties in alphabetical order). */
export function topicConfigValue(tc: TopicConfig): JValue {
  return {
    attributes: tc.attributes === undefined ? undefined : strMap(tc.attributes),
    order: tc.order ?? false,
    perm: tc.perm,
    readQueueNums: tc.readQueueNums,
    topicFilterType: tc.topicFilterType ?? "SINGLE_TAG",
    topicName: tc.topicName,
    topicSysFlag: tc.topicSysFlag,
    writeQueueNums: tc.writeQueueNums,
  };
}

// ---------------------------------------------------------------------------------------------
// Plain JSON (strict: the HTTP API)

const int = z.number().int();

export const TopicConfigSchema = z.object({
  topicName: z.string().min(1),
  readQueueNums: int.default(16),
  writeQueueNums: int.default(16),
  perm: int.default(6),
  topicFilterType: z.enum(TOPIC_FILTER_TYPES).optional(),
  topicSysFlag: int.default(0),
  order: z.boolean().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});

export type TopicConfigOutput = z.output<typeof TopicConfigSchema>;

/**
 * TopicConfigSchema's output for a value whose every field already has its JSON type (brokers and
 * the tcp-bridge send them so, thousands per registration), checked without zod; null when the
 * schema has to decide (defaults to fill, or an error to report).
 */
export function plainTopicConfig(v: unknown): TopicConfigOutput | null {
  if (!isObject(v)) return null;
  const { topicName, readQueueNums, writeQueueNums, perm, topicFilterType, topicSysFlag, order, attributes } = v;
  if (typeof topicName !== "string" || topicName.length === 0) return null;
  if (!Number.isSafeInteger(readQueueNums) || !Number.isSafeInteger(writeQueueNums) || !Number.isSafeInteger(perm)) return null;
  if (!Number.isSafeInteger(topicSysFlag)) return null;
  if (topicFilterType !== undefined && !isTopicFilterType(topicFilterType)) return null;
  if (order !== undefined && typeof order !== "boolean") return null;
  const out: TopicConfigOutput = {
    topicName,
    readQueueNums: readQueueNums as number,
    writeQueueNums: writeQueueNums as number,
    perm: perm as number,
    topicSysFlag: topicSysFlag as number,
  };
  if (topicFilterType !== undefined) out.topicFilterType = topicFilterType;
  if (order !== undefined) out.order = order;
  if (attributes !== undefined) {
    if (!isObject(attributes) || Object.hasOwn(attributes, "__proto__")) return null;
    const copy: Record<string, string> = {};
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key)) continue;
      const value = attributes[key];
      if (typeof value !== "string") return null;
      copy[key] = value;
    }
    out.attributes = copy;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The line of the compressed REGISTER_BROKER body

/** `Integer.parseInt` */
function parseJavaInt(s: string): number {
  if (!/^[-+]?\d+$/.test(s)) fail(`For input string: "${s}"`);
  const n = Number(s);
  if (n > 2147483647 || n < -2147483648) fail(`For input string: "${s}"`);
  return n;
}

/** `String.split(" ")`: trailing empty strings removed. */
function javaSplitSpace(s: string): string[] {
  const parts = s.split(" ");
  let n = parts.length;
  while (n > 0 && parts[n - 1] === "") n--;
  return n === 0 ? (s.length === 0 ? [""] : []) : parts.slice(0, n);
}

/**
 * `TopicConfig.decode(line)`: `name read write perm filterType [attributesJSON]`. Attributes that do
 * not parse are ignored as Java does, except attributes nested deeper than `maxJsonDepth`.
 */
export function parseTopicConfigLine(line: string, maxJsonDepth: number = DEFAULT_MAX_JSON_DEPTH): TopicConfig {
  const parts = javaSplitSpace(line);
  if (parts.length < 5) fail(`bad topic config line: ${JSON.stringify(line)}`);
  const topicFilterType = parts[4];
  if (!isTopicFilterType(topicFilterType)) fail(`No enum constant TopicFilterType.${topicFilterType}`);
  const tc: TopicConfig = {
    topicName: parts[0],
    readQueueNums: parseJavaInt(parts[1]),
    writeQueueNums: parseJavaInt(parts[2]),
    perm: parseJavaInt(parts[3]),
    topicFilterType,
    topicSysFlag: 0,
    order: false,
    attributes: {},
  };
  if (parts.length >= 6) {
    try {
      const attrs = parseFastjson(parts[5], maxJsonDepth);
      if (isObject(attrs)) tc.attributes = attributesFrom(attrs);
    } catch (e) {
      if (e instanceof JsonTooDeepError) throw new BodyTooDeepError(`attributes of topic ${tc.topicName}: ${e.message} (maxJsonDepth)`);
      // anything else is ignored, like the Java decoder
    }
  }
  return tc;
}

/** `TopicConfig.encode()` */
export function formatTopicConfigLine(tc: TopicConfig): string {
  let s = `${tc.topicName} ${tc.readQueueNums} ${tc.writeQueueNums} ${tc.perm} ${tc.topicFilterType ?? "SINGLE_TAG"}`;
  if (tc.attributes !== undefined) s += " " + writeJson(strMap(tc.attributes), "legacy");
  return s;
}
