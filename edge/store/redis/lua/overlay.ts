/**
 * Reading through topic overlays (docs/redis-keys.md, "Large registrations"). A committed large
 * registration's topics sit in its staging hash until they are folded into the topic tables in
 * chunks; until then `P:topicOverlay` names it, and readers apply it on the fly, so that the
 * registration is seen whole from its commit on. A write to topic data waits for the fold.
 */
import { KEYS } from "./keys";
import { luaFragment } from "./lua-script";
import { QUEUE_DATA } from "./values";

export const OVERLAY_READS = luaFragment(
  "overlayReads",
  [KEYS, QUEUE_DATA],
  String.raw`
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
    o.key = stagingKey(o.id)
    out[flat[i]] = o
  end
  return out
end
-- the QueueData JSON of a staged item of broker name under overlay o
local function stagedQueueData(name, o, item) return itemQueueData(name, item, o.clearWrite) end
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
-- every topic with a QueueData, as readers see it through the overlays ovs
local function allTopics(ovs)
  local all = redis.call('SMEMBERS', TOPICS)
  if ovs == nil then return all end
  local set = {}
  for _, t in ipairs(all) do set[t] = true end
  for name, o in pairs(ovs) do
    for _, t in ipairs(redis.call('HKEYS', o.key)) do set[t] = true end
  end
  for name, o in pairs(ovs) do
    if o.deleteOthers then
      for _, t in ipairs(redis.call('SMEMBERS', brokerTopicsKey(name))) do
        if set[t] and #topicFields(t, redis.call('HGETALL', topicKey(t)), ovs) == 0 then set[t] = nil end
      end
    end
  end
  local out = {}
  for t in pairs(set) do out[#out + 1] = t end
  return out
end
`,
);

/**
 * A write to the topic data of a broker name waits until its overlay is folded: the script raises
 * "RMQ_FOLD_PENDING <name>" before any write, and the store folds it (FOLD_TOPICS) and repeats.
 */
export const FOLD_GUARDS = luaFragment(
  "foldGuards",
  [KEYS],
  String.raw`
local function requireFolded(name)
  if redis.call('HEXISTS', OVERLAYS, name) == 1 then error({err = 'RMQ_FOLD_PENDING ' .. cjson.encode(name)}) end
end
-- the same for writes that may touch any broker's topic data
local function requireNoOverlay()
  local names = redis.call('HKEYS', OVERLAYS)
  if #names > 0 then error({err = 'RMQ_FOLD_PENDING ' .. cjson.encode(names[1])}) end
end
`,
);
