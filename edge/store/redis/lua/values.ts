/**
 * Reading and writing the values kept in Redis. Scripts pass what they read on as strings and the
 * TypeScript side checks it in full (redis-values.ts); a script decodes a value only when it must
 * compute with it, and then checks it here. A value that does not decode raises an error reply
 * "RMQ_MALFORMED <key> field <field>: <detail>" (see redis-errors.ts). Numbers that may exceed 14
 * digits (timestamps) never go through cjson.encode: they travel as strings.
 */
import { KEYS } from "./keys";
import { luaFragment } from "./lua-script";

export const JSON_VALUES = luaFragment(
  "jsonValues",
  [],
  String.raw`
local NULL = cjson.null
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
-- cjson encodes an empty table as {}: an empty list is written out
local function list(t)
  if #t == 0 then return '[]' end
  return cjson.encode(t)
end
local function fmtInt(n) return string.format('%.0f', n) end
`,
);

/** BrokerData: brokerAddrs ({"<brokerId>":"host:port"}) and the row of a broker name. */
export const BROKER_DATA = luaFragment(
  "brokerData",
  [KEYS, JSON_VALUES],
  String.raw`
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
-- nil when the broker name is unknown
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
-- the ids and addresses of a brokerAddrs value, appended to ids / addrs; the TypeScript side checks
-- the value in full, so the usual value (no escapes) is only scanned, not decoded
local function scanAddrs(k, raw, ids, addrs)
  if string.find(raw, '^{[^\\]*}$') then
    for id, a in string.gmatch(raw, '"(-?%d+)"%s*:%s*"([^"]*)"') do
      ids[#ids + 1] = id
      addrs[#addrs + 1] = a
    end
    return
  end
  for id, a in pairs(parseAddrs(k, raw)) do
    ids[#ids + 1] = id
    addrs[#addrs + 1] = a
  end
end
-- a broker name's BrokerData fields as read replies carry them (StoredBrokerData in
-- redis-values.ts), brokerAddrs undecoded; nil when it has no cluster
local function readBrokerRow(name)
  local bd = redis.call('HMGET', bdKey(name), 'cluster', 'brokerAddrs', 'enableActingMaster', 'zoneName')
  if not bd[1] then return nil end
  return {brokerName = name, cluster = bd[1], brokerAddrs = bd[2] or nil,
    enableActingMaster = bd[3] or 'false', zoneName = bd[4] or false}
end
`,
);

/**
 * QueueData: the JSON every script writes (byte for byte the same, so that comparing it with the
 * stored value tells a change) and a registration's compact topic item "read,write,perm,sysFlag".
 */
export const QUEUE_DATA = luaFragment(
  "queueData",
  [JSON_VALUES],
  String.raw`
local function clearWrite(perm) return bit.band(perm, bit.bnot(2)) end
local queueDataHead = {}
local function qdJson(name, r, w, perm, flag)
  local head = queueDataHead[name]
  if not head then
    head = '{"brokerName":' .. cjson.encode(name) .. ',"readQueueNums":'
    queueDataHead[name] = head
  end
  return head .. fmtInt(r) .. ',"writeQueueNums":' .. fmtInt(w) .. ',"perm":' .. fmtInt(perm) ..
    ',"topicSysFlag":' .. fmtInt(flag) .. '}'
end
-- the QueueData of broker name from a topic item, with the write bit cleared when clear
local function itemQueueData(name, item, clear)
  local r, w, perm, flag = string.match(item, '^(-?%d+),(-?%d+),(-?%d+),(-?%d+)$')
  perm = tonumber(perm)
  if clear then perm = clearWrite(perm) end
  return qdJson(name, tonumber(r), tonumber(w), perm, tonumber(flag))
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
`,
);
