/**
 * Store on Redis: the Java RouteInfoManager and KVConfigManager semantics (PROTOCOL §4, §6), with the
 * same deliberate differences as the embedded store, kept under one key prefix (docs/redis-keys.md).
 * Each operation lives in operations/ (its Lua script, its arguments, its typed reply); this class
 * assembles them over one transport. Every call is one script — one round trip, atomic — except
 * large registrations (operations/register-broker.ts).
 */
import type {
  BrokerMemberGroup,
  ClusterInfo,
  QueueData,
  TopicList,
  TopicRouteData,
} from "../../../shared/model";
import type {
  BrokerLiveInfoView,
  BrokerRegistration,
  BrokerUnregistration,
  DataVersionAnswer,
  DataVersionQuery,
  MinBrokerIdChange,
  RegisterBrokerResult,
  RegistrationRefresh,
  NamesrvInstance,
  RouteStamp,
  StampedRoute,
  Store,
  UnitTopicKind,
  UnregisteredBroker,
} from "../store";
import { storeKeys, type StoreKeys } from "./lua/keys";
import { RedisAccessStore } from "./operations/access-control";
import { getBrokerLiveInfos } from "./operations/broker-live-infos";
import * as clusterQueries from "./operations/cluster-queries";
import * as configOverrides from "./operations/config-overrides";
import { foldTopics } from "./operations/fold-topics";
import * as topicRoute from "./operations/get-topic-route";
import * as kvConfig from "./operations/kv-config";
import * as liveness from "./operations/liveness";
import * as namesrvInstances from "./operations/namesrv-instances";
import { refreshRegistration } from "./operations/refresh-registration";
import { HARD_REQUEST_LIMIT, registerBroker } from "./operations/register-broker";
import type { ScriptCalls } from "./operations/script-calls";
import * as topicAdmin from "./operations/topic-admin";
import * as unregistration from "./operations/unregister-brokers";
import { FoldPending, callFailed, replyNotJson, scriptFailure, unexpectedReply } from "./redis-errors";
import type { RedisScript, RedisTransport } from "./redis-transport";
import { toInt } from "./redis-values";

export { RedisStoreDataError, RedisStoreError } from "./redis-errors";

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

export const DEFAULT_MAX_REQUEST_BYTES = 512 * 1024;
export const DEFAULT_CHUNK_TOPICS = 500;
const DEFAULT_OUTCOME_CHECKS = 3;
/** How often a call refused by an unfolded overlay is repeated after folding it. */
const FOLD_RETRIES = 3;

/** Runs `fn` after the current turn of the event loop (setImmediate where the runtime has it). */
const nextTurn: (fn: () => void) => void =
  typeof setImmediate === "function" ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

export class RedisStore implements Store {
  readonly prefix: string;
  /** accounts, policies, tokens and the audit stream (operations/access-control.ts) */
  readonly access: RedisAccessStore;
  private readonly keys: StoreKeys;
  private readonly calls: ScriptCalls;
  private readonly clock: () => number;
  private readonly closeTransport: boolean;
  private sharedVersionRead: Promise<string> | null = null;

  constructor(
    private readonly transport: RedisTransport,
    options: RedisStoreOptions = {},
  ) {
    const name = options.prefix ?? "rmq";
    if (name === "" || /[{}]/.test(name)) throw new Error(`invalid Redis key prefix ${JSON.stringify(name)}`);
    this.prefix = `{${name}}`;
    this.keys = storeKeys(this.prefix);
    this.access = new RedisAccessStore(transport, this.prefix);
    this.clock = options.clock ?? Date.now;
    this.closeTransport = options.closeTransport ?? false;
    const scriptKeys = [this.prefix];
    this.calls = {
      keys: this.keys,
      chunkTopics: Math.max(1, Math.trunc(options.chunkTopics ?? DEFAULT_CHUNK_TOPICS)),
      maxRequestBytes: Math.min(options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES, HARD_REQUEST_LIMIT),
      outcomeChecks: Math.max(1, Math.trunc(options.outcomeChecks ?? DEFAULT_OUTCOME_CHECKS)),
      run: (script, args) => this.run(script, args),
      runJson: (script, args) => this.runJson(script, args),
      runOnce: (script, args) => this.runOnce(script, args),
      evalUntranslated: (script, args) => this.transport.eval(script, scriptKeys, args),
    };
  }

  /** The key of a broker name's BrokerData hash (for operators and tests). */
  brokerKey(brokerName: string): string {
    return this.keys.broker(brokerName);
  }

  /** The key of a topic's QueueData hash. */
  topicKey(topic: string): string {
    return this.keys.topic(topic);
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
        if (attempt >= FOLD_RETRIES) throw callFailed(script.name, err);
        await foldTopics(this.calls, err.brokerName);
      }
    }
  }

  private async runOnce(script: RedisScript, args: string[]): Promise<string | null> {
    let reply: unknown;
    try {
      reply = await this.transport.eval(script, [this.prefix], args);
    } catch (err) {
      throw scriptFailure(script, err);
    }
    if (reply === null || reply === undefined) return null;
    if (typeof reply !== "string") throw unexpectedReply(script.name, reply);
    return reply;
  }

  private async runJson(script: RedisScript, args: string[]): Promise<unknown> {
    const reply = await this.run(script, args);
    if (reply === null) return null;
    try {
      return JSON.parse(reply);
    } catch {
      throw replyNotJson(script.name, reply);
    }
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
          const failed = (err: unknown) => reject(callFailed("getRouteVersion", err));
          let reply: Promise<unknown>;
          try {
            reply = this.transport.command(["GET", this.keys.routeVersion]);
          } catch (err) {
            return failed(err);
          }
          reply.then((v) => {
            if (v === null || v === undefined) resolve("0");
            else if (typeof v === "string") resolve(v);
            else if (typeof v === "number") resolve(String(v));
            else reject(unexpectedReply("getRouteVersion", v));
          }, failed);
        });
      });
    }
    return this.sharedVersionRead;
  }

  // --- route tables -----------------------------------------------------------------------------

  registerBroker(registration: BrokerRegistration): Promise<RegisterBrokerResult | null> {
    return registerBroker(this.calls, registration);
  }

  refreshRegistration(refresh: RegistrationRefresh): Promise<RegisterBrokerResult | null> {
    return refreshRegistration(this.calls, refresh);
  }

  unregisterBrokers(requests: BrokerUnregistration[]): Promise<MinBrokerIdChange[]> {
    return unregistration.unregisterBrokers(this.calls, requests);
  }

  unregisterChannel(channel: string): Promise<UnregisteredBroker[]> {
    return unregistration.unregisterChannel(this.calls, channel);
  }

  expireBrokers(now: number): Promise<UnregisteredBroker[]> {
    return unregistration.expireBrokers(this.calls, now);
  }

  refreshBroker(clusterName: string, brokerAddr: string, now: number): Promise<boolean> {
    return liveness.refreshBroker(this.calls, clusterName, brokerAddr, now);
  }

  queryDataVersion(query: DataVersionQuery): Promise<DataVersionAnswer> {
    return liveness.queryDataVersion(this.calls, query);
  }

  async getTopicRoute(topic: string): Promise<TopicRouteData | null> {
    return topicRoute.getTopicRoute(this.calls, topic, this.clock());
  }

  /**
   * "Unchanged" costs a share of one GET of `P:routeVersion`; a changed route the same read as
   * getTopicRoute. A stamp past its validUntil (by this store's clock) is not offered to Redis.
   */
  async getTopicRouteIfChanged(topic: string, since: RouteStamp | null): Promise<StampedRoute | null> {
    const known = since !== null && toInt(this.clock()) < since.validUntil ? since.version : "";
    if (known !== "" && (await this.readRouteVersion()) === known) return null;
    return topicRoute.getTopicRouteIfChanged(this.calls, topic, known, this.clock());
  }

  getClusterInfo(): Promise<ClusterInfo> {
    return clusterQueries.getClusterInfo(this.calls);
  }

  getAllTopics(): Promise<string[]> {
    return clusterQueries.getAllTopics(this.calls);
  }

  getTopicsByCluster(cluster: string): Promise<string[]> {
    return clusterQueries.getTopicsByCluster(this.calls, cluster);
  }

  getSystemTopicList(): Promise<TopicList> {
    return clusterQueries.getSystemTopicList(this.calls);
  }

  getUnitTopics(kind: UnitTopicKind): Promise<string[]> {
    return clusterQueries.getUnitTopics(this.calls, kind);
  }

  getBrokerMemberGroup(clusterName: string, brokerName: string): Promise<BrokerMemberGroup> {
    return clusterQueries.getBrokerMemberGroup(this.calls, clusterName, brokerName);
  }

  getBrokerLiveInfos(): Promise<BrokerLiveInfoView[]> {
    return getBrokerLiveInfos(this.calls);
  }

  wipeWritePerm(brokerName: string): Promise<number> {
    return topicAdmin.wipeWritePerm(this.calls, brokerName);
  }

  addWritePerm(brokerName: string): Promise<number> {
    return topicAdmin.addWritePerm(this.calls, brokerName);
  }

  deleteTopic(topic: string, clusterName: string | null): Promise<void> {
    return topicAdmin.deleteTopic(this.calls, topic, clusterName);
  }

  registerTopic(topic: string, queueDatas: QueueData[]): Promise<void> {
    return topicAdmin.registerTopic(this.calls, topic, queueDatas);
  }

  // --- KV config and run-time configuration -----------------------------------------------------

  putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    return kvConfig.putKVConfig(this.calls, namespace, key, value);
  }

  getKVConfig(namespace: string, key: string): Promise<string | null> {
    return kvConfig.getKVConfig(this.calls, namespace, key);
  }

  deleteKVConfig(namespace: string, key: string): Promise<void> {
    return kvConfig.deleteKVConfig(this.calls, namespace, key);
  }

  getKVListByNamespace(namespace: string): Promise<Record<string, string> | null> {
    return kvConfig.getKVListByNamespace(this.calls, namespace);
  }

  getConfigOverrides(): Promise<Record<string, string>> {
    return configOverrides.getConfigOverrides(this.calls);
  }

  putConfigOverrides(entries: Record<string, string>): Promise<void> {
    return configOverrides.putConfigOverrides(this.calls, entries);
  }

  registerInstance(addr: string, now: number, ttlMillis: number): Promise<void> {
    return namesrvInstances.registerInstance(this.calls, addr, now, ttlMillis);
  }

  listInstances(now: number): Promise<NamesrvInstance[]> {
    return namesrvInstances.listInstances(this.calls, now);
  }

  async close(): Promise<void> {
    if (this.closeTransport) await this.transport.close();
  }
}
