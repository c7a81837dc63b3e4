/**
 * The route version (docs/redis-keys.md, "Route version"): every script that changes something a
 * route reply can show bumps `P:routeVersion`, so that no holder of an older route stamp is told
 * "unchanged".
 */
import { KEYS } from "./keys";
import { luaFragment } from "./lua-script";

/**
 * How close to (or past) its old deadline a liveness refresh changes the route version: a route read
 * on an instance whose clock runs up to this much ahead may already have hidden the address.
 */
export const REVIVAL_MARGIN_MS = 10_000;

export const ROUTE_VERSION = luaFragment(
  "routeVersion",
  [KEYS],
  String.raw`
local REVIVAL_MARGIN_MS = ${REVIVAL_MARGIN_MS}
-- Bumps P:routeVersion, once per script, to above the server clock in microseconds as well as
-- above its old value. The clock part keeps versions from being handed out twice after a failover
-- lost the newest writes: the new primary's counter may be behind versions that bridges hold, but
-- its clock is past them, so none of those is ever current again (docs/redis-keys.md).
local routeBumped = false
local function routeChanged()
  if routeBumped then return end
  routeBumped = true
  local v = redis.call('INCR', ROUTE_VERSION)
  local t = redis.pcall('TIME')
  if type(t) == 'table' and t[1] and t[2] then
    local clock = tonumber(t[1]) * 1000000 + tonumber(t[2])
    if clock > v then redis.call('SET', ROUTE_VERSION, string.format('%.0f', clock)) end
  end
end
-- a refresh of a live entry whose deadline was oldDeadline (ZSCORE reply), at now
local function refreshed(oldDeadline, now)
  if oldDeadline and tonumber(oldDeadline) < tonumber(now) + REVIVAL_MARGIN_MS then routeChanged() end
end
`,
);

/**
 * The topic epoch of a broker name: bumped by every change of which topics hold a QueueData of it,
 * so that the registration fast paths (probe and refreshRegistration) can tell that nothing a full
 * registration would restore was removed, or added, since.
 */
export const TOPIC_EPOCH = luaFragment(
  "topicEpoch",
  [KEYS],
  String.raw`
local function topicsChanged(name)
  redis.call('HSET', TOPIC_EPOCH, name, redis.call('INCR', SEQ))
end
`,
);
