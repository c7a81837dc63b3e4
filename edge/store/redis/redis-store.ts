/**
 * Store on Redis: the Java RouteInfoManager and KVConfigManager semantics (PROTOCOL §4, §6), with the
 * same deliberate differences as the embedded store (see embedded-store.ts), kept in Redis under one
 * key prefix (docs/redis-keys.md). Each Store call is one Lua script — one round trip, atomic —
 * except the registration of a broker with more topics than one script should handle
 * (`chunkTopics`, or `maxRequestBytes` of payload). That one first tries a payload-free fast path
 * (enough when the broker's DataVersion and topic set did not change); otherwise it uploads the
 * topics in chunks to a private staging hash, commits them with one small atomic script — from then
 * on readers see the whole registration, through an overlay — and folds them into the topic tables
 * in chunks. No script of it runs for more than a few milliseconds, so Redis keeps answering
 * everyone else meanwhile (docs/redis-keys.md, "Large registrations").
 *
 * Registrations tell the truth: each carries an id, and when its answer is lost (a timeout) the
 * store asks Redis what became of that id, which also fences it off when it was not applied, so
 * the answer is "applied" (success), "not applied", or — when Redis does not answer at all —
 * an error that says the outcome is unknown.
 *
 * Liveness: each live entry carries a deadline (last refresh + heartbeatTimeoutMillis) in a sorted
 * set. expireBrokers(now) unregisters entries past their deadline (any number of sweepers may run
 * at once); getTopicRoute leaves out addresses whose deadline has passed by `clock()` even before
 * a sweep, as the sweep would (a broker group left without addresses disappears from the route,
 * an acting-master group left without its master loses the write bit).
 *
 * Versioned routes: every script that changes what a route can show bumps `P:routeVersion`;
 * getTopicRouteIfChanged answers "unchanged" after one GET when the caller's version is current
 * (docs/redis-keys.md, "Route version").
 *
 * A value in Redis that does not decode (hand-edited) makes the call reject with a
 * RedisStoreDataError naming the key; nothing is written by that call.
 */
import { DEFAULT_BROKER_TIMEOUT_MILLIS, Perm } from "../../../shared/codes";
import type {
  BrokerData,
  BrokerMemberGroup,
  ClusterInfo,
  DataVersion,
  QueueData,
  TopicList,
  TopicQueueMappingInfo,
  TopicRouteData,
} from "../../../shared/model";
import type {
  BrokerRegistration,
  BrokerUnregistration,
  DataVersionAnswer,
  DataVersionQuery,
  RegisterBrokerResult,
  RegistrationRefresh,
  RouteStamp,
  StampedRoute,
  Store,
  UnitTopicKind,
} from "../store";
import { RedisReplyError, type RedisScript, type RedisTransport } from "./redis-transport";
import * as S from "./scripts";

export interface RedisStoreOptions {
  /**
   * Name of the deployment; every key is `{<prefix>}:...` (a Redis Cluster hash tag), so that
   * several RocketMQ deployments can share one Redis. Default "rmq".
   */
  prefix?: string;
  /** Clock used to hide brokers past their liveness deadline in routes; default Date.now. */
  clock?: () => number;
  /**
   * Largest registration request (approximate bytes of the script arguments) sent in one piece;
   * larger topic payloads go through the staged path. Default 512 KiB (Upstash caps requests at
   * 10 MB; we keep every request under 1 MB).
   */
  maxRequestBytes?: number;
  /**
   * Most topics one script of a registration handles: larger registrations are uploaded, and folded
   * into the topic tables, in chunks of this many. Default 500: 2.5–4 ms of Redis time per script
   * (1,000 took 5–11 ms: the cost per topic grows with the chunk).
   */
  chunkTopics?: number;
  /** How many times the outcome of a registration whose answer was lost is asked for; default 3. */
  outcomeChecks?: number;
  /** close() also closes the transport; default false (the caller owns it). */
  closeTransport?: boolean;
}

/** A value found in Redis that is not what the store wrote (e.g. edited by hand). */
export class RedisStoreDataError extends Error {
  override name = "RedisStoreDataError";
}

/** A Redis call of the store failed (unreachable, timeout, error reply). */
export class RedisStoreError extends Error {
  override name = "RedisStoreError";
}

/** Redis answered that a registration id was fenced off (see RESOLVE_REGISTRATION). */
class RegistrationAbandoned extends Error {}

/** A script refused to write the topic data of a broker whose overlay is not folded yet. */
class FoldPending extends Error {
  constructor(readonly brokerName: string) {
    super(`the registration of ${brokerName} is still being folded`);
  }
}

export const DEFAULT_MAX_REQUEST_BYTES = 512 * 1024;
export const DEFAULT_CHUNK_TOPICS = 500;
const DEFAULT_OUTCOME_CHECKS = 3;
/** How often a call refused by an unfolded overlay is repeated after folding it. */
const FOLD_RETRIES = 3;
/**
 * Chunk scripts of one registration in flight at once: Redis runs the next one without waiting for
 * this process to send it, and other clients wait at most this many chunks.
 */
const PIPELINE_DEPTH = 2;
/** Guards the fold loop against a cursor that never ends (it always does). */
const MAX_FOLD_STEPS = 10_000_000;
/** The route script's answer when the caller's route version is current. */
const UNCHANGED = "=";

/** Runs `fn` after the current turn of the event loop (setImmediate where the runtime has it). */
const nextTurn: (fn: () => void) => void =
  typeof setImmediate === "function" ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);
/** No request of the store is larger than this (the staged path keeps topic payloads below it). */
const HARD_REQUEST_LIMIT = 1_000_000 - 64 * 1024;

// -------------------------------------------------------------------------------------------------
// small helpers

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Approximate request bytes of one argument (JSON quoting and RESP framing included). */
function argBytes(s: string): number {
  return utf8Length(s) + 8;
}

function toInt(v: unknown): number {
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

/** DataVersion as stored: canonical JSON, compared as a string. */
function dataVersionJson(dv: DataVersion): string {
  return JSON.stringify({
    stateVersion: toInt(dv.stateVersion),
    timestamp: toInt(dv.timestamp),
    counter: toInt(dv.counter),
  });
}

function queueDataJson(qd: QueueData): string {
  return JSON.stringify({
    brokerName: qd.brokerName,
    readQueueNums: toInt(qd.readQueueNums),
    writeQueueNums: toInt(qd.writeQueueNums),
    perm: toInt(qd.perm),
    topicSysFlag: toInt(qd.topicSysFlag),
  });
}

async function sha1Hex(text: string): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function randomHex(bytes: number): string {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return [...a].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A registration in progress: its id (fencing its outcome) and how errors name it. */
interface Registration {
  id: string;
  what: string;
}

/** Topic items with each topic once, at its last value. */
function lastWins(items: string[]): string[] {
  const byTopic = new Map<string, string>();
  for (let i = 0; i < items.length; i += 2) byTopic.set(items[i], items[i + 1]);
  return [...byTopic].flat();
}

/** A registration script's "send the topics staged" answer (it changed nothing). */
function needsTopics(reply: unknown): boolean {
  return reply !== null && typeof reply === "object" && (reply as { needTopics?: unknown }).needTopics === true;
}

/** The reply of a registration script: null (rejected / not applicable) or the step-13 answer. */
function registrationResult(reply: unknown): RegisterBrokerResult | null {
  if (reply === null) return null;
  const result = reply as { haServerAddr?: unknown; masterAddr?: unknown };
  const out: RegisterBrokerResult = {};
  if (typeof result.haServerAddr === "string") out.haServerAddr = result.haServerAddr;
  if (typeof result.masterAddr === "string") out.masterAddr = result.masterAddr;
  return out;
}

/** cjson encodes an empty array as {}: accept both as []. */
function asArray<T = unknown>(v: unknown, where: string): T[] {
  if (Array.isArray(v)) return v as T[];
  if (v && typeof v === "object" && Object.keys(v).length === 0) return [];
  throw new RedisStoreDataError(`unexpected reply shape from ${where}`);
}

function pairs(flat: unknown, where: string): [string, string][] {
  const items = asArray<string>(flat, where);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([String(items[i]), String(items[i + 1])]);
  return out;
}

function malformed(key: string, field: string | null, detail: string): RedisStoreDataError {
  return new RedisStoreDataError(
    `malformed value in Redis at ${key}${field === null ? "" : ` field ${JSON.stringify(field)}`}: ${detail}`,
  );
}

function parseJson(raw: string, key: string, field: string | null): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw malformed(key, field, `not JSON: ${raw.slice(0, 80)}`);
  }
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

function parseQueueData(raw: string, key: string, field: string): QueueData {
  const v = parseJson(raw, key, field) as Record<string, unknown>;
  if (
    !v ||
    typeof v !== "object" ||
    !isInt(v.readQueueNums) ||
    !isInt(v.writeQueueNums) ||
    !isInt(v.perm) ||
    (v.topicSysFlag !== undefined && !isInt(v.topicSysFlag))
  ) {
    throw malformed(key, field, "expected QueueData {brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag}");
  }
  return {
    brokerName: field,
    readQueueNums: v.readQueueNums,
    writeQueueNums: v.writeQueueNums,
    perm: v.perm,
    topicSysFlag: (v.topicSysFlag as number | undefined) ?? 0,
  };
}

function parseAddrs(raw: string, key: string): Record<string, string> {
  const v = parseJson(raw, key, "brokerAddrs");
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    throw malformed(key, "brokerAddrs", "expected an object of brokerId to address");
  }
  const entries = Object.entries(v as Record<string, unknown>);
  for (const [id, addr] of entries) {
    if (!/^-?\d+$/.test(id) || typeof addr !== "string") {
      throw malformed(key, "brokerAddrs", "expected an object of brokerId to address");
    }
  }
  return Object.fromEntries(
    (entries as [string, string][]).sort(([a], [b]) => Number(a) - Number(b)),
  );
}

function parseDataVersion(raw: string, key: string): DataVersion {
  const v = parseJson(raw, key, "dataVersion") as Record<string, unknown>;
  if (!v || typeof v !== "object" || !isInt(v.stateVersion) || !isInt(v.timestamp) || !isInt(v.counter)) {
    throw malformed(key, "dataVersion", "expected {stateVersion, timestamp, counter}");
  }
  return { stateVersion: v.stateVersion, timestamp: v.timestamp, counter: v.counter };
}

function parseStringList(raw: string, key: string, field: string): string[] {
  const v = parseJson(raw, key, field);
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw malformed(key, field, "expected an array of strings");
  return v as string[];
}

function parseMapping(raw: string, key: string, field: string): TopicQueueMappingInfo {
  const v = parseJson(raw, key, field);
  if (!v || typeof v !== "object" || Array.isArray(v)) throw malformed(key, field, "expected a TopicQueueMappingInfo object");
  return v as TopicQueueMappingInfo;
}

interface RawBroker {
  n: string;
  c: string;
  a: string;
  e: string;
  z: string | false;
}

function brokerDataOf(raw: RawBroker, key: string): BrokerData {
  const bd: BrokerData = {
    cluster: raw.c,
    brokerName: raw.n,
    brokerAddrs: parseAddrs(raw.a, key),
    enableActingMaster: raw.e === "true",
  };
  if (typeof raw.z === "string") bd.zoneName = raw.z;
  return bd;
}

// -------------------------------------------------------------------------------------------------

/** The fields of the registration scripts' header that say who registers, when and through what. */
function registeringBroker(r: RegistrationRefresh | BrokerRegistration) {
  return {
    clusterName: r.clusterName,
    brokerAddr: r.brokerAddr,
    brokerName: r.brokerName,
    brokerId: String(toInt(r.brokerId)),
    haServerAddr: r.haServerAddr,
    zoneName: r.zoneName,
    timeout: String(toInt(r.heartbeatTimeoutMillis ?? DEFAULT_BROKER_TIMEOUT_MILLIS)),
    enableActingMaster: r.enableActingMaster,
    now: String(toInt(r.now)),
    channel: r.channel,
  };
}

export class RedisStore implements Store {
  readonly prefix: string;
  private readonly keys: string[];
  private sharedVersionRead: Promise<string> | null = null;
  private readonly clock: () => number;
  private readonly maxRequestBytes: number;
  private readonly chunkTopics: number;
  private readonly outcomeChecks: number;
  private readonly closeTransport: boolean;

  constructor(
    private readonly transport: RedisTransport,
    options: RedisStoreOptions = {},
  ) {
    const name = options.prefix ?? "rmq";
    if (name === "" || /[{}]/.test(name)) throw new Error(`invalid Redis key prefix ${JSON.stringify(name)}`);
    this.prefix = `{${name}}`;
    this.keys = [this.prefix];
    this.clock = options.clock ?? Date.now;
    this.maxRequestBytes = Math.min(options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES, HARD_REQUEST_LIMIT);
    this.chunkTopics = Math.max(1, Math.trunc(options.chunkTopics ?? DEFAULT_CHUNK_TOPICS));
    this.outcomeChecks = Math.max(1, Math.trunc(options.outcomeChecks ?? DEFAULT_OUTCOME_CHECKS));
    this.closeTransport = options.closeTransport ?? false;
  }

  /** The key of a broker name's BrokerData hash (for operators and tests). */
  brokerKey(brokerName: string): string {
    return `${this.prefix}:brokerAddrTable:${brokerName}`;
  }

  /** The key of a topic's QueueData hash. */
  topicKey(topic: string): string {
    return `${this.prefix}:topicQueueTable:${topic}`;
  }

  /**
   * One script call. A call refused because a broker's overlay is not folded yet folds it and is
   * repeated (the refusal comes before any write).
   */
  private async run(script: RedisScript, args: string[]): Promise<string | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.runOnce(script, args);
      } catch (err) {
        if (!(err instanceof FoldPending)) throw err;
        if (attempt >= FOLD_RETRIES) throw new RedisStoreError(`Redis store ${script.name} failed: ${err.message}`);
        await this.fold(err.brokerName);
      }
    }
  }

  private async runOnce(script: RedisScript, args: string[]): Promise<string | null> {
    let reply: unknown;
    try {
      reply = await this.transport.eval(script, this.keys, args);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof RedisReplyError) {
        const bad = /RMQ_MALFORMED (.*?)(?: script: [0-9a-f]{40}.*)?$/s.exec(message);
        if (bad) throw new RedisStoreDataError(`malformed value in Redis at ${bad[1]}`);
        const pending = /RMQ_FOLD_PENDING ("(?:[^"\\]|\\.)*")/.exec(message);
        if (pending) throw new FoldPending(JSON.parse(pending[1]) as string);
        if (/RMQ_ABORTED /.test(message)) throw new RegistrationAbandoned(message);
      }
      throw new RedisStoreError(`Redis store ${script.name} failed: ${message}`, { cause: err });
    }
    if (reply === null || reply === undefined) return null;
    if (typeof reply !== "string") {
      throw new RedisStoreError(`Redis store ${script.name}: unexpected reply ${JSON.stringify(reply)?.slice(0, 80)}`);
    }
    return reply;
  }

  private async runJson(script: RedisScript, args: string[]): Promise<unknown> {
    const reply = await this.run(script, args);
    if (reply === null) return null;
    try {
      return JSON.parse(reply);
    } catch {
      throw new RedisStoreError(`Redis store ${script.name}: reply is not JSON: ${reply.slice(0, 80)}`);
    }
  }

  // ===============================================================================================
  // registration

  async registerBroker(r: BrokerRegistration): Promise<RegisterBrokerResult | null> {
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
      inlineTopics: this.chunkTopics,
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

    let reply: unknown = null;
    let staged = true;
    if (items.length === 0 || (items.length / 2 <= this.chunkTopics && fixedBytes + itemBytes <= this.maxRequestBytes)) {
      fixed[1] = "inline";
      reply = await this.register(registration, [...fixed, ...items]);
      staged = needsTopics(reply);
    } else if (dv !== null) {
      fixed[1] = "probe";
      reply = await this.register(registration, fixed);
      staged = needsTopics(reply);
    }
    if (staged) {
      // uploads may run out of order: a topic sent twice goes once, as its last value
      await this.stage(registration, r.brokerName, names.size === items.length / 2 ? items : lastWins(items));
      fixed[1] = "commit";
      reply = await this.register(registration, [...fixed, String(names.size)]);
      // applied and visible: the fold only moves data
      await this.foldQuietly([r.brokerName]);
    }
    return registrationResult(reply);
  }

  /**
   * One registration script. When its answer is lost (anything but an answer from Redis), asks
   * Redis what became of the registration id, which also fences the id off if it was not applied:
   * the result is the recorded answer, or an error saying it was not applied, or — when Redis does
   * not answer `outcomeChecks` times — an error saying the outcome is unknown.
   */
  private async register(registration: Registration, args: string[]): Promise<unknown> {
    try {
      return await this.runJson(S.REGISTER_BROKER, args);
    } catch (err) {
      if (err instanceof RegistrationAbandoned) {
        throw new RedisStoreError(`${registration.what} was not applied: it was abandoned after a timeout`);
      }
      if (!(err instanceof RedisStoreError) || err.cause === undefined || err.cause instanceof RedisReplyError) throw err;
      return this.resolveRegistration(registration, err);
    }
  }

  private async resolveRegistration(registration: Registration, lost: RedisStoreError): Promise<unknown> {
    const cause = lost.cause instanceof Error ? lost.cause.message : String(lost.cause);
    let lastFailure = cause;
    for (let check = 0; check < this.outcomeChecks; check++) {
      if (check > 0) await new Promise((resolve) => setTimeout(resolve, 50 * check));
      let outcome: unknown;
      try {
        outcome = await this.transport.eval(S.RESOLVE_REGISTRATION, this.keys, [registration.id]);
      } catch (err) {
        lastFailure = err instanceof Error ? err.message : String(err);
        if (err instanceof RedisReplyError) break;
        continue;
      }
      if (outcome === "aborted") {
        throw new RedisStoreError(`${registration.what} was not applied (${cause})`);
      }
      if (typeof outcome !== "string") break;
      try {
        return JSON.parse(outcome);
      } catch {
        break;
      }
    }
    throw new RedisStoreError(
      `${registration.what}: no answer from Redis (${cause}; then ${lastFailure}); whether it was applied is unknown`,
    );
  }

  /**
   * One round trip: when the broker's last full registration carried this bodyDigest and nothing
   * it would restore changed since, refreshes liveness as that registration would (null otherwise,
   * having changed nothing). See REFRESH_REGISTRATION in scripts.ts.
   */
  async refreshRegistration(r: RegistrationRefresh): Promise<RegisterBrokerResult | null> {
    const header = JSON.stringify({ ...registeringBroker(r), bodyDigest: r.bodyDigest });
    return registrationResult(await this.runJson(S.REFRESH_REGISTRATION, [header]));
  }

  /**
   * Uploads topic items to the registration's staging hash, in chunks of at most `chunkTopics`
   * topics and `maxRequestBytes`, PIPELINE_DEPTH at a time. Nobody sees them before the commit: a
   * failure here leaves the state as it was (the staging hash expires).
   */
  private async stage(registration: Registration, brokerName: string, items: string[]): Promise<void> {
    const upload = async (chunk: string[]) => {
      try {
        await this.run(S.STAGE_TOPICS, chunk);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new RedisStoreError(`${registration.what} was not applied: uploading its topics failed: ${message}`, { cause: err });
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
      if (topics > 0 && (bytes + pairBytes > this.maxRequestBytes || topics >= this.chunkTopics)) {
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

  /**
   * Folds the committed overlay of a broker name into the topic tables, a chunk per script, with
   * the next chunk sent before the last one answered (each reads the cursor where the previous one
   * left it; any order is correct).
   */
  private async fold(brokerName: string): Promise<void> {
    const step = () => {
      const call = this.runOnce(S.FOLD_TOPICS, [brokerName, String(this.chunkTopics)]);
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
    throw new RedisStoreError(`Redis store ${S.FOLD_TOPICS.name}: ${brokerName} did not finish`);
  }

  /** Folds every overlay still in Redis (left behind by a store that stopped folding it). */
  private async foldAll(): Promise<void> {
    for (const name of asArray<string>(await this.runJson(S.LIST_OVERLAYS, []), S.LIST_OVERLAYS.name)) {
      await this.fold(name);
    }
  }

  // ===============================================================================================
  // unregistration and liveness

  async unregisterBrokers(requests: BrokerUnregistration[]): Promise<void> {
    if (requests.length === 0) return;
    const reqs = requests.map((q) => ({
      clusterName: q.clusterName,
      brokerAddr: q.brokerAddr,
      brokerName: q.brokerName,
      brokerId: toInt(q.brokerId),
    }));
    const reply = await this.runJson(S.UNREGISTER_BROKERS, [JSON.stringify(reqs), String(this.chunkTopics)]);
    await this.foldQuietly(asArray<string>(reply, S.UNREGISTER_BROKERS.name));
  }

  async unregisterChannel(channel: string): Promise<BrokerUnregistration[]> {
    return this.unregistered(S.UNREGISTER_CHANNEL, [channel, String(this.chunkTopics)]);
  }

  /**
   * The sweep also completes overlays that their registering store left unfolded (best effort: a
   * fold that fails must not keep dead brokers alive; the sweep of a broker that needs it folds it).
   */
  async expireBrokers(now: number): Promise<BrokerUnregistration[]> {
    await this.foldAll().catch(() => undefined);
    return this.unregistered(S.EXPIRE_BROKERS, [String(toInt(now)), String(this.chunkTopics)]);
  }

  /**
   * An unregistration script: the brokers it removed. A broker with more than chunkTopics topics
   * loses them at once for readers (an overlay) and in chunks in the topic tables (the fold).
   */
  private async unregistered(script: RedisScript, args: string[]): Promise<BrokerUnregistration[]> {
    const reply = (await this.runJson(script, args)) as { u?: unknown; f?: unknown } | null;
    const removed = this.unregistrations(reply?.u, script.name);
    await this.foldQuietly(asArray<string>(reply?.f, script.name));
    return removed;
  }

  /** Folds after a write that is applied already: what is left is folded by the next writer or sweep. */
  private async foldQuietly(brokerNames: string[]): Promise<void> {
    for (const name of brokerNames) await this.fold(name).catch(() => undefined);
  }

  private unregistrations(reply: unknown, where: string): BrokerUnregistration[] {
    return asArray<BrokerUnregistration>(reply, where).map((q) => ({
      clusterName: q.clusterName,
      brokerAddr: q.brokerAddr,
      brokerName: q.brokerName,
      brokerId: q.brokerId,
    }));
  }

  async refreshBroker(clusterName: string, brokerAddr: string, now: number): Promise<boolean> {
    return (await this.run(S.REFRESH_BROKER, [clusterName, brokerAddr, String(toInt(now))])) === "true";
  }

  async queryDataVersion(query: DataVersionQuery): Promise<DataVersionAnswer> {
    const reply = (await this.runJson(S.QUERY_DATA_VERSION, [
      query.clusterName,
      query.brokerAddr,
      String(toInt(query.now)),
      query.dataVersion ? dataVersionJson(query.dataVersion) : "null",
    ])) as { changed: boolean; dataVersion: string | null; key?: string };
    if (reply.dataVersion === null || reply.dataVersion === undefined) return { changed: true, dataVersion: null };
    return { changed: reply.changed === true, dataVersion: parseDataVersion(reply.dataVersion, reply.key ?? "?") };
  }

  // ===============================================================================================
  // reads

  /**
   * One round trip: "unchanged" costs a GET of `P:routeVersion` inside the script, a changed route
   * the same read as getTopicRoute. A stamp past its validUntil (by this store's clock) is not
   * offered to Redis. validUntil is Number.MAX_SAFE_INTEGER, not Infinity, when nothing in the
   * route expires (a stamp must survive JSON).
   */
  async getTopicRouteIfChanged(topic: string, since: RouteStamp | null): Promise<StampedRoute | null> {
    const now = toInt(this.clock());
    const known = since !== null && now < since.validUntil ? since.version : "";
    if (known !== "" && (await this.readRouteVersion()) === known) return null;
    const reply = await this.run(S.GET_TOPIC_ROUTE, [topic, known, String(toInt(this.clock()))]);
    if (reply === UNCHANGED) return null;
    return this.decodeRoute(topic, reply);
  }

  /**
   * `P:routeVersion`, read once for every caller that asks within one turn of the event loop: the
   * GET is sent after the last of them asked, so each gets a version at least as new as its call.
   * Route queries for cached topics (most of them) then cost a share of one GET, not a script each.
   */
  private readRouteVersion(): Promise<string> {
    if (this.sharedVersionRead === null) {
      this.sharedVersionRead = new Promise<string>((resolve, reject) => {
        nextTurn(() => {
          this.sharedVersionRead = null;
          const failed = (err: unknown) =>
            reject(new RedisStoreError(`Redis store getRouteVersion failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
          let reply: Promise<unknown>;
          try {
            reply = this.transport.command(["GET", `${this.prefix}:routeVersion`]);
          } catch (err) {
            return failed(err);
          }
          reply.then((v) => {
            if (v === null || v === undefined) resolve("0");
            else if (typeof v === "string") resolve(v);
            else if (typeof v === "number") resolve(String(v));
            else reject(new RedisStoreError(`Redis store getRouteVersion: unexpected reply ${JSON.stringify(v)?.slice(0, 80)}`));
          }, failed);
        });
      });
    }
    return this.sharedVersionRead;
  }

  async getTopicRoute(topic: string): Promise<TopicRouteData | null> {
    return this.decodeRoute(topic, await this.run(S.GET_TOPIC_ROUTE, [topic, "", String(toInt(this.clock()))])).route;
  }

  private decodeRoute(topic: string, raw: string | null): StampedRoute {
    let reply: { v?: unknown; u?: unknown; k?: string; e?: unknown; m?: unknown } | null = null;
    try {
      reply = raw === null ? null : JSON.parse(raw);
    } catch {
      // reported below
    }
    if (!reply || typeof reply !== "object" || typeof reply.v !== "string") {
      throw new RedisStoreError(`Redis store ${S.GET_TOPIC_ROUTE.name}: unexpected reply ${String(raw).slice(0, 80)}`);
    }
    const validUntil = typeof reply.u === "string" && /^\d+$/.test(reply.u) ? Number(reply.u) : Number.MAX_SAFE_INTEGER;
    const stamp: RouteStamp = { version: reply.v, validUntil };
    if (reply.k === undefined) return { stamp, route: null };
    const key = reply.k;
    const queueDatas: QueueData[] = [];
    const brokerDatas: BrokerData[] = [];
    const filterServerTable: Record<string, string[]> = {};
    for (const e of asArray<RawBroker & { q: string; h?: unknown; f?: unknown }>(reply.e, "getTopicRoute")) {
      const qd = parseQueueData(e.q, key, e.n);
      if (typeof e.c === "string") {
        const bKey = this.brokerKey(e.n);
        const bd = brokerDataOf(e, bKey);
        const hidden = asArray<string>(e.h ?? [], "getTopicRoute");
        for (const id of hidden) delete bd.brokerAddrs[id];
        // as the sweep would: an acting-master group that lost its master loses the write bit
        if (hidden.length > 0 && bd.enableActingMaster && bd.brokerAddrs["0"] === undefined) {
          qd.perm &= ~Perm.WRITE;
        }
        brokerDatas.push(bd);
        for (const [addr, servers] of pairs(e.f ?? [], "getTopicRoute")) {
          filterServerTable[addr] = parseStringList(servers, `${this.prefix}:filterServerTable`, addr);
        }
      }
      queueDatas.push(qd);
    }
    if (brokerDatas.length === 0) return { stamp, route: null };
    const route: TopicRouteData = { queueDatas, brokerDatas, filterServerTable };
    const mappingKey = `${this.prefix}:topicQueueMappingInfoTable:${topic}`;
    const mapping = pairs(reply.m, "getTopicRoute");
    if (mapping.length > 0) {
      route.topicQueueMappingByBroker = Object.fromEntries(
        mapping.map(([bname, raw]) => [bname, parseMapping(raw, mappingKey, bname)]),
      );
    }
    return { stamp, route };
  }

  async getClusterInfo(): Promise<ClusterInfo> {
    const reply = (await this.runJson(S.GET_CLUSTER_INFO, [])) as { b: unknown; c: unknown };
    const brokerAddrTable: Record<string, BrokerData> = {};
    const raws = asArray<RawBroker>(reply.b, "getClusterInfo").sort((a, b) => (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
    for (const raw of raws) brokerAddrTable[raw.n] = brokerDataOf(raw, this.brokerKey(raw.n));
    const clusterAddrTable: Record<string, string[]> = {};
    const clusters = asArray<{ c: string; n: unknown }>(reply.c, "getClusterInfo").sort((a, b) =>
      a.c < b.c ? -1 : a.c > b.c ? 1 : 0,
    );
    for (const c of clusters) clusterAddrTable[c.c] = asArray<string>(c.n, "getClusterInfo").sort();
    return { brokerAddrTable, clusterAddrTable };
  }

  async getAllTopics(): Promise<string[]> {
    return asArray<string>(await this.runJson(S.GET_ALL_TOPICS, []), "getAllTopics").sort();
  }

  async getTopicsByCluster(cluster: string): Promise<string[]> {
    return asArray<string>(await this.runJson(S.GET_TOPICS_BY_CLUSTER, [cluster]), "getTopicsByCluster").sort();
  }

  async getSystemTopicList(): Promise<TopicList> {
    const reply = (await this.runJson(S.GET_SYSTEM_TOPIC_LIST, [])) as { topicList: unknown; brokerAddr: unknown };
    const result: TopicList = { topicList: asArray<string>(reply.topicList, "getSystemTopicList") };
    if (typeof reply.brokerAddr === "string") result.brokerAddr = reply.brokerAddr;
    return result;
  }

  async getUnitTopics(kind: UnitTopicKind): Promise<string[]> {
    return asArray<string>(await this.runJson(S.GET_UNIT_TOPICS, [kind]), "getUnitTopics").sort();
  }

  async getBrokerMemberGroup(clusterName: string, brokerName: string): Promise<BrokerMemberGroup> {
    const raw = await this.run(S.GET_BROKER_ADDRS, [brokerName]);
    return {
      cluster: clusterName,
      brokerName,
      brokerAddrs: raw === null ? {} : parseAddrs(raw, this.brokerKey(brokerName)),
    };
  }

  // ===============================================================================================
  // topic administration

  async wipeWritePerm(brokerName: string): Promise<number> {
    return Number(await this.run(S.OPERATE_PERM, [brokerName, "wipe"]));
  }

  async addWritePerm(brokerName: string): Promise<number> {
    return Number(await this.run(S.OPERATE_PERM, [brokerName, "add"]));
  }

  async deleteTopic(topic: string, clusterName: string | null): Promise<void> {
    const cluster = clusterName === null || clusterName.trim() === "" ? "" : clusterName;
    await this.run(S.DELETE_TOPIC, [topic, cluster]);
  }

  async registerTopic(topic: string, queueDatas: QueueData[]): Promise<void> {
    if (queueDatas.length === 0) return;
    const args = [topic];
    for (const qd of queueDatas) args.push(qd.brokerName, queueDataJson(qd));
    await this.run(S.REGISTER_TOPIC, args);
  }

  // ===============================================================================================
  // KV config

  async putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    await this.run(S.PUT_KV, [namespace, key, value]);
  }

  async getKVConfig(namespace: string, key: string): Promise<string | null> {
    return this.run(S.GET_KV, [namespace, key]);
  }

  async deleteKVConfig(namespace: string, key: string): Promise<void> {
    await this.run(S.DELETE_KV, [namespace, key]);
  }

  async getKVListByNamespace(namespace: string): Promise<Record<string, string> | null> {
    const reply = await this.runJson(S.GET_KV_LIST, [namespace]);
    if (reply === null) return null;
    const out: Record<string, string> = Object.create(null);
    for (const [k, v] of pairs(reply, "getKVListByNamespace")) out[k] = v;
    return { ...out };
  }

  // ===============================================================================================
  // runtime configuration overrides

  async getConfigOverrides(): Promise<Record<string, string>> {
    const out: Record<string, string> = Object.create(null);
    for (const [k, v] of pairs(await this.runJson(S.GET_CONFIG, []), "getConfigOverrides")) out[k] = v;
    return { ...out };
  }

  async putConfigOverrides(entries: Record<string, string>): Promise<void> {
    const args: string[] = [];
    for (const [key, value] of Object.entries(entries)) args.push(key, String(value));
    if (args.length === 0) return;
    await this.run(S.PUT_CONFIG, args);
  }

  async close(): Promise<void> {
    if (this.closeTransport) await this.transport.close();
  }
}
