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
import { encodeTopicRouteData } from "../../shared/body-codec";
import type { Dialect } from "../../shared/fastjson-writer";
import type { NamesrvConfig } from "../config/namesrv-config";
import { NamesrvError } from "../errors";
import type {
  BrokerUnregistration,
  DataVersionAnswer,
  RegisterBrokerResult,
  Store,
  UnitTopicKind,
} from "../store/store";
import { Slices } from "../event-loop-slices";
import type { ConfigManager } from "./config-manager";
import { checkHeartbeatTimeout, checkName, checkRegisteredTopics, checkTopicToRegister, checkWellFormed } from "./name-rules";
import { RouteCache } from "./route-cache";
import { applyActingMaster, filterByZone } from "./route-rewrites";

export interface RegisterBrokerInput {
  bodyDigest?: string | null;
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string | null;
  zoneName: string | null;
  heartbeatTimeoutMillis: number | null;
  enableActingMaster: boolean | null;
  channel: string | null;
  body: RegisterBrokerBody;
}

export interface RegisterBrokerOutcome extends RegisterBrokerResult {
  /** The ORDER_TOPIC_CONFIG table returned to the broker, null when none is to be sent. */
  orderTopicConfig: Record<string, string> | null;
}

const utf8 = new TextEncoder();

/** RouteInfoManager's protocol surface: configuration-dependent rules, errors and remarks. */
export class RouteManager {
  private readonly startedAt: number;
  private readonly routeCache = new RouteCache(0);
  private routeCacheConfig: NamesrvConfig | undefined;

  constructor(
    private readonly store: Store,
    private readonly config: ConfigManager,
    private readonly clock: () => number = Date.now,
  ) {
    this.startedAt = clock();
  }

  async registerBroker(input: RegisterBrokerInput): Promise<RegisterBrokerOutcome> {
    const config = await this.config.current();
    checkRegistering(input, config);
    // a slice's time passes only with thousands of topics: then other requests are served between slices
    await checkRegisteredTopics(input.body, config, new Slices());
    const result = await this.store.registerBroker({
      ...input,
      heartbeatTimeoutMillis: input.heartbeatTimeoutMillis ?? DEFAULT_BROKER_TIMEOUT_MILLIS,
      deleteTopicWithBrokerRegistration: config.deleteTopicWithBrokerRegistration,
      now: this.clock(),
    });
    if (result === null) throw new NamesrvError(ResponseCode.SYSTEM_ERROR, Remark.REGISTER_BROKER_FAILED);
    return { ...result, orderTopicConfig: await this.orderTopicConfigFor(config) };
  }

  private async orderTopicConfigFor(config: NamesrvConfig): Promise<Record<string, string> | null> {
    return config.returnOrderTopicConfigToBroker ? this.store.getKVListByNamespace(ORDER_TOPIC_CONFIG_NAMESPACE) : null;
  }

  /** The fast path of an unchanged re-registration; null when a full registration is needed. */
  async refreshRegistration(input: Omit<RegisterBrokerInput, "body">, bodyDigest: string): Promise<RegisterBrokerOutcome | null> {
    const config = await this.config.current();
    checkRegistering(input, config);
    if (!this.store.refreshRegistration) return null;
    // Then a full registration also removes the broker's topics missing from its body (added
    // meanwhile by REGISTER_TOPIC, say): only the full path can tell.
    if (config.deleteTopicWithBrokerRegistration) return null;
    const result = await this.store.refreshRegistration({
      ...input,
      bodyDigest,
      heartbeatTimeoutMillis: input.heartbeatTimeoutMillis ?? DEFAULT_BROKER_TIMEOUT_MILLIS,
      now: this.clock(),
    });
    if (result === null) return null;
    return { ...result, orderTopicConfig: await this.orderTopicConfigFor(config) };
  }

  unregisterBroker(request: BrokerUnregistration): Promise<void> {
    return this.store.unregisterBrokers([request]);
  }

  unregisterChannel(channel: string): Promise<BrokerUnregistration[]> {
    return this.store.unregisterChannel(channel);
  }

  expireBrokers(): Promise<BrokerUnregistration[]> {
    return this.store.expireBrokers(this.clock());
  }

  async brokerHeartbeat(clusterName: string, brokerAddr: string): Promise<void> {
    await this.store.refreshBroker(clusterName, brokerAddr, this.clock());
  }

  queryDataVersion(clusterName: string, brokerAddr: string, dataVersion: DataVersion | null): Promise<DataVersionAnswer> {
    return this.store.queryDataVersion({ clusterName, brokerAddr, dataVersion, now: this.clock() });
  }

  /**
   * The route encoded in `dialect`, as UTF-8 bytes. Encodings are kept per topic with the store's
   * route stamp and the configuration they were made under; the store is still asked on every call
   * (one round trip), but an unchanged route is neither read in full nor encoded again. Callers
   * share the returned bytes and must not modify them.
   */
  async getEncodedRoute(topic: string | null, zoneName: string | null, dialect: Dialect): Promise<Uint8Array<ArrayBuffer>> {
    const config = await this.config.current();
    this.assertReady(config);
    if (topic !== null) checkWellFormed("topic", topic);
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

  async getBrokerMemberGroup(clusterName: string, brokerName: string): Promise<BrokerMemberGroup> {
    checkWellFormed("clusterName", clusterName);
    checkWellFormed("brokerName", brokerName);
    return this.store.getBrokerMemberGroup(clusterName, brokerName);
  }

  async wipeWritePerm(brokerName: string): Promise<number> {
    checkWellFormed("brokerName", brokerName);
    return this.store.wipeWritePerm(brokerName);
  }

  async addWritePerm(brokerName: string): Promise<number> {
    checkWellFormed("brokerName", brokerName);
    return this.store.addWritePerm(brokerName);
  }

  async deleteTopic(topic: string, clusterName: string | null): Promise<void> {
    checkWellFormed("topic", topic);
    if (clusterName) checkWellFormed("clusterName", clusterName);
    return this.store.deleteTopic(topic, clusterName && clusterName.length > 0 ? clusterName : null);
  }

  async registerTopic(topic: string, queueDatas: QueueData[]): Promise<void> {
    if (queueDatas.length === 0) return;
    checkTopicToRegister(topic, await this.config.current());
    await this.store.registerTopic(topic, queueDatas);
  }

  private assertReady(config: NamesrvConfig): void {
    if (config.needWaitForService && this.clock() - this.startedAt < config.waitSecondsForService * 1000) {
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
function checkRegistering(input: Omit<RegisterBrokerInput, "body">, config: NamesrvConfig): void {
  checkName("clusterName", input.clusterName, config);
  checkName("brokerName", input.brokerName, config);
  checkName("brokerAddr", input.brokerAddr, config);
  if (input.haServerAddr !== null) checkName("haServerAddr", input.haServerAddr, config);
  if (input.zoneName !== null) checkName("zoneName", input.zoneName, config);
  checkHeartbeatTimeout(input.heartbeatTimeoutMillis, config);
}
