/**
 * The live table (Java's brokerLiveTable): a hash per (cluster, address) and its liveness deadline
 * as a score in `P:brokerLiveTable`, plus the filter servers of the same id.
 */
import { KEYS } from "./keys";
import { luaFragment } from "./lua-script";
import { ROUTE_VERSION } from "./route-version";
import { JSON_VALUES } from "./values";

export const LIVE_TABLE = luaFragment(
  "liveTable",
  [KEYS, JSON_VALUES, ROUTE_VERSION],
  String.raw`
-- a refresh: the entry's deadline moves to now + timeout (both strings); a revival changes the
-- route version
local function renewLive(id, now, timeout)
  refreshed(redis.call('ZSCORE', LIVE_Z, id), now)
  local deadline = fmtInt(tonumber(now) + tonumber(timeout))
  redis.call('HSET', liveKey(id), 'lastUpdateTimestamp', now, 'deadline', deadline)
  redis.call('ZADD', LIVE_Z, deadline, id)
end
-- a removed live entry can change routes (an address past its deadline is hidden, one without an
-- entry is not): a removal changes the route version
local function removeLive(id)
  local lk = liveKey(id)
  local ch = redis.call('HGET', lk, 'channel')
  if ch then redis.call('SREM', channelKey(ch), id) end
  local n = redis.call('DEL', lk) + redis.call('ZREM', LIVE_Z, id)
  if n > 0 then routeChanged() end
end
local function removeFilters(id)
  if redis.call('HDEL', FILTERS, id) == 1 then routeChanged() end
end
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
`,
);
