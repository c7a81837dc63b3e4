/**
 * REGISTER_BROKER (PROTOCOL §4.3). A registration whose topics fit one request (`chunkTopics`
 * topics and `maxRequestBytes`) is one script. A larger one first tries the payload-free probe,
 * enough when the broker's DataVersion and topic set did not change (docs/redis-keys.md, "Two fast
 * paths for an unchanged re-registration": it serves what refreshRegistration cannot). Otherwise
 * it uploads its topics in chunks to a private staging hash, commits them with one small script —
 * from then on readers see the whole registration, through an overlay — and folds them into the
 * topic tables in chunks (fold-topics.ts). No script of it runs for more than a few milliseconds.
 *
 * Registrations tell the truth: each carries an id, and when its answer is lost (a timeout) the
 * store asks Redis what became of that id, which also fences it off when it was not applied, so
 * the answer is "applied", "not applied", or — when Redis does not answer at all — an error that
 * says the outcome is unknown.
 */
import { utf8Length } from "../../../../shared/utf8-length";
import { minBrokerIdChange } from "./min-broker-id-change-reply";
import type { BrokerRegistration, RegisterBrokerResult, RegistrationRefresh } from "../../store";
import { KEYS } from "../lua/keys";
import { LIVE_TABLE } from "../lua/live-table";
import { luaScript } from "../lua/lua-script";
import { FOLD_GUARDS, OVERLAY_READS } from "../lua/overlay";
import { ROUTE_VERSION, TOPIC_EPOCH } from "../lua/route-version";
import { BROKER_DATA, JSON_VALUES, QUEUE_DATA } from "../lua/values";
import { RedisStoreError, RegistrationAbandoned, messageOf } from "../redis-errors";
import { RedisReplyError, sha1Hex } from "../redis-transport";
import { dataVersionJson, toInt } from "../redis-values";
import { foldQuietly } from "./fold-topics";
import type { ScriptCalls } from "./script-calls";

/**
 * How long the outcome of an applied registration stays readable under `P:registration:<id>`: far
 * longer than a store keeps asking for it after a timeout (RedisStoreOptions.outcomeChecks).
 */
export const APPLIED_MARKER_TTL_MS = 120_000;
/**
 * How long an abandoned registration id stays fenced off: a commit of it still sitting in a
 * connection's buffer is refused for this long after its store gave up on it.
 */
export const ABORTED_MARKER_TTL_MS = 86_400_000;
/** Staged topics of a registration not committed yet expire after this (refreshed by every upload). */
export const STAGING_TTL_MS = 60_000;

/** No request of the store is larger than this (the staged path keeps topic payloads below it). */
export const HARD_REQUEST_LIMIT = 1_000_000 - 64 * 1024;
/**
 * Chunk scripts of one registration in flight at once: Redis runs the next one without waiting for
 * this process to send it, and other clients wait at most this many chunks.
 */
const PIPELINE_DEPTH = 2;

/**
 * ARGV[1] header JSON {id (registration id), clusterName, brokerAddr, brokerName, brokerId (string),
 *   haServerAddr, zoneName, timeout (string), enableActingMaster (bool|null), dataVersion (JSON
 *   string|null), storedDataVersion (JSON string), stateVersion (string), now (string), channel,
 *   deleteTopics, bodyDigest (string|null: recorded for refreshRegistration), inlineTopics (the most
 *   topics of the broker an inline registration may delete)}
 * ARGV[2] mode: "inline" (topics from ARGV[7..]), "commit" (topics staged under P:staging:<id>, ARGV[7]
 *   = how many) or "probe" (no topics: succeeds only when they are not needed)
 * ARGV[3] digest of the topic-name set (+ whether the delete step applies)
 * ARGV[4] number of entries of the topic config table (single-topic guard)
 * ARGV[5] mappings JSON [[topic, bname, infoJson], ...]
 * ARGV[6] filter server list JSON, or "null"
 * ARGV[7..] inline topics: name, "readQueueNums,writeQueueNums,perm,topicSysFlag", ...
 *
 * Answers RegisterReply. Fenced by the registration id: an applied registration records its answer
 * under P:registration:<id> (a repeated request answers the same and applies nothing), and an id
 * that RESOLVE_REGISTRATION declared abandoned is refused. A commit does not copy the staged topics
 * into the topic tables: it makes them visible at once as the broker's overlay (P:topicOverlay),
 * which FOLD_TOPICS then folds in, in chunks.
 */
export const REGISTER_BROKER = luaScript(
  "registerBroker",
  [KEYS, JSON_VALUES, BROKER_DATA, QUEUE_DATA, ROUTE_VERSION, TOPIC_EPOCH, LIVE_TABLE, FOLD_GUARDS],
  String.raw`
local h = cjson.decode(ARGV[1])
local mode = ARGV[2]
local digest = ARGV[3]
local topicCount = tonumber(ARGV[4])
local cluster, addr, name = h.clusterName, h.brokerAddr, h.brokerName
local marker = registrationKey(h.id)
local sk = stagingKey(h.id)
local outcome = redis.call('GET', marker)
if outcome == 'aborted' then error({err = 'RMQ_ABORTED registration ' .. h.id .. ' was abandoned'}) end
if outcome then return outcome end
if mode ~= 'probe' then requireFolded(name) end
local versionBefore = redis.call('GET', ROUTE_VERSION) or '0'
local idStr = h.brokerId
local id = tonumber(idStr)
local dv = nn(h.dataVersion)
local isOldVersion = nn(h.enableActingMaster) == nil
local acting = (not isOldVersion) and h.enableActingMaster == true
local zone = nn(h.zoneName)
local bk = bdKey(name)
local rk = brokerTopicsKey(name)
local myId = liveId(cluster, addr)
local myLive = liveKey(myId)
local epochNow = redis.call('HGET', TOPIC_EPOCH, name) or '0'
local mappings = cjson.decode(ARGV[5])
local deleteOthers = h.deleteTopics and #mappings == 0

local addrs = readAddrs(name)
local registerFirst = addrs == nil
-- 4. a smaller id than the group's smallest (an empty group counts as 0, as in Java)
local minBrokerIdChanged = false
if addrs ~= nil and next(addrs) ~= nil then minBrokerIdChanged = id < minId(addrs) end
-- what routes show of this broker name now: a registration that changes none of it (the periodic
-- re-registration of an unchanged broker) leaves the route version alone
local addrsBefore = addrs and encodeAddrs(addrs)
local flagsBefore = redis.call('HMGET', bk, 'enableActingMaster', 'zoneName')
local deadlineBefore = redis.call('ZSCORE', LIVE_Z, myId)
local function setAddrs()
  local encoded = encodeAddrs(addrs)
  if encoded ~= addrsBefore then routeChanged() end
  redis.call('HSET', bk, 'brokerAddrs', encoded)
end

-- reads that can fail come before any write (Redis does not roll back a failed script)
local items = {}
if mode == 'commit' then
  if redis.call('HLEN', sk) ~= tonumber(ARGV[7]) then
    error({err = 'RMQ_STAGING ' .. sk .. ': staged topics missing (expired?)'})
  end
elseif mode == 'inline' then
  for i = 7, #ARGV do items[#items + 1] = ARGV[i] end
  -- deleting a large topic set is the fold's work (in chunks), not one script's
  if deleteOthers and redis.call('SCARD', rk) > tonumber(h.inlineTopics) then return '{"needTopics":true}' end
end
local conflictStateVersion = nil
if addrs ~= nil and addrs[idStr] ~= nil and addrs[idStr] ~= addr then
  local ok = liveKey(liveId(cluster, addrs[idStr]))
  local raw = redis.call('HGET', ok, 'dataVersion')
  if raw then
    local old = decodeJson(ok, 'dataVersion', raw)
    if type(old) ~= 'table' or type(old.stateVersion) ~= 'number' then fail(ok, 'dataVersion', 'expected a DataVersion') end
    conflictStateVersion = old.stateVersion
  end
end

local function liveDataVersion(k)
  local f = redis.call('HMGET', k, 'dataVersion', 'dataVersionMissing')
  return f[1], f[2] == 'true'
end

local function brokerChanged()
  if redis.call('EXISTS', myLive) == 0 or dv == nil then return true end
  local stored, missing = liveDataVersion(myLive)
  return missing or stored ~= dv
end

local function publishes(a)
  if id == 0 then return true end
  return (not isOldVersion) and id == minId(a)
end

-- the probe: a re-registration that needs no topic data
if mode == 'probe' then
  local ok = addrs ~= nil and addrs[idStr] == addr and not brokerChanged()
  if ok then
    for i, a in pairs(addrs) do
      if a == addr and i ~= idStr then ok = false end
    end
  end
  if ok and publishes(addrs) then
    ok = redis.call('HGET', myLive, 'topicSetDigest') == (digest .. '/' .. epochNow)
  end
  if not ok then return '{"needTopics":true}' end
end

-- every answer of an applied registration is recorded under its id (the staged topics of a
-- commit stay as the broker's overlay, or go)
local overlay = false
local function finish(reply)
  if mode == 'commit' then
    redis.call('UNLINK', sk .. ':diff')
    if not overlay then redis.call('UNLINK', sk) end
  end
  redis.call('SET', marker, reply, 'PX', ${APPLIED_MARKER_TTL_MS})
  return reply
end

-- 1. cluster -> broker names
redis.call('SADD', CLUSTERS, cluster)
redis.call('SADD', clusterKey(cluster), name)
-- 2. broker data (an existing one keeps its cluster)
if registerFirst then
  addrs = {}
  routeChanged()
  redis.call('SADD', BROKER_NAMES, name)
  redis.call('HSET', bk, 'cluster', cluster, 'brokerName', name)
end
-- 3. acting-master flag and zone, overwritten every time
if flagsBefore[1] ~= tostring(acting) or (flagsBefore[2] or nil) ~= zone then routeChanged() end
redis.call('HSET', bk, 'enableActingMaster', tostring(acting))
if zone then redis.call('HSET', bk, 'zoneName', zone) else redis.call('HDEL', bk, 'zoneName') end
-- 5. role switch: one address holds one id
for i, a in pairs(addrs) do
  if a == addr and i ~= idStr then addrs[i] = nil end
end
-- 6. conflict guard
local oldAddr = addrs[idStr]
if oldAddr ~= nil and oldAddr ~= addr and conflictStateVersion ~= nil and
   conflictStateVersion > tonumber(h.stateVersion) then
  setAddrs()
  removeLive(myId)
  return finish('{}')
end
-- 7. single-topic guard
if addrs[idStr] == nil and topicCount == 1 then
  setAddrs()
  return finish('null')
end
-- 8. take the slot
addrs[idStr] = addr
registerFirst = registerFirst or oldAddr == nil
setAddrs()
-- 9. / 10. topic data
local isPrimeSlave = id ~= 0 and publishes(addrs)
local recordedDigest = false
if publishes(addrs) and mode ~= 'probe' then
  local changed = brokerChanged()
  local touched = false
  if mode == 'commit' then
    -- visible from now on through the overlay, folded into the topic tables afterwards (the same
    -- per-topic rule as the loop below). What it changes comes from the uploads' counts while
    -- they are exact (see STAGE_TOPICS); otherwise it may change anything.
    local replace, clear = registerFirst or changed, isPrimeSlave and acting
    local count = tonumber(ARGV[7])
    local d = redis.call('HMGET', sk .. ':diff', 'version', 'added', 'differs', 'differsCleared')
    local exact = count == 0 or d[1] == versionBefore
    local added, differs = tonumber(d[2] or '0'), tonumber((clear and d[4] or d[3]) or '0')
    local removed = 0
    if deleteOthers then removed = redis.call('SCARD', rk) - (count - added) end
    local changes = not exact or added > 0 or removed > 0 or (replace and differs > 0)
    if changes then routeChanged() end
    if not exact or added > 0 or removed > 0 then touched = true end
    -- (an exact no-op, e.g. a restarted broker with the same topics, needs no overlay)
    if changes then
      overlay = true
      redis.call('PERSIST', sk)
      local phase = 'apply'
      if deleteOthers then phase = 'delete' end
      redis.call('HSET', OVERLAYS, name, cjson.encode({id = h.id, replace = replace,
        deleteOthers = deleteOthers, clearWrite = clear, phase = phase, cursor = '0'}))
    end
  else
    if deleteOthers then
      local keep = {}
      for i = 1, #items, 2 do keep[items[i]] = true end
      for _, t in ipairs(redis.call('SMEMBERS', rk)) do
        if not keep[t] then
          local tk = topicKey(t)
          if redis.call('HDEL', tk, name) == 1 then routeChanged() end
          redis.call('SREM', rk, t)
          if redis.call('EXISTS', tk) == 0 then redis.call('SREM', TOPICS, t) end
          touched = true
        end
      end
    end
    for i = 1, #items, 2 do
      local t = items[i]
      local tk = topicKey(t)
      local old = redis.call('HGET', tk, name)
      local present = old ~= false
      if registerFirst or changed or not present then
        local q = itemQueueData(name, items[i + 1], isPrimeSlave and acting)
        if q ~= old then
          routeChanged()
          redis.call('HSET', tk, name, q)
        end
        if not present then
          redis.call('SADD', TOPICS, t)
          redis.call('SADD', rk, t)
          touched = true
        end
      end
    end
  end
  if changed or registerFirst then
    for _, m in ipairs(mappings) do
      local mk = mappingKey(m[1])
      if redis.call('HGET', mk, m[2]) ~= m[3] then
        routeChanged()
        redis.call('HSET', mk, m[2], m[3])
      end
    end
  end
  if touched then topicsChanged(name) end
  recordedDigest = digest .. '/' .. (redis.call('HGET', TOPIC_EPOCH, name) or '0')
elseif mode == 'probe' and publishes(addrs) then
  recordedDigest = digest .. '/' .. epochNow
end
-- 11. liveness: replaces the entry and its bridge's channel (other bridges' channels stay)
refreshed(deadlineBefore, h.now)
local deadline = fmtInt(tonumber(h.now) + tonumber(h.timeout))
bindChannel(myId, nn(h.channel))
redis.call('DEL', myLive)
redis.call('HSET', myLive, 'clusterName', cluster, 'brokerAddr', addr, 'lastUpdateTimestamp', h.now,
  'heartbeatTimeoutMillis', h.timeout, 'deadline', deadline,
  'dataVersion', dv or h.storedDataVersion, 'dataVersionMissing', tostring(dv == nil))
if nn(h.haServerAddr) then redis.call('HSET', myLive, 'haServerAddr', h.haServerAddr) end
if recordedDigest then redis.call('HSET', myLive, 'topicSetDigest', recordedDigest) end
-- for refreshRegistration: the body, and the topic index as this registration leaves it
if nn(h.bodyDigest) then
  local sent = 'null'
  if not isOldVersion then sent = tostring(h.enableActingMaster == true) end
  redis.call('HSET', myLive, 'bodyDigest', h.bodyDigest,
    'bodyEpoch', redis.call('HGET', TOPIC_EPOCH, name) or '0', 'enableActingMasterSent', sent)
end
redis.call('ZADD', LIVE_Z, deadline, myId)
-- 12. filter servers: null leaves the entry alone
if ARGV[6] ~= 'null' then
  if ARGV[6] == '[]' then
    removeFilters(myId)
  elseif redis.call('HGET', FILTERS, myId) ~= ARGV[6] then
    routeChanged()
    redis.call('HSET', FILTERS, myId, ARGV[6])
  end
end
-- 13. a slave learns its live master
local reply = masterOf(cluster, id, addrs)
if minBrokerIdChanged then
  -- 4. / 14. the change, for the service to notify the group of
  if reply ~= '{}' then reply = string.sub(reply, 1, -2) .. ',' else reply = '{' end
  reply = reply .. '"minBrokerIdChange":{"brokerName":' .. cjson.encode(name) .. ',"brokerAddrs":' ..
    encodeAddrs(addrs) .. ',"offlineBrokerAddr":null,"enableActingMaster":' .. tostring(acting) .. '}}'
end
return finish(reply)
`,
);

/**
 * The outcome of a registration whose answer was lost (a timeout): ARGV[1] = its id. Answers the
 * recorded reply when it was applied; otherwise fences the id off (a late commit of it is refused,
 * see REGISTER_BROKER), drops its staged topics and answers "aborted": provably not applied.
 */
export const RESOLVE_REGISTRATION = luaScript(
  "resolveRegistration",
  [KEYS],
  String.raw`
local marker = registrationKey(ARGV[1])
local outcome = redis.call('GET', marker)
if outcome then return outcome end
redis.call('SET', marker, 'aborted', 'PX', ${ABORTED_MARKER_TTL_MS})
redis.call('UNLINK', stagingKey(ARGV[1]), stagingKey(ARGV[1]) .. ':diff')
return 'aborted'
`,
);

/**
 * Uploads a chunk of a registration's topics: ARGV[1] registration id, ARGV[2] broker name, ARGV[3..]
 * pairs of topic name and "read,write,perm,sysFlag", into the hash P:staging:<id>, which expires
 * unless committed. Invisible to every reader until REGISTER_BROKER commits it.
 *
 * Each chunk also counts, in P:staging:<id>:diff, how its topics differ from what readers see now:
 * `added` (no QueueData of the broker yet), `differs` / `differsCleared` (another QueueData, written
 * as sent / with the write bit cleared), and `version`, the route version at the first chunk. When
 * the route version is still that at the commit, nothing of the broker's topic data changed in
 * between (every such change bumps it), and the commit knows exactly whether the registration
 * changes anything, without visiting its topics again.
 */
export const STAGE_TOPICS = luaScript(
  "stageTopics",
  [KEYS, QUEUE_DATA, OVERLAY_READS],
  String.raw`
local k = stagingKey(ARGV[1])
local dk = k .. ':diff'
local name = ARGV[2]
if redis.call('EXISTS', registrationKey(ARGV[1])) == 1 then
  error({err = 'RMQ_ABORTED registration ' .. ARGV[1] .. ' was abandoned'})
end
local ovs = overlays()
local o = ovs and ovs[name]
local added, differs, differsCleared, pairsSent, pairsNew = 0, 0, 0, 0, 0
local batch = {}
for i = 3, #ARGV, 2 do
  local t, item = ARGV[i], ARGV[i + 1]
  local now = redis.call('HGET', topicKey(t), name)
  if o then now = overlaid(name, o, t, now) end
  if not now then
    added = added + 1
  else
    local q = itemQueueData(name, item, false)
    if q ~= now then differs = differs + 1 end
    -- (the same QueueData when the write bit is clear already)
    local perm = tonumber(string.match(item, '^-?%d+,-?%d+,(-?%d+),'))
    if perm and bit.band(perm, 2) ~= 0 then q = itemQueueData(name, item, true) end
    if q ~= now then differsCleared = differsCleared + 1 end
  end
  batch[#batch + 1] = t
  batch[#batch + 1] = item
  pairsSent = pairsSent + 1
  if #batch == 1000 then pairsNew = pairsNew + redis.call('HSET', k, unpack(batch)); batch = {} end
end
if #batch > 0 then pairsNew = pairsNew + redis.call('HSET', k, unpack(batch)) end
if redis.call('HSETNX', dk, 'version', redis.call('GET', ROUTE_VERSION) or '0') == 1 then
  redis.call('HSET', dk, 'added', 0, 'differs', 0, 'differsCleared', 0)
end
-- a topic sent twice: its counts are not exact any more
if pairsNew ~= pairsSent then redis.call('HSET', dk, 'version', 'inexact') end
redis.call('HINCRBY', dk, 'added', added)
redis.call('HINCRBY', dk, 'differs', differs)
redis.call('HINCRBY', dk, 'differsCleared', differsCleared)
redis.call('PEXPIRE', k, ${STAGING_TTL_MS})
redis.call('PEXPIRE', dk, ${STAGING_TTL_MS})
return 'OK'
`,
);

/**
 * REGISTER_BROKER's answer (and the one recorded under the registration id): null = rejected (the
 * single-topic guard), needTopics = changed nothing, send the topics staged (the probe, or an
 * inline registration that would delete more than inlineTopics topics), otherwise the step-13 answer.
 */
type RegisterReply = null | { needTopics: true } | { haServerAddr?: string; masterAddr?: string; minBrokerIdChange?: unknown };

/** The fields of the registration scripts' header that say who registers, when and through what. */
export function registeringBroker(r: RegistrationRefresh | BrokerRegistration) {
  return {
    clusterName: r.clusterName,
    brokerAddr: r.brokerAddr,
    brokerName: r.brokerName,
    brokerId: String(toInt(r.brokerId)),
    haServerAddr: r.haServerAddr,
    zoneName: r.zoneName,
    // resolved by the caller (BrokerRegistration.heartbeatTimeoutMillis)
    timeout: String(toInt(r.heartbeatTimeoutMillis)),
    enableActingMaster: r.enableActingMaster,
    now: String(toInt(r.now)),
    channel: r.channel,
  };
}

/** A registration reply as the Store answers it: null (rejected / not applicable) or the step-13 answer. */
export function registrationResult(reply: unknown): RegisterBrokerResult | null {
  if (reply === null) return null;
  const result = reply as { haServerAddr?: unknown; masterAddr?: unknown; minBrokerIdChange?: unknown };
  const out: RegisterBrokerResult = {};
  if (typeof result.haServerAddr === "string") out.haServerAddr = result.haServerAddr;
  if (typeof result.masterAddr === "string") out.masterAddr = result.masterAddr;
  if (result.minBrokerIdChange !== undefined) out.minBrokerIdChange = minBrokerIdChange(result.minBrokerIdChange, "registerBroker");
  return out;
}

function needsTopics(reply: RegisterReply): boolean {
  return reply !== null && typeof reply === "object" && (reply as { needTopics?: unknown }).needTopics === true;
}

/** A registration in progress: its id (fencing its outcome) and how errors name it. */
interface Registration {
  id: string;
  what: string;
}

export async function registerBroker(calls: ScriptCalls, r: BrokerRegistration): Promise<RegisterBrokerResult | null> {
  const body = r.body;
  const topicConfigTable = body.topicConfigTable ?? {};
  const mappingInfoMap = body.topicQueueMappingInfoMap ?? {};

  const items: string[] = [];
  const names = new Set<string>();
  for (const [tableKey, config] of Object.entries(topicConfigTable)) {
    const topic = typeof config.topicName === "string" ? config.topicName : tableKey;
    names.add(topic);
    items.push(
      topic,
      `${toInt(config.readQueueNums)},${toInt(config.writeQueueNums)},${toInt(config.perm)},${toInt(config.topicSysFlag ?? 0)}`,
    );
  }
  const mappings = Object.entries(mappingInfoMap).map(([topic, info]) => [
    topic,
    typeof info.bname === "string" ? info.bname : r.brokerName,
    JSON.stringify(info),
  ]);
  const deleteApplies = r.deleteTopicWithBrokerRegistration && mappings.length === 0;
  const digest = await sha1Hex(`${deleteApplies ? 1 : 0}\n${[...names].sort().join("\n")}`);

  const dv = body.dataVersion ?? null;
  const registration: Registration = {
    id: randomHex(12),
    what: `registration of ${r.brokerName} at ${r.brokerAddr}`,
  };
  const header = JSON.stringify({
    id: registration.id,
    ...registeringBroker(r),
    dataVersion: dv ? dataVersionJson(dv) : null,
    storedDataVersion: dataVersionJson(dv ?? { stateVersion: 0, timestamp: r.now, counter: 0 }),
    stateVersion: String(toInt(dv?.stateVersion ?? 0)),
    deleteTopics: r.deleteTopicWithBrokerRegistration,
    bodyDigest: r.bodyDigest ?? null,
    inlineTopics: calls.chunkTopics,
  });
  const fixed = [
    header,
    "",
    digest,
    String(Object.keys(topicConfigTable).length),
    JSON.stringify(mappings),
    body.filterServerList === null || body.filterServerList === undefined
      ? "null"
      : JSON.stringify(body.filterServerList),
  ];
  const fixedBytes = fixed.reduce((n, s) => n + argBytes(s), 0);
  const itemBytes = items.reduce((n, s) => n + argBytes(s), 0);
  if (fixedBytes > HARD_REQUEST_LIMIT) {
    throw new RedisStoreError(
      `${registration.what}: static-topic mappings and filter servers too large (${fixedBytes} bytes)`,
    );
  }

  let reply: RegisterReply = null;
  let staged = true;
  if (items.length === 0 || (items.length / 2 <= calls.chunkTopics && fixedBytes + itemBytes <= calls.maxRequestBytes)) {
    fixed[1] = "inline";
    reply = await register(calls, registration, [...fixed, ...items]);
    staged = needsTopics(reply);
  } else if (dv !== null) {
    fixed[1] = "probe";
    reply = await register(calls, registration, fixed);
    staged = needsTopics(reply);
  }
  if (staged) {
    // uploads may run out of order: a topic sent twice goes once, as its last value
    await stage(calls, registration, r.brokerName, names.size === items.length / 2 ? items : lastWins(items));
    fixed[1] = "commit";
    reply = await register(calls, registration, [...fixed, String(names.size)]);
    // applied and visible: the fold only moves data
    await foldQuietly(calls, [r.brokerName]);
  }
  return registrationResult(reply);
}

/**
 * One registration script. When its answer is lost (anything but an answer from Redis), asks
 * Redis what became of the registration id, which also fences the id off if it was not applied:
 * the result is the recorded answer, or an error saying it was not applied, or — when Redis does
 * not answer `outcomeChecks` times — an error saying the outcome is unknown.
 */
async function register(calls: ScriptCalls, registration: Registration, args: string[]): Promise<RegisterReply> {
  try {
    return (await calls.runJson(REGISTER_BROKER, args)) as RegisterReply;
  } catch (err) {
    if (err instanceof RegistrationAbandoned) {
      throw new RedisStoreError(`${registration.what} was not applied: it was abandoned after a timeout`);
    }
    if (!(err instanceof RedisStoreError) || err.cause === undefined || err.cause instanceof RedisReplyError) throw err;
    return resolveRegistration(calls, registration, err);
  }
}

async function resolveRegistration(calls: ScriptCalls, registration: Registration, lost: RedisStoreError): Promise<RegisterReply> {
  const cause = messageOf(lost.cause);
  let lastFailure = cause;
  for (let check = 0; check < calls.outcomeChecks; check++) {
    if (check > 0) await new Promise((resolve) => setTimeout(resolve, 50 * check));
    let outcome: unknown;
    try {
      outcome = await calls.evalUntranslated(RESOLVE_REGISTRATION, [registration.id]);
    } catch (err) {
      lastFailure = messageOf(err);
      if (err instanceof RedisReplyError) break;
      continue;
    }
    if (outcome === "aborted") {
      throw new RedisStoreError(`${registration.what} was not applied (${cause})`);
    }
    if (typeof outcome !== "string") break;
    try {
      return JSON.parse(outcome) as RegisterReply;
    } catch {
      break;
    }
  }
  throw new RedisStoreError(
    `${registration.what}: no answer from Redis (${cause}; then ${lastFailure}); whether it was applied is unknown`,
  );
}

/**
 * Uploads topic items to the registration's staging hash, in chunks of at most `chunkTopics`
 * topics and `maxRequestBytes`, PIPELINE_DEPTH at a time. Nobody sees them before the commit: a
 * failure here leaves the state as it was (the staging hash expires).
 */
async function stage(calls: ScriptCalls, registration: Registration, brokerName: string, items: string[]): Promise<void> {
  const upload = async (chunk: string[]) => {
    try {
      await calls.run(STAGE_TOPICS, chunk);
    } catch (err) {
      throw new RedisStoreError(`${registration.what} was not applied: uploading its topics failed: ${messageOf(err)}`, { cause: err });
    }
  };
  const head = [registration.id, brokerName];
  const headBytes = argBytes(registration.id) + argBytes(brokerName);
  const chunks: string[][] = [];
  let chunk = [...head];
  let bytes = headBytes;
  for (let i = 0; i < items.length; i += 2) {
    const pairBytes = argBytes(items[i]) + argBytes(items[i + 1]);
    const topics = (chunk.length - head.length) / 2;
    if (topics > 0 && (bytes + pairBytes > calls.maxRequestBytes || topics >= calls.chunkTopics)) {
      chunks.push(chunk);
      chunk = [...head];
      bytes = headBytes;
    }
    chunk.push(items[i], items[i + 1]);
    bytes += pairBytes;
  }
  if (chunk.length > head.length) chunks.push(chunk);
  let failure: unknown = null;
  const inFlight = new Set<Promise<void>>();
  for (const c of chunks) {
    if (failure !== null) break;
    const call: Promise<void> = upload(c).then(
      () => void inFlight.delete(call),
      (err) => {
        inFlight.delete(call);
        failure ??= err;
      },
    );
    inFlight.add(call);
    if (inFlight.size >= PIPELINE_DEPTH) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure !== null) throw failure;
}

/** Topic items with each topic once, at its last value. */
function lastWins(items: string[]): string[] {
  const byTopic = new Map<string, string>();
  for (let i = 0; i < items.length; i += 2) byTopic.set(items[i], items[i + 1]);
  return [...byTopic].flat();
}

/** Approximate request bytes of one argument (JSON quoting and RESP framing included). */
function argBytes(s: string): number {
  return utf8Length(s) + 8;
}

function randomHex(bytes: number): string {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return [...a].map((b) => b.toString(16).padStart(2, "0")).join("");
}
