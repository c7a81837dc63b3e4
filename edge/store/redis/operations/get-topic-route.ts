/**
 * GET_ROUTEINFO_BY_TOPIC: the route of a topic, versioned (Store.getTopicRoute and
 * getTopicRouteIfChanged; docs/redis-keys.md, "Route version").
 */
import { Perm } from "../../../../shared/codes";
import type { BrokerData, QueueData, TopicRouteData } from "../../../../shared/model";
import type { RouteStamp, StampedRoute } from "../../store";
import { KEYS, type StoreKeys } from "../lua/keys";
import { luaScript } from "../lua/lua-script";
import { OVERLAY_READS } from "../lua/overlay";
import { BROKER_DATA } from "../lua/values";
import { unexpectedReply } from "../redis-errors";
import {
  asArray,
  brokerDataOf,
  pairs,
  parseMapping,
  parseQueueData,
  parseStringList,
  toInt,
  type StoredBrokerData,
} from "../redis-values";
import type { ScriptCalls } from "./script-calls";

/** The script's answer when the caller's route version is current. */
const UNCHANGED = "=";

/**
 * Read-only. ARGV[1] topic, ARGV[2] the route version the caller holds ("" = none), ARGV[3] now.
 *
 * When ARGV[2] is the current `P:routeVersion`: "=" (unchanged), after one GET. Otherwise a
 * RouteReply. Per QueueData entry it carries the raw QueueData, the raw BrokerData fields, the ids
 * of addresses whose liveness deadline has passed, and the filter servers of the others. A broker
 * whose every address is past its deadline is left out, as the next sweep would remove it. All
 * liveness deadlines and filter servers come in one ZMSCORE and one HMGET (Redis 6.2 or later). A
 * committed registration not yet folded into the topic tables is read through its overlay.
 */
export const GET_TOPIC_ROUTE = luaScript(
  "getTopicRoute",
  [KEYS, BROKER_DATA, OVERLAY_READS],
  String.raw`
local version = redis.call('GET', ROUTE_VERSION) or '0'
if ARGV[2] == version then return '=' end
local tk = topicKey(ARGV[1])
local flat = topicFields(ARGV[1], redis.call('HGETALL', tk), overlays())
if #flat == 0 then return cjson.encode({version = version}) end
local now = tonumber(ARGV[3])

local entries, ids, addrs, lids, owner = {}, {}, {}, {}, {}
for i = 1, #flat, 2 do
  local name = flat[i]
  local e = {brokerName = name, queueData = flat[i + 1]}
  entries[#entries + 1] = e
  local row = readBrokerRow(name)
  if row and row.brokerAddrs then
    e.broker = row; e.hidden = {}; e.filters = {}
    local from = #ids + 1
    scanAddrs(bdKey(name), row.brokerAddrs, ids, addrs)
    for j = from, #ids do
      lids[j] = liveId(row.cluster, addrs[j])
      owner[j] = e
    end
  end
end

local validUntil = nil
local visible = {}
if #lids > 0 then
  local deadlines = redis.call('ZMSCORE', LIVE_Z, unpack(lids))
  local filters = redis.call('HMGET', FILTERS, unpack(lids))
  for j = 1, #lids do
    local e = owner[j]
    local dl = deadlines[j] and tonumber(deadlines[j])
    if dl and dl < now then
      e.hidden[#e.hidden + 1] = ids[j]
    else
      visible[e] = true
      if dl and (validUntil == nil or dl < validUntil) then validUntil = dl end
      if filters[j] then
        e.filters[#e.filters + 1] = addrs[j]
        e.filters[#e.filters + 1] = filters[j]
      end
    end
  end
end
local kept = {}
for _, e in ipairs(entries) do
  -- a broker group with addresses, all of them past their deadline, is left out
  if not e.broker or visible[e] or #e.hidden == 0 then kept[#kept + 1] = e end
end
local reply = {version = version, topicKey = tk, entries = kept, mappings = redis.call('HGETALL', mappingKey(ARGV[1]))}
if validUntil then reply.validUntil = string.format('%.0f', validUntil) end
return cjson.encode(reply)
`,
);

/** GET_TOPIC_ROUTE's answer other than "=" (cjson writes an empty list as {}). */
interface RouteReply {
  version: string;
  /** The earliest deadline among the addresses shown, a string of digits; absent when nothing expires. */
  validUntil?: string;
  /** The topic's QueueData hash; absent when the topic does not exist (nothing else is there then). */
  topicKey?: string;
  entries?: RouteEntry[] | Record<string, never>;
  /** the topic's static-topic mappings, flat: broker name, TopicQueueMappingInfo JSON, ... */
  mappings?: string[] | Record<string, never>;
}

interface RouteEntry {
  brokerName: string;
  /** the stored QueueData JSON */
  queueData: string;
  /** absent when the broker name has no BrokerData (the QueueData is still shown) */
  broker?: StoredBrokerData;
  /** the broker ids whose address is past its liveness deadline */
  hidden?: string[] | Record<string, never>;
  /** flat: address, filter-server list JSON, ... of the addresses shown */
  filters?: string[] | Record<string, never>;
}

export async function getTopicRoute(calls: ScriptCalls, topic: string, now: number): Promise<TopicRouteData | null> {
  const raw = await calls.run(GET_TOPIC_ROUTE, [topic, "", String(toInt(now))]);
  return decodeRoute(calls.keys, topic, raw).route;
}

/**
 * The route unless the caller's `knownVersion` ("" = none) is still current (then null). A stamp
 * past its validUntil must not be offered. validUntil is Number.MAX_SAFE_INTEGER, not Infinity,
 * when nothing in the route expires (a stamp must survive JSON).
 */
export async function getTopicRouteIfChanged(
  calls: ScriptCalls,
  topic: string,
  knownVersion: string,
  now: number,
): Promise<StampedRoute | null> {
  const raw = await calls.run(GET_TOPIC_ROUTE, [topic, knownVersion, String(toInt(now))]);
  if (raw === UNCHANGED) return null;
  return decodeRoute(calls.keys, topic, raw);
}

function decodeRoute(keys: StoreKeys, topic: string, raw: string | null): StampedRoute {
  let reply: RouteReply | null = null;
  try {
    reply = raw === null ? null : (JSON.parse(raw) as RouteReply);
  } catch {
    // reported below
  }
  if (!reply || typeof reply !== "object" || typeof reply.version !== "string") {
    throw unexpectedReply(GET_TOPIC_ROUTE.name, String(raw));
  }
  const validUntil =
    typeof reply.validUntil === "string" && /^\d+$/.test(reply.validUntil) ? Number(reply.validUntil) : Number.MAX_SAFE_INTEGER;
  const stamp: RouteStamp = { version: reply.version, validUntil };
  if (reply.topicKey === undefined) return { stamp, route: null };
  const topicKey = reply.topicKey;
  const queueDatas: QueueData[] = [];
  const brokerDatas: BrokerData[] = [];
  const filterServerTable: Record<string, string[]> = {};
  for (const e of asArray<RouteEntry>(reply.entries, GET_TOPIC_ROUTE.name)) {
    const qd = parseQueueData(e.queueData, topicKey, e.brokerName);
    if (e.broker !== undefined) {
      const bd = brokerDataOf(e.broker, keys.broker(e.brokerName));
      const hidden = asArray<string>(e.hidden ?? [], GET_TOPIC_ROUTE.name);
      for (const id of hidden) delete bd.brokerAddrs[id];
      // as the sweep would: an acting-master group that lost its master loses the write bit
      if (hidden.length > 0 && bd.enableActingMaster && bd.brokerAddrs["0"] === undefined) {
        qd.perm &= ~Perm.WRITE;
      }
      brokerDatas.push(bd);
      for (const [addr, servers] of pairs(e.filters ?? [], GET_TOPIC_ROUTE.name)) {
        filterServerTable[addr] = parseStringList(servers, keys.filterServerTable, addr);
      }
    }
    queueDatas.push(qd);
  }
  if (brokerDatas.length === 0) return { stamp, route: null };
  const route: TopicRouteData = { queueDatas, brokerDatas, filterServerTable };
  const mappingKey = keys.mapping(topic);
  const mapping = pairs(reply.mappings, GET_TOPIC_ROUTE.name);
  if (mapping.length > 0) {
    route.topicQueueMappingByBroker = Object.fromEntries(
      mapping.map(([brokerName, json]) => [brokerName, parseMapping(json, mappingKey, brokerName)]),
    );
  }
  return { stamp, route };
}
