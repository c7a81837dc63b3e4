/**
 * Unregistration (PROTOCOL §4.4 and §4.8): of brokers named by their address, of every broker of a
 * closed connection, of every broker past its deadline.
 */
import { FOLD_GUARDS } from "./overlay";
import { KEYS } from "./keys";
import { LIVE_TABLE } from "./live-table";
import { luaFragment } from "./lua-script";
import { ROUTE_VERSION, TOPIC_EPOCH } from "./route-version";
import { BROKER_DATA, QUEUE_DATA } from "./values";
import { WRITE_PERM } from "./write-perm";

export const UNREGISTER = luaFragment(
  "unregister",
  [KEYS, BROKER_DATA, QUEUE_DATA, ROUTE_VERSION, TOPIC_EPOCH, LIVE_TABLE, FOLD_GUARDS, WRITE_PERM],
  String.raw`
-- Most topics one script removes from a broker itself (the store sets it from its chunkTopics); a
-- larger set goes at once for readers and is folded away in chunks.
local inlineTopics = 500
-- broker names whose topics this script left to the fold
local toFold = {}
-- groups still registered whose smallest id the batch removed (Java's isMinBrokerIdChanged), as
-- JSON objects {brokerName, brokerAddrs, offlineBrokerAddr, enableActingMaster}
local minBrokerIdChanges = {}

local function dropBrokerTopics(name)
  local rk = brokerTopicsKey(name)
  if redis.call('SCARD', rk) > inlineTopics then
    -- an overlay with no staged topics that deletes the others: the topics are gone for readers now
    redis.call('HSET', OVERLAYS, name, cjson.encode({id = 'drop-' .. redis.call('INCR', SEQ),
      replace = false, deleteOthers = true, clearWrite = false, phase = 'delete', cursor = '0'}))
    toFold[#toFold + 1] = name
    topicsChanged(name)
    routeChanged()
    return
  end
  local topics = redis.call('SMEMBERS', rk)
  for _, t in ipairs(topics) do
    local tk = topicKey(t)
    redis.call('HDEL', tk, name)
    if redis.call('EXISTS', tk) == 0 then redis.call('SREM', TOPICS, t) end
  end
  redis.call('DEL', rk)
  if #topics > 0 then
    topicsChanged(name)
    routeChanged()
  end
end

-- PROTOCOL 4.4, one batch: computes everything first, then writes (after calling beforeWrites)
local function unregister(reqs, beforeWrites)
  local addrsOf, exists, before = {}, {}, {}
  local removed, reduced, offlineMin = {}, {}, {}
  for _, r in ipairs(reqs) do
    local name = r.brokerName
    if exists[name] == nil then
      local a = readAddrs(name)
      exists[name] = a ~= nil
      addrsOf[name] = a
      if a ~= nil then before[name] = encodeAddrs(a) end
    end
    local addrs = addrsOf[name]
    if addrs == nil then
      reduced[name] = true
    else
      -- the request's id, as Java compares it, before the removal (which goes by address)
      local wasMin = next(addrs) ~= nil and tonumber(r.brokerId) == minId(addrs)
      for i, a in pairs(addrs) do
        if a == r.brokerAddr then addrs[i] = nil end
      end
      if next(addrs) == nil then
        addrsOf[name] = nil
        removed[name] = r.clusterName
      else
        reduced[name] = true
        if wasMin then offlineMin[name] = r.brokerAddr end
      end
    end
  end
  local wipes = {}
  for name in pairs(reduced) do
    local addrs = addrsOf[name]
    if not removed[name] and addrs ~= nil and (next(addrs) == nil or minId(addrs) > 0) and
       redis.call('HGET', bdKey(name), 'enableActingMaster') == 'true' then
      wipes[name] = readPerms(name)
    end
  end
  local changedNames = {}
  for name in pairs(offlineMin) do
    if not removed[name] then changedNames[#changedNames + 1] = name end
  end
  table.sort(changedNames)
  for _, name in ipairs(changedNames) do
    minBrokerIdChanges[#minBrokerIdChanges + 1] = '{"brokerName":' .. cjson.encode(name) ..
      ',"brokerAddrs":' .. encodeAddrs(addrsOf[name]) ..
      ',"offlineBrokerAddr":' .. cjson.encode(offlineMin[name]) ..
      ',"enableActingMaster":' .. tostring(redis.call('HGET', bdKey(name), 'enableActingMaster') == 'true') .. '}'
  end
  for name in pairs(removed) do requireFolded(name) end
  for name in pairs(wipes) do requireFolded(name) end
  -- writes
  if beforeWrites then beforeWrites() end
  for _, r in ipairs(reqs) do
    local id = liveId(r.clusterName, r.brokerAddr)
    removeLive(id)
    removeFilters(id)
    if removed[r.brokerName] == r.clusterName and exists[r.brokerName] then
      -- the request that emptied the group (its cluster loses the broker name)
      exists[r.brokerName] = false
      routeChanged()
      redis.call('DEL', bdKey(r.brokerName))
      redis.call('SREM', BROKER_NAMES, r.brokerName)
      local ck = clusterKey(r.clusterName)
      redis.call('SREM', ck, r.brokerName)
      if redis.call('SCARD', ck) == 0 then redis.call('SREM', CLUSTERS, r.clusterName) end
    end
  end
  for name, addrs in pairs(addrsOf) do
    if exists[name] and not removed[name] then
      local encoded = encodeAddrs(addrs)
      if encoded ~= before[name] then routeChanged() end
      redis.call('HSET', bdKey(name), 'brokerAddrs', encoded)
    end
  end
  for name in pairs(removed) do dropBrokerTopics(name) end
  for name, read in pairs(wipes) do writePerms(name, read, clearWrite) end
end

-- PROTOCOL 4.8: the broker slot holding a live entry's address, among its cluster's BrokerData
local function findUnregistration(cluster, addr)
  local names = redis.call('SMEMBERS', clusterKey(cluster))
  table.sort(names)
  for _, n in ipairs(names) do
    if redis.call('HGET', bdKey(n), 'cluster') == cluster then
      local addrs = readAddrs(n)
      local ids = {}
      for id in pairs(addrs or {}) do ids[#ids + 1] = id end
      table.sort(ids, function(a, b) return tonumber(a) < tonumber(b) end)
      for _, id in ipairs(ids) do
        if addrs[id] == addr then
          return {clusterName = cluster, brokerAddr = addr, brokerName = n, brokerId = tonumber(id)}
        end
      end
    end
  end
  return nil
end

-- unregisters the live entries with these ids; returns the unregistrations it made
local function unregisterLive(ids)
  table.sort(ids)
  local reqs, orphans = {}, {}
  for _, id in ipairs(ids) do
    local f = redis.call('HMGET', liveKey(id), 'clusterName', 'brokerAddr')
    local req = nil
    if f[1] and f[2] then req = findUnregistration(f[1], f[2]) end
    if req then reqs[#reqs + 1] = req else orphans[#orphans + 1] = id end
  end
  unregister(reqs, function()
    for _, id in ipairs(orphans) do
      removeLive(id)
      removeFilters(id)
    end
  end)
  return reqs
end
`,
);
