/**
 * In-process Store: the Java RouteInfoManager and KVConfigManager semantics (PROTOCOL §4, §6) on
 * plain Maps. Route calls run to completion without awaiting, so each is atomic with respect to
 * the others, except the large ones: a registration of LARGE_REGISTRATION_TOPICS topics or more,
 * and an unregistration once the table holds that many topics. These stage their topic changes in
 * slices, letting other requests run in between, and then commit in one short synchronous step
 * (see Staging), so readers see a broker's old topics or its new ones, never a mix. Meanwhile
 * every other write that concerns that broker waits for the commit, and is applied after it.
 * KV mutations are serialised through a queue: each one applies the change to a copy of the
 * table, persists the copy (when a kvConfigPath is set) and only then swaps it in.
 *
 * Deliberate differences from Java:
 * - unregistration has no BatchUnregistrationService queue (a large one is applied in slices);
 * - unregisterChannel removes every live entry whose last connection that channel is (Java stops at
 *   the first, and keeps one connection per entry: see Store.unregisterChannel);
 * - a live entry whose address no longer holds a broker slot is dropped when it expires or its
 *   channel closes (Java keeps it forever); such entries are not part of the returned list;
 * - a registration without a DataVersion counts as changed (Java's fresh DataVersion usually does);
 * - an unregistration of a broker name with no BrokerData does not throw while clearing write bits;
 * - routes leave out addresses past their liveness deadline before the sweep removes them, as the
 *   sweep would (as the Redis store does): a route never shows a broker the sweep is about to drop;
 * - no NOTIFY_MIN_BROKER_ID_CHANGE here: min-id changes are reported, the service notifies.
 */
import type {
  BrokerMemberGroup,
  ClusterInfo,
  QueueData,
  TopicList,
  TopicRouteData,
} from "../../shared/model";
import { LARGE_REGISTRATION_TOPICS, Slices, SLICE_MILLIS } from "../../shared/event-loop-slices";
import { releaseChannel } from "./broker-channels";
import type { KVConfigTable } from "./kv-config-file";
import { KVTable } from "./embedded/kv-table";
import {
  RouteTables,
  sizeOf,
  type BrokerLiveEntry,
  type RegisterOutcome,
  type RegistrationSize,
  type StagedUnregistration,
} from "./embedded/route-tables";
import { SlicedWrites } from "./embedded/sliced-writes";
import { Staging } from "./embedded/staging";
import * as topicAdmin from "./embedded/topic-admin";
import { accessControlPath, EmbeddedAccessTable, type Tables as AccessTables } from "./embedded/access-table";
import type {
  BrokerLiveInfoView,
  BrokerRegistration,
  BrokerUnregistration,
  DataVersionAnswer,
  DataVersionQuery,
  MinBrokerIdChange,
  NamesrvInstance,
  RegisterBrokerResult,
  RegistrationRefresh,
  RouteStamp,
  StampedRoute,
  Store,
  UnitTopicKind,
  UnregisteredBroker,
} from "./store";
import { withMinBrokerIdChanges } from "./min-broker-id-changes";

export interface EmbeddedStoreOptions {
  /** kvConfig.json location; null keeps the KV table in memory only. */
  kvConfigPath: string | null;
  /**
   * Already loaded KV table (used by {@link EmbeddedStore.open}). When absent and kvConfigPath is
   * set, the constructor loads the file synchronously.
   */
  initialKVTable?: KVConfigTable;
  /** already loaded access tables (used by {@link EmbeddedStore.open}); else read like the KV table */
  initialAccessTables?: AccessTables;
  /**
   * Registrations with at least this many topics or mappings, and unregistrations while the route
   * table holds at least this many topics, are applied in slices (default LARGE_REGISTRATION_TOPICS);
   * 0 applies every one so.
   */
  sliceAtTopics?: number;
  /** The time of one slice (default SLICE_MILLIS); 0 yields after every topic. */
  sliceMillis?: number;
  /** Clock that decides which brokers are past their liveness deadline in routes; default Date.now. */
  clock?: () => number;
}

/**
 * The Store over RouteTables, a KVTable and the configuration overrides: decides which call may
 * run when (a write concerning a broker being written in slices waits for that commit), and keeps
 * the route version that route stamps carry.
 */
export class EmbeddedStore implements Store {
  private readonly tables: RouteTables;
  private readonly sliced: SlicedWrites;
  private readonly kv: KVTable;
  /** accounts, policies, tokens (accessControl.json beside kvConfig.json) and the recent audit */
  readonly access: EmbeddedAccessTable;
  private readonly configOverrides = new Map<string, string>();
  /** advertised address -> its latest registration and deadline (the address server) */
  private readonly instances = new Map<string, { lastSeen: number; deadline: number }>();
  private readonly sliceAtTopics: number;
  private readonly sliceMillis: number;
  /** Counts every change that can alter a route (route tables, KV, config): the stamps' version. */
  private changes = 0;

  constructor(options: EmbeddedStoreOptions) {
    this.sliceAtTopics = options.sliceAtTopics ?? LARGE_REGISTRATION_TOPICS;
    this.sliceMillis = options.sliceMillis ?? SLICE_MILLIS;
    this.tables = new RouteTables(options.clock ?? Date.now);
    this.sliced = new SlicedWrites(this.tables, this.sliceMillis);
    this.kv = new KVTable(options.kvConfigPath, options.initialKVTable, () => this.changes++);
    this.access = new EmbeddedAccessTable(accessControlPath(options.kvConfigPath), options.initialAccessTables);
  }

  /** Creates a store, loading kvConfigPath asynchronously first (missing file = empty table). */
  static async open(options: { kvConfigPath: string | null }): Promise<EmbeddedStore> {
    const initialKVTable = await KVTable.load(options.kvConfigPath);
    const initialAccessTables = await EmbeddedAccessTable.load(accessControlPath(options.kvConfigPath));
    return new EmbeddedStore({ kvConfigPath: options.kvConfigPath, initialKVTable, initialAccessTables });
  }

  /** The answer of a registration (or its refresh) applied now, counting its route change. */
  private applied(outcome: RegisterOutcome): RegisterBrokerResult | null {
    if (outcome.routeChanged) this.changes++;
    return outcome.result;
  }

  // =============================================================================================
  // registration and liveness (PROTOCOL §4.3, §4.8)
  // =============================================================================================

  async registerBroker(r: BrokerRegistration): Promise<RegisterBrokerResult | null> {
    const busy = this.sliced.busyFor([r]);
    if (busy) {
      await busy;
      return this.registerBroker(r);
    }
    const size = sizeOf(r);
    if (Math.max(size.topics, size.mappings) >= this.sliceAtTopics) {
      return this.sliced.hold([r.brokerName], r.channel, this.registerInSlices(r, size));
    }
    return this.applied(this.tables.register(r, size, null));
  }

  /**
   * A large registration: its topic data is staged in slices, then the registration is applied in
   * one synchronous step that commits it. Until then, other writes concerning the broker wait.
   */
  private async registerInSlices(r: BrokerRegistration, size: RegistrationSize): Promise<RegisterBrokerResult | null> {
    const staged = this.tables.stagingFor(r, size);
    try {
      if (staged) await this.tables.stageTopicData(r, staged, new Slices(this.sliceMillis));
      return this.applied(this.tables.register(r, size, staged));
    } finally {
      if (staged) {
        staged.staging.abandon();
        this.sliced.tidy(staged.topics, staged.mappingTopics);
      }
    }
  }

  async refreshRegistration(r: RegistrationRefresh): Promise<RegisterBrokerResult | null> {
    const busy = this.sliced.busyFor([r]);
    if (busy) {
      await busy;
      return this.refreshRegistration(r);
    }
    return this.applied(this.tables.refreshRegistration(r));
  }

  async refreshBroker(clusterName: string, brokerAddr: string, now: number): Promise<boolean> {
    const { found, routeChanged } = this.tables.refreshBroker(clusterName, brokerAddr, now);
    if (routeChanged) this.changes++;
    return found;
  }

  async queryDataVersion(query: DataVersionQuery): Promise<DataVersionAnswer> {
    const { answer, routeChanged } = this.tables.queryDataVersion(query);
    if (routeChanged) this.changes++;
    return answer;
  }

  // =============================================================================================
  // unregistration (PROTOCOL §4.4, §4.8)
  // =============================================================================================

  async unregisterBrokers(requests: BrokerUnregistration[]): Promise<MinBrokerIdChange[]> {
    const busy = this.sliced.busyFor(requests);
    if (busy) {
      await busy;
      return this.unregisterBrokers(requests);
    }
    this.changes++;
    return this.unregister(requests);
  }

  async unregisterChannel(channel: string): Promise<UnregisteredBroker[]> {
    // a registration the connection sent before it closed is one of its brokers once committed
    const busy = this.sliced.busyOn(channel);
    if (busy) {
      await busy;
      return this.unregisterChannel(channel);
    }
    // releasing is idempotent, so the selection may run again after a sliced write commits
    return this.unregisterLiveEntries((live) => releaseChannel(live.channels, channel) === "last");
  }

  async expireBrokers(now: number): Promise<UnregisteredBroker[]> {
    return this.unregisterLiveEntries(
      (live) => live.lastUpdateTimestamp + live.heartbeatTimeoutMillis < now,
    );
  }

  /**
   * Unregisters every live entry matching `select` as one batch; entries that no BrokerData holds
   * any more are simply dropped. When one of the brokers is being written in slices, the whole
   * batch is built again after its commit.
   */
  private async unregisterLiveEntries(select: (live: BrokerLiveEntry) => boolean): Promise<UnregisteredBroker[]> {
    const { requests, unheld } = this.tables.unregistrationsOf(select);
    const busy = this.sliced.busyFor(requests);
    if (busy) {
      await busy;
      return this.unregisterLiveEntries(select);
    }
    this.tables.dropLiveEntries(unheld);
    if (requests.length > 0) this.changes++;
    const changes = await this.unregister(requests);
    return withMinBrokerIdChanges(requests, changes);
  }

  /** Applies unregistrations: at once, or in slices when the table is large. */
  private unregister(requests: BrokerUnregistration[]): MinBrokerIdChange[] | Promise<MinBrokerIdChange[]> {
    if (requests.length === 0) return [];
    if (this.tables.topicQueueTable.size < this.sliceAtTopics) return this.tables.unregister(requests);
    const names = new Set(requests.map((request) => request.brokerName));
    return this.sliced.hold(names, null, this.unregisterInSlices(requests));
  }

  /**
   * An unregistration from a large table: the queue changes are staged topic by topic in slices,
   * then the unregistration is applied and they are committed in one step. Meanwhile writes that
   * concern these brokers wait, as for a registration being applied.
   */
  private async unregisterInSlices(requests: BrokerUnregistration[]): Promise<MinBrokerIdChange[]> {
    const staged: StagedUnregistration = { staging: new Staging(), topics: [], removals: 0 };
    try {
      await this.tables.stageUnregistration(requests, staged, new Slices(this.sliceMillis));
      const changes = this.tables.commitUnregistration(requests, staged);
      this.changes++;
      return changes;
    } finally {
      staged.staging.abandon();
      this.sliced.tidy(staged.topics, []);
    }
  }

  // =============================================================================================
  // reads (PROTOCOL §4.6, §4.7, §3.12, §3.13, §3.15)
  // =============================================================================================

  async getTopicRouteIfChanged(topic: string, since: RouteStamp | null): Promise<StampedRoute | null> {
    const version = String(this.changes);
    // besides writes, only a liveness deadline passing changes a route: callers check validUntil
    if (since !== null && since.version === version) return null;
    const { route, validUntil } = this.tables.getTopicRoute(topic);
    return { stamp: { version, validUntil }, route };
  }

  async getTopicRoute(topic: string): Promise<TopicRouteData | null> {
    return this.tables.getTopicRoute(topic).route;
  }

  async getClusterInfo(): Promise<ClusterInfo> {
    return this.tables.getClusterInfo();
  }

  async getAllTopics(): Promise<string[]> {
    return this.tables.getAllTopics();
  }

  async getTopicsByCluster(cluster: string): Promise<string[]> {
    return this.tables.getTopicsByCluster(cluster);
  }

  async getSystemTopicList(): Promise<TopicList> {
    return this.tables.getSystemTopicList();
  }

  async getUnitTopics(kind: UnitTopicKind): Promise<string[]> {
    return this.tables.getUnitTopics(kind);
  }

  async getBrokerMemberGroup(clusterName: string, brokerName: string): Promise<BrokerMemberGroup> {
    return this.tables.getBrokerMemberGroup(clusterName, brokerName);
  }

  async getBrokerLiveInfos(): Promise<BrokerLiveInfoView[]> {
    return this.tables.getBrokerLiveInfos();
  }

  // =============================================================================================
  // topic administration (PROTOCOL §3.7, §3.9, §4.5)
  // =============================================================================================

  wipeWritePerm(brokerName: string): Promise<number> {
    return this.changePerm(brokerName, topicAdmin.wipeWritePerm);
  }

  addWritePerm(brokerName: string): Promise<number> {
    return this.changePerm(brokerName, topicAdmin.addWritePerm);
  }

  private async changePerm(brokerName: string, change: (tables: RouteTables, brokerName: string) => number): Promise<number> {
    const busy = this.sliced.busyFor([{ brokerName }]);
    if (busy) {
      await busy;
      return this.changePerm(brokerName, change);
    }
    this.changes++;
    return change(this.tables, brokerName);
  }

  async deleteTopic(topic: string, clusterName: string | null): Promise<void> {
    // waits for the registrations being applied of the brokers the topic has or will have
    const brokerNames = this.tables.topicQueueTable.get(topic)?.brokerNamesWithStaged();
    const busy = brokerNames && this.sliced.busyFor(brokerNames.map((brokerName) => ({ brokerName })));
    if (busy) {
      await busy;
      return this.deleteTopic(topic, clusterName);
    }
    this.changes++;
    topicAdmin.deleteTopic(this.tables, topic, clusterName);
  }

  async registerTopic(topic: string, queueDatas: QueueData[]): Promise<void> {
    const busy = this.sliced.busyFor(queueDatas);
    if (busy) {
      await busy;
      return this.registerTopic(topic, queueDatas);
    }
    this.changes++;
    topicAdmin.registerTopic(this.tables, topic, queueDatas);
  }

  // =============================================================================================
  // KV config (PROTOCOL §3.11, §6)
  // =============================================================================================

  putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    return this.kv.put(namespace, key, value);
  }

  async getKVConfig(namespace: string, key: string): Promise<string | null> {
    return this.kv.get(namespace, key);
  }

  deleteKVConfig(namespace: string, key: string): Promise<void> {
    return this.kv.delete(namespace, key);
  }

  async getKVListByNamespace(namespace: string): Promise<Record<string, string> | null> {
    return this.kv.list(namespace);
  }

  // =============================================================================================
  // runtime configuration overrides
  // =============================================================================================

  async getConfigOverrides(): Promise<Record<string, string>> {
    return Object.fromEntries(this.configOverrides);
  }

  async putConfigOverrides(entries: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(entries)) this.configOverrides.set(key, String(value));
    this.changes++;
  }

  async registerInstance(addr: string, now: number, ttlMillis: number): Promise<void> {
    this.instances.set(addr, { lastSeen: now, deadline: now + ttlMillis });
  }

  async listInstances(now: number): Promise<NamesrvInstance[]> {
    const live: NamesrvInstance[] = [];
    for (const [addr, { lastSeen, deadline }] of this.instances) {
      if (deadline < now) this.instances.delete(addr);
      else live.push({ addr, lastSeen });
    }
    return live.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  }

  /** Waits for pending KV writes, registrations being applied and their clean-ups. */
  async close(): Promise<void> {
    await this.sliced.settled();
    await this.kv.settled();
    await this.access.settled();
  }
}
