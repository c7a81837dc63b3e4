/** Liveness refreshes without a registration: BROKER_HEARTBEAT and QUERY_DATA_VERSION. */
import type { DataVersionAnswer, DataVersionQuery } from "../../store";
import { KEYS } from "../lua/keys";
import { LIVE_TABLE } from "../lua/live-table";
import { luaScript } from "../lua/lua-script";
import { JSON_VALUES } from "../lua/values";
import { dataVersionJson, parseDataVersion, toInt } from "../redis-values";
import type { ScriptCalls } from "./script-calls";

/** ARGV[1] cluster, ARGV[2] addr, ARGV[3] now. Returns "true" / "false" (no live entry). */
export const REFRESH_BROKER = luaScript(
  "refreshBroker",
  [KEYS, JSON_VALUES, LIVE_TABLE],
  String.raw`
local id = liveId(ARGV[1], ARGV[2])
local lk = liveKey(id)
local timeout = redis.call('HGET', lk, 'heartbeatTimeoutMillis')
if not timeout then return 'false' end
if tonumber(timeout) == nil then fail(lk, 'heartbeatTimeoutMillis', 'not a number') end
renewLive(id, ARGV[3], timeout)
return 'true'
`,
);

/**
 * ARGV[1] cluster, ARGV[2] addr, ARGV[3] now, ARGV[4] DataVersion JSON or "null".
 * Answers DataVersionReply.
 */
export const QUERY_DATA_VERSION = luaScript(
  "queryDataVersion",
  [KEYS, JSON_VALUES, LIVE_TABLE],
  String.raw`
local id = liveId(ARGV[1], ARGV[2])
local lk = liveKey(id)
local f = redis.call('HMGET', lk, 'dataVersion', 'dataVersionMissing', 'heartbeatTimeoutMillis')
if not f[1] then return '{"changed":true,"dataVersion":null}' end
if tonumber(f[3]) == nil then fail(lk, 'heartbeatTimeoutMillis', 'not a number') end
local changed = ARGV[4] == 'null' or f[2] == 'true' or f[1] ~= ARGV[4]
renewLive(id, ARGV[3], f[3])
return cjson.encode({changed = changed, dataVersion = f[1], key = lk})
`,
);

interface DataVersionReply {
  changed: boolean;
  /** the stored DataVersion JSON, null without a live entry */
  dataVersion: string | null;
  /** the live entry's key, for error messages */
  key?: string;
}

export async function refreshBroker(calls: ScriptCalls, clusterName: string, brokerAddr: string, now: number): Promise<boolean> {
  return (await calls.run(REFRESH_BROKER, [clusterName, brokerAddr, String(toInt(now))])) === "true";
}

export async function queryDataVersion(calls: ScriptCalls, query: DataVersionQuery): Promise<DataVersionAnswer> {
  const reply = (await calls.runJson(QUERY_DATA_VERSION, [
    query.clusterName,
    query.brokerAddr,
    String(toInt(query.now)),
    query.dataVersion ? dataVersionJson(query.dataVersion) : "null",
  ])) as DataVersionReply;
  if (reply.dataVersion === null || reply.dataVersion === undefined) return { changed: true, dataVersion: null };
  return { changed: reply.changed === true, dataVersion: parseDataVersion(reply.dataVersion, reply.key ?? "?") };
}
