/** Topic administration: wipe/add write perm, DELETE_TOPIC_IN_NAMESRV, REGISTER_TOPIC_IN_NAMESRV. */
import type { QueueData } from "../../../../shared/model";
import { KEYS } from "../lua/keys";
import { luaScript } from "../lua/lua-script";
import { FOLD_GUARDS } from "../lua/overlay";
import { ROUTE_VERSION, TOPIC_EPOCH } from "../lua/route-version";
import { QUEUE_DATA } from "../lua/values";
import { WRITE_PERM } from "../lua/write-perm";
import { queueDataJson } from "../redis-values";
import type { ScriptCalls } from "./script-calls";

/** ARGV[1] broker name, ARGV[2] "wipe" | "add". Returns the count of QueueData it touched. */
export const OPERATE_PERM = luaScript(
  "operateWritePerm",
  [FOLD_GUARDS, QUEUE_DATA, WRITE_PERM],
  String.raw`
requireFolded(ARGV[1])
local fn
if ARGV[2] == 'wipe' then fn = clearWrite else fn = function() return 6 end end
local read = readPerms(ARGV[1])
return tostring(writePerms(ARGV[1], read, fn))
`,
);

/** ARGV[1] topic, ARGV[2] cluster or "" (whole topic). */
export const DELETE_TOPIC = luaScript(
  "deleteTopic",
  [KEYS, FOLD_GUARDS, ROUTE_VERSION, TOPIC_EPOCH],
  String.raw`
requireNoOverlay()
local t = ARGV[1]
local tk = topicKey(t)
if ARGV[2] == '' then
  for _, n in ipairs(redis.call('HKEYS', tk)) do
    redis.call('SREM', brokerTopicsKey(n), t)
    topicsChanged(n)
  end
  if redis.call('DEL', tk) == 1 then routeChanged() end
  redis.call('SREM', TOPICS, t)
  return 'OK'
end
for _, n in ipairs(redis.call('SMEMBERS', clusterKey(ARGV[2]))) do
  if redis.call('HDEL', tk, n) == 1 then
    routeChanged()
    redis.call('SREM', brokerTopicsKey(n), t)
    topicsChanged(n)
  end
end
if redis.call('EXISTS', tk) == 0 then redis.call('SREM', TOPICS, t) end
return 'OK'
`,
);

/** ARGV[1] topic, ARGV[2..] pairs of broker name, QueueData JSON. */
export const REGISTER_TOPIC = luaScript(
  "registerTopic",
  [KEYS, FOLD_GUARDS, ROUTE_VERSION, TOPIC_EPOCH],
  String.raw`
if #ARGV < 3 then return 'OK' end
requireNoOverlay()
local t = ARGV[1]
local tk = topicKey(t)
local function put(n, q)
  if redis.call('HGET', tk, n) ~= q then
    routeChanged()
    redis.call('HSET', tk, n, q)
  end
  if redis.call('SADD', brokerTopicsKey(n), t) == 1 then topicsChanged(n) end
  redis.call('SADD', TOPICS, t)
end
if redis.call('EXISTS', tk) == 1 then
  for i = 2, #ARGV, 2 do
    if redis.call('EXISTS', bdKey(ARGV[i])) == 0 then return 'OK' end
    put(ARGV[i], ARGV[i + 1])
  end
  return 'OK'
end
for i = 2, #ARGV, 2 do
  if redis.call('EXISTS', bdKey(ARGV[i])) == 0 then return 'OK' end
end
for i = 2, #ARGV, 2 do put(ARGV[i], ARGV[i + 1]) end
return 'OK'
`,
);

export async function wipeWritePerm(calls: ScriptCalls, brokerName: string): Promise<number> {
  return Number(await calls.run(OPERATE_PERM, [brokerName, "wipe"]));
}

export async function addWritePerm(calls: ScriptCalls, brokerName: string): Promise<number> {
  return Number(await calls.run(OPERATE_PERM, [brokerName, "add"]));
}

/** clusterName null: the whole topic (the script reads an empty cluster argument so). */
export async function deleteTopic(calls: ScriptCalls, topic: string, clusterName: string | null): Promise<void> {
  await calls.run(DELETE_TOPIC, [topic, clusterName ?? ""]);
}

export async function registerTopic(calls: ScriptCalls, topic: string, queueDatas: QueueData[]): Promise<void> {
  const args = [topic];
  for (const qd of queueDatas) args.push(qd.brokerName, queueDataJson(qd));
  await calls.run(REGISTER_TOPIC, args);
}
