import type { AccessStore } from "../auth/access-store";
import type {
  BrokerMemberGroup,
  ClusterInfo,
  DataVersion,
  QueueData,
  RegisterBrokerBody,
  TopicList,
  TopicRouteData,
} from "../../shared/model";

/**
 * One broker registration as the route tables see it (REGISTER_BROKER after the wire body was
 * decoded and checked). `channel` names the connection that carried it (`<bridge instance>-<n>`,
 * null when no connection did), so that closing it can unregister the broker, and closing a
 * superseded one cannot (see Store.unregisterChannel).
 */
export interface BrokerRegistration {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string | null;
  zoneName: string | null;
  /** already resolved: the header's value or 120000 */
  heartbeatTimeoutMillis: number;
  /** null = a broker too old to send the field */
  enableActingMaster: boolean | null;
  body: RegisterBrokerBody;
  /** A digest of the wire body (any stable hash); lets a later identical one skip the body. */
  bodyDigest?: string | null;
  channel: string | null;
  /** NamesrvConfig.deleteTopicWithBrokerRegistration at the time of the call */
  deleteTopicWithBrokerRegistration: boolean;
  /** epoch millis used as the liveness timestamp */
  now: number;
}

/** A re-registration announced by the digest of its body only (see Store.refreshRegistration). */
export type RegistrationRefresh = Omit<BrokerRegistration, "body" | "bodyDigest" | "deleteTopicWithBrokerRegistration"> & {
  bodyDigest: string;
};

/** The reply of a successful registration: set only for a slave whose master is alive. */
export interface RegisterBrokerResult {
  haServerAddr?: string;
  masterAddr?: string;
  /** set when this registration lowered its group's smallest broker id (the master came back) */
  minBrokerIdChange?: MinBrokerIdChange;
}

/**
 * A broker group whose smallest broker id changed (Java's isMinBrokerIdChanged in
 * RouteInfoManager.registerBroker / unRegisterBroker): what the service needs to decide on, and
 * build, a NOTIFY_MIN_BROKER_ID_CHANGE. Reported whatever the configuration says.
 */
export interface MinBrokerIdChange {
  brokerName: string;
  /** the group's addresses by broker id once the operation is applied (never empty) */
  brokerAddrs: Record<string, string>;
  /** an unregistration: the address whose removal changed it (the last one, in a batch); a registration: null */
  offlineBrokerAddr: string | null;
  /** the group's enableActingMaster once the operation is applied (Java notifies an unregistration only then) */
  enableActingMaster: boolean;
}

/** A broker an unregistration removed; carries its group's change when the removal raised the min id. */
export interface UnregisteredBroker extends BrokerUnregistration {
  minBrokerIdChange?: MinBrokerIdChange;
}

/** Identifies one broker instance to remove (UNREGISTER_BROKER, a closed connection, expiry). */
export interface BrokerUnregistration {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
}

export interface DataVersionQuery {
  clusterName: string;
  brokerAddr: string;
  dataVersion: DataVersion | null;
  now: number;
}

export interface DataVersionAnswer {
  changed: boolean;
  /** the stored version, null when the broker is unknown */
  dataVersion: DataVersion | null;
}

/** Topic classification by the topicSysFlag of a topic's first QueueData (codes 311–313). */
export type UnitTopicKind = "unit" | "hasUnitSub" | "hasUnitSubUnUnit";

/**
 * The NameServer's state, behind one coarse asynchronous interface: each call is one whole
 * operation, so that a shared store can perform it in one round trip and atomically. Semantics
 * follow the Java RouteInfoManager and KVConfigManager; the conformance suite in
 * test/store/store-conformance.ts pins them down for every implementation.
 */
export interface Store {
  // --- route tables -------------------------------------------------------------------------
  /** null = rejected (the one-topic registration before the broker's first full one). */
  registerBroker(registration: BrokerRegistration): Promise<RegisterBrokerResult | null>;
  /**
   * Optional fast path for brokers re-registering every 30 s: when the broker's last full
   * registration carried a body with the same digest, and nothing that registration would restore
   * has been removed since, refresh its liveness exactly as registering that body again would, and
   * answer as registerBroker would. null = not applicable: send the full registration.
   */
  refreshRegistration?(refresh: RegistrationRefresh): Promise<RegisterBrokerResult | null>;
  /** Answers the groups, still registered, whose smallest id the batch raised (one per group). */
  unregisterBrokers(requests: BrokerUnregistration[]): Promise<MinBrokerIdChange[]>;
  /**
   * A closed connection; returns the brokers it unregistered (a group's min-id change on the last
   * of its removals that raised it). A broker registers with every
   * NameServer address it knows, so with several bridges on one store its live entry (cluster,
   * address) is carried by one connection per bridge instance. The rule, Java's onChannelDestroy
   * applied per bridge (the bridge of a channel is the part of its id before the last `-`):
   * - a registration (or refreshRegistration) through channel C records C as the entry's channel
   *   of C's bridge, replacing the one that bridge recorded before (a reconnect); the channels of
   *   other bridges stay. A registration without a channel forgets them all (as Java's null
   *   channel: no close removes the entry, expiry does);
   * - closing C when it is not its bridge's recorded channel of an entry (superseded by a later
   *   registration on another connection, RocketMQ #11043, or never used) changes nothing;
   * - closing C when other bridges still record a channel forgets C only: the broker stays routed;
   * - closing the last recorded channel unregisters the broker, as UNREGISTER_BROKER would.
   * Liveness is one deadline per entry, refreshed through any connection (registration, heartbeat,
   * QUERY_DATA_VERSION); expiry and unregistration remove the entry with all its channels. A
   * bridge that dies without closing leaves its channel recorded: the broker then leaves by expiry.
   */
  unregisterChannel(channel: string): Promise<UnregisteredBroker[]>;
  /** Unregisters every broker whose last refresh + timeout is before `now`; returns them as unregisterChannel. */
  expireBrokers(now: number): Promise<UnregisteredBroker[]>;
  /** BROKER_HEARTBEAT: refreshes a live entry; false when there is none. */
  refreshBroker(clusterName: string, brokerAddr: string, now: number): Promise<boolean>;
  /** QUERY_DATA_VERSION: compares, then refreshes the live entry if there is one. */
  queryDataVersion(query: DataVersionQuery): Promise<DataVersionAnswer>;

  /** The route as RouteInfoManager.pickupTopicRouteData builds it, before any config rewrite. */
  getTopicRoute(topic: string): Promise<TopicRouteData | null>;
  getClusterInfo(): Promise<ClusterInfo>;
  getAllTopics(): Promise<string[]>;
  getTopicsByCluster(cluster: string): Promise<string[]>;
  /** Every cluster name and broker name, plus the first broker address found (code 304). */
  getSystemTopicList(): Promise<TopicList>;
  getUnitTopics(kind: UnitTopicKind): Promise<string[]>;
  getBrokerMemberGroup(clusterName: string, brokerName: string): Promise<BrokerMemberGroup>;
  /**
   * Every live-table entry (Java's BrokerLiveInfo), entries past their deadline included until the
   * sweep removes them, in no particular order: what the console shows per broker instance.
   */
  getBrokerLiveInfos(): Promise<BrokerLiveInfoView[]>;

  /** Clears the write bit of every QueueData of brokerName; returns how many topics it touched. */
  wipeWritePerm(brokerName: string): Promise<number>;
  /** Sets perm to 6 on every QueueData of brokerName; returns how many topics it touched. */
  addWritePerm(brokerName: string): Promise<number>;
  /**
   * Deletes a topic entirely (clusterName null), or only the queues of one cluster's brokers. The
   * caller has decided what a blank name means (RouteManager: the whole topic, as Java).
   */
  deleteTopic(topic: string, clusterName: string | null): Promise<void>;
  /** REGISTER_TOPIC_IN_NAMESRV with at least one QueueData (the caller leaves out an empty list). */
  registerTopic(topic: string, queueDatas: QueueData[]): Promise<void>;

  // --- KV config ----------------------------------------------------------------------------
  /** Resolves only once the write is durable; rejects (and changes nothing) otherwise. */
  putKVConfig(namespace: string, key: string, value: string): Promise<void>;
  getKVConfig(namespace: string, key: string): Promise<string | null>;
  deleteKVConfig(namespace: string, key: string): Promise<void>;
  /** null when the namespace was never created (an emptied namespace is {}). */
  getKVListByNamespace(namespace: string): Promise<Record<string, string> | null>;

  // --- runtime NameServer configuration (UPDATE_NAMESRV_CONFIG) -------------------------------
  /** Keys changed at run time, on top of the start-up configuration. */
  getConfigOverrides(): Promise<Record<string, string>>;
  putConfigOverrides(entries: Record<string, string>): Promise<void>;

  /**
   * The route, unless it is unchanged since `since` (then null): lets the service keep encoded
   * routes and skip reading and encoding an unchanged one, in the same single call. The stamp's
   * `version` changes whenever anything a route reply depends on changes (route tables, KV,
   * configuration, a broker coming back to life); `validUntil` is when the route may change by
   * itself (the earliest liveness deadline of its brokers): past it, callers ask without `since`.
   */
  getTopicRouteIfChanged(topic: string, since: RouteStamp | null): Promise<StampedRoute | null>;

  // --- NameServer instances (the address server) ---------------------------------------------
  /** Records (or refreshes) an instance's advertised remoting address, live until now + ttlMillis. */
  registerInstance(addr: string, now: number, ttlMillis: number): Promise<void>;
  /** The instances still live at `now`, sorted by address. */
  listInstances(now: number): Promise<NamesrvInstance[]>;

  /** accounts, policies, tokens and the audit trail (edge/auth) */
  readonly access: AccessStore;
  close(): Promise<void>;
}

/** One live-table entry as Store.getBrokerLiveInfos lists it. */
export interface BrokerLiveInfoView {
  clusterName: string;
  brokerAddr: string;
  /** the broker group holding the address in that cluster; absent when none does any more */
  brokerName?: string;
  /** epoch millis of the latest registration, heartbeat or data-version query */
  lastUpdateTimestamp: number;
  heartbeatTimeoutMillis: number;
  /** the latest registration's DataVersion; null when it carried none */
  dataVersion: DataVersion | null;
  haServerAddr: string | null;
}

/** A NameServer instance as the address server lists it. */
export interface NamesrvInstance {
  /** its advertised remoting address, host:port */
  addr: string;
  /** epoch millis of its latest registration */
  lastSeen: number;
}

export interface RouteStamp {
  version: string;
  /** epoch millis; Infinity when nothing in the route expires by itself */
  validUntil: number;
}

export interface StampedRoute {
  stamp: RouteStamp;
  /** null: the topic has no route (TOPIC_NOT_EXIST) */
  route: TopicRouteData | null;
}
