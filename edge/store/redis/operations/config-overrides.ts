/** NameServer configuration changed at run time (UPDATE_NAMESRV_CONFIG): `P:namesrvConfig`. */
import { KEYS } from "../lua/keys";
import { luaScript } from "../lua/lua-script";
import { ROUTE_VERSION } from "../lua/route-version";
import { JSON_VALUES } from "../lua/values";
import { pairs } from "../redis-values";
import type { ScriptCalls } from "./script-calls";

/** Flat [key, value, ...] JSON. */
export const GET_CONFIG = luaScript(
  "getConfigOverrides",
  [KEYS, JSON_VALUES],
  String.raw`return list(redis.call('HGETALL', NAMESRV_CONFIG))`,
);

/** ARGV = key, value, ... */
export const PUT_CONFIG = luaScript(
  "putConfigOverrides",
  [KEYS, ROUTE_VERSION],
  String.raw`
for i = 1, #ARGV, 2 do
  if redis.call('HGET', NAMESRV_CONFIG, ARGV[i]) ~= ARGV[i + 1] then
    routeChanged()
    redis.call('HSET', NAMESRV_CONFIG, ARGV[i], ARGV[i + 1])
  end
end
return 'OK'
`,
  { replicated: true },
);

export async function getConfigOverrides(calls: ScriptCalls): Promise<Record<string, string>> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of pairs(await calls.runJson(GET_CONFIG, []), GET_CONFIG.name)) out[k] = v;
  return { ...out };
}

export async function putConfigOverrides(calls: ScriptCalls, entries: Record<string, string>): Promise<void> {
  const args: string[] = [];
  for (const [key, value] of Object.entries(entries)) args.push(key, String(value));
  if (args.length === 0) return;
  await calls.run(PUT_CONFIG, args);
}
