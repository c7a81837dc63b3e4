import { DEFAULT_BROKER_TIMEOUT_MILLIS, ORDER_TOPIC_CONFIG_NAMESPACE, ResponseCode } from "../../shared/codes";
import type {
  BrokerMemberGroup,
  ClusterInfo,
  DataVersion,
  QueueData,
  RegisterBrokerBody,
  TopicList,
  TopicRouteData,
} from "../../shared/model";
import { Remark, topicNotExistRemark } from "../../shared/remarks";
import { z } from "zod";
import { encodeTopicRouteData } from "../../shared/body-codec";
import { QueueDataSchema } from "../../shared/body-schemas";
import type { Dialect } from "../../shared/fastjson-writer";
import type { NamesrvConfig } from "../config/namesrv-config";
import { NamesrvError, validate } from "../port/namesrv-error";
import type {
  BrokerLiveInfoView,
  BrokerUnregistration,
  DataVersionAnswer,
  MinBrokerIdChange,
  RegisterBrokerResult,
  Store,
  UnitTopicKind,
  UnregisteredBroker,
} from "../store/store";
import {
  registrationNotification,
  unregistrationNotification,
  type BrokerNotifier,
  type MinBrokerIdNotification,
} from "./broker-notifier";
import { Slices } from "../../shared/event-loop-slices";
import type { ConfigManager } from "./config-manager";
import {
  brokerIdentityOf,
  loadRegisterBody,
  type BrokerAddressInput,
  type BrokerIdentity,
  type QueryDataVersionInput,
  type RegisterBrokerInput,
  type RegisterBrokerOutcome,
  type UnregisterBrokerInput,
} from "../port/namesrv-port";
import { checkHeartbeatTimeout, checkName, checkRegisteredTopics, checkTopicToRegister, checkWellFormed } from "./name-rules";
import { validRegisterBody } from "./register-body-rules";
import { RouteCache } from "./route-cache";
import { applyActingMaster, filterByZone } from "./route-rewrites";
import type { BrokerLifecycleLog } from "./broker-lifecycle-log";

const utf8 = new TextEncoder();

/** Counts the metrics read (edge/metrics); per process, or per isolate on Workers. */
export interface RouteManagerCounts {
  /** registrations applied with their body (first, changed, or without a digest) */
  fullRegistrations: number;
  /** re-registrations applied by the body's digest alone */
  unchangedRegistrations: number;
  /** route queries answered from encodings kept here (the store said "unchanged") */
  routeCacheHits: number;
  /** route queries that read the route from the store */
  routeCacheMisses: number;
  expirySweeps: number;
  brokersExpired: number;
  brokersUnregisteredOnClose: number;
}

/** RouteInfoManager's protocol surface: configuration-dependent rules, errors and remarks. */
export class RouteManager {
  private readonly startedAt: number;
  private readonly routeCache = new RouteCache(0);
  private routeCacheConfig: NamesrvConfig | undefined;
  /** counts since start, read by the metrics at scrape time (plain numbers: no cost on the hot path) */
  private readonly counts: RouteManagerCounts = {
    fullRegistrations: 0,
    unchangedRegistrations: 0,
    routeCacheHits: 0,
    routeCacheMisses: 0,
    expirySweeps: 0,
    brokersExpired: 0,
    brokersUnregisteredOnClose: 0,
  };

  constructor(
    private readonly store: Store,
    private readonly config: ConfigManager,
    private readonly clock: () => number = Date.now,
    /** sends NOTIFY_MIN_BROKER_ID_CHANGE; none: the runtime cannot reach brokers, nothing is sent */
    private readonly notifier: BrokerNotifier | null = null,
    /** where registrations, unregistrations and expiries are told; none: nowhere */
    private readonly lifecycle: BrokerLifecycleLog | null = null,
  ) {
    this.startedAt = clock();
  }

  /**
   * REGISTER_BROKER. With the body's digest, an unchanged re-registration (the broker's body is the
   * one it registered last) is applied without loading the body; anything else loads it, checks
   * it and registers it in full.
   */
  async registerBroker(input: RegisterBrokerInput): Promise<RegisterBrokerOutcome> {
    const config = await this.config.current();
    checkRegistering(input, config);
    // declined by the refresh: the body differs from the one registered last
    let changed = false;
    if (input.bodyDigest !== null) {
      const refreshed = await this.refresh(input, input.bodyDigest, config);
      if (refreshed !== null) return refreshed;
      changed = this.store.refreshRegistration !== undefined && !config.deleteTopicWithBrokerRegistration;
    }
    const knownBefore = this.lifecycle?.enabled ? await this.isRegistered(input) : true;
    // a slice's time passes only with thousands of topics: then other requests are served between slices
    const slices = new Slices();
    const body = await validRegisterBody(await loadRegisterBody(input.body), slices);
    await checkRegisteredTopics(body, config, slices);
    const result = await this.store.registerBroker({
      ...brokerIdentityOf(input),
      body,
      bodyDigest: input.bodyDigest,
      heartbeatTimeoutMillis: input.heartbeatTimeoutMillis ?? DEFAULT_BROKER_TIMEOUT_MILLIS,
      deleteTopicWithBrokerRegistration: config.deleteTopicWithBrokerRegistration,
      now: this.clock(),
    });
    if (result === null) throw new NamesrvError(ResponseCode.SYSTEM_ERROR, Remark.REGISTER_BROKER_FAILED);
    this.counts.fullRegistrations++;
    if (!knownBefore || changed) this.lifecycle?.registered(input, !knownBefore, body.dataVersion, Object.keys(body.topicConfigTable ?? {}).length);
    const { minBrokerIdChange, ...reply } = result;
    // Java: on a registration, whatever the group's acting-master flag
    if (minBrokerIdChange && config.notifyMinBrokerIdChanged) {
      this.notify(registrationNotification(minBrokerIdChange, input.haServerAddr));
    }
    return { ...reply, orderTopicConfig: await this.orderTopicConfigFor(config) };
  }

  /** Whether the broker's address holds its id in its group now (a full registration then is not its first). */
  private async isRegistered(broker: RegisteringBroker): Promise<boolean> {
    const group = await this.store.getBrokerMemberGroup(broker.clusterName, broker.brokerName);
    return group.brokerAddrs[String(broker.brokerId)] === broker.brokerAddr;
  }

  /** NOTIFY_MIN_BROKER_ID_CHANGE after unregistrations, when the configuration says so at that moment. */
  private async notifyUnregistered(changes: MinBrokerIdChange[]): Promise<void> {
    if (changes.length === 0) return;
    // the brokers are unregistered already: a configuration the store cannot serve now means no notice, not a failure
    const enabled = await this.config.current().then((c) => c.notifyMinBrokerIdChanged, () => false);
    if (!enabled) return;
    // one notice per group, as the batch left it (Java keys its notify map by broker name)
    const byGroup = new Map(changes.map((change) => [change.brokerName, change]));
    for (const change of byGroup.values()) this.notify(unregistrationNotification(change));
  }

  private notify(notification: MinBrokerIdNotification | null): void {
    if (notification && notification.brokerAddrs.length > 0) {
      this.notifier?.notifyMinBrokerIdChange(notification.brokerAddrs, notification.notice);
    }
  }

  private async orderTopicConfigFor(config: NamesrvConfig): Promise<Record<string, string> | null> {
    return config.returnOrderTopicConfigToBroker ? this.store.getKVListByNamespace(ORDER_TOPIC_CONFIG_NAMESPACE) : null;
  }

  /** An unchanged re-registration by the body's digest alone; null when a full registration is needed. */
  async refreshRegistration(input: BrokerIdentity, bodyDigest: string): Promise<RegisterBrokerOutcome | null> {
    const config = await this.config.current();
    checkRegistering(input, config);
    return this.refresh(input, bodyDigest, config);
  }

  private async refresh(input: RegisteringBroker, bodyDigest: string, config: NamesrvConfig): Promise<RegisterBrokerOutcome | null> {
    if (!this.store.refreshRegistration) return null;
    // Then a full registration also removes the broker's topics missing from its body (added
    // meanwhile by REGISTER_TOPIC, say): only the full path can tell.
    if (config.deleteTopicWithBrokerRegistration) return null;
    const result = await this.store.refreshRegistration({
      ...brokerIdentityOf(input),
      bodyDigest,
      heartbeatTimeoutMillis: input.heartbeatTimeoutMillis ?? DEFAULT_BROKER_TIMEOUT_MILLIS,
      now: this.clock(),
    });
    if (result === null) return null;
    this.counts.unchangedRegistrations++;
    // a refresh keeps the broker in its slot: it never lowers the group's smallest id
    const { minBrokerIdChange: _unchanged, ...reply } = result;
    return { ...reply, orderTopicConfig: await this.orderTopicConfigFor(config) };
  }

  async unregisterBroker(input: UnregisterBrokerInput): Promise<void> {
    checkBrokerNames(input);
    const broker = validate(unregistrationRule, input, "request");
    const changes = await this.store.unregisterBrokers([broker]);
    this.lifecycle?.unregistered([broker], "unregistered by request");
    await this.notifyUnregistered(changes);
  }

  async unregisterChannel(channel: string): Promise<BrokerUnregistration[]> {
    const removed = await this.store.unregisterChannel(channel);
    this.counts.brokersUnregisteredOnClose += removed.length;
    this.lifecycle?.unregistered(removed, "connection closed", { channel });
    return this.unregistered(removed);
  }

  async expireBrokers(): Promise<BrokerUnregistration[]> {
    const removed = await this.store.expireBrokers(this.clock());
    this.counts.expirySweeps++;
    this.counts.brokersExpired += removed.length;
    this.lifecycle?.unregistered(removed, "expired");
    return this.unregistered(removed);
  }

  /** Notifies the groups the removals changed, and answers the removed brokers alone. */
  private async unregistered(removed: UnregisteredBroker[]): Promise<BrokerUnregistration[]> {
    const changes: MinBrokerIdChange[] = [];
    const brokers = removed.map(({ minBrokerIdChange, ...broker }) => {
      if (minBrokerIdChange) changes.push(minBrokerIdChange);
      return broker;
    });
    await this.notifyUnregistered(changes);
    return brokers;
  }

  /** BROKER_HEARTBEAT: refreshes a live broker's deadline; an unknown (or unnamed) broker is a no-op. */
  async brokerHeartbeat(input: BrokerAddressInput): Promise<void> {
    checkBrokerNames(input);
    if (!input.clusterName || !input.brokerAddr) return;
    await this.store.refreshBroker(input.clusterName, input.brokerAddr, this.clock());
  }

  /** QUERY_DATA_VERSION: an unknown (or unnamed) broker has changed, and no stored version. */
  async queryDataVersion(input: QueryDataVersionInput): Promise<DataVersionAnswer> {
    checkBrokerNames(input);
    const { clusterName, brokerAddr, dataVersion } = input;
    if (!clusterName || !brokerAddr) return { changed: true, dataVersion: null };
    return this.store.queryDataVersion({ clusterName, brokerAddr, dataVersion, now: this.clock() });
  }

  /**
   * The route encoded in `dialect`, as UTF-8 bytes. Encodings are kept per topic with the store's
   * route stamp and the configuration they were made under; the store is still asked on every call
   * (one round trip), but an unchanged route is neither read in full nor encoded again. Callers
   * share the returned bytes and must not modify them.
   */
  async getEncodedRoute(topic: string | null, zoneName: string | null, dialect: Dialect): Promise<Uint8Array<ArrayBuffer>> {
    const config = this.config.currentIfFresh() ?? (await this.config.current());
    this.assertReady(config);
    if (topic !== null) checkWellFormed("topic", topic);
    if (zoneName !== null) checkWellFormed("zoneName", zoneName);
    if (topic === null || zoneName) {
      return utf8.encode(encodeTopicRouteData(await this.getRouteInfoByTopic(topic, zoneName), dialect));
    }
    if (config !== this.routeCacheConfig) {
      this.routeCache.reset(config.routeCacheMaxBytes);
      this.routeCacheConfig = config;
    }
    const cached = this.routeCache.get(topic);
    const usable = cached && this.clock() < cached.stamp.validUntil ? cached : undefined;
    const fresh = await this.store.getTopicRouteIfChanged(topic, usable?.stamp ?? null);
    let entry = usable;
    if (fresh === null) this.counts.routeCacheHits++;
    else this.counts.routeCacheMisses++;
    if (fresh !== null) {
      entry = this.routeCache.set(topic, fresh.stamp, fresh.route ? await this.rewrite(topic, fresh.route, config) : null);
    }
    if (!entry) throw new Error("store answered 'unchanged' to a caller holding no stamp");
    if (entry.route === null) throw new NamesrvError(ResponseCode.TOPIC_NOT_EXIST, topicNotExistRemark(topic));
    const encoded = entry.encoded[dialect];
    if (encoded !== undefined) return encoded;
    return this.routeCache.addEncoding(topic, entry, dialect, utf8.encode(encodeTopicRouteData(entry.route, dialect)));
  }

  /** How many routes the route cache holds and the bytes they count for (within routeCacheMaxBytes). */
  routeCacheStats(): { entries: number; bytes: number } {
    return { entries: this.routeCache.size, bytes: this.routeCache.bytes };
  }

  /** What this process did since it started (the metrics' counters). */
  countsSinceStart(): Readonly<RouteManagerCounts> {
    return this.counts;
  }

  async getRouteInfoByTopic(topic: string | null, zoneName: string | null = null): Promise<TopicRouteData> {
    const config = await this.config.current();
    this.assertReady(config);
    if (topic != null) checkWellFormed("topic", topic);
    const route = topic == null ? null : await this.store.getTopicRoute(topic);
    if (route === null) {
      throw new NamesrvError(ResponseCode.TOPIC_NOT_EXIST, topicNotExistRemark(topic));
    }
    const rewritten = await this.rewrite(topic!, route, config);
    return zoneName ? filterByZone(rewritten, zoneName) : rewritten;
  }

  /** What the configuration adds to a stored route: the acting-master view and the order config. */
  private async rewrite(topic: string, stored: TopicRouteData, config: NamesrvConfig): Promise<TopicRouteData> {
    let route = config.supportActingMaster ? applyActingMaster(topic, stored) : stored;
    if (config.orderMessageEnable) {
      const conf = await this.store.getKVConfig(ORDER_TOPIC_CONFIG_NAMESPACE, topic);
      if (conf != null) route = { ...route, orderTopicConf: conf };
    }
    return route;
  }

  getClusterInfo(): Promise<ClusterInfo> {
    return this.store.getClusterInfo();
  }

  async getAllTopicList(): Promise<TopicList> {
    const config = await this.config.current();
    if (!config.enableAllTopicList) throw new NamesrvError(ResponseCode.SYSTEM_ERROR, Remark.DISABLED, 403);
    return { topicList: await this.store.getAllTopics() };
  }

  async getTopicsByCluster(cluster: string | null): Promise<TopicList> {
    await this.requireTopicList();
    if (cluster != null) checkWellFormed("cluster", cluster);
    return { topicList: cluster == null ? [] : await this.store.getTopicsByCluster(cluster) };
  }

  getSystemTopicList(): Promise<TopicList> {
    return this.store.getSystemTopicList();
  }

  async getUnitTopics(kind: UnitTopicKind): Promise<TopicList> {
    await this.requireTopicList();
    return { topicList: await this.store.getUnitTopics(kind) };
  }

  /** The live table, by cluster then address (the console lists it so). */
  async getBrokerLiveInfos(): Promise<BrokerLiveInfoView[]> {
    const views = await this.store.getBrokerLiveInfos();
    return views.sort((a, b) =>
      a.clusterName !== b.clusterName ? (a.clusterName < b.clusterName ? -1 : 1) : a.brokerAddr < b.brokerAddr ? -1 : a.brokerAddr > b.brokerAddr ? 1 : 0,
    );
  }

  /** GET_BROKER_MEMBER_GROUP: the names are echoed, unchecked; no addresses for an unknown (or unnamed) broker. */
  async getBrokerMemberGroup(clusterName: string | null, brokerName: string | null): Promise<BrokerMemberGroup> {
    if (clusterName != null) checkWellFormed("clusterName", clusterName);
    if (brokerName != null) checkWellFormed("brokerName", brokerName);
    if (clusterName == null || brokerName == null) {
      // as Java: a missing name stays null (fastjson then leaves it out)
      return { cluster: clusterName, brokerName, brokerAddrs: {} } as unknown as BrokerMemberGroup;
    }
    return this.store.getBrokerMemberGroup(clusterName, brokerName);
  }

  /** WIPE_WRITE_PERM_OF_BROKER: how many topics of the broker it touched (0 for none, or no name). */
  async wipeWritePerm(brokerName: string | null): Promise<number> {
    if (brokerName == null) return 0;
    checkWellFormed("brokerName", brokerName);
    return this.store.wipeWritePerm(brokerName);
  }

  /** ADD_WRITE_PERM_OF_BROKER: how many topics of the broker it touched (0 for none, or no name). */
  async addWritePerm(brokerName: string | null): Promise<number> {
    if (brokerName == null) return 0;
    checkWellFormed("brokerName", brokerName);
    return this.store.addWritePerm(brokerName);
  }

  /** DELETE_TOPIC_IN_NAMESRV: from one cluster's brokers, or (no cluster, or a blank one) everywhere; no topic, no-op. */
  async deleteTopic(topic: string | null, clusterName: string | null): Promise<void> {
    if (topic != null) checkWellFormed("topic", topic);
    if (clusterName) checkWellFormed("clusterName", clusterName);
    if (topic == null) return;
    // Java's StringUtils.isNotBlank: a blank cluster deletes the whole topic
    return this.store.deleteTopic(topic, clusterName != null && clusterName.trim() !== "" ? clusterName : null);
  }

  /** REGISTER_TOPIC_IN_NAMESRV: nothing to register without a topic or queues. */
  async registerTopic(topic: string | null, queueDatas: readonly unknown[]): Promise<void> {
    if (topic != null) checkWellFormed("topic", topic);
    for (const q of queueDatas) {
      const name = (q as { brokerName?: unknown } | null)?.brokerName;
      if (typeof name === "string") checkWellFormed("brokerName", name);
    }
    if (topic == null || queueDatas.length === 0) return;
    const { queueDatas: valid } = validate(registerTopicRule, { queueDatas }, "body");
    checkTopicToRegister(topic, await this.config.current());
    await this.store.registerTopic(topic, valid);
  }

  /** How long route queries still wait for service (needWaitForService); 0: they are answered. */
  serviceWaitLeftMillis(config: NamesrvConfig): number {
    if (!config.needWaitForService) return 0;
    return Math.max(0, config.waitSecondsForService * 1000 - (this.clock() - this.startedAt));
  }

  private assertReady(config: NamesrvConfig): void {
    if (this.serviceWaitLeftMillis(config) > 0) {
      throw new NamesrvError(ResponseCode.SYSTEM_ERROR, Remark.NOT_READY, 503);
    }
  }

  private async requireTopicList(): Promise<void> {
    const config = await this.config.current();
    if (!config.enableTopicList) throw new NamesrvError(ResponseCode.SYSTEM_ERROR, Remark.DISABLED, 403);
  }
}

/**
 * The names and liveness timeout of a registration, whichever path it came by (HTTP, or the
 * bridge's direct call): nothing the store could not keep as it is, no broker that never expires.
 */
function checkRegistering(input: BrokerIdentity, config: NamesrvConfig): asserts input is RegisteringBroker {
  validate(registeringRule, input, "request");
  const named = input as RegisteringBroker;
  checkName("clusterName", named.clusterName, config);
  checkName("brokerName", named.brokerName, config);
  checkName("brokerAddr", named.brokerAddr, config);
  if (input.haServerAddr !== null) checkName("haServerAddr", input.haServerAddr, config);
  if (input.zoneName !== null) checkName("zoneName", input.zoneName, config);
  checkHeartbeatTimeout(input.heartbeatTimeoutMillis, config);
}

/** A registering broker names itself in full. */
const registeringRule = z.object({
  clusterName: z.string().min(1),
  brokerAddr: z.string().min(1),
  brokerName: z.string().min(1),
  brokerId: z.number().int().min(0),
});

type RegisteringBroker = BrokerIdentity & { clusterName: string; brokerAddr: string; brokerName: string; brokerId: number };

/** The names of a broker a request refers to: well-formed where given. */
function checkBrokerNames(input: BrokerAddressInput): void {
  if (input.brokerName != null) checkWellFormed("brokerName", input.brokerName);
  if (input.brokerAddr != null) checkWellFormed("brokerAddr", input.brokerAddr);
  if (input.clusterName != null) checkWellFormed("clusterName", input.clusterName);
}

const name = z.string().min(1);

/** UNREGISTER_BROKER names one broker exactly. */
const unregistrationRule = z.object({ clusterName: name, brokerAddr: name, brokerName: name, brokerId: z.number().int().min(0) });

const registerTopicRule = z.object({ queueDatas: z.array(QueueDataSchema) });

