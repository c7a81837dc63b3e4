/**
 * The live table (Java's brokerLiveTable): a hash per (cluster, address) and its liveness deadline
 * as a score in `P:brokerLiveTable`, its connections (one per bridge) in `P:brokerLiveChannels:<id>`,
 * plus the filter servers of the same id.
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
local function forgetChannels(id)
  local ck = liveChannelsKey(id)
  for _, ch in ipairs(redis.call('HVALS', ck)) do redis.call('SREM', channelKey(ch), id) end
  redis.call('DEL', ck)
end
-- a removed live entry can change routes (an address past its deadline is hidden, one without an
-- entry is not): a removal changes the route version
local function removeLive(id)
  forgetChannels(id)
  local n = redis.call('DEL', liveKey(id)) + redis.call('ZREM', LIVE_Z, id)
  if n > 0 then routeChanged() end
end
-- The connections of a live entry, one per bridge instance (Store.unregisterChannel): the bridge
-- of a channel id is the part before its last '-'.
local function bridgeOf(channel) return string.match(channel, '^(.*)%-[^%-]*$') or channel end
-- a registration through channel (nil: none) replaces its bridge's channel; none forgets them all
local function bindChannel(id, channel)
  if not channel then return forgetChannels(id) end
  local ck, bridge = liveChannelsKey(id), bridgeOf(channel)
  local old = redis.call('HGET', ck, bridge)
  if old == channel then return end
  if old then redis.call('SREM', channelKey(old), id) end
  redis.call('HSET', ck, bridge, channel)
  redis.call('SADD', channelKey(channel), id)
end
-- a closed channel: 'last' when it is the entry's only one (unregister), 'released' when other
-- bridges still carry the entry (forgotten here), 'ignored' when not its bridge's current one
local function releaseChannel(id, channel)
  local ck, bridge = liveChannelsKey(id), bridgeOf(channel)
  if redis.call('HGET', ck, bridge) ~= channel then return 'ignored' end
  if redis.call('HLEN', ck) == 1 then return 'last' end
  redis.call('HDEL', ck, bridge)
  redis.call('SREM', channelKey(channel), id)
  return 'released'
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
