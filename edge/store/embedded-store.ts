/**
 * In-process Store: the Java RouteInfoManager and KVConfigManager semantics (PROTOCOL §4, §6) on
 * plain Maps. Every route call runs to completion without awaiting, so each is atomic with respect
 * to the others. KV mutations are serialised through a queue: each one applies the change to a copy
 * of the table, persists the copy (when a kvConfigPath is set) and only then swaps it in.
 *
 * Deliberate differences from Java:
 * - unregistration is synchronous (no BatchUnregistrationService queue);
 * - unregisterChannel removes every live entry recorded with that channel (Java stops at the first);
 * - a live entry whose address no longer holds a broker slot is dropped when it expires or its
 *   channel closes (Java keeps it forever); such entries are not part of the returned list;
 * - a registration without a DataVersion counts as changed (Java's fresh DataVersion usually does);
 * - an unregistration of a broker name with no BrokerData does not throw while clearing write bits;
 * - no NOTIFY_MIN_BROKER_ID_CHANGE.
 */
import { DEFAULT_BROKER_TIMEOUT_MILLIS, MASTER_ID, Perm, TopicSysFlag } from "../../shared/codes";
import type {
  BrokerData,
  BrokerMemberGroup,
  ClusterInfo,
  DataVersion,
  QueueData,
  TopicList,
  TopicQueueMappingInfo,
  TopicRouteData,
} from "../../shared/model";
import {
  cloneKVConfigTable,
  loadKVConfigFile,
  loadKVConfigFileSync,
  saveKVConfigFile,
  type KVConfigTable,
} from "./kv-config-file";
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
} from "./store";
import { TopicQueues } from "./topic-queues";

export interface EmbeddedStoreOptions {
  /** kvConfig.json location; null keeps the KV table in memory only. */
  kvConfigPath: string | null;
  /**
   * Already loaded KV table (used by {@link EmbeddedStore.open}). When absent and kvConfigPath is
   * set, the constructor loads the file synchronously.
   */
  initialKVTable?: KVConfigTable;
}

interface BrokerDataEntry {
  cluster: string;
  brokerName: string;
  brokerAddrs: Map<number, string>;
  enableActingMaster: boolean;
  zoneName: string | null;
  /** The broker's QueueData values, one frozen object each, shared by all topics that have it (see sharedQueueData). */
  queueDataPool: Map<string, QueueData>;
}

interface BrokerLiveEntry {
  clusterName: string;
  brokerAddr: string;
  lastUpdateTimestamp: number;
  heartbeatTimeoutMillis: number;
  dataVersion: DataVersion;
  /** true when the registration carried no DataVersion: never equal to anything */
  dataVersionMissing: boolean;
  channel: string | null;
  haServerAddr: string | null;
  /** digest of the body of the last full registration (see Store.refreshRegistration) */
  bodyDigest: string | null;
  /** queueRemovals when that registration was applied */
  queueRemovalsSeen: number;
  /** the enableActingMaster header of that registration (null: an old broker that sends none) */
  enableActingMasterSent: boolean | null;
}

/** Key of the tables indexed by (cluster, address). */
function addrKey(clusterName: string, brokerAddr: string): string {
  return JSON.stringify([clusterName, brokerAddr]);
}

function copyDataVersion(dv: DataVersion): DataVersion {
  return { stateVersion: dv.stateVersion, timestamp: dv.timestamp, counter: dv.counter };
}

function sameDataVersion(a: DataVersion, b: DataVersion): boolean {
  return a.stateVersion === b.stateVersion && a.timestamp === b.timestamp && a.counter === b.counter;
}

function sameQueueData(a: QueueData, b: QueueData): boolean {
  return (
    a.brokerName === b.brokerName &&
    a.readQueueNums === b.readQueueNums &&
    a.writeQueueNums === b.writeQueueNums &&
    a.perm === b.perm &&
    a.topicSysFlag === b.topicSysFlag
  );
}

function copyQueueData(qd: QueueData): QueueData {
  return {
    brokerName: qd.brokerName,
    readQueueNums: qd.readQueueNums,
    writeQueueNums: qd.writeQueueNums,
    perm: qd.perm,
    topicSysFlag: qd.topicSysFlag,
  };
}

function copyMappingInfo(info: TopicQueueMappingInfo): TopicQueueMappingInfo {
  return structuredClone(info);
}

function addrsRecord(addrs: Map<number, string>): Record<string, string> {
  return Object.fromEntries(
    [...addrs].sort(([a], [b]) => a - b).map(([id, addr]) => [String(id), addr]),
  );
}

function minId(addrs: Map<number, string>): number {
  let min = Infinity;
  for (const id of addrs.keys()) if (id < min) min = id;
  return min;
}

function noMasterExists(bd: BrokerDataEntry | undefined): boolean {
  return bd === undefined || bd.brokerAddrs.size === 0 || minId(bd.brokerAddrs) > MASTER_ID;
}

export class EmbeddedStore implements Store {
  private readonly kvConfigPath: string | null;

  // route tables (PROTOCOL §4.1)
  private readonly topicQueueTable = new Map<string, TopicQueues>();
  private readonly brokerAddrTable = new Map<string, BrokerDataEntry>();
  private readonly clusterAddrTable = new Map<string, Set<string>>();
  private readonly brokerLiveTable = new Map<string, BrokerLiveEntry>();
  private readonly filterServerTable = new Map<string, string[]>();
  private readonly topicQueueMappingInfoTable = new Map<string, Map<string, TopicQueueMappingInfo>>();

  // KV config (PROTOCOL §6): replaced as a whole after each successful write
  private kvTable: KVConfigTable;
  private kvQueue: Promise<void> = Promise.resolve();

  private readonly configOverrides = new Map<string, string>();
  /** Counts every change that can alter a route (route tables, KV, config). */
  private changes = 0;
  /** Set by doRegisterBroker when it wrote queue or mapping data that differs from what was there. */
  private queueDataTouched = false;
  /** Counts removals of QueueData: a registration skipped by refreshRegistration may have to re-add topics. */
  private queueRemovals = 0;

  constructor(options: EmbeddedStoreOptions) {
    this.kvConfigPath = options.kvConfigPath;
    if (options.initialKVTable) this.kvTable = cloneKVConfigTable(options.initialKVTable);
    else if (options.kvConfigPath !== null) this.kvTable = loadKVConfigFileSync(options.kvConfigPath);
    else this.kvTable = new Map();
  }

  /** Creates a store, loading kvConfigPath asynchronously first (missing file = empty table). */
  static async open(options: { kvConfigPath: string | null }): Promise<EmbeddedStore> {
    const initialKVTable =
      options.kvConfigPath === null ? new Map() : await loadKVConfigFile(options.kvConfigPath);
    return new EmbeddedStore({ kvConfigPath: options.kvConfigPath, initialKVTable });
  }

  // =============================================================================================
  // registration (PROTOCOL §4.3)
  // =============================================================================================

  async getTopicRouteIfChanged(topic: string, since: RouteStamp | null): Promise<StampedRoute | null> {
    const version = String(this.changes);
    // routes of the embedded store change only through calls (expiry is the sweep's job)
    if (since !== null && since.version === version) return null;
    return { stamp: { version, validUntil: Infinity }, route: await this.getTopicRoute(topic) };
  }

  async registerBroker(r: BrokerRegistration): Promise<RegisterBrokerResult | null> {
    const before = this.routeViewOf(r.brokerName, r.clusterName, r.brokerAddr);
    this.queueDataTouched = false;
    const result = this.doRegisterBroker(r);
    // Routes change only when something they show changed: a re-registration that brings a new
    // DataVersion but the same topics keeps every encoded route valid.
    if (this.queueDataTouched || this.routeViewOf(r.brokerName, r.clusterName, r.brokerAddr) !== before) this.changes++;
    return result;
  }

  /** What routes show of one broker name and the filter servers of one address, as a comparable string. */
  private routeViewOf(brokerName: string, clusterName: string, brokerAddr: string): string {
    const data = this.brokerAddrTable.get(brokerName);
    const filters = this.filterServerTable.get(addrKey(clusterName, brokerAddr)) ?? null;
    if (!data) return JSON.stringify([null, filters]);
    const addrs = [...data.brokerAddrs].sort((a, b) => a[0] - b[0]);
    return JSON.stringify([data.cluster, data.enableActingMaster, data.zoneName, addrs, filters]);
  }

  async refreshRegistration(r: RegistrationRefresh): Promise<RegisterBrokerResult | null> {
    const live = this.brokerLiveTable.get(addrKey(r.clusterName, r.brokerAddr));
    const brokerData = this.brokerAddrTable.get(r.brokerName);
    const unchanged =
      live !== undefined &&
      live.bodyDigest !== null &&
      live.bodyDigest === r.bodyDigest &&
      live.queueRemovalsSeen === this.queueRemovals &&
      !live.dataVersionMissing &&
      brokerData !== undefined &&
      brokerData.brokerAddrs.get(r.brokerId) === r.brokerAddr &&
      live.enableActingMasterSent === r.enableActingMaster &&
      brokerData.enableActingMaster === (r.enableActingMaster === true) &&
      brokerData.zoneName === r.zoneName &&
      this.clusterAddrTable.get(r.clusterName)?.has(r.brokerName) === true;
    if (!unchanged) return null;
    // what a full registration of the same body would change: liveness only
    live.lastUpdateTimestamp = r.now;
    live.heartbeatTimeoutMillis = r.heartbeatTimeoutMillis;
    live.channel = r.channel;
    live.haServerAddr = r.haServerAddr;
    return this.masterOf(r.clusterName, r.brokerId, brokerData.brokerAddrs);
  }

  private doRegisterBroker(r: BrokerRegistration): RegisterBrokerResult | null {
    const { clusterName, brokerAddr, brokerName, brokerId } = r;
    const body = r.body;
    const topicConfigTable = body.topicConfigTable ?? {};
    const mappingInfoMap = body.topicQueueMappingInfoMap ?? {};
    const dataVersionMissing = body.dataVersion == null;
    const dataVersion: DataVersion = body.dataVersion
      ? copyDataVersion(body.dataVersion)
      : { stateVersion: 0, timestamp: r.now, counter: 0 };

    // 1. cluster → broker names
    let names = this.clusterAddrTable.get(clusterName);
    if (!names) {
      names = new Set();
      this.clusterAddrTable.set(clusterName, names);
    }
    names.add(brokerName);

    // 2. broker data (an existing one keeps its original cluster)
    let registerFirst = false;
    let brokerData = this.brokerAddrTable.get(brokerName);
    if (!brokerData) {
      registerFirst = true;
      brokerData = {
        cluster: clusterName,
        brokerName,
        brokerAddrs: new Map(),
        enableActingMaster: false,
        zoneName: null,
        queueDataPool: new Map(),
      };
      this.brokerAddrTable.set(brokerName, brokerData);
    }

    // 3. acting-master flag and zone, overwritten on every registration
    const isOldVersionBroker = r.enableActingMaster === null;
    brokerData.enableActingMaster = !isOldVersionBroker && r.enableActingMaster === true;
    brokerData.zoneName = r.zoneName;

    // 5. role switch: one address holds one id
    const addrs = brokerData.brokerAddrs;
    for (const [id, addr] of addrs) {
      if (addr === brokerAddr && id !== brokerId) addrs.delete(id);
    }

    // 6. conflict guard: a newer owner of the slot wins
    const oldAddr = addrs.get(brokerId);
    if (oldAddr !== undefined && oldAddr !== brokerAddr) {
      const oldLive = this.brokerLiveTable.get(addrKey(clusterName, oldAddr));
      if (oldLive && oldLive.dataVersion.stateVersion > dataVersion.stateVersion) {
        this.brokerLiveTable.delete(addrKey(clusterName, brokerAddr));
        return {};
      }
    }

    // 7. single-topic guard: a one-topic registration before the first full one
    if (!addrs.has(brokerId) && Object.keys(topicConfigTable).length === 1) {
      return null;
    }

    // 8. take the slot
    addrs.set(brokerId, brokerAddr);
    registerFirst = registerFirst || !oldAddr;

    // 9. who may publish topics
    const isMaster = brokerId === MASTER_ID;
    const isPrimeSlave = !isOldVersionBroker && !isMaster && brokerId === minId(addrs);

    // 10. topic data
    if (isMaster || isPrimeSlave) {
      const brokerChanged = this.isBrokerTopicConfigChanged(
        clusterName,
        brokerAddr,
        dataVersion,
        dataVersionMissing,
      );

      if (r.deleteTopicWithBrokerRegistration && Object.keys(mappingInfoMap).length === 0) {
        const newTopics = new Set(Object.keys(topicConfigTable));
        for (const [topic, queueDataMap] of this.topicQueueTable) {
          if (newTopics.has(topic) || !queueDataMap.has(brokerName)) continue;
          queueDataMap.delete(brokerName);
          this.queueRemovals++;
          this.queueDataTouched = true;
          if (queueDataMap.size === 0) this.topicQueueTable.delete(topic);
        }
      }

      for (const [tableKey, config] of Object.entries(topicConfigTable)) {
        const topic = typeof config.topicName === "string" ? config.topicName : tableKey;
        const queueDataMap = this.topicQueueTable.get(topic);
        const topicChanged = brokerChanged || !queueDataMap || !queueDataMap.has(brokerName);
        if (!registerFirst && !topicChanged) continue;
        let perm = config.perm;
        if (isPrimeSlave && brokerData.enableActingMaster) perm &= ~Perm.WRITE;
        const queueData: QueueData = {
          brokerName,
          readQueueNums: config.readQueueNums,
          writeQueueNums: config.writeQueueNums,
          perm,
          topicSysFlag: config.topicSysFlag ?? 0,
        };
        const previous = queueDataMap?.get(brokerName);
        if (!previous || !sameQueueData(previous, queueData)) this.queueDataTouched = true;
        const shared = this.sharedQueueData(queueData);
        if (queueDataMap) queueDataMap.set(shared);
        else this.topicQueueTable.set(topic, TopicQueues.of(shared));
      }

      if (brokerChanged || registerFirst) {
        for (const [topic, info] of Object.entries(mappingInfoMap)) {
          const bname = typeof info.bname === "string" ? info.bname : brokerName;
          let byBroker = this.topicQueueMappingInfoTable.get(topic);
          if (!byBroker) {
            byBroker = new Map();
            this.topicQueueMappingInfoTable.set(topic, byBroker);
          }
          byBroker.set(bname, copyMappingInfo(info));
          this.queueDataTouched = true;
        }
      }
    }

    // 11. liveness (replaces the previous entry, including its channel)
    const key = addrKey(clusterName, brokerAddr);
    this.brokerLiveTable.set(key, {
      clusterName,
      brokerAddr,
      lastUpdateTimestamp: r.now,
      heartbeatTimeoutMillis: r.heartbeatTimeoutMillis ?? DEFAULT_BROKER_TIMEOUT_MILLIS,
      dataVersion,
      dataVersionMissing,
      channel: r.channel,
      haServerAddr: r.haServerAddr,
      bodyDigest: r.bodyDigest ?? null,
      queueRemovalsSeen: this.queueRemovals,
      enableActingMasterSent: r.enableActingMaster,
    });

    // 12. filter servers: null leaves the entry alone
    if (body.filterServerList !== null && body.filterServerList !== undefined) {
      if (body.filterServerList.length === 0) this.filterServerTable.delete(key);
      else this.filterServerTable.set(key, [...body.filterServerList]);
    }

    // 13. a slave learns its live master
    return this.masterOf(clusterName, brokerId, addrs);
  }

  private masterOf(clusterName: string, brokerId: number, addrs: Map<number, string>): RegisterBrokerResult {
    const result: RegisterBrokerResult = {};
    if (brokerId !== MASTER_ID) {
      const masterAddr = addrs.get(MASTER_ID);
      if (masterAddr) {
        const masterLive = this.brokerLiveTable.get(addrKey(clusterName, masterAddr));
        if (masterLive) {
          if (masterLive.haServerAddr !== null) result.haServerAddr = masterLive.haServerAddr;
          result.masterAddr = masterAddr;
        }
      }
    }
    return result;
  }

  /**
   * The frozen QueueData object of the broker's pool equal to `value`. A broker has a handful of
   * distinct QueueData values across all its topics, so 100,000 topics share a few objects instead
   * of holding one each. QueueData in the tables is never changed in place, only replaced.
   */
  private sharedQueueData(value: QueueData): QueueData {
    const entry = this.brokerAddrTable.get(value.brokerName);
    if (!entry) return Object.freeze(copyQueueData(value));
    const key = `${value.readQueueNums}/${value.writeQueueNums}/${value.perm}/${value.topicSysFlag}`;
    let shared = entry.queueDataPool.get(key);
    if (!shared) {
      shared = Object.freeze(copyQueueData(value));
      entry.queueDataPool.set(key, shared);
    }
    return shared;
  }

  /** PROTOCOL §4.9 isBrokerTopicConfigChanged */
  private isBrokerTopicConfigChanged(
    clusterName: string,
    brokerAddr: string,
    dataVersion: DataVersion,
    dataVersionMissing: boolean,
  ): boolean {
    const live = this.brokerLiveTable.get(addrKey(clusterName, brokerAddr));
    if (!live || dataVersionMissing || live.dataVersionMissing) return true;
    return !sameDataVersion(live.dataVersion, dataVersion);
  }

  // =============================================================================================
  // unregistration and liveness (PROTOCOL §4.4, §4.8)
  // =============================================================================================

  async unregisterBrokers(requests: BrokerUnregistration[]): Promise<void> {
    this.changes++;
    this.doUnregister(requests);
  }

  async unregisterChannel(channel: string): Promise<BrokerUnregistration[]> {
    return this.unregisterLiveEntries((live) => live.channel === channel);
  }

  async expireBrokers(now: number): Promise<BrokerUnregistration[]> {
    return this.unregisterLiveEntries(
      (live) => live.lastUpdateTimestamp + live.heartbeatTimeoutMillis < now,
    );
  }

  /**
   * Builds the unregistration of every live entry matching `select` (as §4.8 does: the first
   * BrokerData of the entry's cluster whose address map holds the address) and applies them as one
   * batch. Entries that no BrokerData holds any more are simply dropped.
   */
  private unregisterLiveEntries(select: (live: BrokerLiveEntry) => boolean): BrokerUnregistration[] {
    const requests: BrokerUnregistration[] = [];
    for (const [key, live] of this.brokerLiveTable) {
      if (!select(live)) continue;
      const request = this.findUnregistration(live.clusterName, live.brokerAddr);
      if (request) {
        requests.push(request);
      } else {
        this.brokerLiveTable.delete(key);
        this.filterServerTable.delete(key);
      }
    }
    if (requests.length > 0) this.changes++;
    this.doUnregister(requests);
    return requests.map((r) => ({ ...r }));
  }

  private findUnregistration(clusterName: string, brokerAddr: string): BrokerUnregistration | null {
    for (const brokerData of this.brokerAddrTable.values()) {
      if (brokerData.cluster !== clusterName) continue;
      for (const [brokerId, addr] of brokerData.brokerAddrs) {
        if (addr === brokerAddr) {
          return { clusterName, brokerAddr, brokerName: brokerData.brokerName, brokerId };
        }
      }
    }
    return null;
  }

  private doUnregister(requests: BrokerUnregistration[]): void {
    if (requests.length === 0) return;
    const removed = new Set<string>();
    const reduced = new Set<string>();

    for (const request of requests) {
      const key = addrKey(request.clusterName, request.brokerAddr);
      this.brokerLiveTable.delete(key);
      this.filterServerTable.delete(key);

      const brokerData = this.brokerAddrTable.get(request.brokerName);
      if (!brokerData) {
        reduced.add(request.brokerName);
        continue;
      }
      for (const [id, addr] of brokerData.brokerAddrs) {
        if (addr === request.brokerAddr) brokerData.brokerAddrs.delete(id);
      }
      if (brokerData.brokerAddrs.size === 0) {
        this.brokerAddrTable.delete(request.brokerName);
        const names = this.clusterAddrTable.get(request.clusterName);
        if (names) {
          names.delete(request.brokerName);
          if (names.size === 0) this.clusterAddrTable.delete(request.clusterName);
        }
        removed.add(request.brokerName);
      } else {
        reduced.add(request.brokerName);
      }
    }

    if (removed.size === 0 && reduced.size === 0) return;
    for (const [topic, queueDataMap] of this.topicQueueTable) {
      for (const brokerName of removed) if (queueDataMap.delete(brokerName)) this.queueRemovals++;
      if (queueDataMap.size === 0) {
        this.topicQueueTable.delete(topic);
        continue;
      }
      for (const brokerName of reduced) {
        const queueData = queueDataMap.get(brokerName);
        if (!queueData) continue;
        const brokerData = this.brokerAddrTable.get(brokerName);
        if (brokerData?.enableActingMaster && noMasterExists(brokerData)) {
          queueDataMap.set(this.sharedQueueData({ ...queueData, perm: queueData.perm & ~Perm.WRITE }));
        }
      }
    }
  }

  async refreshBroker(clusterName: string, brokerAddr: string, now: number): Promise<boolean> {
    const live = this.brokerLiveTable.get(addrKey(clusterName, brokerAddr));
    if (!live) return false;
    live.lastUpdateTimestamp = now;
    return true;
  }

  async queryDataVersion(query: DataVersionQuery): Promise<DataVersionAnswer> {
    const live = this.brokerLiveTable.get(addrKey(query.clusterName, query.brokerAddr));
    if (!live) return { changed: true, dataVersion: null };
    const changed =
      query.dataVersion === null ||
      live.dataVersionMissing ||
      !sameDataVersion(live.dataVersion, query.dataVersion);
    live.lastUpdateTimestamp = query.now;
    return { changed, dataVersion: copyDataVersion(live.dataVersion) };
  }

  // =============================================================================================
  // reads (PROTOCOL §4.6, §4.7, §3.12, §3.13, §3.15)
  // =============================================================================================

  private brokerDataCopy(entry: BrokerDataEntry): BrokerData {
    const copy: BrokerData = {
      cluster: entry.cluster,
      brokerName: entry.brokerName,
      brokerAddrs: addrsRecord(entry.brokerAddrs),
      enableActingMaster: entry.enableActingMaster,
    };
    if (entry.zoneName !== null && entry.zoneName !== undefined) copy.zoneName = entry.zoneName;
    return copy;
  }

  async getTopicRoute(topic: string): Promise<TopicRouteData | null> {
    const queueDataMap = this.topicQueueTable.get(topic);
    if (!queueDataMap) return null;
    const queueDatas = queueDataMap.values().map(copyQueueData);
    const brokerDatas: BrokerData[] = [];
    const filterServerTable: Record<string, string[]> = {};
    for (const brokerName of queueDataMap.brokerNames()) {
      const entry = this.brokerAddrTable.get(brokerName);
      if (!entry) continue;
      const copy = this.brokerDataCopy(entry);
      brokerDatas.push(copy);
      if (this.filterServerTable.size === 0) continue;
      for (const addr of Object.values(copy.brokerAddrs)) {
        const servers = this.filterServerTable.get(addrKey(copy.cluster, addr));
        if (servers) filterServerTable[addr] = [...servers];
      }
    }
    if (brokerDatas.length === 0) return null;
    const route: TopicRouteData = { queueDatas, brokerDatas, filterServerTable };
    const mapping = this.topicQueueMappingInfoTable.get(topic);
    if (mapping) {
      route.topicQueueMappingByBroker = Object.fromEntries(
        [...mapping].map(([bname, info]) => [bname, copyMappingInfo(info)]),
      );
    }
    return route;
  }

  async getClusterInfo(): Promise<ClusterInfo> {
    return {
      brokerAddrTable: Object.fromEntries(
        [...this.brokerAddrTable].map(([name, entry]) => [name, this.brokerDataCopy(entry)]),
      ),
      clusterAddrTable: Object.fromEntries(
        [...this.clusterAddrTable].map(([cluster, names]) => [cluster, [...names]]),
      ),
    };
  }

  async getAllTopics(): Promise<string[]> {
    return [...this.topicQueueTable.keys()];
  }

  async getTopicsByCluster(cluster: string): Promise<string[]> {
    const names = this.clusterAddrTable.get(cluster);
    if (!names) return [];
    const topics = new Set<string>();
    for (const brokerName of names) {
      for (const [topic, queueDataMap] of this.topicQueueTable) {
        if (queueDataMap.has(brokerName)) topics.add(topic);
      }
    }
    return [...topics];
  }

  async getSystemTopicList(): Promise<TopicList> {
    const names = new Set<string>();
    for (const [cluster, brokerNames] of this.clusterAddrTable) {
      names.add(cluster);
      for (const brokerName of brokerNames) names.add(brokerName);
    }
    const result: TopicList = { topicList: [...names] };
    for (const entry of this.brokerAddrTable.values()) {
      if (entry.brokerAddrs.size === 0) continue;
      result.brokerAddr = entry.brokerAddrs.get(minId(entry.brokerAddrs));
      break;
    }
    return result;
  }

  async getUnitTopics(kind: UnitTopicKind): Promise<string[]> {
    const topics: string[] = [];
    for (const [topic, queueDataMap] of this.topicQueueTable) {
      const first = queueDataMap.values()[0];
      if (!first) continue;
      const flag = first.topicSysFlag;
      const unit = (flag & TopicSysFlag.UNIT) === TopicSysFlag.UNIT;
      const unitSub = (flag & TopicSysFlag.UNIT_SUB) === TopicSysFlag.UNIT_SUB;
      const match =
        kind === "unit" ? unit : kind === "hasUnitSub" ? unitSub : !unit && unitSub;
      if (match) topics.push(topic);
    }
    return topics;
  }

  async getBrokerMemberGroup(clusterName: string, brokerName: string): Promise<BrokerMemberGroup> {
    const entry = this.brokerAddrTable.get(brokerName);
    return {
      cluster: clusterName,
      brokerName,
      brokerAddrs: entry ? addrsRecord(entry.brokerAddrs) : {},
    };
  }

  // =============================================================================================
  // topic administration (PROTOCOL §3.7, §3.9, §4.5)
  // =============================================================================================

  async wipeWritePerm(brokerName: string): Promise<number> {
    return this.operatePerm(brokerName, (perm) => perm & ~Perm.WRITE);
  }

  async addWritePerm(brokerName: string): Promise<number> {
    return this.operatePerm(brokerName, () => Perm.READ | Perm.WRITE);
  }

  private operatePerm(brokerName: string, update: (perm: number) => number): number {
    this.changes++;
    let count = 0;
    for (const queueDataMap of this.topicQueueTable.values()) {
      const queueData = queueDataMap.get(brokerName);
      if (!queueData) continue;
      queueDataMap.set(this.sharedQueueData({ ...queueData, perm: update(queueData.perm) }));
      count++;
    }
    return count;
  }

  async deleteTopic(topic: string, clusterName: string | null): Promise<void> {
    this.changes++;
    if (clusterName === null || clusterName.trim() === "") {
      if (this.topicQueueTable.delete(topic)) this.queueRemovals++;
      return;
    }
    const brokerNames = this.clusterAddrTable.get(clusterName);
    if (!brokerNames || brokerNames.size === 0) return;
    const queueDataMap = this.topicQueueTable.get(topic);
    if (!queueDataMap) return;
    for (const brokerName of brokerNames) if (queueDataMap.delete(brokerName)) this.queueRemovals++;
    if (queueDataMap.size === 0) this.topicQueueTable.delete(topic);
  }

  async registerTopic(topic: string, queueDatas: QueueData[]): Promise<void> {
    if (queueDatas.length === 0) return;
    this.changes++;
    const existing = this.topicQueueTable.get(topic);
    if (existing) {
      // applied one by one: entries before an unknown broker stay applied
      for (const queueData of queueDatas) {
        if (!this.brokerAddrTable.has(queueData.brokerName)) return;
        existing.set(this.sharedQueueData(queueData));
      }
      return;
    }
    const queueDataMap = new TopicQueues();
    for (const queueData of queueDatas) {
      if (!this.brokerAddrTable.has(queueData.brokerName)) return;
      queueDataMap.set(this.sharedQueueData(queueData));
    }
    this.topicQueueTable.set(topic, queueDataMap);
  }

  // =============================================================================================
  // KV config (PROTOCOL §3.11, §6)
  // =============================================================================================

  /**
   * Runs one KV mutation after the previous ones: the change is applied to a copy, the copy is
   * persisted, and only then does it replace the live table. A failed write rejects and leaves the
   * table as it was.
   */
  private mutateKV(change: (table: KVConfigTable) => void): Promise<void> {
    const run = async (): Promise<void> => {
      const next = cloneKVConfigTable(this.kvTable);
      change(next);
      if (this.kvConfigPath !== null) await saveKVConfigFile(this.kvConfigPath, next);
      this.kvTable = next;
      this.changes++;
    };
    const done = this.kvQueue.then(run);
    this.kvQueue = done.catch(() => undefined);
    return done;
  }

  putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    return this.mutateKV((table) => {
      let kv = table.get(namespace);
      if (!kv) {
        kv = new Map();
        table.set(namespace, kv);
      }
      kv.set(key, value);
    });
  }

  async getKVConfig(namespace: string, key: string): Promise<string | null> {
    return this.kvTable.get(namespace)?.get(key) ?? null;
  }

  /** Persists even when nothing was removed (like Java); an emptied namespace is kept. */
  deleteKVConfig(namespace: string, key: string): Promise<void> {
    return this.mutateKV((table) => {
      table.get(namespace)?.delete(key);
    });
  }

  async getKVListByNamespace(namespace: string): Promise<Record<string, string> | null> {
    const kv = this.kvTable.get(namespace);
    return kv ? Object.fromEntries(kv) : null;
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

  /** Waits for pending KV writes. */
  async close(): Promise<void> {
    await this.kvQueue;
  }
}
