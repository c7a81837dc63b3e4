import { MASTER_ID, Perm, TopicSysFlag } from "../../../shared/codes";
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
} from "../../../shared/model";
import { keyCount, keysOf, type Slices } from "../../../shared/event-loop-slices";
import type {
  BrokerLiveInfoView,
  BrokerRegistration,
  BrokerUnregistration,
  DataVersionAnswer,
  DataVersionQuery,
  MinBrokerIdChange,
  RegisterBrokerResult,
  RegistrationRefresh,
  UnitTopicKind,
} from "../store";
import { bindChannel, type BrokerChannels } from "../broker-channels";
import { Staging } from "./staging";
import { TopicMappings } from "./topic-mappings";
import { TopicQueues } from "./topic-queues";

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
export interface StagedTopicData {
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

/** An unregistration's queue changes, staged slice by slice (see RouteTables.stageUnregistration). */
export interface StagedUnregistration {
  staging: Staging;
  /** topics with a staged write (for the clean-up after the commit) */
  topics: string[];
  /** QueueData removals staged */
  removals: number;
}

/** What a registration answers, and whether it changed anything a route shows. */
export interface RegisterOutcome {
  /** null: rejected (see Store.registerBroker) */
  result: RegisterBrokerResult | null;
  routeChanged: boolean;
}

/** A route as read now, and until when it stays so without a write (see Store.getTopicRouteIfChanged). */
export interface RouteReading {
  route: TopicRouteData | null;
  /** the earliest liveness deadline among the addresses the route shows; Infinity when none has one */
  validUntil: number;
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

export interface BrokerLiveEntry {
  clusterName: string;
  brokerAddr: string;
  lastUpdateTimestamp: number;
  heartbeatTimeoutMillis: number;
  dataVersion: DataVersion;
  /** true when the registration carried no DataVersion: never equal to anything */
  dataVersionMissing: boolean;
  /** the connections the entry is registered on, one per bridge (edge/store/broker-channels.ts) */
  channels: BrokerChannels;
  haServerAddr: string | null;
  /** digest of the body of the last full registration (see Store.refreshRegistration) */
  bodyDigest: string | null;
  /** queueRemovals when that registration was applied */
  queueRemovalsSeen: number;
  /** the enableActingMaster header of that registration (null: an old broker that sends none) */
  enableActingMasterSent: boolean | null;
}

/** Key of the tables indexed by (cluster, address); the length prefix keeps any two pairs apart. */
function addrKey(clusterName: string, brokerAddr: string): string {
  return `${clusterName.length}:${clusterName}${brokerAddr}`;
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
export interface RegistrationSize {
  topics: number;
  mappings: number;
}

export function sizeOf(r: BrokerRegistration): RegistrationSize {
  return { topics: keyCount(r.body.topicConfigTable), mappings: keyCount(r.body.topicQueueMappingInfoMap) };
}

function noMasterExists(bd: Pick<BrokerDataEntry, "brokerAddrs"> | undefined): boolean {
  return bd === undefined || bd.brokerAddrs.size === 0 || minId(bd.brokerAddrs) > MASTER_ID;
}

function deadlineOf(live: BrokerLiveEntry): number {
  return live.lastUpdateTimestamp + live.heartbeatTimeoutMillis;
}

/**
 * The six route tables of the Java RouteInfoManager (PROTOCOL §4.1) on plain Maps, the rules that
 * change them (registration §4.3, unregistration §4.4 and §4.8, liveness) and the reads over them.
 * Every method runs to completion without awaiting, except the staging of a large registration or
 * unregistration, whose writes no reader sees until the synchronous step that commits them. Which
 * call may run when is the caller's business (EmbeddedStore).
 *
 * Routes leave out what the next liveness sweep would remove: addresses past their deadline by
 * `clock`. So a refresh of such an address changes routes, and is reported as a route change.
 */
export class RouteTables {
  readonly topicQueueTable = new Map<string, TopicQueues>();
  readonly brokerAddrTable = new Map<string, BrokerDataEntry>();
  readonly clusterAddrTable = new Map<string, Set<string>>();
  readonly brokerLiveTable = new Map<string, BrokerLiveEntry>();
  readonly filterServerTable = new Map<string, string[]>();
  readonly topicQueueMappingInfoTable = new Map<string, TopicMappings>();

  /** Counts removals of QueueData: a registration skipped by refreshRegistration may have to re-add topics. */
  queueRemovals = 0;

  /** `clock` decides which addresses are past their liveness deadline in routes (epoch millis). */
  constructor(private readonly clock: () => number) {}

  // =============================================================================================
  // registration (PROTOCOL §4.3)
  // =============================================================================================

  /**
   * Applies a registration in one synchronous step, committing `staged` (its topic data, staged in
   * slices) when that was staged under the plan the state calls for now; otherwise the staging is
   * dropped and the topic data written here.
   */
  register(r: BrokerRegistration, size: RegistrationSize, staged: StagedTopicData | null): RegisterOutcome {
    const before = this.routeViewOf(r.brokerName, r.clusterName, r.brokerAddr);
    const { result, topicDataChanged, livenessChanged } = this.doRegisterBroker(r, size, staged);
    staged?.staging.abandon();
    // Routes change only when something they show changed: a re-registration that brings a new
    // DataVersion but the same topics keeps every encoded route valid.
    const routeChanged =
      topicDataChanged || livenessChanged || this.routeViewOf(r.brokerName, r.clusterName, r.brokerAddr) !== before;
    return { result, routeChanged };
  }

  /** What routes show of one broker name and the filter servers of one address, as a comparable string. */
  private routeViewOf(brokerName: string, clusterName: string, brokerAddr: string): string {
    const data = this.brokerAddrTable.get(brokerName);
    const filters = this.filterServerTable.get(addrKey(clusterName, brokerAddr)) ?? null;
    if (!data) return JSON.stringify([null, filters]);
    const addrs = [...data.brokerAddrs].sort((a, b) => a[0] - b[0]);
    return JSON.stringify([data.cluster, data.enableActingMaster, data.zoneName, addrs, filters]);
  }

  /** See Store.refreshRegistration: a null result when the full registration is needed. */
  refreshRegistration(r: RegistrationRefresh): RegisterOutcome {
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
    if (!unchanged) return { result: null, routeChanged: false };
    // what a full registration of the same body would change: liveness only
    const routeChanged = this.deadlineShowsIn(live, r.now + r.heartbeatTimeoutMillis);
    live.lastUpdateTimestamp = r.now;
    live.heartbeatTimeoutMillis = r.heartbeatTimeoutMillis;
    bindChannel(live.channels, r.channel);
    live.haServerAddr = r.haServerAddr;
    return { result: this.masterOf(r.clusterName, r.brokerId, brokerData.brokerAddrs), routeChanged };
  }

  /**
   * Whether moving the live entry's deadline to `next` changes what routes show or promise: the
   * entry is past its deadline now (routes leave its address out), or the deadline moves earlier
   * than the validUntil of routes read before.
   */
  private deadlineShowsIn(live: BrokerLiveEntry, next: number): boolean {
    const deadline = deadlineOf(live);
    return deadline < this.clock() || next < deadline;
  }

  /**
   * The registration of PROTOCOL §4.3, its steps numbered as there (step 14, the notification
   * itself, is the service's: the result reports the change of step 4). Answers whether it wrote
   * queue or mapping data that differs from what was there.
   */
  private doRegisterBroker(
    r: BrokerRegistration,
    size: RegistrationSize,
    staged: StagedTopicData | null,
  ): { result: RegisterBrokerResult | null; topicDataChanged: boolean; livenessChanged: boolean } {
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

    // 4. a smaller id than the group's smallest (an empty group counts as 0, as in Java)
    const addrs = brokerData.brokerAddrs;
    const minBrokerIdChanged = brokerId < (addrs.size > 0 ? minId(addrs) : 0);

    // 5. role switch: one address holds one id
    for (const [id, addr] of addrs) {
      if (addr === brokerAddr && id !== brokerId) addrs.delete(id);
    }

    // 6. conflict guard: a newer owner of the slot wins
    const oldAddr = addrs.get(brokerId);
    if (oldAddr !== undefined && oldAddr !== brokerAddr) {
      const oldLive = this.brokerLiveTable.get(addrKey(clusterName, oldAddr));
      if (oldLive && oldLive.dataVersion.stateVersion > dataVersion.stateVersion) {
        this.brokerLiveTable.delete(addrKey(clusterName, brokerAddr));
        return { result: {}, topicDataChanged: false, livenessChanged: false };
      }
    }

    // 7. single-topic guard: a one-topic registration before the first full one
    if (!addrs.has(brokerId) && size.topics === 1) {
      return { result: null, topicDataChanged: false, livenessChanged: false };
    }

    // 8. take the slot
    addrs.set(brokerId, brokerAddr);
    registerFirst = registerFirst || !oldAddr;

    // 9. who may publish topics
    const isMaster = brokerId === MASTER_ID;
    const isPrimeSlave = !isOldVersionBroker && !isMaster && brokerId === minId(addrs);

    // 10. topic data
    let topicDataChanged = false;
    if (isMaster || isPrimeSlave) {
      const brokerChanged = this.isBrokerTopicConfigChanged(clusterName, brokerAddr, dataVersion, dataVersionMissing);
      const plan: TopicDataPlan = {
        overwrite: registerFirst || brokerChanged,
        maskWrite: isPrimeSlave && brokerData.enableActingMaster,
        removeOthers: r.deleteTopicWithBrokerRegistration && size.mappings === 0,
      };
      topicDataChanged =
        staged && samePlan(staged.plan, plan) ? this.commitTopicData(staged) : this.writeTopicData(r, plan);
    }

    // 11. liveness (replaces the previous entry; its connections through other bridges stay)
    const key = addrKey(clusterName, brokerAddr);
    const previousLive = this.brokerLiveTable.get(key);
    const channels: BrokerChannels = new Map(previousLive?.channels);
    bindChannel(channels, r.channel);
    const livenessChanged = previousLive !== undefined && this.deadlineShowsIn(previousLive, r.now + r.heartbeatTimeoutMillis);
    this.brokerLiveTable.set(key, {
      clusterName,
      brokerAddr,
      lastUpdateTimestamp: r.now,
      heartbeatTimeoutMillis: r.heartbeatTimeoutMillis,
      dataVersion,
      dataVersionMissing,
      channels,
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
    const result = this.masterOf(clusterName, brokerId, addrs);
    if (minBrokerIdChanged) {
      result.minBrokerIdChange = {
        brokerName,
        brokerAddrs: addrsRecord(addrs),
        offlineBrokerAddr: null,
        enableActingMaster: brokerData.enableActingMaster,
      };
    }
    return { result, topicDataChanged, livenessChanged };
  }

  /**
   * An empty staging for the topic data of `r`, under the plan doRegisterBroker would follow if
   * `r` were applied now (steps 2 to 10 without changing anything); null when it would write none.
   * While `r` is staged, nothing the plan depends on may change (the caller holds back writes
   * concerning the broker), and the commit checks it again.
   */
  stagingFor(r: BrokerRegistration, size: RegistrationSize): StagedTopicData | null {
    const plan = this.planTopicData(r, size);
    return plan && { staging: new Staging(), plan, topics: [], mappingTopics: [], removals: 0, touched: false, pool: new Map() };
  }

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

  /**
   * Step 10 at once: the broker's queues and mappings as the registration carries them. Answers
   * whether it wrote anything that differs from what was there.
   */
  private writeTopicData(r: BrokerRegistration, plan: TopicDataPlan): boolean {
    const { brokerName } = r;
    const topicConfigTable = r.body.topicConfigTable ?? {};
    const mappingInfoMap = r.body.topicQueueMappingInfoMap ?? {};
    let touched = false;

    if (plan.removeOthers) {
      for (const [topic, queueDataMap] of this.topicQueueTable) {
        if (Object.hasOwn(topicConfigTable, topic) || !queueDataMap.has(brokerName)) continue;
        queueDataMap.delete(brokerName);
        this.queueRemovals++;
        touched = true;
        if (queueDataMap.isEmpty()) this.topicQueueTable.delete(topic);
      }
    }

    for (const [tableKey, config] of Object.entries(topicConfigTable)) {
      const topic = typeof config.topicName === "string" ? config.topicName : tableKey;
      const queueDataMap = this.topicQueueTable.get(topic);
      if (!plan.overwrite && queueDataMap?.has(brokerName)) continue;
      const queueData = this.queueDataOf(brokerName, config, plan);
      const previous = queueDataMap?.get(brokerName);
      if (!previous || !sameQueueData(previous, queueData)) touched = true;
      const shared = this.sharedQueueData(queueData);
      if (queueDataMap) queueDataMap.set(shared);
      else this.topicQueueTable.set(topic, TopicQueues.of(shared));
    }

    if (plan.overwrite) {
      for (const [topic, info] of Object.entries(mappingInfoMap)) {
        this.mappingsOf(topic).set(typeof info.bname === "string" ? info.bname : brokerName, copyMappingInfo(info));
        touched = true;
      }
    }
    return touched;
  }

  /**
   * Step 10 in slices, staged: what writeTopicData would write, invisible to readers until the
   * registration commits it. Writes that change nothing are not staged.
   */
  async stageTopicData(r: BrokerRegistration, staged: StagedTopicData, slices: Slices): Promise<void> {
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

  /** Makes every write of `staged` visible at once; answers whether any changes what routes show. */
  private commitTopicData(staged: StagedTopicData): boolean {
    staged.staging.commit();
    this.queueRemovals += staged.removals;
    return staged.touched;
  }

  /** Removes the topic's entries left empty by a finished staging (no reader shows them). */
  dropIfEmpty(topic: string): void {
    if (this.topicQueueTable.get(topic)?.isEmpty()) this.topicQueueTable.delete(topic);
  }

  /** Removes the topic's mappings entry left empty by a finished staging. */
  dropMappingsIfEmpty(topic: string): void {
    if (this.topicQueueMappingInfoTable.get(topic)?.isEmpty()) this.topicQueueMappingInfoTable.delete(topic);
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
  sharedQueueData(value: QueueData, poolOfNewBroker?: Map<string, QueueData>): QueueData {
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
  // liveness (PROTOCOL §4.8)
  // =============================================================================================

  /** BROKER_HEARTBEAT: `found` false when there is no live entry. */
  refreshBroker(clusterName: string, brokerAddr: string, now: number): { found: boolean; routeChanged: boolean } {
    const live = this.brokerLiveTable.get(addrKey(clusterName, brokerAddr));
    if (!live) return { found: false, routeChanged: false };
    const routeChanged = this.deadlineShowsIn(live, now + live.heartbeatTimeoutMillis);
    live.lastUpdateTimestamp = now;
    return { found: true, routeChanged };
  }

  queryDataVersion(query: DataVersionQuery): { answer: DataVersionAnswer; routeChanged: boolean } {
    const live = this.brokerLiveTable.get(addrKey(query.clusterName, query.brokerAddr));
    if (!live) return { answer: { changed: true, dataVersion: null }, routeChanged: false };
    const changed =
      query.dataVersion === null ||
      live.dataVersionMissing ||
      !sameDataVersion(live.dataVersion, query.dataVersion);
    const routeChanged = this.deadlineShowsIn(live, query.now + live.heartbeatTimeoutMillis);
    live.lastUpdateTimestamp = query.now;
    return { answer: { changed, dataVersion: copyDataVersion(live.dataVersion) }, routeChanged };
  }

  /**
   * The unregistration of every live entry matching `select` (as §4.8 builds it: the first
   * BrokerData of the entry's cluster whose address map holds the address), and the keys of the
   * selected entries that no BrokerData holds any more (see dropLiveEntries).
   */
  unregistrationsOf(select: (live: BrokerLiveEntry) => boolean): { requests: BrokerUnregistration[]; unheld: string[] } {
    const requests: BrokerUnregistration[] = [];
    const unheld: string[] = [];
    for (const [key, live] of this.brokerLiveTable) {
      if (!select(live)) continue;
      const request = this.findUnregistration(live.clusterName, live.brokerAddr);
      if (request) requests.push(request);
      else unheld.push(key);
    }
    return { requests, unheld };
  }

  /** Forgets live entries (and their filter servers) by key: entries no route shows. */
  dropLiveEntries(keys: string[]): void {
    for (const key of keys) {
      this.brokerLiveTable.delete(key);
      this.filterServerTable.delete(key);
    }
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

  // =============================================================================================
  // unregistration (PROTOCOL §4.4)
  // =============================================================================================

  /**
   * Removes the brokers' addresses, and then their queues from every topic (or the write bit, for
   * an acting-master group left without its master), in one step.
   */
  unregister(requests: BrokerUnregistration[]): MinBrokerIdChange[] {
    const { removed, masked, minBrokerIdChanges } = this.unlinkBrokers(requests);
    if (removed.size === 0 && masked.size === 0) return minBrokerIdChanges;
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
    return minBrokerIdChanges;
  }

  /**
   * The queue changes of `requests`, staged topic by topic in slices into `staged` (see
   * commitUnregistration). While they are staged, writes concerning these brokers must wait.
   */
  async stageUnregistration(requests: BrokerUnregistration[], staged: StagedUnregistration, slices: Slices): Promise<void> {
    const { removed, masked } = this.unlinkEffects(requests);
    if (removed.size === 0 && masked.size === 0) return;
    for (const [topic, queueDataMap] of this.topicQueueTable) {
      if (slices.due()) await slices.next();
      let stagedHere = false;
      for (const brokerName of removed) {
        if (!queueDataMap.has(brokerName)) continue;
        queueDataMap.stage(staged.staging, brokerName, null);
        staged.removals++;
        stagedHere = true;
      }
      for (const brokerName of masked) {
        const queueData = queueDataMap.get(brokerName);
        if (!queueData) continue;
        queueDataMap.stage(staged.staging, brokerName, this.writeMasked(queueData));
        stagedHere = true;
      }
      if (stagedHere) staged.topics.push(topic);
    }
  }

  /** Applies the unregistration whose queue changes were staged, and commits them, in one step. */
  commitUnregistration(requests: BrokerUnregistration[], staged: StagedUnregistration): MinBrokerIdChange[] {
    const { minBrokerIdChanges } = this.unlinkBrokers(requests);
    staged.staging.commit();
    this.queueRemovals += staged.removals;
    return minBrokerIdChanges;
  }

  private writeMasked(queueData: QueueData): QueueData {
    return this.sharedQueueData({ ...queueData, perm: queueData.perm & ~Perm.WRITE });
  }

  /**
   * The unregistrations' changes to every table but the topics': liveness, filter servers, broker
   * addresses, broker names. Answers the brokers whose queues go (`removed`) and those whose queues
   * lose the write bit (`masked`: an acting-master group left without a master), and the groups
   * still registered whose smallest id went (Java: the request's id was the group's smallest, and the
   * group kept members; the last such removal of a group names the offline address).
   */
  private unlinkBrokers(requests: BrokerUnregistration[]): {
    removed: Set<string>;
    masked: Set<string>;
    minBrokerIdChanges: MinBrokerIdChange[];
  } {
    const removed = new Set<string>();
    const reduced = new Set<string>();
    const offlineMin = new Map<string, string>();
    for (const request of requests) {
      const key = addrKey(request.clusterName, request.brokerAddr);
      this.brokerLiveTable.delete(key);
      this.filterServerTable.delete(key);

      const brokerData = this.brokerAddrTable.get(request.brokerName);
      if (!brokerData) continue;
      const wasMin = brokerData.brokerAddrs.size > 0 && request.brokerId === minId(brokerData.brokerAddrs);
      for (const [id, addr] of brokerData.brokerAddrs) {
        if (addr === request.brokerAddr) brokerData.brokerAddrs.delete(id);
      }
      if (wasMin && brokerData.brokerAddrs.size > 0) offlineMin.set(request.brokerName, request.brokerAddr);
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
    const minBrokerIdChanges: MinBrokerIdChange[] = [];
    for (const [brokerName, offlineBrokerAddr] of offlineMin) {
      // a later request of the batch may have emptied the group: Java then finds no BrokerData
      const brokerData = this.brokerAddrTable.get(brokerName);
      if (!brokerData) continue;
      minBrokerIdChanges.push({
        brokerName,
        brokerAddrs: addrsRecord(brokerData.brokerAddrs),
        offlineBrokerAddr,
        enableActingMaster: brokerData.enableActingMaster,
      });
    }
    return { removed, masked, minBrokerIdChanges };
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

  // =============================================================================================
  // reads (PROTOCOL §4.6, §4.7, §3.12, §3.13, §3.15)
  // =============================================================================================

  private brokerDataCopy(entry: BrokerDataEntry, addrs: Map<number, string> = entry.brokerAddrs): BrokerData {
    const copy: BrokerData = {
      cluster: entry.cluster,
      brokerName: entry.brokerName,
      brokerAddrs: addrsRecord(addrs),
      enableActingMaster: entry.enableActingMaster,
    };
    if (entry.zoneName !== null && entry.zoneName !== undefined) copy.zoneName = entry.zoneName;
    return copy;
  }

  /**
   * The route of PROTOCOL §4.6 as the next liveness sweep would leave it: addresses past their
   * deadline by the clock are left out with their filter servers, a broker group left with none of
   * its addresses is left out with its QueueData, and an acting-master group left without its
   * master loses the write bit.
   */
  getTopicRoute(topic: string): RouteReading {
    const queueDataMap = this.topicQueueTable.get(topic);
    if (!queueDataMap) return { route: null, validUntil: Infinity };
    const now = this.clock();
    let validUntil = Infinity;
    const queueDatas: QueueData[] = [];
    const brokerDatas: BrokerData[] = [];
    const filterServerTable: Record<string, string[]> = {};
    for (const queueData of queueDataMap.values()) {
      const entry = this.brokerAddrTable.get(queueData.brokerName);
      if (!entry) {
        queueDatas.push(copyQueueData(queueData));
        continue;
      }
      let shown = entry.brokerAddrs;
      for (const [id, addr] of entry.brokerAddrs) {
        const live = this.brokerLiveTable.get(addrKey(entry.cluster, addr));
        if (!live) continue;
        const deadline = deadlineOf(live);
        if (deadline >= now) {
          if (deadline < validUntil) validUntil = deadline;
          continue;
        }
        if (shown === entry.brokerAddrs) shown = new Map(shown);
        shown.delete(id);
      }
      const copy = copyQueueData(queueData);
      if (shown !== entry.brokerAddrs) {
        if (shown.size === 0) continue;
        if (entry.enableActingMaster && noMasterExists({ brokerAddrs: shown })) copy.perm &= ~Perm.WRITE;
      }
      queueDatas.push(copy);
      const brokerData = this.brokerDataCopy(entry, shown);
      brokerDatas.push(brokerData);
      if (this.filterServerTable.size === 0) continue;
      for (const addr of Object.values(brokerData.brokerAddrs)) {
        const servers = this.filterServerTable.get(addrKey(brokerData.cluster, addr));
        if (servers) filterServerTable[addr] = [...servers];
      }
    }
    if (brokerDatas.length === 0) return { route: null, validUntil };
    const route: TopicRouteData = { queueDatas, brokerDatas, filterServerTable };
    const mappings = this.topicQueueMappingInfoTable.get(topic)?.entries();
    if (mappings && mappings.length > 0) {
      route.topicQueueMappingByBroker = Object.fromEntries(mappings.map(([bname, info]) => [bname, copyMappingInfo(info)]));
    }
    return { route, validUntil };
  }

  getClusterInfo(): ClusterInfo {
    return {
      brokerAddrTable: Object.fromEntries(
        [...this.brokerAddrTable].map(([name, entry]) => [name, this.brokerDataCopy(entry)]),
      ),
      clusterAddrTable: Object.fromEntries(
        [...this.clusterAddrTable].map(([cluster, names]) => [cluster, [...names]]),
      ),
    };
  }

  getAllTopics(): string[] {
    const topics: string[] = [];
    // an entry without QueueData is a topic only staged so far, or one still to be tidied away
    for (const [topic, queueDataMap] of this.topicQueueTable) if (queueDataMap.size > 0) topics.push(topic);
    return topics;
  }

  getTopicsByCluster(cluster: string): string[] {
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

  getSystemTopicList(): TopicList {
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

  getUnitTopics(kind: UnitTopicKind): string[] {
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

  getBrokerLiveInfos(): BrokerLiveInfoView[] {
    // one pass over the groups instead of a search per entry; the first group holding an address
    // wins, as findUnregistration decides
    const brokerNames = new Map<string, string>();
    for (const brokerData of this.brokerAddrTable.values()) {
      for (const addr of brokerData.brokerAddrs.values()) {
        const key = addrKey(brokerData.cluster, addr);
        if (!brokerNames.has(key)) brokerNames.set(key, brokerData.brokerName);
      }
    }
    const views: BrokerLiveInfoView[] = [];
    for (const [key, live] of this.brokerLiveTable) {
      const view: BrokerLiveInfoView = {
        clusterName: live.clusterName,
        brokerAddr: live.brokerAddr,
        lastUpdateTimestamp: live.lastUpdateTimestamp,
        heartbeatTimeoutMillis: live.heartbeatTimeoutMillis,
        dataVersion: live.dataVersionMissing ? null : copyDataVersion(live.dataVersion),
        haServerAddr: live.haServerAddr,
      };
      const brokerName = brokerNames.get(key);
      if (brokerName !== undefined) view.brokerName = brokerName;
      views.push(view);
    }
    return views;
  }

  getBrokerMemberGroup(clusterName: string, brokerName: string): BrokerMemberGroup {
    const entry = this.brokerAddrTable.get(brokerName);
    return {
      cluster: clusterName,
      brokerName,
      brokerAddrs: entry ? addrsRecord(entry.brokerAddrs) : {},
    };
  }
}
