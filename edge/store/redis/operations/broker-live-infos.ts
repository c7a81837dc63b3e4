/**
 * The live table as the console lists it (Store.getBrokerLiveInfos): every entry of
 * `P:brokerLiveTable` with its hash, and the broker name holding its address.
 */
import type { BrokerLiveInfoView } from "../../store";
import { KEYS } from "../lua/keys";
import { luaScript } from "../lua/lua-script";
import { BROKER_DATA, JSON_VALUES } from "../lua/values";
import { malformed } from "../redis-errors";
import { asArray, parseDataVersion } from "../redis-values";
import type { ScriptCalls } from "./script-calls";

/**
 * No ARGV. Answers LiveInfoRow[] (timestamps as strings: they have 13 digits). The broker names
 * are indexed in one pass over the groups, sorted so that the first group holding an address wins
 * the same way every time.
 */
export const GET_BROKER_LIVE_INFOS = luaScript(
  "getBrokerLiveInfos",
  [KEYS, JSON_VALUES, BROKER_DATA],
  String.raw`
local nameOf = {}
local names = redis.call('SMEMBERS', BROKER_NAMES)
table.sort(names)
for _, n in ipairs(names) do
  local k = bdKey(n)
  local bd = redis.call('HMGET', k, 'cluster', 'brokerAddrs')
  if bd[1] and bd[2] then
    local ids, addrs = {}, {}
    scanAddrs(k, bd[2], ids, addrs)
    for _, a in ipairs(addrs) do
      local id = liveId(bd[1], a)
      if nameOf[id] == nil then nameOf[id] = n end
    end
  end
end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', LIVE_Z, 0, -1)) do
  local lk = liveKey(id)
  local f = redis.call('HMGET', lk, 'clusterName', 'brokerAddr', 'lastUpdateTimestamp', 'heartbeatTimeoutMillis',
    'dataVersion', 'dataVersionMissing', 'haServerAddr')
  if f[1] and f[2] then
    out[#out + 1] = {key = lk, clusterName = f[1], brokerAddr = f[2], brokerName = nameOf[id] or false,
      lastUpdateTimestamp = f[3] or false, heartbeatTimeoutMillis = f[4] or false, dataVersion = f[5] or false,
      dataVersionMissing = f[6] == 'true', haServerAddr = f[7] or false}
  end
end
return list(out)
`,
);

interface LiveInfoRow {
  /** the entry's hash, for error messages */
  key: string;
  clusterName: string;
  brokerAddr: string;
  brokerName: string | false;
  lastUpdateTimestamp: string | false;
  heartbeatTimeoutMillis: string | false;
  /** the stored JSON, not decoded */
  dataVersion: string | false;
  dataVersionMissing: boolean;
  haServerAddr: string | false;
}

function integerField(row: LiveInfoRow, field: "lastUpdateTimestamp" | "heartbeatTimeoutMillis"): number {
  const raw = row[field];
  const n = typeof raw === "string" ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw malformed(row.key, field, raw === false ? "missing" : "not an integer");
  return n;
}

export async function getBrokerLiveInfos(calls: ScriptCalls): Promise<BrokerLiveInfoView[]> {
  const rows = asArray<LiveInfoRow>(await calls.runJson(GET_BROKER_LIVE_INFOS, []), GET_BROKER_LIVE_INFOS.name);
  return rows.map((row) => {
    const view: BrokerLiveInfoView = {
      clusterName: row.clusterName,
      brokerAddr: row.brokerAddr,
      lastUpdateTimestamp: integerField(row, "lastUpdateTimestamp"),
      heartbeatTimeoutMillis: integerField(row, "heartbeatTimeoutMillis"),
      dataVersion: row.dataVersionMissing || row.dataVersion === false ? null : parseDataVersion(row.dataVersion, row.key),
      haServerAddr: typeof row.haServerAddr === "string" ? row.haServerAddr : null,
    };
    if (typeof row.brokerName === "string") view.brokerName = row.brokerName;
    return view;
  });
}
