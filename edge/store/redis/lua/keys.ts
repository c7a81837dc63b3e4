/**
 * The key schema (docs/redis-keys.md), in Lua for the scripts and in TypeScript for error messages
 * and plain commands. Every script gets the deployment prefix as KEYS[1] (e.g. "{rmq}", a Redis
 * Cluster hash tag, so that all keys of a deployment are in one slot) and derives the rest from it.
 */
import { luaFragment } from "./lua-script";

export const KEYS = luaFragment(
  "keys",
  [],
  String.raw`
local P = KEYS[1]
local CLUSTERS = P .. ':clusterAddrTable'
local BROKER_NAMES = P .. ':brokerAddrTable'
local TOPICS = P .. ':topicQueueTable'
local LIVE_Z = P .. ':brokerLiveTable'
local FILTERS = P .. ':filterServerTable'
local ROUTE_VERSION = P .. ':routeVersion'
local OVERLAYS = P .. ':topicOverlay'
local TOPIC_EPOCH = P .. ':topicEpoch'
local SEQ = P .. ':seq'
local KV_NAMESPACES = P .. ':kvConfig'
local NAMESRV_CONFIG = P .. ':namesrvConfig'
-- A live entry's id is "<cluster>:<addr>" with % and : of the cluster name percent-encoded, so that
-- no two (cluster, address) pairs share one. Routes find an address's deadline by it.
local function esc(s)
  return (string.gsub(s, '[%%:]', function(c) return string.format('%%%02X', string.byte(c)) end))
end
local function liveId(cluster, addr) return esc(cluster) .. ':' .. addr end
local function liveKey(id) return P .. ':brokerLiveTable:' .. id end
local function channelKey(channel) return P .. ':brokerLiveChannel:' .. channel end
local function liveChannelsKey(id) return P .. ':brokerLiveChannels:' .. id end
local function clusterKey(cluster) return P .. ':clusterAddrTable:' .. cluster end
local function bdKey(name) return P .. ':brokerAddrTable:' .. name end
local function topicKey(topic) return P .. ':topicQueueTable:' .. topic end
local function brokerTopicsKey(name) return P .. ':brokerTopics:' .. name end
local function mappingKey(topic) return P .. ':topicQueueMappingInfoTable:' .. topic end
local function kvKey(namespace) return P .. ':kvConfig:' .. namespace end
local function stagingKey(id) return P .. ':staging:' .. id end
local function registrationKey(id) return P .. ':registration:' .. id end
`,
);

/** The TypeScript side of the same names, for a store whose prefix (with braces) is `prefix`. */
export function storeKeys(prefix: string) {
  return {
    routeVersion: `${prefix}:routeVersion`,
    filterServerTable: `${prefix}:filterServerTable`,
    broker: (brokerName: string) => `${prefix}:brokerAddrTable:${brokerName}`,
    topic: (topic: string) => `${prefix}:topicQueueTable:${topic}`,
    mapping: (topic: string) => `${prefix}:topicQueueMappingInfoTable:${topic}`,
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;
