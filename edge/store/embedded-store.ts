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
  TopicConfig,
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
import { keyCount, keysOf, LARGE_REGISTRATION_TOPICS, Slices, SLICE_MILLIS } from "../event-loop-slices";
import { Staging } from "./embedded/staging";
import { TopicMappings } from "./embedded/topic-mappings";
import { TopicQueues } from "./embedded/topic-queues";

export interface EmbeddedStoreOptions {
  /** kvConfig.json location; null keeps the KV table in memory only. */
  kvConfigPath: string | null;
  /**
   * Already loaded KV table (used by {@link EmbeddedStore.open}). When absent and kvConfigPath is
   * set, the constructor loads the file synchronously.
   */
  initialKVTable?: KVConfigTable;
  /**
   * Registrations with at least this many topics or mappings, and unregistrations while the route
   * table holds at least this many topics, are applied in slices (default LARGE_REGISTRATION_TOPICS);
   * 0 applies every one so.
   */
  sliceAtTopics?: number;
  /** The time of one slice (default SLICE_MILLIS); 0 yields after every topic. */
  sliceMillis?: number;
}

/** What a registration does to its broker's topic data, decided by the state it is applied to. */
interface TopicDataPlan {
  /** write every topic of the body (a first registration or a new DataVersion), not only missing ones */
  overwrite: boolean;
  /** clear the write bit (a prime slave of an acting-master group) */
  maskWrite: boolean;
  /** remove the broker from topics its body lacks (deleteTopicWithBrokerRegistration, no mappings) */
  removeOthers: boolean;
}

/** A registration's topic data, staged slice by slice under the plan it was staged for. */
interface StagedTopicData {
  staging: Staging;
  plan: TopicDataPlan;
  /** topics with a staged QueueData write (for the clean-up after the commit) */
  topics: string[];
  /** topics with a staged mapping write */
  mappingTopics: string[];
  /** QueueData removals staged */
  removals: number;
  /** whether any staged write changes what routes show */
  touched: boolean;
  /** shared QueueData of a broker that has no BrokerData yet (see sharedQueueData) */
  pool: Map<string, QueueData>;
}

const samePlan = (a: TopicDataPlan, b: TopicDataPlan): boolean =>
  a.overwrite === b.overwrite && a.maskWrite === b.maskWrite && a.removeOthers === b.removeOthers;

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

/** Whether `config`, written under `plan`, gives the QueueData `queueData` already is. */
function writesSame(queueData: QueueData, config: TopicConfig, plan: TopicDataPlan): boolean {
  return (
    queueData.readQueueNums === config.readQueueNums &&
    queueData.writeQueueNums === config.writeQueueNums &&
    queueData.perm === (plan.maskWrite ? config.perm & ~Perm.WRITE : config.perm) &&
    queueData.topicSysFlag === (config.topicSysFlag ?? 0)
  );
}

/** The DataVersion a registration records: the body's, or a fresh one when it carries none. */
function registrationDataVersion(r: BrokerRegistration): DataVersion {
  return r.body.dataVersion ? copyDataVersion(r.body.dataVersion) : { stateVersion: 0, timestamp: r.now, counter: 0 };
}

/** How many topics and mappings a registration carries (counted once: large tables take long to count). */
interface RegistrationSize {
  topics: number;
  mappings: number;
}

function sizeOf(r: BrokerRegistration): RegistrationSize {
  return { topics: keyCount(r.body.topicConfigTable), mappings: keyCount(r.body.topicQueueMappingInfoMap) };
}

function noMasterExists(bd: Pick<BrokerDataEntry, "brokerAddrs"> | undefined): boolean {
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
  private readonly topicQueueMappingInfoTable = new Map<string, TopicMappings>();

  /**
   * Registrations and unregistrations being applied in slices, by broker name, with the connection
   * that carries a registration; `settled` resolves once it is committed (or failed). Writes that
   * concern that broker, or that connection, wait for it.
   */
  private readonly applying = new Map<string, { channel: string | null; settled: Promise<void> }>();
  /** The clean-ups of finished stagings, one after the other (see tidyTopics). */
  private tidying: Promise<void> = Promise.resolve();
  private readonly sliceAtTopics: number;
  private readonly sliceMillis: number;

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
    this.sliceAtTopics = options.sliceAtTopics ?? LARGE_REGISTRATION_TOPICS;
    this.sliceMillis = options.sliceMillis ?? SLICE_MILLIS;
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
    const busy = this.applyingFor([r]);
    if (busy) {
      await busy;
      return this.registerBroker(r);
    }
    const size = sizeOf(r);
    if (Math.max(size.topics, size.mappings) >= this.sliceAtTopics) return this.registerInSlices(r, size);
    return this.applyRegistration(r, size, null);
  }

  /** Applies a registration in one synchronous step, committing its staged topic data if it has some. */
  private applyRegistration(r: BrokerRegistration, size: RegistrationSize, staged: StagedTopicData | null): RegisterBrokerResult | null {
    const before = this.routeViewOf(r.brokerName, r.clusterName, r.brokerAddr);
    this.queueDataTouched = false;
    const result = this.doRegisterBroker(r, size, staged);
    // a staging the registration did not commit (a guard refused it) is dropped
    staged?.staging.abandon();
    // Routes change only when something they show changed: a re-registration that brings a new
    // DataVersion but the same topics keeps every encoded route valid.
    if (this.queueDataTouched || this.routeViewOf(r.brokerName, r.clusterName, r.brokerAddr) !== before) this.changes++;
    return result;
  }

  /**
   * A large registration: its topic data is staged in slices, then the registration is applied in
   * one synchronous step that commits it. Until then, other writes concerning the broker wait.
   */
  private registerInSlices(r: BrokerRegistration, size: RegistrationSize): Promise<RegisterBrokerResult | null> {
    const run = this.stageAndApply(r, size);
    const settled: Promise<void> = run.then(
      () => this.doneApplying(r.brokerName, settled),
      () => this.doneApplying(r.brokerName, settled),
    );
    this.applying.set(r.brokerName, { channel: r.channel, settled });
    return run;
  }

  private doneApplying(brokerName: string, settled: Promise<void>): void {
    if (this.applying.get(brokerName)?.settled === settled) this.applying.delete(brokerName);
  }

  private async stageAndApply(r: BrokerRegistration, size: RegistrationSize): Promise<RegisterBrokerResult | null> {
    const plan = this.planTopicData(r, size);
    const staged: StagedTopicData | null =
      plan && { staging: new Staging(), plan, topics: [], mappingTopics: [], removals: 0, touched: false, pool: new Map() };
    try {
      if (staged) await this.stageTopicData(r, staged, new Slices(this.sliceMillis));
      return this.applyRegistration(r, size, staged);
    } finally {
      if (staged) {
        staged.staging.abandon();
        this.tidyTopics(staged.topics, staged.mappingTopics);
      }
    }
  }

  /** Waits for the slices-applied registration of any of these brokers; null when there is none. */
  private applyingFor(items: Iterable<{ brokerName: string }>): Promise<void> | null {
    if (this.applying.size === 0) return null;
    for (const { brokerName } of items) {
      const busy = this.applying.get(brokerName);
      if (busy) return busy.settled;
    }
    return null;
  }

  /** Waits for a slices-applied registration carried by `channel`; null when there is none. */
  private applyingOn(channel: string): Promise<void> | null {
    for (const { channel: carrier, settled } of this.applying.values()) if (carrier === channel) return settled;
    return null;
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
    const busy = this.applyingFor([r]);
    if (busy) {
      await busy;
      return this.refreshRegistration(r);
    }
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

  /**
   * The registration of PROTOCOL §4.3. Its topic data (step 10) is written here, or committed when
   * `staged` was staged under the plan the state calls for now; otherwise the staging is dropped.
   */
  private doRegisterBroker(r: BrokerRegistration, size: RegistrationSize, staged: StagedTopicData | null): RegisterBrokerResult | null {
    const { clusterName, brokerAddr, brokerName, brokerId } = r;
    const body = r.body;
    const dataVersionMissing = body.dataVersion == null;
    const dataVersion = registrationDataVersion(r);

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
        queueDataPool: staged?.pool ?? new Map(),
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
    if (!addrs.has(brokerId) && size.topics === 1) {
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
      const brokerChanged = this.isBrokerTopicConfigChanged(clusterName, brokerAddr, dataVersion, dataVersionMissing);
      const plan: TopicDataPlan = {
        overwrite: registerFirst || brokerChanged,
        maskWrite: isPrimeSlave && brokerData.enableActingMaster,
        removeOthers: r.deleteTopicWithBrokerRegistration && size.mappings === 0,
      };
      if (staged && samePlan(staged.plan, plan)) this.commitTopicData(staged);
      else this.writeTopicData(r, plan);
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

  /**
   * The plan doRegisterBroker would follow for the topic data of `r` if `r` were applied now (steps
   * 2 to 10 without changing anything); null when it would write none. While `r` is staged, nothing
   * this depends on can change (writes concerning the broker wait), and the commit checks it again.
   */
  private planTopicData(r: BrokerRegistration, size: RegistrationSize): TopicDataPlan | null {
    const brokerData = this.brokerAddrTable.get(r.brokerName);
    const addrs = new Map(brokerData?.brokerAddrs);
    for (const [id, addr] of addrs) {
      if (addr === r.brokerAddr && id !== r.brokerId) addrs.delete(id);
    }
    const dataVersion = registrationDataVersion(r);
    const oldAddr = addrs.get(r.brokerId);
    if (oldAddr !== undefined && oldAddr !== r.brokerAddr) {
      const oldLive = this.brokerLiveTable.get(addrKey(r.clusterName, oldAddr));
      if (oldLive && oldLive.dataVersion.stateVersion > dataVersion.stateVersion) return null;
    }
    if (!addrs.has(r.brokerId) && size.topics === 1) return null;
    addrs.set(r.brokerId, r.brokerAddr);
    const isOldVersionBroker = r.enableActingMaster === null;
    const isMaster = r.brokerId === MASTER_ID;
    const isPrimeSlave = !isOldVersionBroker && !isMaster && r.brokerId === minId(addrs);
    if (!isMaster && !isPrimeSlave) return null;
    const brokerChanged = this.isBrokerTopicConfigChanged(r.clusterName, r.brokerAddr, dataVersion, r.body.dataVersion == null);
    return {
      overwrite: !brokerData || !oldAddr || brokerChanged,
      maskWrite: isPrimeSlave && r.enableActingMaster === true,
      removeOthers: r.deleteTopicWithBrokerRegistration && size.mappings === 0,
    };
  }

  /** The QueueData a registration writes for one TopicConfig. */
  private queueDataOf(brokerName: string, config: TopicConfig, plan: TopicDataPlan): QueueData {
    return {
      brokerName,
      readQueueNums: config.readQueueNums,
      writeQueueNums: config.writeQueueNums,
      perm: plan.maskWrite ? config.perm & ~Perm.WRITE : config.perm,
      topicSysFlag: config.topicSysFlag ?? 0,
    };
  }

  /** Step 10 at once: the broker's queues and mappings as the registration carries them. */
  private writeTopicData(r: BrokerRegistration, plan: TopicDataPlan): void {
    const { brokerName } = r;
    const topicConfigTable = r.body.topicConfigTable ?? {};
    const mappingInfoMap = r.body.topicQueueMappingInfoMap ?? {};

    if (plan.removeOthers) {
      for (const [topic, queueDataMap] of this.topicQueueTable) {
        if (Object.hasOwn(topicConfigTable, topic) || !queueDataMap.has(brokerName)) continue;
        queueDataMap.delete(brokerName);
        this.queueRemovals++;
        this.queueDataTouched = true;
        if (queueDataMap.isEmpty()) this.topicQueueTable.delete(topic);
      }
    }

    for (const [tableKey, config] of Object.entries(topicConfigTable)) {
      const topic = typeof config.topicName === "string" ? config.topicName : tableKey;
      const queueDataMap = this.topicQueueTable.get(topic);
      if (!plan.overwrite && queueDataMap?.has(brokerName)) continue;
      const queueData = this.queueDataOf(brokerName, config, plan);
      const previous = queueDataMap?.get(brokerName);
      if (!previous || !sameQueueData(previous, queueData)) this.queueDataTouched = true;
      const shared = this.sharedQueueData(queueData);
      if (queueDataMap) queueDataMap.set(shared);
      else this.topicQueueTable.set(topic, TopicQueues.of(shared));
    }

    if (plan.overwrite) {
      for (const [topic, info] of Object.entries(mappingInfoMap)) {
        this.mappingsOf(topic).set(typeof info.bname === "string" ? info.bname : brokerName, copyMappingInfo(info));
        this.queueDataTouched = true;
      }
    }
  }

  /**
   * Step 10 in slices, staged: what writeTopicData would write, invisible to readers until the
   * registration commits it. Writes that change nothing are not staged.
   */
  private async stageTopicData(r: BrokerRegistration, staged: StagedTopicData, slices: Slices): Promise<void> {
    const { brokerName } = r;
    const { staging, plan } = staged;
    const topicConfigTable = r.body.topicConfigTable ?? {};
    const mappingInfoMap = r.body.topicQueueMappingInfoMap ?? {};

    if (plan.removeOthers) {
      // a live iterator: topics added meanwhile are other brokers' and removed ones are skipped
      for (const [topic, queueDataMap] of this.topicQueueTable) {
        if (slices.due()) await slices.next();
        if (Object.hasOwn(topicConfigTable, topic) || !queueDataMap.has(brokerName)) continue;
        queueDataMap.stage(staging, brokerName, null);
        staged.topics.push(topic);
        staged.removals++;
        staged.touched = true;
      }
    }

    for (const tableKey of keysOf(topicConfigTable)) {
      if (slices.due()) await slices.next();
      const config = topicConfigTable[tableKey];
      const topic = typeof config.topicName === "string" ? config.topicName : tableKey;
      let queueDataMap = this.topicQueueTable.get(topic);
      // the broker's entry as writeTopicData would find it at this point: this staging's, or the table's
      const stagedHere = queueDataMap?.stagedBy(staging, brokerName);
      const previous = stagedHere !== undefined ? stagedHere : (queueDataMap?.get(brokerName) ?? null);
      if (!plan.overwrite && previous !== null) continue;
      // a re-registration usually brings 100,000 unchanged topics: compared without a QueueData each
      if (previous !== null && writesSame(previous, config, plan)) continue;
      const queueData = this.queueDataOf(brokerName, config, plan);
      staged.touched = true;
      if (!queueDataMap) {
        // an empty entry shows no topic until the commit fills it
        queueDataMap = new TopicQueues();
        this.topicQueueTable.set(topic, queueDataMap);
      }
      queueDataMap.stage(staging, brokerName, this.sharedQueueData(queueData, staged.pool));
      staged.topics.push(topic);
    }

    if (plan.overwrite) {
      for (const topic of keysOf(mappingInfoMap)) {
        if (slices.due()) await slices.next();
        const info = mappingInfoMap[topic];
        this.mappingsOf(topic).stage(staging, typeof info.bname === "string" ? info.bname : brokerName, copyMappingInfo(info));
        staged.mappingTopics.push(topic);
        staged.touched = true;
      }
    }
  }

  /** Makes every write of `staged` visible at once. */
  private commitTopicData(staged: StagedTopicData): void {
    staged.staging.commit();
    this.queueRemovals += staged.removals;
    if (staged.touched) this.queueDataTouched = true;
  }

  /**
   * After a staging was committed or dropped, folds its writes into the entries it touched and
   * removes the entries left empty, in slices, so that no empty entry stays behind.
   */
  private tidyTopics(topics: string[], mappingTopics: string[]): void {
    const run = async (): Promise<void> => {
      const slices = new Slices(this.sliceMillis);
      for (const topic of topics) {
        if (slices.due()) await slices.next();
        if (this.topicQueueTable.get(topic)?.isEmpty()) this.topicQueueTable.delete(topic);
      }
      for (const topic of mappingTopics) {
        if (slices.due()) await slices.next();
        if (this.topicQueueMappingInfoTable.get(topic)?.isEmpty()) this.topicQueueMappingInfoTable.delete(topic);
      }
    };
    // only memory is at stake: a clean-up that fails leaves empty entries, which no reader shows
    this.tidying = this.tidying.then(run).catch(() => undefined);
  }

  /** The mappings entry of a topic, created empty when there is none. */
  private mappingsOf(topic: string): TopicMappings {
    let mappings = this.topicQueueMappingInfoTable.get(topic);
    if (!mappings) {
      mappings = new TopicMappings();
      this.topicQueueMappingInfoTable.set(topic, mappings);
    }
    return mappings;
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
   * `poolOfNewBroker` serves a broker that has no BrokerData yet (its staged first registration).
   */
  private sharedQueueData(value: QueueData, poolOfNewBroker?: Map<string, QueueData>): QueueData {
    const pool = this.brokerAddrTable.get(value.brokerName)?.queueDataPool ?? poolOfNewBroker;
    if (!pool) return Object.freeze(copyQueueData(value));
    const key = `${value.readQueueNums}/${value.writeQueueNums}/${value.perm}/${value.topicSysFlag}`;
    let shared = pool.get(key);
    if (!shared) {
      shared = Object.freeze(copyQueueData(value));
      pool.set(key, shared);
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
    const busy = this.applyingFor(requests);
    if (busy) {
      await busy;
      return this.unregisterBrokers(requests);
    }
    this.changes++;
    await this.doUnregister(requests);
  }

  async unregisterChannel(channel: string): Promise<BrokerUnregistration[]> {
    // a registration the connection sent before it closed is one of its brokers once committed
    const busy = this.applyingOn(channel);
    if (busy) {
      await busy;
      return this.unregisterChannel(channel);
    }
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
   * batch. Entries that no BrokerData holds any more are simply dropped. When one of the brokers
   * has a registration being applied in slices, the whole batch is built again after it.
   */
  private async unregisterLiveEntries(select: (live: BrokerLiveEntry) => boolean): Promise<BrokerUnregistration[]> {
    const requests: BrokerUnregistration[] = [];
    const unheld: string[] = [];
    for (const [key, live] of this.brokerLiveTable) {
      if (!select(live)) continue;
      const request = this.findUnregistration(live.clusterName, live.brokerAddr);
      if (request) requests.push(request);
      else unheld.push(key);
    }
    const busy = this.applyingFor(requests);
    if (busy) {
      await busy;
      return this.unregisterLiveEntries(select);
    }
    for (const key of unheld) {
      this.brokerLiveTable.delete(key);
      this.filterServerTable.delete(key);
    }
    if (requests.length > 0) this.changes++;
    await this.doUnregister(requests);
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

  /**
   * Removes the brokers' addresses, and then their queues from every topic (or the write bit, for
   * an acting-master group left without its master). On a large table the topics are visited in
   * slices, staging the changes, and everything is applied at once after the last slice.
   */
  private doUnregister(requests: BrokerUnregistration[]): void | Promise<void> {
    if (requests.length === 0) return;
    if (this.topicQueueTable.size >= this.sliceAtTopics) return this.unregisterInSlices(requests);
    const { removed, masked } = this.unlinkBrokers(requests);
    if (removed.size === 0 && masked.size === 0) return;
    for (const [topic, queueDataMap] of this.topicQueueTable) {
      for (const brokerName of removed) if (queueDataMap.delete(brokerName)) this.queueRemovals++;
      if (queueDataMap.isEmpty()) {
        this.topicQueueTable.delete(topic);
        continue;
      }
      for (const brokerName of masked) {
        const queueData = queueDataMap.get(brokerName);
        if (queueData) queueDataMap.set(this.writeMasked(queueData));
      }
    }
  }

  private writeMasked(queueData: QueueData): QueueData {
    return this.sharedQueueData({ ...queueData, perm: queueData.perm & ~Perm.WRITE });
  }

  /**
   * The unregistrations' changes to every table but the topics': liveness, filter servers, broker
   * addresses, broker names. Answers the brokers whose queues go (`removed`) and those whose queues
   * lose the write bit (`masked`: an acting-master group left without a master).
   */
  private unlinkBrokers(requests: BrokerUnregistration[]): { removed: Set<string>; masked: Set<string> } {
    const removed = new Set<string>();
    const reduced = new Set<string>();
    for (const request of requests) {
      const key = addrKey(request.clusterName, request.brokerAddr);
      this.brokerLiveTable.delete(key);
      this.filterServerTable.delete(key);

      const brokerData = this.brokerAddrTable.get(request.brokerName);
      if (!brokerData) continue;
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
    const masked = new Set<string>();
    for (const brokerName of reduced) {
      const brokerData = this.brokerAddrTable.get(brokerName);
      if (brokerData?.enableActingMaster && noMasterExists(brokerData)) masked.add(brokerName);
    }
    return { removed, masked };
  }

  /** What unlinkBrokers would answer if it ran now, changing nothing. */
  private unlinkEffects(requests: BrokerUnregistration[]): { removed: Set<string>; masked: Set<string> } {
    const removed = new Set<string>();
    const remaining = new Map<string, Map<number, string>>();
    for (const request of requests) {
      const brokerData = this.brokerAddrTable.get(request.brokerName);
      if (!brokerData || removed.has(request.brokerName)) continue;
      let addrs = remaining.get(request.brokerName);
      if (!addrs) {
        addrs = new Map(brokerData.brokerAddrs);
        remaining.set(request.brokerName, addrs);
      }
      for (const [id, addr] of addrs) if (addr === request.brokerAddr) addrs.delete(id);
      if (addrs.size === 0) removed.add(request.brokerName);
    }
    const masked = new Set<string>();
    for (const [brokerName, addrs] of remaining) {
      const acting = this.brokerAddrTable.get(brokerName)!.enableActingMaster;
      if (!removed.has(brokerName) && acting && noMasterExists({ brokerAddrs: addrs })) masked.add(brokerName);
    }
    return { removed, masked };
  }

  /**
   * doUnregister on a large table: the queue changes are staged topic by topic in slices, then the
   * unregistration is applied and they are committed in one step. Meanwhile writes that concern
   * these brokers wait, as for a registration being applied.
   */
  private unregisterInSlices(requests: BrokerUnregistration[]): Promise<void> {
    const run = this.stageAndUnregister(requests);
    const names = new Set(requests.map((request) => request.brokerName));
    const done = () => {
      for (const name of names) this.doneApplying(name, settled);
    };
    const settled: Promise<void> = run.then(done, done);
    for (const name of names) this.applying.set(name, { channel: null, settled });
    return run;
  }

  private async stageAndUnregister(requests: BrokerUnregistration[]): Promise<void> {
    const { removed, masked } = this.unlinkEffects(requests);
    const staging = new Staging();
    const topics: string[] = [];
    let removals = 0;
    try {
      if (removed.size > 0 || masked.size > 0) {
        const slices = new Slices(this.sliceMillis);
        for (const [topic, queueDataMap] of this.topicQueueTable) {
          if (slices.due()) await slices.next();
          let staged = false;
          for (const brokerName of removed) {
            if (!queueDataMap.has(brokerName)) continue;
            queueDataMap.stage(staging, brokerName, null);
            removals++;
            staged = true;
          }
          for (const brokerName of masked) {
            const queueData = queueDataMap.get(brokerName);
            if (!queueData) continue;
            queueDataMap.stage(staging, brokerName, this.writeMasked(queueData));
            staged = true;
          }
          if (staged) topics.push(topic);
        }
      }
      this.unlinkBrokers(requests);
      staging.commit();
      this.queueRemovals += removals;
      this.changes++;
    } finally {
      staging.abandon();
      this.tidyTopics(topics, []);
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
    const mappings = this.topicQueueMappingInfoTable.get(topic)?.entries();
    if (mappings && mappings.length > 0) {
      route.topicQueueMappingByBroker = Object.fromEntries(mappings.map(([bname, info]) => [bname, copyMappingInfo(info)]));
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
    const topics: string[] = [];
    // an entry without QueueData is a topic only staged so far, or one still to be tidied away
    for (const [topic, queueDataMap] of this.topicQueueTable) if (queueDataMap.size > 0) topics.push(topic);
    return topics;
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

  private async operatePerm(brokerName: string, update: (perm: number) => number): Promise<number> {
    const busy = this.applyingFor([{ brokerName }]);
    if (busy) {
      await busy;
      return this.operatePerm(brokerName, update);
    }
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
    const queueDataMap = this.topicQueueTable.get(topic);
    // waits for the registrations being applied of the brokers the topic has or will have
    const busy = queueDataMap && this.applyingFor(queueDataMap.brokerNamesWithStaged().map((brokerName) => ({ brokerName })));
    if (busy) {
      await busy;
      return this.deleteTopic(topic, clusterName);
    }
    this.changes++;
    if (!queueDataMap) return;
    if (clusterName === null || clusterName.trim() === "") {
      if (queueDataMap.size > 0) this.queueRemovals++;
      queueDataMap.clear();
    } else {
      const brokerNames = this.clusterAddrTable.get(clusterName);
      if (!brokerNames || brokerNames.size === 0) return;
      for (const brokerName of brokerNames) if (queueDataMap.delete(brokerName)) this.queueRemovals++;
    }
    if (queueDataMap.isEmpty()) this.topicQueueTable.delete(topic);
  }

  async registerTopic(topic: string, queueDatas: QueueData[]): Promise<void> {
    if (queueDatas.length === 0) return;
    const busy = this.applyingFor(queueDatas);
    if (busy) {
      await busy;
      return this.registerTopic(topic, queueDatas);
    }
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

  /** Waits for pending KV writes, registrations being applied and their clean-ups. */
  async close(): Promise<void> {
    await Promise.all([...this.applying.values()].map((a) => a.settled));
    await this.tidying;
    await this.kvQueue;
  }
}
