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
-- Bumps P:routeVersion, once per script. A fresh counter (first use, or the key was deleted)
-- starts at the server clock in microseconds, above any version handed out before.
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
