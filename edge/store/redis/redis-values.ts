/**
 * The TypeScript side of the values kept in Redis: how the store writes them, and the checks of
 * what the scripts pass back undecoded (lua/values.ts). A value that fails a check rejects the call
 * with a RedisStoreDataError naming its key.
 */
import type { BrokerData, DataVersion, QueueData, TopicQueueMappingInfo } from "../../../shared/model";
import { RedisStoreDataError, malformed } from "./redis-errors";

export function toInt(v: unknown): number {
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

/** DataVersion as stored: canonical JSON, compared as a string. */
export function dataVersionJson(dv: DataVersion): string {
  return JSON.stringify({
    stateVersion: toInt(dv.stateVersion),
    timestamp: toInt(dv.timestamp),
    counter: toInt(dv.counter),
  });
}

export function queueDataJson(qd: QueueData): string {
  return JSON.stringify({
    brokerName: qd.brokerName,
    readQueueNums: toInt(qd.readQueueNums),
    writeQueueNums: toInt(qd.writeQueueNums),
    perm: toInt(qd.perm),
    topicSysFlag: toInt(qd.topicSysFlag),
  });
}

/** cjson encodes an empty array as {}: accept both as []. */
export function asArray<T = unknown>(v: unknown, where: string): T[] {
  if (Array.isArray(v)) return v as T[];
  if (v && typeof v === "object" && Object.keys(v).length === 0) return [];
  throw new RedisStoreDataError(`unexpected reply shape from ${where}`);
}

/** A flat [field, value, ...] list (HGETALL) as pairs. */
export function pairs(flat: unknown, where: string): [string, string][] {
  const items = asArray<string>(flat, where);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([String(items[i]), String(items[i + 1])]);
  return out;
}

function parseJson(raw: string, key: string, field: string | null): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw malformed(key, field, `not JSON: ${raw.slice(0, 80)}`);
  }
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

export function parseQueueData(raw: string, key: string, field: string): QueueData {
  const v = parseJson(raw, key, field) as Record<string, unknown>;
  if (
    !v ||
    typeof v !== "object" ||
    !isInt(v.readQueueNums) ||
    !isInt(v.writeQueueNums) ||
    !isInt(v.perm) ||
    (v.topicSysFlag !== undefined && !isInt(v.topicSysFlag))
  ) {
    throw malformed(key, field, "expected QueueData {brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag}");
  }
  return {
    brokerName: field,
    readQueueNums: v.readQueueNums,
    writeQueueNums: v.writeQueueNums,
    perm: v.perm,
    topicSysFlag: (v.topicSysFlag as number | undefined) ?? 0,
  };
}

export function parseAddrs(raw: string, key: string): Record<string, string> {
  const v = parseJson(raw, key, "brokerAddrs");
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    throw malformed(key, "brokerAddrs", "expected an object of brokerId to address");
  }
  const entries = Object.entries(v as Record<string, unknown>);
  for (const [id, addr] of entries) {
    if (!/^-?\d+$/.test(id) || typeof addr !== "string") {
      throw malformed(key, "brokerAddrs", "expected an object of brokerId to address");
    }
  }
  return Object.fromEntries(
    (entries as [string, string][]).sort(([a], [b]) => Number(a) - Number(b)),
  );
}

export function parseDataVersion(raw: string, key: string): DataVersion {
  const v = parseJson(raw, key, "dataVersion") as Record<string, unknown>;
  if (!v || typeof v !== "object" || !isInt(v.stateVersion) || !isInt(v.timestamp) || !isInt(v.counter)) {
    throw malformed(key, "dataVersion", "expected {stateVersion, timestamp, counter}");
  }
  return { stateVersion: v.stateVersion, timestamp: v.timestamp, counter: v.counter };
}

export function parseStringList(raw: string, key: string, field: string): string[] {
  const v = parseJson(raw, key, field);
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw malformed(key, field, "expected an array of strings");
  return v as string[];
}

export function parseMapping(raw: string, key: string, field: string): TopicQueueMappingInfo {
  const v = parseJson(raw, key, field);
  if (!v || typeof v !== "object" || Array.isArray(v)) throw malformed(key, field, "expected a TopicQueueMappingInfo object");
  return v as TopicQueueMappingInfo;
}

/** A broker name's BrokerData as read scripts pass it on (readBrokerRow in lua/values.ts). */
export interface StoredBrokerData {
  brokerName: string;
  cluster: string;
  /** the stored JSON, not decoded */
  brokerAddrs: string;
  /** "true" or "false" */
  enableActingMaster: string;
  /** false when there is none */
  zoneName: string | false;
}

/** `key`: the BrokerData hash, for error messages. */
export function brokerDataOf(row: StoredBrokerData, key: string): BrokerData {
  const bd: BrokerData = {
    cluster: row.cluster,
    brokerName: row.brokerName,
    brokerAddrs: parseAddrs(row.brokerAddrs, key),
    enableActingMaster: row.enableActingMaster === "true",
  };
  if (typeof row.zoneName === "string") bd.zoneName = row.zoneName;
  return bd;
}
