/**
 * REGISTER_BROKER body in its three forms (PROTOCOL §3.3):
 *
 * 1. version >= 37, not compressed: `RegisterBrokerBody` JSON (fastjson default encoding, so nested
 *    Integer-keyed maps have bare numeric keys);
 * 2. version >= 37, compressed: zlib stream of length-prefixed parts (data version JSON, topic config
 *    lines, filter server JSON, and from version 413 on the topic-queue mapping infos);
 * 3. version < 37: a bare `TopicConfigSerializeWrapper` JSON; filterServerList is then null.
 *
 * zlib is injected (`inflate`/`deflate`) so this module stays free of runtime-specific APIs.
 *
 * Decoding is bounded before anything large is built: every JSON text nests at most `maxJsonDepth`
 * levels (a mapping part of the compressed form counts the levels it has in the JSON form, so both
 * forms accept the same registrations and whatever is accepted can be encoded again in a route),
 * the compressed form inflates to at most `maxInflatedBytes`, and a registration holds at most
 * `maxTopics` topics. Topic names must be well-formed UTF-16.
 */
import { Version } from "./codes";
import { BodyDecodeError } from "./errors";
import { BodyTooDeepError, dataVersionFromJson, dataVersionValue, mappingInfoValue, zStr } from "./body-codec";
import { DEFAULT_MAX_JSON_DEPTH, JsonTooDeepError, parseFastjson } from "./fastjson-reader";
import { type JValue, strMap, writeJson } from "./fastjson-writer";
import { isObject, setOwn } from "./json-values";
import type { DataVersion, RegisterBrokerBody, TopicConfig, TopicQueueMappingInfo } from "./model";
import { formatTopicConfigLine, parseTopicConfigLine, topicConfigFromWire, topicConfigValue } from "./topic-config";
import { isWellFormedName, unpairedSurrogateRemark } from "./well-formed-names";
import { z } from "zod";

export const REGISTER_BODY_ERROR_PREFIX =
  "org.apache.rocketmq.remoting.exception.RemotingCommandException: Failed to decode RegisterBrokerBody";

/** The `maxRegisterBodyInflatedBytes` default: what a compressed body may inflate to. */
export const DEFAULT_MAX_REGISTER_BODY_INFLATED_BYTES = 32 * 1024 * 1024;
/** The `maxTopicsPerRegistration` default: topics (and topic mappings) in one registration. */
export const DEFAULT_MAX_TOPICS_PER_REGISTRATION = 100_000;

export interface DecodeRegisterBodyOptions {
  /** `version` of the REGISTER_BROKER request */
  version: number;
  /** `compressed` request header field */
  compressed: boolean;
  /**
   * zlib inflate producing at most `maxOutputLength` bytes (node:zlib's `inflateSync(bytes,
   * { maxOutputLength })`): throws a RangeError when the output would be longer, and any other
   * error for a corrupt stream.
   */
  inflate: (bytes: Uint8Array, maxOutputLength: number) => Uint8Array;
  /** current time in ms, used for a missing DataVersion */
  now: number;
  /** deepest nesting of any JSON text of the body; DEFAULT_MAX_JSON_DEPTH when absent */
  maxJsonDepth?: number;
  /** largest inflated size of a compressed body; DEFAULT_MAX_REGISTER_BODY_INFLATED_BYTES when absent */
  maxInflatedBytes?: number;
  /** most topics (and topic mappings) in the body; DEFAULT_MAX_TOPICS_PER_REGISTRATION when absent */
  maxTopics?: number;
}

/** The bounds a decode runs under, resolved once. */
interface Bounds {
  maxJsonDepth: number;
  maxInflatedBytes: number;
  maxTopics: number;
}

/**
 * Levels above a topic mapping in the JSON form (body, topicConfigSerializeWrapper,
 * topicQueueMappingInfoMap): a mapping part of the compressed form may nest that much less.
 */
const MAPPING_LEVELS_IN_JSON_FORM = 3;

export interface EncodeRegisterBodyOptions {
  compressed: boolean;
  version: number;
  /** zlib deflate; required when compressed */
  deflate?: (bytes: Uint8Array) => Uint8Array;
  /** `mappingDataVersion` of the JSON form (5.x brokers); defaults to {0, dataVersion.timestamp, 0} when version >= 413 */
  mappingDataVersion?: DataVersion;
}

/** A REGISTER_BROKER body that cannot be decoded; its message is the remark to answer with. */
export class RegisterBodyDecodeError extends BodyDecodeError {
  constructor(detail: string) {
    super(`${REGISTER_BODY_ERROR_PREFIX}: ${detail}`);
    this.name = "RegisterBodyDecodeError";
  }
}

function fail(message: string): never {
  throw new BodyDecodeError(message);
}

/** Like Java, keeps a leading U+FEFF: it is part of the text, not a byte-order mark. */
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Decoding

function depthRemark(e: JsonTooDeepError): string {
  return `${e.message} (maxJsonDepth)`;
}

function tooManyTopics(maxTopics: number): never {
  fail(`more than ${maxTopics} topics in one registration (maxTopicsPerRegistration)`);
}

/** A registered TopicConfig: a broker's JSON, with a well-formed name. */
function registeredTopicConfig(v: unknown): TopicConfig {
  const tc = topicConfigFromWire(v);
  if (!isWellFormedName(tc.topicName)) fail(unpairedSurrogateRemark("topic"));
  return tc;
}

function topicTableFrom(v: unknown, maxTopics: number): Record<string, TopicConfig> {
  const out: Record<string, TopicConfig> = {};
  if (v === null || v === undefined) return out;
  if (!isObject(v)) fail("topicConfigTable is not an object");
  let count = 0;
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue;
    if (++count > maxTopics) tooManyTopics(maxTopics);
  }
  for (const value of Object.values(v)) {
    if (value === null || value === undefined) continue;
    const tc = registeredTopicConfig(value);
    setOwn(out, tc.topicName, tc);
  }
  return out;
}

function mappingTableFrom(v: unknown, maxTopics: number): Record<string, TopicQueueMappingInfo> {
  const out: Record<string, TopicQueueMappingInfo> = {};
  if (v === null || v === undefined) return out;
  if (!isObject(v)) fail("topicQueueMappingInfoMap is not an object");
  let count = 0;
  for (const [k, info] of Object.entries(v)) {
    if (info === null || info === undefined) continue;
    if (++count > maxTopics) tooManyTopics(maxTopics);
    if (!isObject(info)) fail(`topicQueueMappingInfoMap.${k} is not an object`);
    if (!isWellFormedName(k)) fail(unpairedSurrogateRemark("topic"));
    setOwn(out, k, info as TopicQueueMappingInfo);
  }
  return out;
}

function dataVersionOrFresh(v: unknown, now: number): DataVersion {
  if (v === null || v === undefined) return { stateVersion: 0, timestamp: now, counter: 0 };
  if (!isObject(v)) fail("dataVersion is not an object");
  return dataVersionFromJson(v, now);
}

function parseJson(bytes: Uint8Array, maxJsonDepth: number): unknown {
  try {
    return parseFastjson(utf8Decoder.decode(bytes), maxJsonDepth);
  } catch (e) {
    if (e instanceof JsonTooDeepError) throw new BodyTooDeepError(depthRemark(e));
    throw e;
  }
}

function decodeWrapper(wrapper: unknown, now: number, bounds: Bounds): Omit<RegisterBrokerBody, "filterServerList"> {
  if (wrapper === null || wrapper === undefined) {
    return { dataVersion: { stateVersion: 0, timestamp: now, counter: 0 }, topicConfigTable: {}, topicQueueMappingInfoMap: {} };
  }
  if (!isObject(wrapper)) fail("topicConfigSerializeWrapper is not an object");
  return {
    dataVersion: dataVersionOrFresh(wrapper.dataVersion, now),
    topicConfigTable: topicTableFrom(wrapper.topicConfigTable, bounds.maxTopics),
    topicQueueMappingInfoMap: mappingTableFrom(wrapper.topicQueueMappingInfoMap, bounds.maxTopics),
  };
}

function decodeJsonForm(body: Uint8Array, now: number, bounds: Bounds): RegisterBrokerBody {
  const v = parseJson(body, bounds.maxJsonDepth);
  if (!isObject(v)) fail("RegisterBrokerBody is not an object");
  let filterServerList: string[] = [];
  if (v.filterServerList !== null && v.filterServerList !== undefined) {
    const r = z.array(zStr).safeParse(v.filterServerList);
    if (!r.success) fail("filterServerList is not an array of strings");
    filterServerList = r.data;
  }
  return { ...decodeWrapper(v.topicConfigSerializeWrapper, now, bounds), filterServerList };
}

class Reader {
  private pos = 0;
  private readonly dv: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  int(): number {
    if (this.pos + 4 > this.bytes.length) fail("unexpected end of compressed body");
    const v = this.dv.getInt32(this.pos);
    this.pos += 4;
    return v;
  }
  bytesOf(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.bytes.length) fail("unexpected end of compressed body");
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

function inflateBounded(body: Uint8Array, inflate: DecodeRegisterBodyOptions["inflate"], maxBytes: number): Uint8Array {
  const tooLarge = () => fail(`compressed body inflates to more than ${maxBytes} bytes (maxRegisterBodyInflatedBytes)`);
  let data: Uint8Array;
  try {
    data = inflate(body, maxBytes);
  } catch (e) {
    if (e instanceof RangeError) tooLarge();
    fail(`inflate failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (data.length > maxBytes) tooLarge(); // an inflate that ignored its bound
  return data;
}

function decodeCompressedForm(body: Uint8Array, version: number, inflate: DecodeRegisterBodyOptions["inflate"], now: number, bounds: Bounds): RegisterBrokerBody {
  const r = new Reader(inflateBounded(body, inflate, bounds.maxInflatedBytes));
  const dataVersion = dataVersionOrFresh(parseJson(r.bytesOf(r.int()), bounds.maxJsonDepth), now);
  const topicCount = r.int();
  if (topicCount < 0) fail(`negative topic count ${topicCount}`);
  if (topicCount > bounds.maxTopics) tooManyTopics(bounds.maxTopics);
  const topicConfigTable: Record<string, TopicConfig> = {};
  for (let i = 0; i < topicCount; i++) {
    // UTF-8 decoding leaves no lone surrogate in a name
    const tc = parseTopicConfigLine(utf8Decoder.decode(r.bytesOf(r.int())), bounds.maxJsonDepth);
    setOwn(topicConfigTable, tc.topicName, tc);
  }
  let filterServerList: string[] = [];
  const filterJson = r.bytesOf(r.int());
  try {
    const parsed = z.array(zStr).safeParse(parseJson(filterJson, bounds.maxJsonDepth));
    if (parsed.success) filterServerList = parsed.data;
  } catch (e) {
    if (e instanceof BodyTooDeepError) throw e;
    // otherwise the Java decoder logs and keeps an empty list
  }
  const topicQueueMappingInfoMap: Record<string, TopicQueueMappingInfo> = {};
  if (version >= Version.V5_0_0) {
    const k = r.int();
    if (k < 0) fail(`negative mapping count ${k}`);
    if (k > bounds.maxTopics) tooManyTopics(bounds.maxTopics);
    const mappingDepth = Math.max(bounds.maxJsonDepth - MAPPING_LEVELS_IN_JSON_FORM, 1);
    for (let i = 0; i < k; i++) {
      const info = parseJson(r.bytesOf(r.int()), mappingDepth);
      if (!isObject(info)) fail("TopicQueueMappingInfo is not an object");
      if (typeof info.topic !== "string") fail("TopicQueueMappingInfo without topic");
      if (!isWellFormedName(info.topic)) fail(unpairedSurrogateRemark("topic"));
      setOwn(topicQueueMappingInfoMap, info.topic, info as TopicQueueMappingInfo);
    }
  }
  return { dataVersion, topicConfigTable, topicQueueMappingInfoMap, filterServerList };
}

/**
 * Decodes a REGISTER_BROKER body. Throws RegisterBodyDecodeError (message starting with
 * REGISTER_BODY_ERROR_PREFIX) on any failure.
 */
export function decodeRegisterBrokerBody(body: Uint8Array | null, opts: DecodeRegisterBodyOptions): RegisterBrokerBody {
  const legacy = opts.version < Version.V3_0_11;
  if (!body || body.length === 0) {
    return {
      dataVersion: { stateVersion: 0, timestamp: 0, counter: 0 },
      topicConfigTable: {},
      topicQueueMappingInfoMap: {},
      filterServerList: legacy ? null : [],
    };
  }
  const bounds: Bounds = {
    maxJsonDepth: opts.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
    maxInflatedBytes: opts.maxInflatedBytes ?? DEFAULT_MAX_REGISTER_BODY_INFLATED_BYTES,
    maxTopics: opts.maxTopics ?? DEFAULT_MAX_TOPICS_PER_REGISTRATION,
  };
  try {
    if (legacy) {
      const v = parseJson(body, bounds.maxJsonDepth);
      if (!isObject(v)) fail("TopicConfigSerializeWrapper is not an object");
      return { ...decodeWrapper(v, opts.now, bounds), topicQueueMappingInfoMap: {}, filterServerList: null };
    }
    if (opts.compressed) return decodeCompressedForm(body, opts.version, opts.inflate, opts.now, bounds);
    return decodeJsonForm(body, opts.now, bounds);
  } catch (e) {
    if (e instanceof RegisterBodyDecodeError) throw e;
    throw new RegisterBodyDecodeError(e instanceof Error ? e.message : String(e));
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding (tests, load generators)

function wrapperValue(body: RegisterBrokerBody, opts: EncodeRegisterBodyOptions): JValue {
  const dv = body.dataVersion ?? { stateVersion: 0, timestamp: 0, counter: 0 };
  const topics = strMap(Object.entries(body.topicConfigTable).map(([k, tc]) => [k, topicConfigValue(tc)] as const));
  if (opts.version < Version.V5_0_0) return { dataVersion: dataVersionValue(dv), topicConfigTable: topics };
  return {
    dataVersion: dataVersionValue(dv),
    mappingDataVersion: dataVersionValue(opts.mappingDataVersion ?? { stateVersion: 0, timestamp: dv.timestamp, counter: 0 }),
    topicConfigTable: topics,
    topicQueueMappingDetailMap: strMap({}),
    topicQueueMappingInfoMap: strMap(
      Object.entries(body.topicQueueMappingInfoMap ?? {}).map(([k, v]) => [k, mappingInfoValue(v)] as const),
    ),
  };
}

function int32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The inflated content of the compressed form (before deflate). */
export function encodeCompressedRegisterPayload(body: RegisterBrokerBody, version: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const dv = utf8Encoder.encode(writeJson(dataVersionValue(body.dataVersion ?? { stateVersion: 0, timestamp: 0, counter: 0 }), "legacy"));
  parts.push(int32(dv.length), dv);
  const topics = Object.values(body.topicConfigTable);
  parts.push(int32(topics.length));
  for (const tc of topics) {
    const line = utf8Encoder.encode(formatTopicConfigLine(tc));
    parts.push(int32(line.length), line);
  }
  const filters = utf8Encoder.encode(writeJson(body.filterServerList ?? [], "legacy"));
  parts.push(int32(filters.length), filters);
  if (version >= Version.V5_0_0) {
    const infos = Object.values(body.topicQueueMappingInfoMap ?? {});
    parts.push(int32(infos.length));
    for (const info of infos) {
      const json = utf8Encoder.encode(writeJson(mappingInfoValue(info), "legacy"));
      parts.push(int32(json.length), json);
    }
  }
  return concat(parts);
}

/** Encodes a body the way a broker of `version` would (fastjson default encoding for JSON). */
export function encodeRegisterBrokerBody(body: RegisterBrokerBody, opts: EncodeRegisterBodyOptions): Uint8Array {
  if (opts.version < Version.V3_0_11) {
    return utf8Encoder.encode(writeJson(wrapperValue(body, { ...opts, version: 0 }), "legacy"));
  }
  if (opts.compressed) {
    if (!opts.deflate) throw new TypeError("deflate is required for a compressed body");
    return opts.deflate(encodeCompressedRegisterPayload(body, opts.version));
  }
  return utf8Encoder.encode(
    writeJson({ filterServerList: body.filterServerList ?? [], topicConfigSerializeWrapper: wrapperValue(body, opts) }, "legacy"),
  );
}
