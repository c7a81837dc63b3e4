/** The perm of every QueueData of a broker name (wipe/add write perm, and an acting master's loss). */
import { KEYS } from "./keys";
import { luaFragment } from "./lua-script";
import { ROUTE_VERSION } from "./route-version";
import { QUEUE_DATA } from "./values";

export const WRITE_PERM = luaFragment(
  "writePerm",
  [KEYS, QUEUE_DATA, ROUTE_VERSION],
  String.raw`
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
`,
);
