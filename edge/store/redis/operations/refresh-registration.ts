/**
 * Store.refreshRegistration: an unchanged re-registration announced by the digest of its body
 * only (docs/redis-keys.md, "Two fast paths for an unchanged re-registration").
 */
import type { RegisterBrokerResult, RegistrationRefresh } from "../../store";
import { KEYS } from "../lua/keys";
import { LIVE_TABLE } from "../lua/live-table";
import { luaScript } from "../lua/lua-script";
import { BROKER_DATA, JSON_VALUES } from "../lua/values";
import { registeringBroker, registrationResult } from "./register-broker";
import type { ScriptCalls } from "./script-calls";

/**
 * Refreshes liveness exactly as a full registration of the same body would, or answers "null"
 * having changed nothing.
 * ARGV[1] header JSON {clusterName, brokerAddr, brokerName, brokerId (string), haServerAddr,
 *   zoneName, timeout (string), enableActingMaster (bool|null), now (string), channel, bodyDigest}
 *
 * Applies when the live entry recorded this bodyDigest at its last full registration (which also
 * carried a DataVersion), the broker's topic index (`P:topicEpoch`) is as that registration left it
 * (no QueueData it would restore was removed), the slot brokerAddrs[brokerId] is still this address,
 * the acting-master header, zone and acting-master flag are the same, and the cluster still lists
 * the broker name. Then it writes what that registration would change: lastUpdateTimestamp,
 * timeout, deadline, its bridge's channel, haServerAddr — through refreshed(), like every liveness refresh.
 * Answers as REGISTER_BROKER does.
 */
export const REFRESH_REGISTRATION = luaScript(
  "refreshRegistration",
  [KEYS, JSON_VALUES, BROKER_DATA, LIVE_TABLE],
  String.raw`
local h = cjson.decode(ARGV[1])
local cluster, addr, name, idStr = h.clusterName, h.brokerAddr, h.brokerName, h.brokerId
local myId = liveId(cluster, addr)
local myLive = liveKey(myId)
local f = redis.call('HMGET', myLive, 'bodyDigest', 'bodyEpoch', 'enableActingMasterSent', 'dataVersionMissing')
if not f[1] or f[1] ~= h.bodyDigest or f[4] ~= 'false' then return 'null' end
if f[2] ~= (redis.call('HGET', TOPIC_EPOCH, name) or '0') then return 'null' end
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
if redis.call('SISMEMBER', clusterKey(cluster), name) == 0 then return 'null' end
-- 11. liveness, as the registration would write it (a revival changes the route version)
bindChannel(myId, nn(h.channel))
if nn(h.haServerAddr) then redis.call('HSET', myLive, 'haServerAddr', h.haServerAddr)
else redis.call('HDEL', myLive, 'haServerAddr') end
redis.call('HSET', myLive, 'heartbeatTimeoutMillis', h.timeout)
renewLive(myId, h.now, h.timeout)
-- 13. a slave learns its live master
return masterOf(cluster, tonumber(idStr), addrs)
`,
);

export async function refreshRegistration(calls: ScriptCalls, r: RegistrationRefresh): Promise<RegisterBrokerResult | null> {
  const header = JSON.stringify({ ...registeringBroker(r), bodyDigest: r.bodyDigest });
  return registrationResult(await calls.runJson(REFRESH_REGISTRATION, [header]));
}
