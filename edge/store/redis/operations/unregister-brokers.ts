/**
 * Unregistration: UNREGISTER_BROKER (PROTOCOL §4.4), a closed connection, and the expiry sweep
 * (§4.8). A broker name that loses its last address with more than chunkTopics topics loses them
 * at once for readers (an overlay) and in chunks in the topic tables (the fold).
 */
import { withMinBrokerIdChanges } from "../../min-broker-id-changes";
import { minBrokerIdChange } from "./min-broker-id-change-reply";
import type { BrokerUnregistration, MinBrokerIdChange, UnregisteredBroker } from "../../store";
import { KEYS } from "../lua/keys";
import { luaScript } from "../lua/lua-script";
import { UNREGISTER } from "../lua/unregister";
import { JSON_VALUES } from "../lua/values";
import type { RedisScript } from "../redis-transport";
import { asArray, toInt } from "../redis-values";
import { foldAll, foldQuietly } from "./fold-topics";
import type { ScriptCalls } from "./script-calls";

/**
 * ARGV[1] = JSON array of {clusterName, brokerAddr, brokerName, brokerId}, ARGV[2] = inlineTopics.
 * Answers UnregisteredReply without `unregistered`.
 */
export const UNREGISTER_BROKERS = luaScript(
  "unregisterBrokers",
  [UNREGISTER, JSON_VALUES],
  String.raw`
local reqs = cjson.decode(ARGV[1])
inlineTopics = tonumber(ARGV[2])
unregister(reqs)
return '{"toFold":' .. list(toFold) .. ',"minBrokerIdChanges":[' .. table.concat(minBrokerIdChanges, ',') .. ']}'
`,
);

/**
 * ARGV[1] = channel, ARGV[2] = inlineTopics. Unregisters the entries whose last connection it was
 * (Store.unregisterChannel). Answers UnregisteredReply.
 */
export const UNREGISTER_CHANNEL = luaScript(
  "unregisterChannel",
  [KEYS, UNREGISTER, JSON_VALUES],
  String.raw`
inlineTopics = tonumber(ARGV[2])
local ck = channelKey(ARGV[1])
local ids = {}
for _, id in ipairs(redis.call('SMEMBERS', ck)) do
  local released = releaseChannel(id, ARGV[1])
  if released == 'last' then ids[#ids + 1] = id
  elseif released == 'ignored' then redis.call('SREM', ck, id) end
end
local unregistered = list(unregisterLive(ids))
return '{"unregistered":' .. unregistered .. ',"toFold":' .. list(toFold) ..
  ',"minBrokerIdChanges":[' .. table.concat(minBrokerIdChanges, ',') .. ']}'
`,
);

/**
 * ARGV[1] = now, ARGV[2] = inlineTopics. Unregisters every live entry whose deadline is before now.
 * Answers UnregisteredReply.
 */
export const EXPIRE_BROKERS = luaScript(
  "expireBrokers",
  [KEYS, UNREGISTER, JSON_VALUES],
  String.raw`
inlineTopics = tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', LIVE_Z, '-inf', '(' .. ARGV[1])
local unregistered = list(unregisterLive(ids))
return '{"unregistered":' .. unregistered .. ',"toFold":' .. list(toFold) ..
  ',"minBrokerIdChanges":[' .. table.concat(minBrokerIdChanges, ',') .. ']}'
`,
);

/** The answer of UNREGISTER_CHANNEL and EXPIRE_BROKERS (cjson writes an empty list as {}). */
interface UnregisteredReply {
  unregistered: BrokerUnregistration[] | Record<string, never>;
  /** broker names whose topics are left to the fold */
  toFold: string[] | Record<string, never>;
  minBrokerIdChanges: unknown;
}

export async function unregisterBrokers(calls: ScriptCalls, requests: BrokerUnregistration[]): Promise<MinBrokerIdChange[]> {
  if (requests.length === 0) return [];
  const reqs = requests.map((q) => ({
    clusterName: q.clusterName,
    brokerAddr: q.brokerAddr,
    brokerName: q.brokerName,
    brokerId: toInt(q.brokerId),
  }));
  const reply = (await calls.runJson(UNREGISTER_BROKERS, [JSON.stringify(reqs), String(calls.chunkTopics)])) as UnregisteredReply | null;
  await foldQuietly(calls, asArray<string>(reply?.toFold, UNREGISTER_BROKERS.name));
  return minBrokerIdChangesOf(reply, UNREGISTER_BROKERS.name);
}

export function unregisterChannel(calls: ScriptCalls, channel: string): Promise<UnregisteredBroker[]> {
  return unregistered(calls, UNREGISTER_CHANNEL, [channel, String(calls.chunkTopics)]);
}

/**
 * The sweep also completes overlays that their registering store left unfolded (best effort: a
 * fold that fails must not keep dead brokers alive; the sweep of a broker that needs it folds it).
 */
export async function expireBrokers(calls: ScriptCalls, now: number): Promise<UnregisteredBroker[]> {
  await foldAll(calls).catch(() => undefined);
  return unregistered(calls, EXPIRE_BROKERS, [String(toInt(now)), String(calls.chunkTopics)]);
}

async function unregistered(
  calls: ScriptCalls,
  script: RedisScript,
  args: string[],
): Promise<UnregisteredBroker[]> {
  const reply = (await calls.runJson(script, args)) as UnregisteredReply | null;
  const removed = asArray<BrokerUnregistration>(reply?.unregistered, script.name).map((q) => ({
    clusterName: q.clusterName,
    brokerAddr: q.brokerAddr,
    brokerName: q.brokerName,
    brokerId: q.brokerId,
  }));
  await foldQuietly(calls, asArray<string>(reply?.toFold, script.name));
  return withMinBrokerIdChanges(removed, minBrokerIdChangesOf(reply, script.name));
}

function minBrokerIdChangesOf(reply: UnregisteredReply | null, script: string): MinBrokerIdChange[] {
  return asArray<unknown>(reply?.minBrokerIdChanges, script).map((c) => minBrokerIdChange(c, script));
}
