/**
 * The NameServer instances of a deployment (the address server): `P:namesrvInstances`, a sorted
 * set of advertised addresses scored by their deadline, and `P:namesrvInstanceSeen`, a hash of
 * each address's latest registration. Expired entries are dropped by the next registration.
 */
import type { NamesrvInstance } from "../../store";
import { KEYS } from "../lua/keys";
import { luaScript } from "../lua/lua-script";
import { JSON_VALUES } from "../lua/values";
import { pairs, toInt } from "../redis-values";
import type { ScriptCalls } from "./script-calls";

const INSTANCE_KEYS = String.raw`
local INSTANCES = P .. ':namesrvInstances'
local INSTANCE_SEEN = P .. ':namesrvInstanceSeen'
`;

/** ARGV = addr, now, deadline */
export const REGISTER_INSTANCE = luaScript(
  "registerInstance",
  [KEYS],
  String.raw`${INSTANCE_KEYS}
local expired = redis.call('ZRANGEBYSCORE', INSTANCES, '-inf', '(' .. ARGV[2])
for _, addr in ipairs(expired) do redis.call('HDEL', INSTANCE_SEEN, addr) end
redis.call('ZREMRANGEBYSCORE', INSTANCES, '-inf', '(' .. ARGV[2])
redis.call('ZADD', INSTANCES, ARGV[3], ARGV[1])
redis.call('HSET', INSTANCE_SEEN, ARGV[1], ARGV[2])
return 'OK'
`,
);

/** ARGV = now; flat [addr, lastSeen, ...] JSON (lastSeen as a string: it has 13 digits) */
export const LIST_INSTANCES = luaScript(
  "listInstances",
  [KEYS, JSON_VALUES],
  String.raw`${INSTANCE_KEYS}
local out = {}
for _, addr in ipairs(redis.call('ZRANGEBYSCORE', INSTANCES, ARGV[1], '+inf')) do
  out[#out + 1] = addr
  out[#out + 1] = redis.call('HGET', INSTANCE_SEEN, addr) or '0'
end
return list(out)
`,
);

export async function registerInstance(calls: ScriptCalls, addr: string, now: number, ttlMillis: number): Promise<void> {
  await calls.run(REGISTER_INSTANCE, [addr, String(Math.trunc(now)), String(Math.trunc(now + ttlMillis))]);
}

export async function listInstances(calls: ScriptCalls, now: number): Promise<NamesrvInstance[]> {
  const instances: NamesrvInstance[] = [];
  for (const [addr, seen] of pairs(await calls.runJson(LIST_INSTANCES, [String(Math.trunc(now))]), LIST_INSTANCES.name)) {
    instances.push({ addr, lastSeen: toInt(seen) });
  }
  return instances.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}
