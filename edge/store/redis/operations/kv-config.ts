/** The KV config (KVConfigManager, PROTOCOL §6): one hash per namespace. */
import { KEYS } from "../lua/keys";
import { luaScript } from "../lua/lua-script";
import { ROUTE_VERSION } from "../lua/route-version";
import { JSON_VALUES } from "../lua/values";
import { pairs } from "../redis-values";
import type { ScriptCalls } from "./script-calls";

/** ARGV[1] namespace, ARGV[2] key, ARGV[3] value */
export const PUT_KV = luaScript(
  "putKVConfig",
  [KEYS, ROUTE_VERSION],
  String.raw`
-- any KV change bumps the route version: routes carry orderTopicConf from ORDER_TOPIC_CONFIG
local k = kvKey(ARGV[1])
redis.call('SADD', KV_NAMESPACES, ARGV[1])
if redis.call('HGET', k, ARGV[2]) ~= ARGV[3] then
  routeChanged()
  redis.call('HSET', k, ARGV[2], ARGV[3])
end
return 'OK'
`,
  { replicated: true },
);

/** ARGV[1] namespace, ARGV[2] key: the value, or nil. */
export const GET_KV = luaScript("getKVConfig", [KEYS], String.raw`return redis.call('HGET', kvKey(ARGV[1]), ARGV[2])`);

/** ARGV[1] namespace, ARGV[2] key */
export const DELETE_KV = luaScript(
  "deleteKVConfig",
  [KEYS, ROUTE_VERSION],
  String.raw`
if redis.call('HDEL', kvKey(ARGV[1]), ARGV[2]) == 1 then routeChanged() end
return 'OK'
`,
  { replicated: true },
);

/** ARGV[1] namespace: flat [key, value, ...] JSON, or nil when the namespace was never created. */
export const GET_KV_LIST = luaScript(
  "getKVListByNamespace",
  [KEYS, JSON_VALUES],
  String.raw`
if redis.call('SISMEMBER', KV_NAMESPACES, ARGV[1]) == 0 then return nil end
return list(redis.call('HGETALL', kvKey(ARGV[1])))
`,
);

export async function putKVConfig(calls: ScriptCalls, namespace: string, key: string, value: string): Promise<void> {
  await calls.run(PUT_KV, [namespace, key, value]);
}

export function getKVConfig(calls: ScriptCalls, namespace: string, key: string): Promise<string | null> {
  return calls.run(GET_KV, [namespace, key]);
}

export async function deleteKVConfig(calls: ScriptCalls, namespace: string, key: string): Promise<void> {
  await calls.run(DELETE_KV, [namespace, key]);
}

export async function getKVListByNamespace(calls: ScriptCalls, namespace: string): Promise<Record<string, string> | null> {
  const reply = await calls.runJson(GET_KV_LIST, [namespace]);
  if (reply === null) return null;
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of pairs(reply, GET_KV_LIST.name)) out[k] = v;
  return { ...out };
}
