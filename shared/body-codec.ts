/**
 * Body encoders (PROTOCOL §5) in both fastjson dialects, and lenient decoders for the bodies the
 * NameServer reads (DataVersion, TopicRouteData for REGISTER_TOPIC_IN_NAMESRV). kvConfig.json is
 * read and written by edge/store/kv-config-file.ts.
 *
 * Encoders return JSON text; `utf8()` turns it into bytes.
 */
import { z } from "zod";
import { BodyDecodeError, JsonSyntaxError } from "./errors";
import { DEFAULT_MAX_JSON_DEPTH, JsonTooDeepError, parseFastjson } from "./fastjson-reader";
import { type Dialect, type JValue, numMap, strMap, writeJson } from "./fastjson-writer";
import { isObject, setOwn } from "./json-values";
import type {
  BrokerData,
  BrokerMemberGroup,
  ClusterInfo,
  DataVersion,
  KVTable,
  QueueData,
  TopicList,
  TopicQueueMappingInfo,
  TopicRouteData,
} from "./model";

export { type Dialect, utf8 } from "./fastjson-writer";

// ---------------------------------------------------------------------------------------------
// Bean descriptions (shared with register-body.ts)

export function brokerDataValue(bd: BrokerData): JValue {
  return {
    brokerAddrs: numMap(bd.brokerAddrs ?? {}),
    brokerName: bd.brokerName,
    cluster: bd.cluster,
    enableActingMaster: bd.enableActingMaster ?? false,
    zoneName: bd.zoneName,
  };
}

export function queueDataValue(qd: QueueData): JValue {
  return {
    brokerName: qd.brokerName,
    perm: qd.perm,
    readQueueNums: qd.readQueueNums,
    topicSysFlag: qd.topicSysFlag,
    writeQueueNums: qd.writeQueueNums,
  };
}

export function dataVersionValue(dv: DataVersion): JValue {
  return { counter: dv.counter, stateVersion: dv.stateVersion, timestamp: dv.timestamp };
}

/** TopicQueueMappingInfo: `currIdMap` is Integer-keyed; other properties written as given. */
export function mappingInfoValue(info: TopicQueueMappingInfo): JValue {
  const out: Record<string, JValue> = {};
  for (const [k, v] of Object.entries(info)) {
    if (k === "currIdMap" && v !== null && v !== undefined) out[k] = numMap(v as Record<string, number>);
    else out[k] = v as JValue;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoders

export function encodeTopicRouteData(route: TopicRouteData, dialect: Dialect): string {
  const value: JValue = {
    brokerDatas: (route.brokerDatas ?? []).map(brokerDataValue),
    filterServerTable: strMap(route.filterServerTable ?? {}),
    orderTopicConf: route.orderTopicConf,
    queueDatas: (route.queueDatas ?? []).map(queueDataValue),
    topicQueueMappingByBroker:
      route.topicQueueMappingByBroker === undefined
        ? undefined
        : strMap(Object.entries(route.topicQueueMappingByBroker).map(([k, v]) => [k, mappingInfoValue(v)] as const)),
  };
  return writeJson(value, dialect);
}

/** GET_BROKER_CLUSTER_INFO body; the NameServer always uses "legacy". */
export function encodeClusterInfo(info: ClusterInfo, dialect: Dialect): string {
  return writeJson(
    {
      brokerAddrTable: strMap(Object.entries(info.brokerAddrTable).map(([k, v]) => [k, brokerDataValue(v)] as const)),
      clusterAddrTable: strMap(info.clusterAddrTable),
    },
    dialect,
  );
}

/** GetBrokerMemberGroupResponseBody: `{"brokerMemberGroup":{...}}`. */
export function encodeBrokerMemberGroupBody(group: BrokerMemberGroup, dialect: Dialect): string {
  return writeJson(
    {
      brokerMemberGroup: {
        brokerAddrs: numMap(group.brokerAddrs ?? {}),
        brokerName: group.brokerName,
        cluster: group.cluster,
      },
    },
    dialect,
  );
}

export function encodeTopicList(list: TopicList, dialect: Dialect): string {
  return writeJson({ brokerAddr: list.brokerAddr, topicList: list.topicList }, dialect);
}

export function encodeKVTable(table: KVTable, dialect: Dialect): string {
  return writeJson({ table: strMap(table.table) }, dialect);
}

export function encodeDataVersion(dv: DataVersion, dialect: Dialect): string {
  return writeJson(dataVersionValue(dv), dialect);
}

// ---------------------------------------------------------------------------------------------
// Lenient value schemas (fastjson casts)

/** int/long: a number (truncated) or a decimal string. */
export const zLong = z.union([
  z.number().refine(Number.isFinite).transform((n) => Math.trunc(n)),
  z.string().trim().regex(/^[-+]?\d+$/).transform(Number),
]);
/** boolean: JSON boolean, "true"/"false" string, or number (non-zero = true). */
export const zBool = z.union([
  z.boolean(),
  z.string().transform((s) => s.toLowerCase() === "true"),
  z.number().transform((n) => n !== 0),
]);
/** String: strings as-is, scalars converted. */
export const zStr = z.union([
  z.string(),
  z.number().transform((n) => String(n)),
  z.boolean().transform((b) => String(b)),
]);

/** Like Java, keeps a leading U+FEFF: it is part of the text, not a byte-order mark. */
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * A body nested deeper than the reader's limit. Unlike other undecodable bodies, which some
 * requests ignore as the Java NameServer does, it is always refused.
 */
export class BodyTooDeepError extends BodyDecodeError {
  constructor(message: string) {
    super(message);
    this.name = "BodyTooDeepError";
  }
}

function parseBody(input: Uint8Array | string, what: string, maxJsonDepth: number): unknown {
  const text = typeof input === "string" ? input : utf8Decoder.decode(input);
  try {
    return parseFastjson(text, maxJsonDepth);
  } catch (e) {
    if (e instanceof JsonTooDeepError) throw new BodyTooDeepError(`Failed to decode ${what}: ${e.message} (maxJsonDepth)`);
    if (e instanceof JsonSyntaxError) throw new BodyDecodeError(`Failed to decode ${what}: ${e.message}`);
    throw e;
  }
}

function issueText(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.join(".") || "value"}: ${i.message}` : "invalid";
}

/** The Wire… schemas accept what fastjson reads; body-schemas.ts has the strict plain JSON forms. */
const WireDataVersionSchema = z.object({
  stateVersion: zLong.nullish(),
  timestamp: zLong.nullish(),
  counter: zLong.nullish(),
});

/** Lenient DataVersion from an already-parsed value. Missing timestamp → `now` (Java constructor). */
export function dataVersionFromJson(v: unknown, now: number): DataVersion {
  const r = WireDataVersionSchema.safeParse(v);
  if (!r.success) throw new BodyDecodeError(`Failed to decode DataVersion: ${issueText(r.error)}`);
  return {
    stateVersion: r.data.stateVersion ?? 0,
    timestamp: r.data.timestamp ?? now,
    counter: r.data.counter ?? 0,
  };
}

/** DataVersion body (QUERY_DATA_VERSION). Throws BodyDecodeError. */
export function decodeDataVersion(
  bytesOrText: Uint8Array | string,
  now: number = Date.now(),
  maxJsonDepth: number = DEFAULT_MAX_JSON_DEPTH,
): DataVersion {
  const v = parseBody(bytesOrText, "DataVersion", maxJsonDepth);
  if (!isObject(v)) throw new BodyDecodeError("Failed to decode DataVersion: not an object");
  return dataVersionFromJson(v, now);
}

const WireQueueDataSchema = z.object({
  brokerName: zStr.nullish(),
  readQueueNums: zLong.nullish(),
  writeQueueNums: zLong.nullish(),
  perm: zLong.nullish(),
  topicSysFlag: zLong.nullish(),
});

const WireBrokerDataSchema = z.object({
  cluster: zStr.nullish(),
  brokerName: zStr.nullish(),
  brokerAddrs: z.unknown().optional(),
  enableActingMaster: zBool.nullish(),
  zoneName: zStr.nullish(),
});

function stringMap(v: unknown, what: string): Record<string, string> {
  if (v === null || v === undefined) return {};
  if (!isObject(v)) throw new BodyDecodeError(`Failed to decode ${what}: not an object`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null || val === undefined) continue;
    const r = zStr.safeParse(val);
    if (!r.success) throw new BodyDecodeError(`Failed to decode ${what}: value of ${k} is not a string`);
    setOwn(out, k, r.data);
  }
  return out;
}

export function queueDataFromJson(v: unknown): QueueData {
  const r = WireQueueDataSchema.safeParse(v);
  if (!r.success) throw new BodyDecodeError(`Failed to decode QueueData: ${issueText(r.error)}`);
  return {
    brokerName: r.data.brokerName ?? (null as unknown as string),
    readQueueNums: r.data.readQueueNums ?? 0,
    writeQueueNums: r.data.writeQueueNums ?? 0,
    perm: r.data.perm ?? 0,
    topicSysFlag: r.data.topicSysFlag ?? 0,
  };
}

/**
 * TopicRouteData (REGISTER_TOPIC_IN_NAMESRV body). Lenient: missing lists → []; unknown properties
 * ignored. A QueueData without brokerName keeps `brokerName` null (as Java would), so callers
 * should check it. Throws BodyDecodeError (BodyTooDeepError past `maxJsonDepth`).
 */
export function decodeTopicRouteData(bytesOrText: Uint8Array | string, maxJsonDepth: number = DEFAULT_MAX_JSON_DEPTH): TopicRouteData {
  const v = parseBody(bytesOrText, "TopicRouteData", maxJsonDepth);
  if (!isObject(v)) throw new BodyDecodeError("Failed to decode TopicRouteData: not an object");
  const arr = (x: unknown, what: string): unknown[] => {
    if (x === null || x === undefined) return [];
    if (!Array.isArray(x)) throw new BodyDecodeError(`Failed to decode TopicRouteData: ${what} is not an array`);
    return x;
  };
  const queueDatas = arr(v.queueDatas, "queueDatas").map(queueDataFromJson);
  const brokerDatas = arr(v.brokerDatas, "brokerDatas").map((b): BrokerData => {
    const r = WireBrokerDataSchema.safeParse(b);
    if (!r.success) throw new BodyDecodeError(`Failed to decode BrokerData: ${issueText(r.error)}`);
    const bd: BrokerData = {
      cluster: r.data.cluster ?? (null as unknown as string),
      brokerName: r.data.brokerName ?? (null as unknown as string),
      brokerAddrs: stringMap(r.data.brokerAddrs, "brokerAddrs"),
      enableActingMaster: r.data.enableActingMaster ?? false,
    };
    if (r.data.zoneName != null) bd.zoneName = r.data.zoneName;
    return bd;
  });
  const filterServerTable: Record<string, string[]> = {};
  if (v.filterServerTable !== null && v.filterServerTable !== undefined) {
    if (!isObject(v.filterServerTable)) throw new BodyDecodeError("Failed to decode TopicRouteData: filterServerTable is not an object");
    for (const [addr, list] of Object.entries(v.filterServerTable)) {
      if (list === null || list === undefined) continue;
      const r = z.array(zStr).safeParse(list);
      if (!r.success) throw new BodyDecodeError(`Failed to decode TopicRouteData: filterServerTable.${addr}`);
      setOwn(filterServerTable, addr, r.data);
    }
  }
  const route: TopicRouteData = { queueDatas, brokerDatas, filterServerTable };
  if (typeof v.orderTopicConf === "string") route.orderTopicConf = v.orderTopicConf;
  if (isObject(v.topicQueueMappingByBroker)) {
    const m: Record<string, TopicQueueMappingInfo> = {};
    for (const [k, info] of Object.entries(v.topicQueueMappingByBroker)) {
      if (isObject(info)) setOwn(m, k, info as TopicQueueMappingInfo);
    }
    route.topicQueueMappingByBroker = m;
  }
  return route;
}
