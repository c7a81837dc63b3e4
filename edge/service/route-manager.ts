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
import type { ConfigManager } from "./config-manager";
import { applyActingMaster, filterByZone } from "./route-rewrites";

export interface RegisterBrokerInput {
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

/** RouteInfoManager's protocol surface: configuration-dependent rules, errors and remarks. */
export class RouteManager {
  private readonly startedAt: number;
  private readonly routeCache = new Map<string, Partial<Record<Dialect, string>>>();
  private routeCacheCounter: number | undefined;
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
    const result = await this.store.registerBroker({
      ...input,
      heartbeatTimeoutMillis: input.heartbeatTimeoutMillis ?? DEFAULT_BROKER_TIMEOUT_MILLIS,
      deleteTopicWithBrokerRegistration: config.deleteTopicWithBrokerRegistration,
      now: this.clock(),
    });
    if (result === null) throw new NamesrvError(ResponseCode.SYSTEM_ERROR, Remark.REGISTER_BROKER_FAILED);
    const orderTopicConfig = config.returnOrderTopicConfigToBroker
      ? await this.store.getKVListByNamespace(ORDER_TOPIC_CONFIG_NAMESPACE)
      : null;
    return { ...result, orderTopicConfig };
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
   * The route encoded in `dialect`. With an in-process store, encodings are reused until the
   * store's change counter or the configuration moves, so an unchanged route is encoded once.
   */
  async getEncodedRoute(topic: string | null, zoneName: string | null, dialect: Dialect): Promise<string> {
    const counter = this.store.changeCounter?.();
    const config = await this.config.current();
    this.assertReady(config);
    const cacheable = counter !== undefined && topic !== null && !zoneName;
    if (cacheable) {
      if (counter !== this.routeCacheCounter || config !== this.routeCacheConfig) {
        this.routeCache.clear();
        this.routeCacheCounter = counter;
        this.routeCacheConfig = config;
      }
      const hit = this.routeCache.get(topic)?.[dialect];
      if (hit !== undefined) return hit;
    }
    const encoded = encodeTopicRouteData(await this.getRouteInfoByTopic(topic, zoneName), dialect);
    // Cache only what was read under the counter the cache is keyed on.
    if (cacheable && this.store.changeCounter?.() === counter && this.routeCacheCounter === counter) {
      const entry = this.routeCache.get(topic) ?? {};
      entry[dialect] = encoded;
      this.routeCache.set(topic, entry);
    }
    return encoded;
  }

  async getRouteInfoByTopic(topic: string | null, zoneName: string | null = null): Promise<TopicRouteData> {
    const config = await this.config.current();
    this.assertReady(config);
    let route = topic == null ? null : await this.store.getTopicRoute(topic);
    if (route === null) {
      throw new NamesrvError(ResponseCode.TOPIC_NOT_EXIST, topicNotExistRemark(topic));
    }
    if (config.supportActingMaster) route = applyActingMaster(topic!, route);
    if (config.orderMessageEnable) {
      const conf = await this.store.getKVConfig(ORDER_TOPIC_CONFIG_NAMESPACE, topic!);
      if (conf != null) route = { ...route, orderTopicConf: conf };
    }
    if (zoneName) route = filterByZone(route, zoneName);
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
    return { topicList: cluster == null ? [] : await this.store.getTopicsByCluster(cluster) };
  }

  getSystemTopicList(): Promise<TopicList> {
    return this.store.getSystemTopicList();
  }

  async getUnitTopics(kind: UnitTopicKind): Promise<TopicList> {
    await this.requireTopicList();
    return { topicList: await this.store.getUnitTopics(kind) };
  }

  getBrokerMemberGroup(clusterName: string, brokerName: string): Promise<BrokerMemberGroup> {
    return this.store.getBrokerMemberGroup(clusterName, brokerName);
  }

  wipeWritePerm(brokerName: string): Promise<number> {
    return this.store.wipeWritePerm(brokerName);
  }

  addWritePerm(brokerName: string): Promise<number> {
    return this.store.addWritePerm(brokerName);
  }

  deleteTopic(topic: string, clusterName: string | null): Promise<void> {
    return this.store.deleteTopic(topic, clusterName && clusterName.length > 0 ? clusterName : null);
  }

  async registerTopic(topic: string, queueDatas: QueueData[]): Promise<void> {
    if (queueDatas.length > 0) await this.store.registerTopic(topic, queueDatas);
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
