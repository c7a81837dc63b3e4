/**
 * The Lua scripts of the Redis store: one script per Store operation, so that each operation is one
 * round trip and atomic. Key schema: docs/redis-keys.md. Every script gets KEYS[1] = the deployment
 * prefix (e.g. "{rmq}", a hash tag, so every key of a deployment is in one Redis Cluster slot) and
 * derives all other key names from it. Every script returns one string (JSON) or nil, so that
 * RESP2, RESP3 and the Upstash REST encoding deliver the same reply; values read from Redis are
 * passed through as strings and parsed (and checked) in TypeScript. Numbers that may exceed 14
 * digits (timestamps) never go through cjson.encode; they travel as strings.
 *
 * A value that cannot be decoded raises an error reply starting with "RMQ_MALFORMED <key>".
 */
import type { RedisScript } from "./redis-transport";

/**
 * How close to (or past) its old deadline a liveness refresh changes the route version: a route read
 * on an instance whose clock runs up to this much ahead may already have hidden the address.
 */
export const REVIVAL_MARGIN_MS = 10_000;

/**
 * How long the outcome of an applied registration stays readable under `P:registration:<id>`: far
 * longer than a store keeps asking for it after a timeout (RedisStoreOptions.outcomeChecks).
 */
export const APPLIED_MARKER_TTL_MS = 120_000;
/**
 * How long an abandoned registration id stays fenced off: a commit of it still sitting in a
 * connection's buffer is refused for this long after its store gave up on it.
 */
export const ABORTED_MARKER_TTL_MS = 86_400_000;
/** Staged topics of a registration not committed yet expire after this (refreshed by every upload). */
export const STAGING_TTL_MS = 60_000;

/**
 * Reading through topic overlays (docs/redis-keys.md, "Large registrations"). A committed large
 * registration's topics sit in its staging hash until they are folded into the topic tables in
 * chunks; until then `P:topicOverlay` names it, and readers apply it on the fly, so that the
 * registration is seen whole from its commit on. Self-contained (needs P only): the route script
 * includes it after its cheap "unchanged" answer.
 */
const OVERLAY_LIB = String.raw`
local OVERLAYS = P .. ':topicOverlay'
-- every committed, not yet folded registration by broker name (nil when there is none: the usual case)
local function overlays()
  local flat = redis.call('HGETALL', OVERLAYS)
  if #flat == 0 then return nil end
  local out = {}
  for i = 1, #flat, 2 do
    local ok, o = pcall(cjson.decode, flat[i + 1])
    if not ok or type(o) ~= 'table' or type(o.id) ~= 'string' then
      error({err = 'RMQ_MALFORMED ' .. OVERLAYS .. ' field ' .. flat[i] .. ': expected an overlay {id, replace, deleteOthers, clearWrite}'})
    end
    o.key = P .. ':staging:' .. o.id
    out[flat[i]] = o
  end
  return out
end
-- the QueueData JSON of a staged item ("read,write,perm,sysFlag") of broker name under overlay o
local queueDataHead = {}
local function stagedQueueData(name, o, item)
  local r, w, perm, flag = string.match(item, '^(-?%d+),(-?%d+),(-?%d+),(-?%d+)$')
  perm = tonumber(perm)
  if o.clearWrite then perm = bit.band(perm, bit.bnot(2)) end
  local head = queueDataHead[name]
  if not head then
    head = '{"brokerName":' .. cjson.encode(name) .. ',"readQueueNums":'
    queueDataHead[name] = head
  end
  return head .. string.format('%.0f', tonumber(r)) .. ',"writeQueueNums":' .. string.format('%.0f', tonumber(w)) ..
    ',"perm":' .. string.format('%.0f', perm) .. ',"topicSysFlag":' .. string.format('%.0f', tonumber(flag)) .. '}'
end
-- broker name's QueueData of topic t as readers see it: the committed one (or false) under overlay o.
-- The same rule folds it into the topic tables, so a topic reads the same before and after its fold.
local function overlaid(name, o, t, committed)
  local item = redis.call('HGET', o.key, t)
  if item then
    if o.replace or not committed then return stagedQueueData(name, o, item) end
    return committed
  end
  if o.deleteOthers then return false end
  return committed
end
-- the flat field/value list of topic t's QueueData hash as readers see it (committed order first)
local function topicFields(t, flat, ovs)
  if ovs == nil then return flat end
  local out, seen = {}, {}
  for i = 1, #flat, 2 do
    local name, v = flat[i], flat[i + 1]
    seen[name] = true
    if ovs[name] then v = overlaid(name, ovs[name], t, v) end
    if v then out[#out + 1] = name; out[#out + 1] = v end
  end
  local added = {}
  for name in pairs(ovs) do
    if not seen[name] then added[#added + 1] = name end
  end
  table.sort(added)
  for _, name in ipairs(added) do
    local v = overlaid(name, ovs[name], t, false)
    if v then out[#out + 1] = name; out[#out + 1] = v end
  end
  return out
end
`;

const PRELUDE = String.raw`
local P = KEYS[1]
local NULL = cjson.null
local LIVE_Z = P .. ':brokerLiveTable'
local FILTERS = P .. ':filterServerTable'
local ROUTE_VERSION = P .. ':routeVersion'
-- a liveness refresh this close to (or past) the old deadline may bring back an address that a
-- route read with a slightly faster clock already hid: it changes the route version
local REVIVAL_MARGIN_MS = ${REVIVAL_MARGIN_MS}
${OVERLAY_LIB}
-- A write to the topic data of broker name waits until its overlay is folded: the store folds it
-- (FOLD_TOPICS) and repeats the call. Raised before any write.
local function requireFolded(name)
  if redis.call('HEXISTS', OVERLAYS, name) == 1 then error({err = 'RMQ_FOLD_PENDING ' .. cjson.encode(name)}) end
end
-- the same for writes that may touch any broker's topic data
local function requireNoOverlay()
  local names = redis.call('HKEYS', OVERLAYS)
  if #names > 0 then error({err = 'RMQ_FOLD_PENDING ' .. cjson.encode(names[1])}) end
end
-- every topic with a QueueData, as readers see it through the overlays ovs
local function allTopics(ovs)
  local all = redis.call('SMEMBERS', P .. ':topicQueueTable')
  if ovs == nil then return all end
  local set = {}
  for _, t in ipairs(all) do set[t] = true end
  for name, o in pairs(ovs) do
    for _, t in ipairs(redis.call('HKEYS', o.key)) do set[t] = true end
  end
  for name, o in pairs(ovs) do
    if o.deleteOthers then
      for _, t in ipairs(redis.call('SMEMBERS', P .. ':brokerTopics:' .. name)) do
        if set[t] and #topicFields(t, redis.call('HGETALL', P .. ':topicQueueTable:' .. t), ovs) == 0 then set[t] = nil end
      end
    end
  end
  local out = {}
  for t in pairs(set) do out[#out + 1] = t end
  return out
end

-- Something a route reply can depend on changed: bumps P:routeVersion, once per script, so that
-- no holder of an older route stamp is told "unchanged". A fresh counter (first use, or the key
-- was deleted) starts at the server clock in microseconds, above any version handed out before.
local routeBumped = false
local function routeChanged()
  if routeBumped then return end
  routeBumped = true
  if redis.call('INCR', ROUTE_VERSION) == 1 then
    local t = redis.pcall('TIME')
    if type(t) == 'table' and t[1] and t[2] then
      redis.call('SET', ROUTE_VERSION, t[1] .. string.format('%06d', tonumber(t[2])))
    end
  end
end

-- a refresh of a live entry whose deadline was oldDeadline (ZSCORE reply), at now
local function refreshed(oldDeadline, now)
  if oldDeadline and tonumber(oldDeadline) < tonumber(now) + REVIVAL_MARGIN_MS then routeChanged() end
end

local function fail(k, field, detail)
  local where = k
  if field then where = where .. ' field ' .. field end
  error({err = 'RMQ_MALFORMED ' .. where .. ': ' .. detail})
end

local function decodeJson(k, field, raw)
  local ok, v = pcall(cjson.decode, raw)
  if not ok then fail(k, field, 'not JSON: ' .. string.sub(raw, 1, 80)) end
  return v
end

local function nn(v)
  if v == NULL then return nil end
  return v
end

local function esc(s)
  return (string.gsub(s, '[%%:]', function(c) return string.format('%%%02X', string.byte(c)) end))
end
local function liveId(cluster, addr) return esc(cluster) .. ':' .. addr end
local function liveKey(id) return P .. ':brokerLiveTable:' .. id end
local function bdKey(name) return P .. ':brokerAddrTable:' .. name end

-- step 13 of a registration: a slave learns its live master (addrs: the group's brokerAddrs)
local function masterOf(cluster, id, addrs)
  local result = {}
  if id ~= 0 and addrs['0'] ~= nil then
    local mk = liveKey(liveId(cluster, addrs['0']))
    if redis.call('EXISTS', mk) == 1 then
      local ha = redis.call('HGET', mk, 'haServerAddr')
      if ha then result.haServerAddr = ha end
      result.masterAddr = addrs['0']
    end
  end
  return cjson.encode(result)
end
local function topicKey(topic) return P .. ':topicQueueTable:' .. topic end
local function brokerTopicsKey(name) return P .. ':brokerTopics:' .. name end

local function list(t)
  if #t == 0 then return '[]' end
  return cjson.encode(t)
end

local function fmtInt(n) return string.format('%.0f', n) end

-- brokerAddrs of a BrokerData: {"<id>":"host:port"}; nil when the broker name is unknown
local function parseAddrs(k, raw)
  local v = decodeJson(k, 'brokerAddrs', raw)
  if type(v) ~= 'table' then fail(k, 'brokerAddrs', 'expected an object of brokerId to address') end
  local out = {}
  for id, a in pairs(v) do
    if type(id) ~= 'string' or tonumber(id) == nil or type(a) ~= 'string' then
      fail(k, 'brokerAddrs', 'expected an object of brokerId to address')
    end
    out[id] = a
  end
  return out
end

local function readAddrs(name)
  local k = bdKey(name)
  local raw = redis.call('HGET', k, 'brokerAddrs')
  if not raw then
    if redis.call('EXISTS', k) == 1 then fail(k, 'brokerAddrs', 'missing') end
    return nil
  end
  return parseAddrs(k, raw)
end

local function encodeAddrs(addrs)
  local ids = {}
  for id in pairs(addrs) do ids[#ids + 1] = id end
  table.sort(ids, function(a, b) return tonumber(a) < tonumber(b) end)
  local parts = {}
  for _, id in ipairs(ids) do parts[#parts + 1] = cjson.encode(id) .. ':' .. cjson.encode(addrs[id]) end
  return '{' .. table.concat(parts, ',') .. '}'
end

local function minId(addrs)
  local m = nil
  for id in pairs(addrs) do
    local n = tonumber(id)
    if m == nil or n < m then m = n end
  end
  return m
end

local function qdJson(name, r, w, perm, flag)
  return '{"brokerName":' .. cjson.encode(name) .. ',"readQueueNums":' .. fmtInt(r) ..
    ',"writeQueueNums":' .. fmtInt(w) .. ',"perm":' .. fmtInt(perm) .. ',"topicSysFlag":' .. fmtInt(flag) .. '}'
end

local function parseQd(k, field, raw)
  local q = decodeJson(k, field, raw)
  if type(q) ~= 'table' or type(q.perm) ~= 'number' or type(q.readQueueNums) ~= 'number' or
     type(q.writeQueueNums) ~= 'number' then
    fail(k, field, 'expected QueueData {readQueueNums, writeQueueNums, perm, topicSysFlag}')
  end
  if type(q.topicSysFlag) ~= 'number' then q.topicSysFlag = 0 end
  return q
end

-- a change of which topics hold a QueueData of this broker (see the register script's fast path)
local function touch(name)
  redis.call('HSET', P .. ':topicEpoch', name, redis.call('INCR', P .. ':seq'))
end

-- a removed live entry can change routes (an address past its deadline is hidden, one without an
-- entry is not): a removal changes the route version
local function removeLive(id)
  local lk = liveKey(id)
  local ch = redis.call('HGET', lk, 'channel')
  if ch then redis.call('SREM', P .. ':brokerLiveChannel:' .. ch, id) end
  local n = redis.call('DEL', lk) + redis.call('ZREM', LIVE_Z, id)
  if n > 0 then routeChanged() end
end

local function removeFilters(id)
  if redis.call('HDEL', FILTERS, id) == 1 then routeChanged() end
end

-- Most topics one script removes from a broker itself (a script that unregisters may set it from
-- the store's chunkTopics); a larger set goes at once for readers and is folded away in chunks.
local inlineTopics = 500
-- broker names whose topics this script left to the fold
local toFold = {}

local function dropBrokerTopics(name)
  local rk = brokerTopicsKey(name)
  if redis.call('SCARD', rk) > inlineTopics then
    -- an overlay with no staged topics that deletes the others: the topics are gone for readers now
    redis.call('HSET', OVERLAYS, name, cjson.encode({id = 'drop-' .. redis.call('INCR', P .. ':seq'),
      replace = false, deleteOthers = true, clearWrite = false, phase = 'delete', cursor = '0'}))
    toFold[#toFold + 1] = name
    touch(name)
    routeChanged()
    return
  end
  local topics = redis.call('SMEMBERS', rk)
  for _, t in ipairs(topics) do
    local tk = topicKey(t)
    redis.call('HDEL', tk, name)
    if redis.call('EXISTS', tk) == 0 then redis.call('SREM', P .. ':topicQueueTable', t) end
  end
  redis.call('DEL', rk)
  if #topics > 0 then
    touch(name)
    routeChanged()
  end
end

-- Redis does not roll back a script that fails half-way: every script reads and checks all it
-- needs first, and writes afterwards. readPerms is the read half of a perm update.
local function readPerms(name)
  local rk = brokerTopicsKey(name)
  local out = {}
  for _, t in ipairs(redis.call('SMEMBERS', rk)) do
    local tk = topicKey(t)
    local raw = redis.call('HGET', tk, name)
    if raw then out[#out + 1] = {tk = tk, q = parseQd(tk, name, raw)} else out[#out + 1] = {stale = t} end
  end
  return out
end

-- applies fn to the perm of every QueueData read by readPerms; returns how many it touched
local function writePerms(name, read, fn)
  local count = 0
  for _, e in ipairs(read) do
    if e.stale then
      redis.call('SREM', brokerTopicsKey(name), e.stale)
    else
      local q = e.q
      local perm = fn(q.perm)
      if perm ~= q.perm then routeChanged() end
      redis.call('HSET', e.tk, name, qdJson(name, q.readQueueNums, q.writeQueueNums, perm, q.topicSysFlag))
      count = count + 1
    end
  end
  return count
end

local function clearWrite(perm) return bit.band(perm, bit.bnot(2)) end

-- PROTOCOL 4.4, one batch: computes everything first, then writes (after calling beforeWrites)
local function unregister(reqs, beforeWrites)
  local addrsOf, exists, before = {}, {}, {}
  local removed, reduced = {}, {}
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
      for i, a in pairs(addrs) do
        if a == r.brokerAddr then addrs[i] = nil end
      end
      if next(addrs) == nil then
        addrsOf[name] = nil
        removed[name] = r.clusterName
      else
        reduced[name] = true
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
      redis.call('SREM', P .. ':brokerAddrTable', r.brokerName)
      local ck = P .. ':clusterAddrTable:' .. r.clusterName
      redis.call('SREM', ck, r.brokerName)
      if redis.call('SCARD', ck) == 0 then redis.call('SREM', P .. ':clusterAddrTable', r.clusterName) end
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
  local names = redis.call('SMEMBERS', P .. ':clusterAddrTable:' .. cluster)
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
`;

function script(name: string, body: string): RedisScript {
  return { name, source: `${PRELUDE}\n${body}` };
}

/**
 * REGISTER_BROKER (PROTOCOL §4.3).
 * ARGV[1] header JSON {id (registration id), clusterName, brokerAddr, brokerName, brokerId (string),
 *   haServerAddr, zoneName, timeout (string), enableActingMaster (bool|null), dataVersion (JSON
 *   string|null), storedDataVersion (JSON string), stateVersion (string), now (string), channel,
 *   deleteTopics, bodyDigest (string|null: recorded for refreshRegistration), inlineTopics (the most
 *   topics of the broker an inline registration may delete)}
 * ARGV[2] mode: "inline" (topics from ARGV[7..]), "commit" (topics staged under P:staging:<id>, ARGV[7]
 *   = how many) or "probe" (no topics: succeeds only when they are not needed)
 * ARGV[3] digest of the topic-name set (+ whether the delete step applies)
 * ARGV[4] number of entries of the topic config table (single-topic guard)
 * ARGV[5] mappings JSON [[topic, bname, infoJson], ...]
 * ARGV[6] filter server list JSON, or "null"
 * ARGV[7..] inline topics: name, "readQueueNums,writeQueueNums,perm,topicSysFlag", ...
 *
 * {"needTopics":true} (probe, or an inline registration that would delete more topics than
 * inlineTopics) means: changed nothing, send the topics staged.
 *
 * Fenced by the registration id: an applied registration records its answer under
 * P:registration:<id> (a repeated request answers the same and applies nothing), and an id that
 * RESOLVE_REGISTRATION declared abandoned is refused. A commit does not copy the staged topics into
 * the topic tables: it makes them visible at once as the broker's overlay (P:topicOverlay), which
 * FOLD_TOPICS then folds in, in chunks.
 */
export const REGISTER_BROKER = script(
  "registerBroker",
  String.raw`
local h = cjson.decode(ARGV[1])
local mode = ARGV[2]
local digest = ARGV[3]
local topicCount = tonumber(ARGV[4])
local cluster, addr, name = h.clusterName, h.brokerAddr, h.brokerName
local marker = P .. ':registration:' .. h.id
local sk = P .. ':staging:' .. h.id
local outcome = redis.call('GET', marker)
if outcome == 'aborted' then error({err = 'RMQ_ABORTED registration ' .. h.id .. ' was abandoned'}) end
if outcome then return outcome end
if mode ~= 'probe' then requireFolded(name) end
local versionBefore = redis.call('GET', ROUTE_VERSION) or '0'
local idStr = h.brokerId
local id = tonumber(idStr)
local dv = nn(h.dataVersion)
local isOldVersion = nn(h.enableActingMaster) == nil
local acting = (not isOldVersion) and h.enableActingMaster == true
local zone = nn(h.zoneName)
local bk = bdKey(name)
local rk = brokerTopicsKey(name)
local myId = liveId(cluster, addr)
local myLive = liveKey(myId)
local epochNow = redis.call('HGET', P .. ':topicEpoch', name) or '0'
local mappings = cjson.decode(ARGV[5])
local deleteOthers = h.deleteTopics and #mappings == 0

local addrs = readAddrs(name)
local registerFirst = addrs == nil
-- what routes show of this broker name now: a registration that changes none of it (the periodic
-- re-registration of an unchanged broker) leaves the route version alone
local addrsBefore = addrs and encodeAddrs(addrs)
local flagsBefore = redis.call('HMGET', bk, 'enableActingMaster', 'zoneName')
local deadlineBefore = redis.call('ZSCORE', LIVE_Z, myId)
local function setAddrs()
  local encoded = encodeAddrs(addrs)
  if encoded ~= addrsBefore then routeChanged() end
  redis.call('HSET', bk, 'brokerAddrs', encoded)
end

-- reads that can fail come before any write (Redis does not roll back a failed script)
local items = {}
if mode == 'commit' then
  if redis.call('HLEN', sk) ~= tonumber(ARGV[7]) then
    error({err = 'RMQ_STAGING ' .. sk .. ': staged topics missing (expired?)'})
  end
elseif mode == 'inline' then
  for i = 7, #ARGV do items[#items + 1] = ARGV[i] end
  -- deleting a large topic set is the fold's work (in chunks), not one script's
  if deleteOthers and redis.call('SCARD', rk) > tonumber(h.inlineTopics) then return '{"needTopics":true}' end
end
local conflictStateVersion = nil
if addrs ~= nil and addrs[idStr] ~= nil and addrs[idStr] ~= addr then
  local ok = liveKey(liveId(cluster, addrs[idStr]))
  local raw = redis.call('HGET', ok, 'dataVersion')
  if raw then
    local old = decodeJson(ok, 'dataVersion', raw)
    if type(old) ~= 'table' or type(old.stateVersion) ~= 'number' then fail(ok, 'dataVersion', 'expected a DataVersion') end
    conflictStateVersion = old.stateVersion
  end
end

local function liveDataVersion(k)
  local f = redis.call('HMGET', k, 'dataVersion', 'dataVersionMissing')
  return f[1], f[2] == 'true'
end

local function brokerChanged()
  if redis.call('EXISTS', myLive) == 0 or dv == nil then return true end
  local stored, missing = liveDataVersion(myLive)
  return missing or stored ~= dv
end

local function publishes(a)
  if id == 0 then return true end
  return (not isOldVersion) and id == minId(a)
end

-- fast path: a re-registration that needs no topic data
if mode == 'probe' then
  local ok = addrs ~= nil and addrs[idStr] == addr and not brokerChanged()
  if ok then
    for i, a in pairs(addrs) do
      if a == addr and i ~= idStr then ok = false end
    end
  end
  if ok and publishes(addrs) then
    ok = redis.call('HGET', myLive, 'topicSetDigest') == (digest .. '/' .. epochNow)
  end
  if not ok then return '{"needTopics":true}' end
end

-- every answer of an applied registration is recorded under its id (the staged topics of a
-- commit stay as the broker's overlay, or go)
local overlay = false
local function finish(reply)
  if mode == 'commit' then
    redis.call('UNLINK', sk .. ':diff')
    if not overlay then redis.call('UNLINK', sk) end
  end
  redis.call('SET', marker, reply, 'PX', ${APPLIED_MARKER_TTL_MS})
  return reply
end

-- 1. cluster -> broker names
redis.call('SADD', P .. ':clusterAddrTable', cluster)
redis.call('SADD', P .. ':clusterAddrTable:' .. cluster, name)
-- 2. broker data (an existing one keeps its cluster)
if registerFirst then
  addrs = {}
  routeChanged()
  redis.call('SADD', P .. ':brokerAddrTable', name)
  redis.call('HSET', bk, 'cluster', cluster, 'brokerName', name)
end
-- 3. acting-master flag and zone, overwritten every time
if flagsBefore[1] ~= tostring(acting) or (flagsBefore[2] or nil) ~= zone then routeChanged() end
redis.call('HSET', bk, 'enableActingMaster', tostring(acting))
if zone then redis.call('HSET', bk, 'zoneName', zone) else redis.call('HDEL', bk, 'zoneName') end
-- 5. role switch: one address holds one id
for i, a in pairs(addrs) do
  if a == addr and i ~= idStr then addrs[i] = nil end
end
-- 6. conflict guard
local oldAddr = addrs[idStr]
if oldAddr ~= nil and oldAddr ~= addr and conflictStateVersion ~= nil and
   conflictStateVersion > tonumber(h.stateVersion) then
  setAddrs()
  removeLive(myId)
  return finish('{}')
end
-- 7. single-topic guard
if addrs[idStr] == nil and topicCount == 1 then
  setAddrs()
  return finish('null')
end
-- 8. take the slot
addrs[idStr] = addr
registerFirst = registerFirst or oldAddr == nil
setAddrs()
-- 9. / 10. topic data
local isPrimeSlave = id ~= 0 and publishes(addrs)
local recordedDigest = false
if publishes(addrs) and mode ~= 'probe' then
  local changed = brokerChanged()
  local touched = false
  if mode == 'commit' then
    -- visible from now on through the overlay, folded into the topic tables afterwards (the same
    -- per-topic rule as the loop below). What it changes comes from the uploads' counts while
    -- they are exact (see STAGE_TOPICS); otherwise it may change anything.
    local replace, clear = registerFirst or changed, isPrimeSlave and acting
    local count = tonumber(ARGV[7])
    local d = redis.call('HMGET', sk .. ':diff', 'version', 'added', 'differs', 'differsCleared')
    local exact = count == 0 or d[1] == versionBefore
    local added, differs = tonumber(d[2] or '0'), tonumber((clear and d[4] or d[3]) or '0')
    local removed = 0
    if deleteOthers then removed = redis.call('SCARD', rk) - (count - added) end
    local changes = not exact or added > 0 or removed > 0 or (replace and differs > 0)
    if changes then routeChanged() end
    if not exact or added > 0 or removed > 0 then touched = true end
    -- (an exact no-op, e.g. a restarted broker with the same topics, needs no overlay)
    if changes then
      overlay = true
      redis.call('PERSIST', sk)
      local phase = 'apply'
      if deleteOthers then phase = 'delete' end
      redis.call('HSET', OVERLAYS, name, cjson.encode({id = h.id, replace = replace,
        deleteOthers = deleteOthers, clearWrite = clear, phase = phase, cursor = '0'}))
    end
  else
    if deleteOthers then
      local keep = {}
      for i = 1, #items, 2 do keep[items[i]] = true end
      for _, t in ipairs(redis.call('SMEMBERS', rk)) do
        if not keep[t] then
          local tk = topicKey(t)
          if redis.call('HDEL', tk, name) == 1 then routeChanged() end
          redis.call('SREM', rk, t)
          if redis.call('EXISTS', tk) == 0 then redis.call('SREM', P .. ':topicQueueTable', t) end
          touched = true
        end
      end
    end
    for i = 1, #items, 2 do
      local t = items[i]
      local tk = topicKey(t)
      local old = redis.call('HGET', tk, name)
      local present = old ~= false
      if registerFirst or changed or not present then
        local r, w, perm, flag = string.match(items[i + 1], '^(-?%d+),(-?%d+),(-?%d+),(-?%d+)$')
        perm = tonumber(perm)
        if isPrimeSlave and acting then perm = clearWrite(perm) end
        local q = qdJson(name, tonumber(r), tonumber(w), perm, tonumber(flag))
        if q ~= old then
          routeChanged()
          redis.call('HSET', tk, name, q)
        end
        if not present then
          redis.call('SADD', P .. ':topicQueueTable', t)
          redis.call('SADD', rk, t)
          touched = true
        end
      end
    end
  end
  if changed or registerFirst then
    for _, m in ipairs(mappings) do
      local mk = P .. ':topicQueueMappingInfoTable:' .. m[1]
      if redis.call('HGET', mk, m[2]) ~= m[3] then
        routeChanged()
        redis.call('HSET', mk, m[2], m[3])
      end
    end
  end
  if touched then touch(name) end
  recordedDigest = digest .. '/' .. (redis.call('HGET', P .. ':topicEpoch', name) or '0')
elseif mode == 'probe' and publishes(addrs) then
  recordedDigest = digest .. '/' .. epochNow
end
-- 11. liveness: replaces the entry, including its channel
refreshed(deadlineBefore, h.now)
local deadline = fmtInt(tonumber(h.now) + tonumber(h.timeout))
local oldChannel = redis.call('HGET', myLive, 'channel')
local channel = nn(h.channel)
if oldChannel and oldChannel ~= channel then
  redis.call('SREM', P .. ':brokerLiveChannel:' .. oldChannel, myId)
end
redis.call('DEL', myLive)
redis.call('HSET', myLive, 'clusterName', cluster, 'brokerAddr', addr, 'lastUpdateTimestamp', h.now,
  'heartbeatTimeoutMillis', h.timeout, 'deadline', deadline,
  'dataVersion', dv or h.storedDataVersion, 'dataVersionMissing', tostring(dv == nil))
if channel then
  redis.call('HSET', myLive, 'channel', channel)
  redis.call('SADD', P .. ':brokerLiveChannel:' .. channel, myId)
end
if nn(h.haServerAddr) then redis.call('HSET', myLive, 'haServerAddr', h.haServerAddr) end
if recordedDigest then redis.call('HSET', myLive, 'topicSetDigest', recordedDigest) end
-- for refreshRegistration: the body, and the topic index as this registration leaves it
if nn(h.bodyDigest) then
  local sent = 'null'
  if not isOldVersion then sent = tostring(h.enableActingMaster == true) end
  redis.call('HSET', myLive, 'bodyDigest', h.bodyDigest,
    'bodyEpoch', redis.call('HGET', P .. ':topicEpoch', name) or '0', 'enableActingMasterSent', sent)
end
redis.call('ZADD', LIVE_Z, deadline, myId)
-- 12. filter servers: null leaves the entry alone
if ARGV[6] ~= 'null' then
  if ARGV[6] == '[]' then
    removeFilters(myId)
  elseif redis.call('HGET', FILTERS, myId) ~= ARGV[6] then
    routeChanged()
    redis.call('HSET', FILTERS, myId, ARGV[6])
  end
end
-- 13. a slave learns its live master
return finish(masterOf(cluster, id, addrs))
`,
);

/**
 * The outcome of a registration whose answer was lost (a timeout): ARGV[1] = its id. Answers the
 * recorded reply when it was applied; otherwise fences the id off (a late commit of it is refused,
 * see REGISTER_BROKER), drops its staged topics and answers "aborted": provably not applied.
 */
export const RESOLVE_REGISTRATION = script(
  "resolveRegistration",
  String.raw`
local marker = P .. ':registration:' .. ARGV[1]
local outcome = redis.call('GET', marker)
if outcome then return outcome end
redis.call('SET', marker, 'aborted', 'PX', ${ABORTED_MARKER_TTL_MS})
redis.call('UNLINK', P .. ':staging:' .. ARGV[1], P .. ':staging:' .. ARGV[1] .. ':diff')
return 'aborted'
`,
);

/**
 * One chunk of folding a committed registration's topics into the topic tables. ARGV[1] broker
 * name, ARGV[2] how many entries to visit at most. First (when the registration deletes the
 * broker's other topics) it walks the broker's topic index and removes the topics not staged, then
 * it walks the staged topics and writes them; every write is what readers already see through the
 * overlay, so nothing changes for them and the route version stays. Answers "more" or "done" (the
 * overlay and its staged topics are gone). Any number of stores may fold the same overlay at once.
 */
export const FOLD_TOPICS = script(
  "foldTopics",
  String.raw`
local name = ARGV[1]
local raw = redis.call('HGET', OVERLAYS, name)
if not raw then return 'done' end
local o = overlays()[name]
local rk = brokerTopicsKey(name)
if o.phase == 'delete' then
  local page = redis.call('SSCAN', rk, o.cursor, 'COUNT', ARGV[2])
  for _, t in ipairs(page[2]) do
    if redis.call('HEXISTS', o.key, t) == 0 then
      local tk = topicKey(t)
      redis.call('HDEL', tk, name)
      redis.call('SREM', rk, t)
      if redis.call('EXISTS', tk) == 0 then redis.call('SREM', P .. ':topicQueueTable', t) end
    end
  end
  if page[1] == '0' then o.phase = 'apply' end
  o.cursor = page[1]
else
  local page = redis.call('HSCAN', o.key, o.cursor, 'COUNT', ARGV[2])
  local kv = page[2]
  local added = {}
  local function index()
    if #added == 0 then return end
    redis.call('SADD', P .. ':topicQueueTable', unpack(added))
    redis.call('SADD', rk, unpack(added))
    added = {}
  end
  for i = 1, #kv, 2 do
    local t = kv[i]
    local tk = topicKey(t)
    local old = redis.call('HGET', tk, name)
    -- as overlaid() reads it
    if o.replace or not old then
      local q = stagedQueueData(name, o, kv[i + 1])
      if q ~= old then redis.call('HSET', tk, name, q) end
    end
    if not old then
      added[#added + 1] = t
      if #added == 1000 then index() end
    end
  end
  index()
  if page[1] == '0' then
    redis.call('HDEL', OVERLAYS, name)
    redis.call('UNLINK', o.key)
    return 'done'
  end
  o.cursor = page[1]
end
o.key = nil
redis.call('HSET', OVERLAYS, name, cjson.encode(o))
return 'more'
`,
);

/**
 * The fast path of an unchanged re-registration (Store.refreshRegistration): refreshes liveness
 * exactly as a full registration of the same body would, or answers "null" having changed nothing.
 * ARGV[1] header JSON {clusterName, brokerAddr, brokerName, brokerId (string), haServerAddr,
 *   zoneName, timeout (string), enableActingMaster (bool|null), now (string), channel, bodyDigest}
 *
 * Applies when the live entry recorded this bodyDigest at its last full registration (which also
 * carried a DataVersion), the broker's topic index (`P:topicEpoch`) is as that registration left it
 * (no QueueData it would restore was removed), the slot brokerAddrs[brokerId] is still this address,
 * the acting-master header, zone and acting-master flag are the same, and the cluster still lists
 * the broker name. Then it writes what that registration would change: lastUpdateTimestamp,
 * timeout, deadline, channel, haServerAddr — through refreshed(), like every liveness refresh.
 */
export const REFRESH_REGISTRATION = script(
  "refreshRegistration",
  String.raw`
local h = cjson.decode(ARGV[1])
local cluster, addr, name, idStr = h.clusterName, h.brokerAddr, h.brokerName, h.brokerId
local myId = liveId(cluster, addr)
local myLive = liveKey(myId)
local f = redis.call('HMGET', myLive, 'bodyDigest', 'bodyEpoch', 'enableActingMasterSent', 'dataVersionMissing', 'channel')
if not f[1] or f[1] ~= h.bodyDigest or f[4] ~= 'false' then return 'null' end
if f[2] ~= (redis.call('HGET', P .. ':topicEpoch', name) or '0') then return 'null' end
local sent = nn(h.enableActingMaster)
local sentStr = 'null'
if sent ~= nil then sentStr = tostring(sent) end
if f[3] ~= sentStr then return 'null' end
local bk = bdKey(name)
local bd = redis.call('HMGET', bk, 'enableActingMaster', 'zoneName', 'brokerAddrs')
if not bd[3] then return 'null' end
local addrs = parseAddrs(bk, bd[3])
if addrs[idStr] ~= addr then return 'null' end
for i, a in pairs(addrs) do
  if a == addr and i ~= idStr then return 'null' end
end
if bd[1] ~= tostring(sent == true) or (bd[2] or nil) ~= nn(h.zoneName) then return 'null' end
if redis.call('SISMEMBER', P .. ':clusterAddrTable:' .. cluster, name) == 0 then return 'null' end
-- 11. liveness, as the registration would write it (a revival changes the route version)
refreshed(redis.call('ZSCORE', LIVE_Z, myId), h.now)
local deadline = fmtInt(tonumber(h.now) + tonumber(h.timeout))
local channel = nn(h.channel)
if f[5] and f[5] ~= channel then redis.call('SREM', P .. ':brokerLiveChannel:' .. f[5], myId) end
if channel then
  redis.call('HSET', myLive, 'channel', channel)
  redis.call('SADD', P .. ':brokerLiveChannel:' .. channel, myId)
else
  redis.call('HDEL', myLive, 'channel')
end
if nn(h.haServerAddr) then redis.call('HSET', myLive, 'haServerAddr', h.haServerAddr)
else redis.call('HDEL', myLive, 'haServerAddr') end
redis.call('HSET', myLive, 'lastUpdateTimestamp', h.now, 'heartbeatTimeoutMillis', h.timeout, 'deadline', deadline)
redis.call('ZADD', LIVE_Z, deadline, myId)
-- 13. a slave learns its live master
return masterOf(cluster, tonumber(idStr), addrs)
`,
);

/**
 * Uploads a chunk of a registration's topics: ARGV[1] registration id, ARGV[2] broker name, ARGV[3..]
 * pairs of topic name and "read,write,perm,sysFlag", into the hash P:staging:<id>, which expires
 * unless committed. Invisible to every reader until REGISTER_BROKER commits it.
 *
 * Each chunk also counts, in P:staging:<id>:diff, how its topics differ from what readers see now:
 * `added` (no QueueData of the broker yet), `differs` / `differsCleared` (another QueueData, written
 * as sent / with the write bit cleared), and `version`, the route version at the first chunk. When
 * the route version is still that at the commit, nothing of the broker's topic data changed in
 * between (every such change bumps it), and the commit knows exactly whether the registration
 * changes anything, without visiting its topics again.
 */
export const STAGE_TOPICS = script(
  "stageTopics",
  String.raw`
local k = P .. ':staging:' .. ARGV[1]
local dk = k .. ':diff'
local name = ARGV[2]
if redis.call('EXISTS', P .. ':registration:' .. ARGV[1]) == 1 then
  error({err = 'RMQ_ABORTED registration ' .. ARGV[1] .. ' was abandoned'})
end
local ovs = overlays()
local o = ovs and ovs[name]
local plain = {}
local cleared = {clearWrite = true}
local added, differs, differsCleared, pairsSent, pairsNew = 0, 0, 0, 0, 0
local batch = {}
for i = 3, #ARGV, 2 do
  local t, item = ARGV[i], ARGV[i + 1]
  local now = redis.call('HGET', topicKey(t), name)
  if o then now = overlaid(name, o, t, now) end
  if not now then
    added = added + 1
  else
    local q = stagedQueueData(name, plain, item)
    if q ~= now then differs = differs + 1 end
    -- (the same QueueData when the write bit is clear already)
    local perm = tonumber(string.match(item, '^-?%d+,-?%d+,(-?%d+),'))
    if perm and bit.band(perm, 2) ~= 0 then q = stagedQueueData(name, cleared, item) end
    if q ~= now then differsCleared = differsCleared + 1 end
  end
  batch[#batch + 1] = t
  batch[#batch + 1] = item
  pairsSent = pairsSent + 1
  if #batch == 1000 then pairsNew = pairsNew + redis.call('HSET', k, unpack(batch)); batch = {} end
end
if #batch > 0 then pairsNew = pairsNew + redis.call('HSET', k, unpack(batch)) end
if redis.call('HSETNX', dk, 'version', redis.call('GET', ROUTE_VERSION) or '0') == 1 then
  redis.call('HSET', dk, 'added', 0, 'differs', 0, 'differsCleared', 0)
end
-- a topic sent twice: its counts are not exact any more
if pairsNew ~= pairsSent then redis.call('HSET', dk, 'version', 'inexact') end
redis.call('HINCRBY', dk, 'added', added)
redis.call('HINCRBY', dk, 'differs', differs)
redis.call('HINCRBY', dk, 'differsCleared', differsCleared)
redis.call('PEXPIRE', k, ${STAGING_TTL_MS})
redis.call('PEXPIRE', dk, ${STAGING_TTL_MS})
return 'OK'
`,
);

/** The broker names with an overlay not folded yet (normally none). */
export const LIST_OVERLAYS = script(
  "listOverlays",
  String.raw`return list(redis.call('HKEYS', OVERLAYS))`,
);

/**
 * ARGV[1] = JSON array of {clusterName, brokerAddr, brokerName, brokerId}, ARGV[2] = inlineTopics.
 * Answers the broker names left to FOLD_TOPICS (JSON array).
 */
export const UNREGISTER_BROKERS = script(
  "unregisterBrokers",
  String.raw`
local reqs = cjson.decode(ARGV[1])
inlineTopics = tonumber(ARGV[2])
unregister(reqs)
return list(toFold)
`,
);

/** ARGV[1] = channel, ARGV[2] = inlineTopics. Answers {u: the unregistrations, f: names to fold}. */
export const UNREGISTER_CHANNEL = script(
  "unregisterChannel",
  String.raw`
inlineTopics = tonumber(ARGV[2])
local ck = P .. ':brokerLiveChannel:' .. ARGV[1]
local ids = {}
for _, id in ipairs(redis.call('SMEMBERS', ck)) do
  if redis.call('HGET', liveKey(id), 'channel') == ARGV[1] then ids[#ids + 1] = id
  else redis.call('SREM', ck, id) end
end
return '{"u":' .. list(unregisterLive(ids)) .. ',"f":' .. list(toFold) .. '}'

`,
);

/**
 * ARGV[1] = now, ARGV[2] = inlineTopics. Unregisters every live entry whose deadline is before now.
 * Answers {u: the unregistrations, f: names to fold}.
 */
export const EXPIRE_BROKERS = script(
  "expireBrokers",
  String.raw`
inlineTopics = tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', LIVE_Z, '-inf', '(' .. ARGV[1])
return '{"u":' .. list(unregisterLive(ids)) .. ',"f":' .. list(toFold) .. '}'

`,
);

/** ARGV[1] cluster, ARGV[2] addr, ARGV[3] now. Returns "true" / "false". */
export const REFRESH_BROKER = script(
  "refreshBroker",
  String.raw`
local id = liveId(ARGV[1], ARGV[2])
local lk = liveKey(id)
local timeout = redis.call('HGET', lk, 'heartbeatTimeoutMillis')
if not timeout then return 'false' end
if tonumber(timeout) == nil then fail(lk, 'heartbeatTimeoutMillis', 'not a number') end
refreshed(redis.call('ZSCORE', LIVE_Z, id), ARGV[3])
local deadline = fmtInt(tonumber(ARGV[3]) + tonumber(timeout))
redis.call('HSET', lk, 'lastUpdateTimestamp', ARGV[3], 'deadline', deadline)
redis.call('ZADD', LIVE_Z, deadline, id)
return 'true'
`,
);

/** ARGV[1] cluster, ARGV[2] addr, ARGV[3] now, ARGV[4] DataVersion JSON or "null". */
export const QUERY_DATA_VERSION = script(
  "queryDataVersion",
  String.raw`
local id = liveId(ARGV[1], ARGV[2])
local lk = liveKey(id)
local f = redis.call('HMGET', lk, 'dataVersion', 'dataVersionMissing', 'heartbeatTimeoutMillis')
if not f[1] then return '{"changed":true,"dataVersion":null}' end
if tonumber(f[3]) == nil then fail(lk, 'heartbeatTimeoutMillis', 'not a number') end
local changed = ARGV[4] == 'null' or f[2] == 'true' or f[1] ~= ARGV[4]
refreshed(redis.call('ZSCORE', LIVE_Z, id), ARGV[3])
local deadline = fmtInt(tonumber(ARGV[3]) + tonumber(f[3]))
redis.call('HSET', lk, 'lastUpdateTimestamp', ARGV[3], 'deadline', deadline)
redis.call('ZADD', LIVE_Z, deadline, id)
return cjson.encode({changed = changed, dataVersion = f[1], key = lk})
`,
);

/**
 * The route of a topic, versioned (getTopicRoute, getTopicRouteIfChanged); read-only.
 * ARGV[1] topic, ARGV[2] the route version the caller holds ("" = none), ARGV[3] now.
 *
 * When ARGV[2] is the current `P:routeVersion`: "=" (unchanged), after one GET and nothing else.
 * Otherwise JSON {v: version, u: validUntil} plus, when the topic exists, {k: topic key, e: entries,
 * m: static-topic mapping}. Per QueueData entry: the raw QueueData, the raw BrokerData fields, the
 * ids of addresses whose liveness deadline has passed, filter servers of the others. A broker whose
 * every address is past its deadline is left out, as the next sweep would remove it. `u` (a string,
 * absent when nothing expires) is the earliest deadline among the addresses shown: the route may
 * change by itself after it. All liveness deadlines and filter servers come in one ZMSCORE and one
 * HMGET (Redis 6.2 or later).
 *
 * It has its own short prelude instead of PRELUDE, so that the unchanged answer defines nothing.
 * A committed registration not yet folded into the topic tables is read through its overlay.
 */
export const GET_TOPIC_ROUTE: RedisScript = {
  name: "getTopicRoute",
  source: String.raw`
local P = KEYS[1]
local version = redis.call('GET', P .. ':routeVersion') or '0'
if ARGV[2] == version then return '=' end
local tk = P .. ':topicQueueTable:' .. ARGV[1]
${OVERLAY_LIB}
local flat = topicFields(ARGV[1], redis.call('HGETALL', tk), overlays())
if #flat == 0 then return cjson.encode({v = version}) end
local now = tonumber(ARGV[3])

local function fail(k, detail)
  error({err = 'RMQ_MALFORMED ' .. k .. ' field brokerAddrs: ' .. detail})
end
local function esc(s)
  return (string.gsub(s, '[%%:]', function(c) return string.format('%%%02X', string.byte(c)) end))
end
-- the ids and addresses of a brokerAddrs value, appended to ids / addrs; the TypeScript side checks
-- the value in full, so the usual value (no escapes) is only scanned, not decoded
local function addrsOf(k, raw, ids, addrs)
  if string.find(raw, '^{[^\\]*}$') then
    for id, a in string.gmatch(raw, '"(-?%d+)"%s*:%s*"([^"]*)"') do
      ids[#ids + 1] = id
      addrs[#addrs + 1] = a
    end
    return
  end
  local ok, v = pcall(cjson.decode, raw)
  if not ok then fail(k, 'not JSON: ' .. string.sub(raw, 1, 80)) end
  if type(v) ~= 'table' then fail(k, 'expected an object of brokerId to address') end
  for id, a in pairs(v) do
    if type(id) ~= 'string' or tonumber(id) == nil or type(a) ~= 'string' then
      fail(k, 'expected an object of brokerId to address')
    end
    ids[#ids + 1] = id
    addrs[#addrs + 1] = a
  end
end

local entries, ids, addrs, lids, owner = {}, {}, {}, {}, {}
for i = 1, #flat, 2 do
  local name = flat[i]
  local e = {n = name, q = flat[i + 1]}
  entries[#entries + 1] = e
  local k = P .. ':brokerAddrTable:' .. name
  local bd = redis.call('HMGET', k, 'cluster', 'brokerAddrs', 'enableActingMaster', 'zoneName')
  if bd[1] and bd[2] then
    e.c = bd[1]; e.a = bd[2]; e.e = bd[3] or 'false'; e.z = bd[4] or false
    e.h = {}; e.f = {}
    local from = #ids + 1
    addrsOf(k, bd[2], ids, addrs)
    local pre = esc(bd[1]) .. ':'
    for j = from, #ids do
      lids[j] = pre .. addrs[j]
      owner[j] = e
    end
  end
end

local validUntil = nil
local visible = {}
if #lids > 0 then
  local deadlines = redis.call('ZMSCORE', P .. ':brokerLiveTable', unpack(lids))
  local filters = redis.call('HMGET', P .. ':filterServerTable', unpack(lids))
  for j = 1, #lids do
    local e = owner[j]
    local dl = deadlines[j] and tonumber(deadlines[j])
    if dl and dl < now then
      e.h[#e.h + 1] = ids[j]
    else
      visible[e] = true
      if dl and (validUntil == nil or dl < validUntil) then validUntil = dl end
      if filters[j] then
        e.f[#e.f + 1] = addrs[j]
        e.f[#e.f + 1] = filters[j]
      end
    end
  end
end
local kept = {}
for _, e in ipairs(entries) do
  -- a broker group with addresses, all of them past their deadline, is left out
  if not e.c or visible[e] or #e.h == 0 then kept[#kept + 1] = e end
end
local reply = {v = version, k = tk, e = kept, m = redis.call('HGETALL', P .. ':topicQueueMappingInfoTable:' .. ARGV[1])}
if validUntil then reply.u = string.format('%.0f', validUntil) end
return cjson.encode(reply)
`,
};

export const GET_CLUSTER_INFO = script(
  "getClusterInfo",
  String.raw`
local brokers = {}
for _, n in ipairs(redis.call('SMEMBERS', P .. ':brokerAddrTable')) do
  local bd = redis.call('HMGET', bdKey(n), 'cluster', 'brokerAddrs', 'enableActingMaster', 'zoneName')
  if bd[1] then brokers[#brokers + 1] = {n = n, c = bd[1], a = bd[2] or '{}', e = bd[3] or 'false', z = bd[4] or false} end
end
local clusters = {}
for _, c in ipairs(redis.call('SMEMBERS', P .. ':clusterAddrTable')) do
  local members = redis.call('SMEMBERS', P .. ':clusterAddrTable:' .. c)
  if #members > 0 then clusters[#clusters + 1] = {c = c, n = members} end
end
return cjson.encode({p = P, b = brokers, c = clusters})
`,
);

export const GET_ALL_TOPICS = script(
  "getAllTopics",
  String.raw`return list(allTopics(overlays()))`,
);

/** ARGV[1] cluster */
export const GET_TOPICS_BY_CLUSTER = script(
  "getTopicsByCluster",
  String.raw`
local ovs = overlays() or {}
local seen, out = {}, {}
local function add(topics)
  for _, t in ipairs(topics) do
    if not seen[t] then seen[t] = true; out[#out + 1] = t end
  end
end
for _, n in ipairs(redis.call('SMEMBERS', P .. ':clusterAddrTable:' .. ARGV[1])) do
  local o = ovs[n]
  if o then add(redis.call('HKEYS', o.key)) end
  if not (o and o.deleteOthers) then add(redis.call('SMEMBERS', brokerTopicsKey(n))) end
end
return list(out)
`,
);

export const GET_SYSTEM_TOPIC_LIST = script(
  "getSystemTopicList",
  String.raw`
local seen, names = {}, {}
for _, c in ipairs(redis.call('SMEMBERS', P .. ':clusterAddrTable')) do
  if not seen[c] then seen[c] = true; names[#names + 1] = c end
  for _, n in ipairs(redis.call('SMEMBERS', P .. ':clusterAddrTable:' .. c)) do
    if not seen[n] then seen[n] = true; names[#names + 1] = n end
  end
end
local brokers = redis.call('SMEMBERS', P .. ':brokerAddrTable')
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
export const GET_UNIT_TOPICS = script(
  "getUnitTopics",
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
export const GET_BROKER_ADDRS = script(
  "getBrokerAddrs",
  String.raw`return redis.call('HGET', bdKey(ARGV[1]), 'brokerAddrs')`,
);

/** ARGV[1] broker name, ARGV[2] "wipe" | "add". Returns the count. */
export const OPERATE_PERM = script(
  "operateWritePerm",
  String.raw`
requireFolded(ARGV[1])
local fn
if ARGV[2] == 'wipe' then fn = clearWrite else fn = function() return 6 end end
local read = readPerms(ARGV[1])
return tostring(writePerms(ARGV[1], read, fn))
`,
);

/** ARGV[1] topic, ARGV[2] cluster or "" (whole topic). */
export const DELETE_TOPIC = script(
  "deleteTopic",
  String.raw`
requireNoOverlay()
local t = ARGV[1]
local tk = topicKey(t)
if ARGV[2] == '' then
  for _, n in ipairs(redis.call('HKEYS', tk)) do
    redis.call('SREM', brokerTopicsKey(n), t)
    touch(n)
  end
  if redis.call('DEL', tk) == 1 then routeChanged() end
  redis.call('SREM', P .. ':topicQueueTable', t)
  return 'OK'
end
for _, n in ipairs(redis.call('SMEMBERS', P .. ':clusterAddrTable:' .. ARGV[2])) do
  if redis.call('HDEL', tk, n) == 1 then
    routeChanged()
    redis.call('SREM', brokerTopicsKey(n), t)
    touch(n)
  end
end
if redis.call('EXISTS', tk) == 0 then redis.call('SREM', P .. ':topicQueueTable', t) end
return 'OK'
`,
);

/** ARGV[1] topic, ARGV[2..] pairs of broker name, QueueData JSON. */
export const REGISTER_TOPIC = script(
  "registerTopic",
  String.raw`
if #ARGV < 3 then return 'OK' end
requireNoOverlay()
local t = ARGV[1]
local tk = topicKey(t)
local function put(n, q)
  if redis.call('HGET', tk, n) ~= q then
    routeChanged()
    redis.call('HSET', tk, n, q)
  end
  if redis.call('SADD', brokerTopicsKey(n), t) == 1 then touch(n) end
  redis.call('SADD', P .. ':topicQueueTable', t)
end
if redis.call('EXISTS', tk) == 1 then
  for i = 2, #ARGV, 2 do
    if redis.call('EXISTS', bdKey(ARGV[i])) == 0 then return 'OK' end
    put(ARGV[i], ARGV[i + 1])
  end
  return 'OK'
end
for i = 2, #ARGV, 2 do
  if redis.call('EXISTS', bdKey(ARGV[i])) == 0 then return 'OK' end
end
for i = 2, #ARGV, 2 do put(ARGV[i], ARGV[i + 1]) end
return 'OK'
`,
);

/** ARGV[1] namespace, ARGV[2] key, ARGV[3] value */
export const PUT_KV = script(
  "putKVConfig",
  String.raw`
-- any KV change bumps the route version: routes carry orderTopicConf from ORDER_TOPIC_CONFIG
local k = P .. ':kvConfig:' .. ARGV[1]
redis.call('SADD', P .. ':kvConfig', ARGV[1])
if redis.call('HGET', k, ARGV[2]) ~= ARGV[3] then
  routeChanged()
  redis.call('HSET', k, ARGV[2], ARGV[3])
end
return 'OK'
`,
);

export const GET_KV = script(
  "getKVConfig",
  String.raw`return redis.call('HGET', P .. ':kvConfig:' .. ARGV[1], ARGV[2])`,
);

export const DELETE_KV = script(
  "deleteKVConfig",
  String.raw`
if redis.call('HDEL', P .. ':kvConfig:' .. ARGV[1], ARGV[2]) == 1 then routeChanged() end
return 'OK'
`,
);

/** Flat [key, value, ...] JSON, or nil when the namespace was never created. */
export const GET_KV_LIST = script(
  "getKVListByNamespace",
  String.raw`
if redis.call('SISMEMBER', P .. ':kvConfig', ARGV[1]) == 0 then return nil end
return list(redis.call('HGETALL', P .. ':kvConfig:' .. ARGV[1]))
`,
);

export const GET_CONFIG = script(
  "getConfigOverrides",
  String.raw`return list(redis.call('HGETALL', P .. ':namesrvConfig'))`,
);

/** ARGV = key, value, ... */
export const PUT_CONFIG = script(
  "putConfigOverrides",
  String.raw`
local k = P .. ':namesrvConfig'
for i = 1, #ARGV, 2 do
  if redis.call('HGET', k, ARGV[i]) ~= ARGV[i + 1] then
    routeChanged()
    redis.call('HSET', k, ARGV[i], ARGV[i + 1])
  end
end
return 'OK'
`,
);
