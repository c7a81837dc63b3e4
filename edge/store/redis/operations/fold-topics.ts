/**
 * Folding a committed overlay into the topic tables, a chunk per script (docs/redis-keys.md, "Large
 * registrations", step 3). Any store may fold any overlay, several at once do no harm.
 */
import { KEYS } from "../lua/keys";
import { luaScript } from "../lua/lua-script";
import { OVERLAY_READS } from "../lua/overlay";
import { JSON_VALUES } from "../lua/values";
import { RedisStoreError } from "../redis-errors";
import { asArray } from "../redis-values";
import type { ScriptCalls } from "./script-calls";

/** Guards the fold loop against a cursor that never ends (it always does). */
const MAX_FOLD_STEPS = 10_000_000;

/**
 * One chunk of folding a committed registration's topics into the topic tables. ARGV[1] broker
 * name, ARGV[2] how many entries to visit at most. First (when the registration deletes the
 * broker's other topics) it walks the broker's topic index and removes the topics not staged, then
 * it walks the staged topics and writes them; every write is what readers already see through the
 * overlay, so nothing changes for them and the route version stays. Answers "more" or "done" (the
 * overlay and its staged topics are gone).
 */
export const FOLD_TOPICS = luaScript(
  "foldTopics",
  [KEYS, OVERLAY_READS],
  String.raw`
local name = ARGV[1]
local raw = redis.call('HGET', OVERLAYS, name)
if not raw then return 'done' end
local o = overlays()[name]
local rk = brokerTopicsKey(name)
if o.phase == 'delete' then
  local page = redis.call('SSCAN', rk, o.cursor, 'COUNT', ARGV[2])
  for _, t in ipairs(page[2]) do
    if redis.call('HEXISTS', o.key, t) == 0 then
      local tk = topicKey(t)
      redis.call('HDEL', tk, name)
      redis.call('SREM', rk, t)
      if redis.call('EXISTS', tk) == 0 then redis.call('SREM', TOPICS, t) end
    end
  end
  if page[1] == '0' then o.phase = 'apply' end
  o.cursor = page[1]
else
  local page = redis.call('HSCAN', o.key, o.cursor, 'COUNT', ARGV[2])
  local kv = page[2]
  local added = {}
  local function index()
    if #added == 0 then return end
    redis.call('SADD', TOPICS, unpack(added))
    redis.call('SADD', rk, unpack(added))
    added = {}
  end
  for i = 1, #kv, 2 do
    local t = kv[i]
    local tk = topicKey(t)
    local old = redis.call('HGET', tk, name)
    -- as overlaid() reads it
    if o.replace or not old then
      local q = stagedQueueData(name, o, kv[i + 1])
      if q ~= old then redis.call('HSET', tk, name, q) end
    end
    if not old then
      added[#added + 1] = t
      if #added == 1000 then index() end
    end
  end
  index()
  if page[1] == '0' then
    redis.call('HDEL', OVERLAYS, name)
    redis.call('UNLINK', o.key)
    return 'done'
  end
  o.cursor = page[1]
end
o.key = nil
redis.call('HSET', OVERLAYS, name, cjson.encode(o))
return 'more'
`,
);

/** The broker names with an overlay not folded yet (normally none), as a JSON list. */
export const LIST_OVERLAYS = luaScript("listOverlays", [KEYS, JSON_VALUES], String.raw`return list(redis.call('HKEYS', OVERLAYS))`);

/**
 * Folds the committed overlay of a broker name, with the next chunk sent before the last one
 * answered (each reads the cursor where the previous one left it; any order is correct).
 */
export async function foldTopics(calls: ScriptCalls, brokerName: string): Promise<void> {
  const step = () => {
    const call = calls.runOnce(FOLD_TOPICS, [brokerName, String(calls.chunkTopics)]);
    // awaited below, possibly after it failed: not an unhandled rejection meanwhile
    call.catch(() => undefined);
    return call;
  };
  let ahead = step();
  for (let steps = 0; steps < MAX_FOLD_STEPS; steps++) {
    const next = step();
    let answer: string | null;
    try {
      answer = await ahead;
    } catch (err) {
      await next.catch(() => undefined);
      throw err;
    }
    if (answer === "done") {
      await next.catch(() => undefined);
      return;
    }
    ahead = next;
  }
  await ahead.catch(() => undefined);
  throw new RedisStoreError(`Redis store ${FOLD_TOPICS.name}: ${brokerName} did not finish`);
}

/** Folds after a write that is applied already: what is left is folded by the next writer or sweep. */
export async function foldQuietly(calls: ScriptCalls, brokerNames: string[]): Promise<void> {
  for (const name of brokerNames) await foldTopics(calls, name).catch(() => undefined);
}

/** Folds every overlay still in Redis (left behind by a store that stopped folding it). */
export async function foldAll(calls: ScriptCalls): Promise<void> {
  for (const name of asArray<string>(await calls.runJson(LIST_OVERLAYS, []), LIST_OVERLAYS.name)) {
    await foldTopics(calls, name);
  }
}
