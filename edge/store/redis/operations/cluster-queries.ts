/**
 * The read-only queries besides routes: cluster info, topic lists (through overlays) and a broker
 * name's addresses (GET_BROKER_CLUSTER_INFO, GET_ALL_TOPIC_LIST_FROM_NAMESERVER, and the like).
 */
import type { BrokerData, BrokerMemberGroup, ClusterInfo, TopicList } from "../../../../shared/model";
import type { UnitTopicKind } from "../../store";
import { KEYS } from "../lua/keys";
import { luaScript } from "../lua/lua-script";
import { OVERLAY_READS } from "../lua/overlay";
import { BROKER_DATA, JSON_VALUES, QUEUE_DATA } from "../lua/values";
import { asArray, brokerDataOf, parseAddrs, type StoredBrokerData } from "../redis-values";
import type { ScriptCalls } from "./script-calls";

/** Answers ClusterInfoReply. */
export const GET_CLUSTER_INFO = luaScript(
  "getClusterInfo",
  [KEYS, BROKER_DATA],
  String.raw`
local brokers = {}
for _, n in ipairs(redis.call('SMEMBERS', BROKER_NAMES)) do
  local row = readBrokerRow(n)
  if row then
    row.brokerAddrs = row.brokerAddrs or '{}'
    brokers[#brokers + 1] = row
  end
end
local clusters = {}
for _, c in ipairs(redis.call('SMEMBERS', CLUSTERS)) do
  local members = redis.call('SMEMBERS', clusterKey(c))
  if #members > 0 then clusters[#clusters + 1] = {cluster = c, brokerNames = members} end
end
return cjson.encode({brokers = brokers, clusters = clusters})
`,
);

/** cjson writes an empty list as {}. */
interface ClusterInfoReply {
  brokers: StoredBrokerData[] | Record<string, never>;
  clusters: { cluster: string; brokerNames: string[] | Record<string, never> }[] | Record<string, never>;
}

export const GET_ALL_TOPICS = luaScript(
  "getAllTopics",
  [OVERLAY_READS, JSON_VALUES],
  String.raw`return list(allTopics(overlays()))`,
);

/** ARGV[1] cluster */
export const GET_TOPICS_BY_CLUSTER = luaScript(
  "getTopicsByCluster",
  [KEYS, OVERLAY_READS, JSON_VALUES],
  String.raw`
local ovs = overlays() or {}
local seen, out = {}, {}
local function add(topics)
  for _, t in ipairs(topics) do
    if not seen[t] then seen[t] = true; out[#out + 1] = t end
  end
end
for _, n in ipairs(redis.call('SMEMBERS', clusterKey(ARGV[1]))) do
  local o = ovs[n]
  if o then add(redis.call('HKEYS', o.key)) end
  if not (o and o.deleteOthers) then add(redis.call('SMEMBERS', brokerTopicsKey(n))) end
end
return list(out)
`,
);

/** Answers {topicList, brokerAddr} (brokerAddr false when there is none). */
export const GET_SYSTEM_TOPIC_LIST = luaScript(
  "getSystemTopicList",
  [KEYS, BROKER_DATA],
  String.raw`
local seen, names = {}, {}
for _, c in ipairs(redis.call('SMEMBERS', CLUSTERS)) do
  if not seen[c] then seen[c] = true; names[#names + 1] = c end
  for _, n in ipairs(redis.call('SMEMBERS', clusterKey(c))) do
    if not seen[n] then seen[n] = true; names[#names + 1] = n end
  end
end
local brokers = redis.call('SMEMBERS', BROKER_NAMES)
table.sort(brokers)
local addr = false
for _, n in ipairs(brokers) do
  local addrs = readAddrs(n)
  if addrs ~= nil and next(addrs) ~= nil then addr = addrs[tostring(minId(addrs))]; break end
end
return cjson.encode({topicList = names, brokerAddr = addr})
`,
);

/** ARGV[1] kind: unit | hasUnitSub | hasUnitSubUnUnit */
export const GET_UNIT_TOPICS = luaScript(
  "getUnitTopics",
  [KEYS, QUEUE_DATA, OVERLAY_READS, JSON_VALUES],
  String.raw`
local out = {}
local ovs = overlays()
for _, t in ipairs(allTopics(ovs)) do
  local tk = topicKey(t)
  local flat = topicFields(t, redis.call('HGETALL', tk), ovs)
  if #flat > 0 then
    local q = parseQd(tk, flat[1], flat[2])
    local unit = bit.band(q.topicSysFlag, 1) == 1
    local sub = bit.band(q.topicSysFlag, 2) == 2
    local match
    if ARGV[1] == 'unit' then match = unit elseif ARGV[1] == 'hasUnitSub' then match = sub else match = (not unit) and sub end
    if match then out[#out + 1] = t end
  end
end
return list(out)
`,
);

/** ARGV[1] broker name: the raw brokerAddrs JSON, or nil. */
export const GET_BROKER_ADDRS = luaScript(
  "getBrokerAddrs",
  [KEYS],
  String.raw`return redis.call('HGET', bdKey(ARGV[1]), 'brokerAddrs')`,
);

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function getClusterInfo(calls: ScriptCalls): Promise<ClusterInfo> {
  const reply = (await calls.runJson(GET_CLUSTER_INFO, [])) as ClusterInfoReply;
  const where = GET_CLUSTER_INFO.name;
  const brokerAddrTable: Record<string, BrokerData> = {};
  const rows = asArray<StoredBrokerData>(reply.brokers, where).sort((a, b) => byName(a.brokerName, b.brokerName));
  for (const row of rows) brokerAddrTable[row.brokerName] = brokerDataOf(row, calls.keys.broker(row.brokerName));
  const clusterAddrTable: Record<string, string[]> = {};
  const clusters = asArray<{ cluster: string; brokerNames: unknown }>(reply.clusters, where).sort((a, b) => byName(a.cluster, b.cluster));
  for (const c of clusters) clusterAddrTable[c.cluster] = asArray<string>(c.brokerNames, where).sort();
  return { brokerAddrTable, clusterAddrTable };
}

export async function getAllTopics(calls: ScriptCalls): Promise<string[]> {
  return asArray<string>(await calls.runJson(GET_ALL_TOPICS, []), GET_ALL_TOPICS.name).sort();
}

export async function getTopicsByCluster(calls: ScriptCalls, cluster: string): Promise<string[]> {
  return asArray<string>(await calls.runJson(GET_TOPICS_BY_CLUSTER, [cluster]), GET_TOPICS_BY_CLUSTER.name).sort();
}

export async function getSystemTopicList(calls: ScriptCalls): Promise<TopicList> {
  const reply = (await calls.runJson(GET_SYSTEM_TOPIC_LIST, [])) as { topicList: unknown; brokerAddr: string | false };
  const result: TopicList = { topicList: asArray<string>(reply.topicList, GET_SYSTEM_TOPIC_LIST.name) };
  if (typeof reply.brokerAddr === "string") result.brokerAddr = reply.brokerAddr;
  return result;
}

export async function getUnitTopics(calls: ScriptCalls, kind: UnitTopicKind): Promise<string[]> {
  return asArray<string>(await calls.runJson(GET_UNIT_TOPICS, [kind]), GET_UNIT_TOPICS.name).sort();
}

export async function getBrokerMemberGroup(calls: ScriptCalls, clusterName: string, brokerName: string): Promise<BrokerMemberGroup> {
  const raw = await calls.run(GET_BROKER_ADDRS, [brokerName]);
  return {
    cluster: clusterName,
    brokerName,
    brokerAddrs: raw === null ? {} : parseAddrs(raw, calls.keys.broker(brokerName)),
  };
}
