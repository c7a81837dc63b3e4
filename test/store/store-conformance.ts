/**
 * Conformance suite for the Store interface (PROTOCOL §3, §4, §6, §9). It talks to the store only
 * through the interface, so any implementation (embedded, Redis, ...) can run it unchanged:
 *
 *   describeStoreConformance("MyStore", async () => new MyStore(...), { cleanup: async (s) => ... });
 *
 * makeStore must return an empty store each time, reading routes with the real clock: each test
 * takes its timestamps from that clock, so liveness deadlines mean the same to every store.
 *
 * Where a store legitimately differs, its run names the tests to skip, with the reason, and the
 * store's own behaviour for that case is tested in its own file:
 *
 *   { skip: [{ reason: "…", tests: ["refreshRegistration > declines after …"] }] }
 *
 * A test is named by its describe block and its title, joined by " > ".
 */
import { afterAll, afterEach, beforeEach, describe as vitestDescribe, expect, it as vitestIt } from "vitest";
import { describeAccessConformance } from "./access-store-conformance";
import type { BrokerRegistration, RegistrationRefresh, Store } from "../../edge/store/store";
import type { DataVersion, QueueData, TopicConfig, TopicQueueMappingInfo } from "../../shared/model";

const T0 = 1_700_000_000_000;
const CLUSTER = "DefaultCluster";
const BROKER_A = "broker-a";
const BROKER_B = "broker-b";
const MASTER = "10.0.0.1:10911";
const MASTER_HA = "10.0.0.1:10912";
const SLAVE = "10.0.0.2:10911";
const SLAVE_HA = "10.0.0.2:10912";
const SLAVE2 = "10.0.0.3:10911";
const OTHER = "10.0.0.9:10911";

type TopicSpec = string | (Partial<TopicConfig> & { topicName: string });

interface RegOptions {
  clusterName?: string;
  brokerAddr?: string;
  brokerName?: string;
  brokerId?: number;
  haServerAddr?: string | null;
  zoneName?: string | null;
  heartbeatTimeoutMillis?: number;
  enableActingMaster?: boolean | null;
  topics?: TopicSpec[];
  dataVersion?: DataVersion | null;
  mappings?: Record<string, TopicQueueMappingInfo>;
  filterServerList?: string[] | null;
  channel?: string | null;
  deleteTopicWithBrokerRegistration?: boolean;
  now?: number;
}

export function dv(counter: number, stateVersion = 0, timestamp = T0): DataVersion {
  return { stateVersion, timestamp, counter };
}

function topicConfig(spec: TopicSpec): TopicConfig {
  const base: TopicConfig = {
    topicName: typeof spec === "string" ? spec : spec.topicName,
    readQueueNums: 8,
    writeQueueNums: 8,
    perm: 6,
    topicSysFlag: 0,
    topicFilterType: "SINGLE_TAG",
    order: false,
    attributes: {},
  };
  return typeof spec === "string" ? base : { ...base, ...spec };
}

/**
 * A registration with sensible defaults: master of broker-a at MASTER, topics TopicA and TopicB,
 * at a fixed time (T0, in 2023) unless told otherwise; readers of its routes need a clock to match.
 */
export function reg(o: RegOptions = {}): BrokerRegistration {
  return registrationAt(T0, o);
}

function registrationAt(defaultNow: number, o: RegOptions): BrokerRegistration {
  const brokerAddr = o.brokerAddr ?? MASTER;
  const topics = o.topics ?? ["TopicA", "TopicB"];
  return {
    clusterName: o.clusterName ?? CLUSTER,
    brokerAddr,
    brokerName: o.brokerName ?? BROKER_A,
    brokerId: o.brokerId ?? 0,
    haServerAddr: o.haServerAddr === undefined ? brokerAddr.replace(/:\d+$/, ":10912") : o.haServerAddr,
    zoneName: o.zoneName ?? null,
    heartbeatTimeoutMillis: o.heartbeatTimeoutMillis ?? 120_000,
    enableActingMaster: o.enableActingMaster === undefined ? false : o.enableActingMaster,
    body: {
      dataVersion: o.dataVersion === undefined ? dv(1) : o.dataVersion,
      topicConfigTable: Object.fromEntries(
        topics.map((t) => {
          const c = topicConfig(t);
          return [c.topicName, c];
        }),
      ),
      topicQueueMappingInfoMap: o.mappings ?? {},
      filterServerList: o.filterServerList === undefined ? [] : o.filterServerList,
    },
    channel: o.channel === undefined ? `ch-${brokerAddr}` : o.channel,
    deleteTopicWithBrokerRegistration: o.deleteTopicWithBrokerRegistration ?? false,
    now: o.now ?? defaultNow,
  };
}

function qd(brokerName: string, perm = 6, nums = 8, topicSysFlag = 0): QueueData {
  return { brokerName, readQueueNums: nums, writeQueueNums: nums, perm, topicSysFlag };
}

function sorted(values: string[]): string[] {
  return [...values].sort();
}

export interface ConformanceOptions {
  /** Runs after each test's store is closed. */
  cleanup?: (s: Store) => Promise<void>;
  /** Tests this store skips, by name, each group with the reason (see the top of this file). */
  skip?: { reason: string; tests: string[] }[];
}

export function describeStoreConformance(
  name: string,
  makeStore: () => Promise<Store>,
  options: ConformanceOptions = {},
): void {
  const skips = new Map<string, string>();
  for (const { reason, tests } of options.skip ?? []) for (const test of tests) skips.set(test, reason);
  /** The describe blocks around the tests being declared (vitest runs each block's body later, on its own). */
  let groups: string[] = [];
  const seen = new Set<string>();

  // The suite's own describe and it: they know each test's name, and skip the tests `skip` names.
  const describe = (title: string, body: () => void): void => {
    const path = [...groups, title];
    vitestDescribe(title, () => {
      groups = path;
      body();
    });
  };
  const it = (title: string, test: () => Promise<void>): void => {
    const testName = [...groups, title].join(" > ");
    seen.add(testName);
    const reason = skips.get(testName);
    if (reason === undefined) vitestIt(title, test);
    else vitestIt.skip(`${title} (skipped: ${reason})`, test);
  };

  vitestDescribe(`Store conformance: ${name}`, () => {
    afterAll(() => {
      const unknown = [...skips.keys()].filter((test) => !seen.has(test));
      if (unknown.length > 0) throw new Error(`skip names tests the suite does not have: ${unknown.join("; ")}`);
    });

    let store: Store;
    /** When the test began, by the real clock: the test's timestamps are around it. */
    let T0 = 0;
    /** reg() at T0. */
    const reg = (o: RegOptions = {}): BrokerRegistration => registrationAt(T0, o);

    beforeEach(async () => {
      store = await makeStore();
      T0 = Date.now();
    });

    afterEach(async () => {
      await store.close();
      if (options.cleanup) await options.cleanup(store);
    });

    /** The address map of the only BrokerData of a topic's route (null when no route). */
    async function addrsOf(topic: string): Promise<Record<string, string> | null> {
      const route = await store.getTopicRoute(topic);
      if (!route) return null;
      expect(route.brokerDatas).toHaveLength(1);
      return route.brokerDatas[0].brokerAddrs;
    }

    async function permOf(topic: string, brokerName = BROKER_A): Promise<number | undefined> {
      const route = await store.getTopicRoute(topic);
      return route?.queueDatas.find((q) => q.brokerName === brokerName)?.perm;
    }

    async function isLive(clusterName: string, brokerAddr: string): Promise<boolean> {
      const answer = await store.queryDataVersion({ clusterName, brokerAddr, dataVersion: null, now: T0 });
      return answer.dataVersion !== null;
    }

    // -------------------------------------------------------------------------------------------
    describe("registration", () => {
      it("a first registration publishes QueueData and BrokerData", async () => {
        const result = await store.registerBroker(reg());
        expect(result).toEqual({});
        const route = await store.getTopicRoute("TopicA");
        expect(route).toEqual({
          queueDatas: [qd(BROKER_A)],
          brokerDatas: [
            { cluster: CLUSTER, brokerName: BROKER_A, brokerAddrs: { "0": MASTER }, enableActingMaster: false },
          ],
          filterServerTable: {},
        });
        expect(route?.topicQueueMappingByBroker).toBeUndefined();
        expect(sorted(await store.getAllTopics())).toEqual(["TopicA", "TopicB"]);
      });

      it("stores the registered queue numbers, perm and sys flag", async () => {
        await store.registerBroker(
          reg({ topics: [{ topicName: "T1", readQueueNums: 4, writeQueueNums: 2, perm: 7, topicSysFlag: 1 }, "T2"] }),
        );
        const route = await store.getTopicRoute("T1");
        expect(route?.queueDatas).toEqual([
          { brokerName: BROKER_A, readQueueNums: 4, writeQueueNums: 2, perm: 7, topicSysFlag: 1 },
        ]);
      });

      it("records the zone name and overwrites it on every registration", async () => {
        await store.registerBroker(reg({ zoneName: "zone-1" }));
        let route = await store.getTopicRoute("TopicA");
        expect(route?.brokerDatas[0].zoneName).toBe("zone-1");
        await store.registerBroker(reg({ zoneName: null, now: T0 + 1 }));
        route = await store.getTopicRoute("TopicA");
        expect(route?.brokerDatas[0]).not.toHaveProperty("zoneName");
      });

      it("records the live DataVersion as sent", async () => {
        await store.registerBroker(reg({ dataVersion: dv(7, 2, T0 + 5) }));
        const answer = await store.queryDataVersion({
          clusterName: CLUSTER,
          brokerAddr: MASTER,
          dataVersion: dv(7, 2, T0 + 5),
          now: T0,
        });
        expect(answer).toEqual({ changed: false, dataVersion: dv(7, 2, T0 + 5) });
      });

      it("an unchanged DataVersion only refreshes liveness and keeps a wiped perm", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 60_000 }));
        expect(await store.wipeWritePerm(BROKER_A)).toBe(2);
        expect(await permOf("TopicA")).toBe(4);
        // same version, different configs: not applied
        await store.registerBroker(
          reg({
            heartbeatTimeoutMillis: 60_000,
            now: T0 + 50_000,
            topics: [{ topicName: "TopicA", readQueueNums: 16, writeQueueNums: 16 }, "TopicB"],
          }),
        );
        expect(await permOf("TopicA")).toBe(4);
        expect((await store.getTopicRoute("TopicA"))?.queueDatas[0].readQueueNums).toBe(8);
        // liveness was refreshed by the second registration
        expect(await store.expireBrokers(T0 + 90_000)).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
      });

      it("a changed DataVersion rewrites QueueData", async () => {
        await store.registerBroker(reg());
        await store.wipeWritePerm(BROKER_A);
        await store.registerBroker(
          reg({
            dataVersion: dv(2),
            now: T0 + 1,
            topics: [{ topicName: "TopicA", readQueueNums: 16, writeQueueNums: 16 }, "TopicB"],
          }),
        );
        const route = await store.getTopicRoute("TopicA");
        expect(route?.queueDatas).toEqual([qd(BROKER_A, 6, 16)]);
        expect(await permOf("TopicB")).toBe(6);
      });

      it("a different timestamp alone counts as a change", async () => {
        await store.registerBroker(reg({ dataVersion: dv(1, 0, T0) }));
        await store.wipeWritePerm(BROKER_A);
        await store.registerBroker(reg({ dataVersion: dv(1, 0, T0 + 1) }));
        expect(await permOf("TopicA")).toBe(6);
      });

      it("a registration without a DataVersion is always treated as changed", async () => {
        await store.registerBroker(reg({ dataVersion: null }));
        await store.wipeWritePerm(BROKER_A);
        await store.registerBroker(reg({ dataVersion: null, now: T0 + 1000 }));
        expect(await permOf("TopicA")).toBe(6);
      });

      it("taking an empty slot counts as a first registration even with an unchanged DataVersion", async () => {
        await store.registerBroker(reg());
        await store.wipeWritePerm(BROKER_A);
        // the same address moves to id 1 (slot 0 empties), then back to id 0, same DataVersion
        await store.registerBroker(reg({ brokerId: 1, now: T0 + 1 }));
        expect(await permOf("TopicA")).toBe(6);
        expect(await addrsOf("TopicA")).toEqual({ "1": MASTER });
        await store.wipeWritePerm(BROKER_A);
        await store.registerBroker(reg({ brokerId: 1, now: T0 + 2 }));
        expect(await permOf("TopicA")).toBe(4);
        await store.registerBroker(reg({ brokerId: 0, now: T0 + 3 }));
        expect(await permOf("TopicA")).toBe(6);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
      });

      it("re-adds topics whose queue map lacks the broker even with an unchanged DataVersion", async () => {
        await store.registerBroker(reg());
        await store.deleteTopic("TopicA", null);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        await store.wipeWritePerm(BROKER_A);
        await store.registerBroker(reg({ now: T0 + 1, topics: ["TopicA", "TopicB", "TopicC"] }));
        expect(await permOf("TopicA")).toBe(6);
        expect(await permOf("TopicC")).toBe(6);
        // TopicB still had the broker: left alone
        expect(await permOf("TopicB")).toBe(4);
      });

      it("keeps the same address in two clusters as separate live entries", async () => {
        await store.registerBroker(reg({ clusterName: "C1", brokerName: BROKER_A, dataVersion: dv(1) }));
        await store.registerBroker(
          reg({ clusterName: "C2", brokerName: BROKER_B, dataVersion: dv(9), topics: ["TopicX", "TopicY"] }),
        );
        const c1 = await store.queryDataVersion({ clusterName: "C1", brokerAddr: MASTER, dataVersion: dv(1), now: T0 });
        const c2 = await store.queryDataVersion({ clusterName: "C2", brokerAddr: MASTER, dataVersion: dv(1), now: T0 });
        expect(c1).toEqual({ changed: false, dataVersion: dv(1) });
        expect(c2).toEqual({ changed: true, dataVersion: dv(9) });

        await store.unregisterBrokers([{ clusterName: "C2", brokerAddr: MASTER, brokerName: BROKER_B, brokerId: 0 }]);
        expect(await store.getTopicRoute("TopicX")).toBeNull();
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await isLive("C1", MASTER)).toBe(true);
        expect(await isLive("C2", MASTER)).toBe(false);
        expect((await store.getClusterInfo()).clusterAddrTable).toEqual({ C1: [BROKER_A] });
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("refreshRegistration", () => {
      /** The store's optional refresh (a store without one skips these tests by name). */
      function refreshRegistration(refresh: RegistrationRefresh) {
        if (!store.refreshRegistration) throw new Error("the store has no refreshRegistration: skip these tests by name, with the reason");
        return store.refreshRegistration(refresh);
      }

      /** The refresh announcing the body of reg() by the digest "d1". */
      function refresh(o: Partial<RegistrationRefresh> = {}): RegistrationRefresh {
        const { body: _body, bodyDigest: _digest, deleteTopicWithBrokerRegistration: _delete, ...identity } = reg();
        return { ...identity, bodyDigest: "d1", ...o };
      }

      it("refreshes liveness only for the same body, as registering it again would", async () => {
        expect(await refreshRegistration(refresh())).toBeNull();
        // a full registration without a digest records none
        await store.registerBroker(reg());
        expect(await refreshRegistration(refresh())).toBeNull();
        await store.registerBroker({ ...reg(), bodyDigest: "d1" });
        const stamp = (await store.getTopicRouteIfChanged("TopicA", null))!.stamp;
        expect(await refreshRegistration(refresh({ bodyDigest: "other" }))).toBeNull();
        expect(await refreshRegistration(refresh({ zoneName: "zone-x" }))).toBeNull();
        expect(await refreshRegistration(refresh({ enableActingMaster: true }))).toBeNull();
        expect(await refreshRegistration(refresh({ enableActingMaster: null }))).toBeNull();
        expect(await refreshRegistration(refresh({ brokerId: 1 }))).toBeNull();
        expect(await refreshRegistration(refresh({ clusterName: "OtherCluster" }))).toBeNull();
        expect(await refreshRegistration(refresh({ now: T0 + 100_000, channel: "new", haServerAddr: null }))).toEqual({});
        // nothing a route shows changed
        expect(await store.getTopicRouteIfChanged("TopicA", stamp)).toBeNull();
        // liveness was refreshed: not expired where the first registration would have been
        expect(await store.expireBrokers(T0 + 150_000)).toEqual([]);
        // the refreshed haServerAddr (none) is what a slave learns
        expect(await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, now: T0 + 100_000 }))).toEqual({ masterAddr: MASTER });
        // and the refreshed channel is the current one, the old one no longer
        expect(await store.unregisterChannel(`ch-${MASTER}`)).toEqual([]);
        expect(await store.unregisterChannel("new")).toHaveLength(1);
        expect(await refreshRegistration(refresh())).toBeNull();
      });

      it("records its connection for its bridge, keeping the other bridges' connections", async () => {
        await store.registerBroker({ ...reg({ channel: "bridgeA-1" }), bodyDigest: "d1" });
        expect(await refreshRegistration(refresh({ channel: "bridgeB-1", now: T0 + 1 }))).toEqual({});
        expect(await refreshRegistration(refresh({ channel: "bridgeA-2", now: T0 + 2 }))).toEqual({});
        expect(await store.unregisterChannel("bridgeA-1")).toEqual([]);
        expect(await store.unregisterChannel("bridgeA-2")).toEqual([]);
        expect(await isLive(CLUSTER, MASTER)).toBe(true);
        expect(await store.unregisterChannel("bridgeB-1")).toHaveLength(1);
      });

      it("declines after a topic of the broker was deleted, so the full registration re-adds it", async () => {
        await store.registerBroker({ ...reg(), bodyDigest: "d1" });
        await store.deleteTopic("TopicA", null);
        expect(await refreshRegistration(refresh())).toBeNull();
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        await store.registerBroker({ ...reg(), bodyDigest: "d1" });
        expect(await store.getTopicRoute("TopicA")).not.toBeNull();
        expect(await refreshRegistration(refresh())).toEqual({});
      });

      it("declines after a registration without a DataVersion (the full one would rewrite every topic)", async () => {
        await store.registerBroker({ ...reg({ dataVersion: null }), bodyDigest: "d1" });
        expect(await refreshRegistration(refresh())).toBeNull();
      });

      it("answers a slave with its live master, like a registration", async () => {
        await store.registerBroker({ ...reg(), bodyDigest: "m" });
        await store.registerBroker({ ...reg({ brokerAddr: SLAVE, brokerId: 1 }), bodyDigest: "s" });
        const answer = await refreshRegistration(refresh({ brokerAddr: SLAVE, brokerId: 1, bodyDigest: "s", channel: `ch-${SLAVE}` }));
        expect(answer).toEqual({ haServerAddr: MASTER_HA, masterAddr: MASTER });
        expect(await refreshRegistration(refresh({ bodyDigest: "m" }))).toEqual({});
      });

      it("a refresh of a broker past its deadline brings it back into routes", async () => {
        await store.registerBroker({ ...reg({ heartbeatTimeoutMillis: 60_000, now: T0 - 61_000 }), bodyDigest: "d1" });
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        const hidden = await store.getTopicRouteIfChanged("TopicA", null);
        expect(hidden!.route!.brokerDatas[0].brokerAddrs).toEqual({ "1": SLAVE });
        // by a clock a little behind the reader's
        expect(await refreshRegistration(refresh({ heartbeatTimeoutMillis: 60_000, now: T0 - 2000 }))).toEqual({});
        const back = await store.getTopicRouteIfChanged("TopicA", hidden!.stamp);
        expect(back).not.toBeNull();
        expect(back!.route!.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER, "1": SLAVE });
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("master and slave", () => {
      it("a slave of a live master gets haServerAddr and masterAddr", async () => {
        expect(await store.registerBroker(reg())).toEqual({});
        const result = await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        expect(result).toEqual({ haServerAddr: MASTER_HA, masterAddr: MASTER });
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER, "1": SLAVE });
      });

      it("a slave registered before its master gets an empty result", async () => {
        const result = await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        expect(result).toEqual({});
        expect(result).not.toHaveProperty("masterAddr");
      });

      it("a slave does not publish topics while the master is registered", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(
          reg({ brokerAddr: SLAVE, brokerId: 1, dataVersion: dv(5), topics: ["TopicA", "TopicB", "SlaveOnly"] }),
        );
        expect(await store.getTopicRoute("SlaveOnly")).toBeNull();
        expect(sorted(await store.getAllTopics())).toEqual(["TopicA", "TopicB"]);
      });

      it("a topic registered later by the master shows both addresses", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        await store.registerBroker(reg({ dataVersion: dv(2), topics: ["TopicA", "TopicB", "TopicNew"], now: T0 + 1 }));
        expect(await addrsOf("TopicNew")).toEqual({ "0": MASTER, "1": SLAVE });
      });

      it("role switch: the slave becomes master, the old master comes back as slave", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
        expect(await addrsOf("TopicA")).toEqual({ "1": SLAVE });

        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 0, dataVersion: dv(2), now: T0 + 1 }));
        expect(await addrsOf("TopicA")).toEqual({ "0": SLAVE });

        const result = await store.registerBroker(reg({ brokerAddr: MASTER, brokerId: 1, dataVersion: dv(3), now: T0 + 2 }));
        expect(await addrsOf("TopicA")).toEqual({ "0": SLAVE, "1": MASTER });
        expect(result).toEqual({ haServerAddr: SLAVE_HA, masterAddr: SLAVE });
      });

      it("an address registering under a new id gives up its old id", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 0, dataVersion: dv(2), now: T0 + 1 }));
        expect(await addrsOf("TopicA")).toEqual({ "0": SLAVE });
        expect((await store.getBrokerMemberGroup(CLUSTER, BROKER_A)).brokerAddrs).toEqual({ "0": SLAVE });
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("guards", () => {
      it("conflict guard: a newer stateVersion keeps the slot and the newcomer is not live", async () => {
        await store.registerBroker(reg({ dataVersion: dv(1, 5) }));
        await store.registerBroker(reg({ brokerAddr: OTHER, brokerId: 1, dataVersion: dv(1, 3) }));
        expect(await isLive(CLUSTER, OTHER)).toBe(true);

        const result = await store.registerBroker(reg({ brokerAddr: OTHER, brokerId: 0, dataVersion: dv(2, 3), now: T0 + 1 }));
        expect(result).toEqual({});
        expect(await isLive(CLUSTER, OTHER)).toBe(false);
        // the role-switch step had already removed OTHER's old id
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await isLive(CLUSTER, MASTER)).toBe(true);
      });

      it("conflict guard: an equal or higher stateVersion takes the slot", async () => {
        await store.registerBroker(reg({ dataVersion: dv(1, 5) }));
        const result = await store.registerBroker(reg({ brokerAddr: OTHER, brokerId: 0, dataVersion: dv(1, 5) }));
        expect(result).toEqual({});
        expect(await addrsOf("TopicA")).toEqual({ "0": OTHER });
        expect(await isLive(CLUSTER, OTHER)).toBe(true);
      });

      it("single-topic guard: a one-topic registration before the first full one is rejected", async () => {
        const result = await store.registerBroker(reg({ topics: ["Lonely"] }));
        expect(result).toBeNull();
        expect(await store.getTopicRoute("Lonely")).toBeNull();
        expect(await isLive(CLUSTER, MASTER)).toBe(false);
        expect((await store.getBrokerMemberGroup(CLUSTER, BROKER_A)).brokerAddrs).toEqual({});
      });

      it("single-topic guard: a one-topic registration of a known broker is accepted", async () => {
        await store.registerBroker(reg());
        const result = await store.registerBroker(reg({ topics: ["Lonely"], dataVersion: dv(2), now: T0 + 1 }));
        expect(result).toEqual({});
        expect(await addrsOf("Lonely")).toEqual({ "0": MASTER });
      });

      it("registrations with zero topics are accepted", async () => {
        const result = await store.registerBroker(reg({ topics: [] }));
        expect(result).toEqual({});
        expect(await isLive(CLUSTER, MASTER)).toBe(true);
        expect((await store.getClusterInfo()).brokerAddrTable[BROKER_A].brokerAddrs).toEqual({ "0": MASTER });
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("prime slave", () => {
      it("enableActingMaster=true: a slave-only group publishes its topics without the write bit", async () => {
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true }));
        expect(await addrsOf("TopicA")).toEqual({ "1": SLAVE });
        expect(await permOf("TopicA")).toBe(4);
        expect((await store.getTopicRoute("TopicA"))?.brokerDatas[0].enableActingMaster).toBe(true);
      });

      it("enableActingMaster=false: a slave-only group publishes its topics writeable", async () => {
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: false }));
        expect(await addrsOf("TopicA")).toEqual({ "1": SLAVE });
        expect(await permOf("TopicA")).toBe(6);
      });

      it("enableActingMaster=null (4.x broker): a slave never publishes topics", async () => {
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: null }));
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        expect(await store.getAllTopics()).toEqual([]);
        const info = await store.getClusterInfo();
        expect(info.brokerAddrTable[BROKER_A]).toEqual({
          cluster: CLUSTER,
          brokerName: BROKER_A,
          brokerAddrs: { "1": SLAVE },
          enableActingMaster: false,
        });
      });

      it("only the lowest-id slave publishes", async () => {
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true }));
        await store.registerBroker(
          reg({ brokerAddr: SLAVE2, brokerId: 2, enableActingMaster: true, topics: ["TopicA", "TopicB", "FromTwo"] }),
        );
        expect(await store.getTopicRoute("FromTwo")).toBeNull();
        expect(await addrsOf("TopicA")).toEqual({ "1": SLAVE, "2": SLAVE2 });
      });

      it("slave only → not writeable; master back → writeable; master gone → not writeable", async () => {
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true }));
        expect(await permOf("TopicA")).toBe(4);
        await store.registerBroker(reg({ enableActingMaster: true, now: T0 + 1 }));
        expect(await permOf("TopicA")).toBe(6);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER, "1": SLAVE });
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
        expect(await permOf("TopicA")).toBe(4);
        await store.registerBroker(reg({ enableActingMaster: true, now: T0 + 2 }));
        expect(await permOf("TopicA")).toBe(6);
      });

      it("two groups where one lost its master: only that one changes", async () => {
        await store.registerBroker(reg({ enableActingMaster: true }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true }));
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: "10.0.1.1:10911", enableActingMaster: true }));
        await store.registerBroker(
          reg({ brokerName: BROKER_B, brokerAddr: "10.0.1.2:10911", brokerId: 1, enableActingMaster: true }),
        );
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
        const route = await store.getTopicRoute("TopicA");
        const a = route?.brokerDatas.find((b) => b.brokerName === BROKER_A);
        const b = route?.brokerDatas.find((b) => b.brokerName === BROKER_B);
        expect(a?.brokerAddrs).toEqual({ "1": SLAVE });
        expect(b?.brokerAddrs).toEqual({ "0": "10.0.1.1:10911", "1": "10.0.1.2:10911" });
        expect(await permOf("TopicA", BROKER_A)).toBe(4);
        expect(await permOf("TopicA", BROKER_B)).toBe(6);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("deleteTopicWithBrokerRegistration", () => {
      it("false: a registration without a topic keeps it", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ topics: ["TopicA", "TopicC"], dataVersion: dv(2), now: T0 + 1 }));
        expect(await addrsOf("TopicB")).toEqual({ "0": MASTER });
      });

      it("true: a registration without a topic removes the broker's queues", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(
          reg({ topics: ["TopicA", "TopicC"], dataVersion: dv(2), now: T0 + 1, deleteTopicWithBrokerRegistration: true }),
        );
        expect(await store.getTopicRoute("TopicB")).toBeNull();
        expect(sorted(await store.getAllTopics())).toEqual(["TopicA", "TopicC"]);
      });

      it("true: the topic keeps the other broker until it re-registers without it", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER }));
        await store.registerBroker(
          reg({ topics: ["TopicA", "TopicC"], dataVersion: dv(2), deleteTopicWithBrokerRegistration: true }),
        );
        let route = await store.getTopicRoute("TopicB");
        expect(route?.queueDatas.map((q) => q.brokerName)).toEqual([BROKER_B]);
        await store.registerBroker(
          reg({
            brokerName: BROKER_B,
            brokerAddr: OTHER,
            topics: ["TopicA", "TopicC"],
            dataVersion: dv(2),
            deleteTopicWithBrokerRegistration: true,
          }),
        );
        route = await store.getTopicRoute("TopicB");
        expect(route).toBeNull();
      });

      it("true: not applied when the registration carries static-topic mappings", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(
          reg({
            topics: ["TopicA", "TopicC"],
            dataVersion: dv(2),
            deleteTopicWithBrokerRegistration: true,
            mappings: { TopicA: { topic: "TopicA", bname: BROKER_A, epoch: 1, totalQueues: 8 } },
          }),
        );
        expect(await addrsOf("TopicB")).toEqual({ "0": MASTER });
      });

      it("true: registerTopic adds a topic, a full registration without it removes it", async () => {
        await store.registerTopic("Extra", [qd(BROKER_A)]);
        expect(await store.getTopicRoute("Extra")).toBeNull();
        await store.registerBroker(reg({ deleteTopicWithBrokerRegistration: true }));
        await store.registerTopic("Extra", [qd(BROKER_A)]);
        expect(await addrsOf("Extra")).toEqual({ "0": MASTER });
        await store.registerBroker(reg({ deleteTopicWithBrokerRegistration: true, now: T0 + 1 }));
        expect(await store.getTopicRoute("Extra")).toBeNull();
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
        expect(await store.getAllTopics()).toEqual([]);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("unregisterBrokers", () => {
      it("unregistering the only broker removes its topics, broker and cluster", async () => {
        await store.registerBroker(reg());
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        expect(await store.getTopicRoute("TopicB")).toBeNull();
        expect(await store.getAllTopics()).toEqual([]);
        expect(await store.getClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
        expect(await isLive(CLUSTER, MASTER)).toBe(false);
      });

      it("removes by address, not by id", async () => {
        await store.registerBroker(reg());
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 7 }]);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
      });

      it("a request whose address the broker does not hold keeps the broker", async () => {
        await store.registerBroker(reg());
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: OTHER, brokerName: BROKER_A, brokerId: 0 }]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
      });

      it("unregistering the slave leaves the master", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: SLAVE, brokerName: BROKER_A, brokerId: 1 }]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await permOf("TopicA")).toBe(6);
      });

      it("master unregistered with acting master on: write bit cleared", async () => {
        await store.registerBroker(reg({ enableActingMaster: true }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true }));
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
        expect(await addrsOf("TopicA")).toEqual({ "1": SLAVE });
        expect(await permOf("TopicA")).toBe(4);
        expect(await permOf("TopicB")).toBe(4);
      });

      it("master unregistered with acting master off: perm unchanged", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
        expect(await addrsOf("TopicA")).toEqual({ "1": SLAVE });
        expect(await permOf("TopicA")).toBe(6);
      });

      it("an emptied group removes the broker name but keeps the cluster's other brokers", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER, topics: ["TopicA", "TopicZ"] }));
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
        const info = await store.getClusterInfo();
        expect(Object.keys(info.brokerAddrTable)).toEqual([BROKER_B]);
        expect(info.clusterAddrTable).toEqual({ [CLUSTER]: [BROKER_B] });
        expect(await store.getTopicRoute("TopicB")).toBeNull();
        const route = await store.getTopicRoute("TopicA");
        expect(route?.queueDatas).toEqual([qd(BROKER_B)]);
      });

      it("a batch of two brokers removes both", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER, topics: ["TopicX", "TopicY"] }));
        await store.unregisterBrokers([
          { clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 },
          { clusterName: CLUSTER, brokerAddr: OTHER, brokerName: BROKER_B, brokerId: 0 },
        ]);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        expect(await store.getTopicRoute("TopicX")).toBeNull();
        expect(await store.getClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
      });

      it("unknown brokers and empty batches are harmless", async () => {
        await store.registerBroker(reg());
        await store.unregisterBrokers([]);
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: OTHER, brokerName: "nope", brokerId: 0 }]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await permOf("TopicA")).toBe(6);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("unregisterChannel", () => {
      it("closing the master's then the slave's connection", async () => {
        await store.registerBroker(reg({ channel: "ch-m" }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, channel: "ch-s" }));
        expect(await store.unregisterChannel("ch-m")).toEqual([
          {
            clusterName: CLUSTER,
            brokerAddr: MASTER,
            brokerName: BROKER_A,
            brokerId: 0,
            minBrokerIdChange: { brokerName: BROKER_A, brokerAddrs: { "1": SLAVE }, offlineBrokerAddr: MASTER, enableActingMaster: false },
          },
        ]);
        expect(await addrsOf("TopicA")).toEqual({ "1": SLAVE });
        expect(await store.unregisterChannel("ch-s")).toEqual([
          { clusterName: CLUSTER, brokerAddr: SLAVE, brokerName: BROKER_A, brokerId: 1 },
        ]);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
      });

      it("closing an older connection of a re-registered broker does nothing", async () => {
        await store.registerBroker(reg({ channel: "ch-old" }));
        await store.registerBroker(reg({ channel: "ch-new", now: T0 + 1 }));
        expect(await store.unregisterChannel("ch-old")).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await isLive(CLUSTER, MASTER)).toBe(true);
        expect(await store.unregisterChannel("ch-new")).toHaveLength(1);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
      });

      const M = { clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 };

      it("a broker registered through two bridges stays routed until its last connection closes", async () => {
        await store.registerBroker(reg({ channel: "bridgeA-1" }));
        await store.registerBroker(reg({ channel: "bridgeB-1", now: T0 + 1 }));
        // the connection of the latest registration first
        expect(await store.unregisterChannel("bridgeB-1")).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await isLive(CLUSTER, MASTER)).toBe(true);
        expect(await store.unregisterChannel("bridgeB-1")).toEqual([]);
        expect(await store.unregisterChannel("bridgeA-1")).toEqual([M]);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        expect(await isLive(CLUSTER, MASTER)).toBe(false);
      });

      it("either order of closing the two bridges' connections", async () => {
        await store.registerBroker(reg({ channel: "bridgeA-1" }));
        await store.registerBroker(reg({ channel: "bridgeB-1", now: T0 + 1 }));
        await store.registerBroker(reg({ channel: "bridgeA-1", now: T0 + 2 }));
        expect(await store.unregisterChannel("bridgeA-1")).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await store.unregisterChannel("bridgeB-1")).toEqual([M]);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
      });

      it("a reconnect replaces its bridge's channel: the stale close is ignored, the new one counts", async () => {
        await store.registerBroker(reg({ channel: "bridgeA-1" }));
        await store.registerBroker(reg({ channel: "bridgeB-1", now: T0 + 1 }));
        await store.registerBroker(reg({ channel: "bridgeA-2", now: T0 + 2 }));
        expect(await store.unregisterChannel("bridgeA-1")).toEqual([]);
        expect(await store.unregisterChannel("bridgeB-1")).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        // bridge A's old connection no longer counts: closing the new one is closing the last
        expect(await store.unregisterChannel("bridgeA-2")).toEqual([M]);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
      });

      it("a stale close arriving after the other bridge's connection closed is still ignored", async () => {
        await store.registerBroker(reg({ channel: "bridgeA-1" }));
        await store.registerBroker(reg({ channel: "bridgeB-1", now: T0 + 1 }));
        await store.registerBroker(reg({ channel: "bridgeA-2", now: T0 + 2 }));
        expect(await store.unregisterChannel("bridgeB-1")).toEqual([]);
        expect(await store.unregisterChannel("bridgeA-1")).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await store.unregisterChannel("bridgeA-2")).toEqual([M]);
      });

      it("each live entry keeps its own connections", async () => {
        await store.registerBroker(reg({ channel: "bridgeA-1" }));
        await store.registerBroker(reg({ channel: "bridgeB-1" }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, channel: "bridgeA-1" }));
        expect(await store.unregisterChannel("bridgeA-1")).toEqual([
          { clusterName: CLUSTER, brokerAddr: SLAVE, brokerName: BROKER_A, brokerId: 1 },
        ]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await store.unregisterChannel("bridgeB-1")).toEqual([M]);
      });

      it("a registration without a channel leaves the broker to expiry", async () => {
        await store.registerBroker(reg({ channel: "bridgeA-1" }));
        await store.registerBroker(reg({ channel: "bridgeB-1" }));
        await store.registerBroker(reg({ channel: null, now: T0 + 1 }));
        expect(await store.unregisterChannel("bridgeA-1")).toEqual([]);
        expect(await store.unregisterChannel("bridgeB-1")).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
      });

      it("an unregistration forgets every connection of the entry", async () => {
        await store.registerBroker(reg({ channel: "bridgeA-1" }));
        await store.registerBroker(reg({ channel: "bridgeB-1" }));
        await store.unregisterBrokers([M]);
        await store.registerBroker(reg({ channel: "bridgeA-1", now: T0 + 1 }));
        expect(await store.unregisterChannel("bridgeA-1")).toEqual([M]);
      });

      it("a connection that never registered a broker does nothing", async () => {
        await store.registerBroker(reg({ channel: "ch-1" }));
        expect(await store.unregisterChannel("client-connection")).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("min broker id changes (NOTIFY_MIN_BROKER_ID_CHANGE)", () => {
      const change = (brokerAddrs: Record<string, string>, offlineBrokerAddr: string | null, enableActingMaster = true) => ({
        brokerName: BROKER_A,
        brokerAddrs,
        offlineBrokerAddr,
        enableActingMaster,
      });

      it("a registration with an id below the group's smallest reports the group as it now is", async () => {
        expect((await store.registerBroker(reg({ brokerAddr: SLAVE2, brokerId: 2, enableActingMaster: true })))?.minBrokerIdChange).toBeUndefined();
        const slave = await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true }));
        expect(slave?.minBrokerIdChange).toEqual(change({ "1": SLAVE, "2": SLAVE2 }, null));
        const master = await store.registerBroker(reg({ enableActingMaster: false }));
        expect(master).toEqual({ minBrokerIdChange: change({ "0": MASTER, "1": SLAVE, "2": SLAVE2 }, null, false) });
      });

      it("no change: the first member, a larger id, a re-registration, a rejected registration", async () => {
        expect(await store.registerBroker(reg())).toEqual({});
        expect((await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 })))?.minBrokerIdChange).toBeUndefined();
        expect(await store.registerBroker(reg({ now: T0 + 1 }))).toEqual({});
        expect(await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER, brokerId: 1 }))).toEqual({});
        // the single-topic guard rejects id 0 of broker-b: nothing was registered, nothing changed
        expect(await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: SLAVE2, brokerId: 0, topics: ["TopicA"] }))).toBeNull();
      });

      it("unregistering the smallest id of a group that keeps members reports the rest and the offline address", async () => {
        await store.registerBroker(reg({ enableActingMaster: true }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true }));
        await store.registerBroker(reg({ brokerAddr: SLAVE2, brokerId: 2, enableActingMaster: true }));
        expect(await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: SLAVE2, brokerName: BROKER_A, brokerId: 2 }])).toEqual([]);
        expect(await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }])).toEqual([
          change({ "1": SLAVE }, MASTER),
        ]);
        // the last member: the group is gone, nobody to tell
        expect(await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: SLAVE, brokerName: BROKER_A, brokerId: 1 }])).toEqual([]);
      });

      it("reports the group's acting-master flag as it stands, and whether or not the flag is set", async () => {
        await store.registerBroker(reg({ enableActingMaster: false }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: false }));
        expect(await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }])).toEqual([
          change({ "1": SLAVE }, MASTER, false),
        ]);
      });

      it("as Java, the request's id is compared with the smallest, and the removal goes by address", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        // the master's address under the slave's id: removed, but not reported
        expect(await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 1 }])).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "1": SLAVE });
      });

      it("one batch: one report per group, as the batch leaves it; none for a group the batch empties", async () => {
        await store.registerBroker(reg({ enableActingMaster: true }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true }));
        await store.registerBroker(reg({ brokerAddr: SLAVE2, brokerId: 2, enableActingMaster: true }));
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER, topics: ["TopicB"] }));
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: "10.0.0.8:10911", brokerId: 1, topics: ["TopicB"] }));
        const changes = await store.unregisterBrokers([
          { clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 },
          { clusterName: CLUSTER, brokerAddr: SLAVE, brokerName: BROKER_A, brokerId: 1 },
          { clusterName: CLUSTER, brokerAddr: OTHER, brokerName: BROKER_B, brokerId: 0 },
          { clusterName: CLUSTER, brokerAddr: "10.0.0.8:10911", brokerName: BROKER_B, brokerId: 1 },
        ]);
        expect(changes).toEqual([change({ "2": SLAVE2 }, SLAVE)]);
      });

      it("a closed connection and an expiry report the change on the removal that made it", async () => {
        await store.registerBroker(reg({ enableActingMaster: true, channel: "ch-m", heartbeatTimeoutMillis: 1000 }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true, channel: "ch-s" }));
        await store.registerBroker(reg({ brokerAddr: SLAVE2, brokerId: 2, enableActingMaster: true, channel: "ch-s2" }));
        expect(await store.unregisterChannel("ch-s2")).toEqual([
          { clusterName: CLUSTER, brokerAddr: SLAVE2, brokerName: BROKER_A, brokerId: 2 },
        ]);
        expect(await store.expireBrokers(T0 + 5000)).toEqual([
          { clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0, minBrokerIdChange: change({ "1": SLAVE }, MASTER) },
        ]);
        // the master comes back: the slave is told by the registration's report
        expect((await store.registerBroker(reg({ enableActingMaster: true, now: T0 + 6000 })))?.minBrokerIdChange).toEqual(
          change({ "0": MASTER, "1": SLAVE }, null),
        );
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("liveness", () => {
      it("expireBrokers removes entries with lastUpdate + timeout < now", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 60_000 }));
        expect(await store.expireBrokers(T0 + 60_000)).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
        expect(await store.expireBrokers(T0 + 60_001)).toEqual([
          { clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 },
        ]);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        expect(await store.expireBrokers(T0 + 100_000)).toEqual([]);
      });

      it("each broker expires by its own timeout", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 60_000 }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, heartbeatTimeoutMillis: 1000 }));
        const expired = await store.expireBrokers(T0 + 5000);
        expect(expired).toEqual([{ clusterName: CLUSTER, brokerAddr: SLAVE, brokerName: BROKER_A, brokerId: 1 }]);
        expect(await addrsOf("TopicA")).toEqual({ "0": MASTER });
      });

      it("refreshBroker extends life; unknown brokers return false", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 1000 }));
        expect(await store.refreshBroker(CLUSTER, MASTER, T0 + 900)).toBe(true);
        expect(await store.expireBrokers(T0 + 1500)).toEqual([]);
        expect(await store.expireBrokers(T0 + 1901)).toHaveLength(1);
        expect(await store.refreshBroker(CLUSTER, MASTER, T0 + 2000)).toBe(false);
        expect(await store.refreshBroker("OtherCluster", MASTER, T0)).toBe(false);
      });

      it("a heartbeat keeps a broker of several connections alive; expiry removes it with all of them", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 1000, channel: "bridgeA-1" }));
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 1000, channel: "bridgeB-1", now: T0 + 100 }));
        expect(await store.refreshBroker(CLUSTER, MASTER, T0 + 900)).toBe(true);
        expect(await store.expireBrokers(T0 + 1500)).toEqual([]);
        expect(await store.expireBrokers(T0 + 1901)).toEqual([
          { clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 },
        ]);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        // bridge B's connection went with the entry: bridge A's new registration is the only one
        await store.registerBroker(reg({ channel: "bridgeA-1", now: T0 + 2000 }));
        expect(await store.unregisterChannel("bridgeA-1")).toHaveLength(1);
        expect(await store.unregisterChannel("bridgeB-1")).toEqual([]);
      });

      it("refreshBroker is keyed by cluster", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 1000 }));
        expect(await store.refreshBroker("OtherCluster", MASTER, T0 + 900)).toBe(false);
        expect(await store.expireBrokers(T0 + 1500)).toHaveLength(1);
      });

      it("queryDataVersion compares and extends life", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 1000, dataVersion: dv(3, 1, T0) }));
        const same = await store.queryDataVersion({
          clusterName: CLUSTER,
          brokerAddr: MASTER,
          dataVersion: dv(3, 1, T0),
          now: T0 + 900,
        });
        expect(same).toEqual({ changed: false, dataVersion: dv(3, 1, T0) });
        expect(await store.expireBrokers(T0 + 1500)).toEqual([]);

        const counter = await store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: dv(4, 1, T0), now: T0 + 900 });
        expect(counter.changed).toBe(true);
        expect(counter.dataVersion).toEqual(dv(3, 1, T0));
        const ts = await store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: dv(3, 1, T0 + 1), now: T0 + 900 });
        expect(ts.changed).toBe(true);
        const state = await store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: dv(3, 2, T0), now: T0 + 900 });
        expect(state.changed).toBe(true);
        const none = await store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: null, now: T0 + 900 });
        expect(none).toEqual({ changed: true, dataVersion: dv(3, 1, T0) });
      });

      it("queryDataVersion of an unknown broker: changed, no version", async () => {
        expect(
          await store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: dv(1), now: T0 }),
        ).toEqual({ changed: true, dataVersion: null });
      });

      it("an address that lost its slot is never reported as an unregistration", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 1000 }));
        await store.registerBroker(reg({ brokerAddr: OTHER, brokerId: 0, heartbeatTimeoutMillis: 60_000 }));
        expect(await addrsOf("TopicA")).toEqual({ "0": OTHER });
        expect(await store.expireBrokers(T0 + 2000)).toEqual([]);
        expect(await addrsOf("TopicA")).toEqual({ "0": OTHER });
        expect(await isLive(CLUSTER, OTHER)).toBe(true);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("broker live info (getBrokerLiveInfos)", () => {
      const byAddr = (a: { brokerAddr: string }, b: { brokerAddr: string }) => (a.brokerAddr < b.brokerAddr ? -1 : 1);

      it("lists each registered instance with its liveness, data version and HA address", async () => {
        expect(await store.getBrokerLiveInfos()).toEqual([]);
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 60_000, dataVersion: dv(3, 1, T0) }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, dataVersion: null, now: T0 + 10 }));
        await store.registerBroker(reg({ clusterName: "OtherCluster", brokerName: BROKER_B, brokerAddr: OTHER, haServerAddr: null }));
        expect((await store.getBrokerLiveInfos()).sort(byAddr)).toEqual([
          { clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, lastUpdateTimestamp: T0, heartbeatTimeoutMillis: 60_000, dataVersion: dv(3, 1, T0), haServerAddr: MASTER_HA },
          { clusterName: CLUSTER, brokerAddr: SLAVE, brokerName: BROKER_A, lastUpdateTimestamp: T0 + 10, heartbeatTimeoutMillis: 120_000, dataVersion: null, haServerAddr: SLAVE_HA },
          { clusterName: "OtherCluster", brokerAddr: OTHER, brokerName: BROKER_B, lastUpdateTimestamp: T0, heartbeatTimeoutMillis: 120_000, dataVersion: dv(1), haServerAddr: null },
        ]);
      });

      it("a heartbeat, a data-version query and a re-registration move lastUpdateTimestamp", async () => {
        await store.registerBroker(reg({ dataVersion: dv(1, 0, T0) }));
        await store.refreshBroker(CLUSTER, MASTER, T0 + 500);
        expect((await store.getBrokerLiveInfos())[0].lastUpdateTimestamp).toBe(T0 + 500);
        await store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: null, now: T0 + 700 });
        expect((await store.getBrokerLiveInfos())[0].lastUpdateTimestamp).toBe(T0 + 700);
        await store.registerBroker(reg({ dataVersion: dv(2, 0, T0), now: T0 + 900 }));
        expect(await store.getBrokerLiveInfos()).toMatchObject([{ brokerAddr: MASTER, lastUpdateTimestamp: T0 + 900, dataVersion: dv(2, 0, T0) }]);
      });

      it("unregistration, a closed connection and expiry remove the entry", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 1000 }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, channel: "bridge-9" }));
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER }));
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: OTHER, brokerName: BROKER_B, brokerId: 0 }]);
        expect((await store.getBrokerLiveInfos()).map((v) => v.brokerAddr).sort()).toEqual([MASTER, SLAVE]);
        await store.unregisterChannel("bridge-9");
        expect((await store.getBrokerLiveInfos()).map((v) => v.brokerAddr)).toEqual([MASTER]);
        await store.expireBrokers(T0 + 2000);
        expect(await store.getBrokerLiveInfos()).toEqual([]);
      });

      it("an entry whose address lost its slot is listed without a broker name", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 60_000 }));
        await store.registerBroker(reg({ brokerAddr: OTHER, brokerId: 0 }));
        const views = (await store.getBrokerLiveInfos()).sort(byAddr);
        expect(views.map((v) => [v.brokerAddr, v.brokerName])).toEqual([[MASTER, undefined], [OTHER, BROKER_A]]);
        expect("brokerName" in views[0]).toBe(false);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("routes", () => {
      it("unknown topic → null", async () => {
        expect(await store.getTopicRoute("nope")).toBeNull();
        await store.registerBroker(reg());
        expect(await store.getTopicRoute("nope")).toBeNull();
      });

      it("returns copies", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        const route = await store.getTopicRoute("TopicA");
        if (!route) throw new Error("route expected");
        route.queueDatas[0].perm = 0;
        route.brokerDatas[0].brokerAddrs["0"] = "mutated";
        route.brokerDatas.pop();
        const again = await store.getTopicRoute("TopicA");
        expect(again?.queueDatas[0].perm).toBe(6);
        expect(again?.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER, "1": SLAVE });

        const info = await store.getClusterInfo();
        info.brokerAddrTable[BROKER_A].brokerAddrs["0"] = "mutated";
        info.clusterAddrTable[CLUSTER].push("mutated");
        expect(await store.getClusterInfo()).toEqual({
          brokerAddrTable: {
            [BROKER_A]: { cluster: CLUSTER, brokerName: BROKER_A, brokerAddrs: { "0": MASTER, "1": SLAVE }, enableActingMaster: false },
          },
          clusterAddrTable: { [CLUSTER]: [BROKER_A] },
        });

        const group = await store.getBrokerMemberGroup(CLUSTER, BROKER_A);
        group.brokerAddrs["0"] = "mutated";
        expect((await store.getBrokerMemberGroup(CLUSTER, BROKER_A)).brokerAddrs["0"]).toBe(MASTER);

        const topics = await store.getAllTopics();
        topics.push("mutated");
        expect(sorted(await store.getAllTopics())).toEqual(["TopicA", "TopicB"]);
      });

      it("does not keep references to the registration or registerTopic input", async () => {
        const r = reg();
        await store.registerBroker(r);
        r.body.topicConfigTable.TopicA.perm = 2;
        const input = [qd(BROKER_A, 6, 3)];
        await store.registerTopic("Manual", input);
        input[0].perm = 0;
        expect(await permOf("TopicA")).toBe(6);
        expect(await permOf("Manual")).toBe(6);
      });

      it("filterServerTable: stored, left alone on null, removed on empty", async () => {
        await store.registerBroker(reg({ filterServerList: ["10.0.0.1:30000"] }));
        expect((await store.getTopicRoute("TopicA"))?.filterServerTable).toEqual({ [MASTER]: ["10.0.0.1:30000"] });
        const route = await store.getTopicRoute("TopicA");
        route?.filterServerTable[MASTER].push("mutated");
        expect((await store.getTopicRoute("TopicA"))?.filterServerTable).toEqual({ [MASTER]: ["10.0.0.1:30000"] });
        await store.registerBroker(reg({ filterServerList: null, now: T0 + 1 }));
        expect((await store.getTopicRoute("TopicA"))?.filterServerTable).toEqual({ [MASTER]: ["10.0.0.1:30000"] });
        await store.registerBroker(reg({ filterServerList: [], now: T0 + 2 }));
        expect((await store.getTopicRoute("TopicA"))?.filterServerTable).toEqual({});
      });

      it("filterServerTable lists only addresses that have filter servers, and goes on unregister", async () => {
        await store.registerBroker(reg({ filterServerList: ["10.0.0.1:30000", "10.0.0.1:30001"] }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, filterServerList: [] }));
        const route = await store.getTopicRoute("TopicA");
        expect(route?.filterServerTable).toEqual({ [MASTER]: ["10.0.0.1:30000", "10.0.0.1:30001"] });
        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
        await store.registerBroker(reg({ filterServerList: null, now: T0 + 1 }));
        expect((await store.getTopicRoute("TopicA"))?.filterServerTable).toEqual({});
      });

      it("topicQueueMappingByBroker for static topics only", async () => {
        const info: TopicQueueMappingInfo = {
          topic: "StaticTopic",
          scope: "__global__",
          totalQueues: 4,
          bname: BROKER_A,
          epoch: 1,
          dirty: false,
          currIdMap: { "0": 0, "1": 1 },
        };
        await store.registerBroker(reg({ topics: ["StaticTopic", "TopicA"], mappings: { StaticTopic: info } }));
        const route = await store.getTopicRoute("StaticTopic");
        expect(route?.topicQueueMappingByBroker).toEqual({ [BROKER_A]: info });
        expect((await store.getTopicRoute("TopicA"))?.topicQueueMappingByBroker).toBeUndefined();

        if (route?.topicQueueMappingByBroker) route.topicQueueMappingByBroker[BROKER_A].epoch = 99;
        expect((await store.getTopicRoute("StaticTopic"))?.topicQueueMappingByBroker?.[BROKER_A].epoch).toBe(1);
      });

      it("mappings are updated only when the DataVersion changed", async () => {
        const info = (epoch: number): TopicQueueMappingInfo => ({ topic: "S", bname: BROKER_A, epoch, totalQueues: 2 });
        await store.registerBroker(reg({ topics: ["S", "TopicA"], mappings: { S: info(1) } }));
        await store.registerBroker(reg({ topics: ["S", "TopicA"], mappings: { S: info(2) }, now: T0 + 1 }));
        expect((await store.getTopicRoute("S"))?.topicQueueMappingByBroker?.[BROKER_A].epoch).toBe(1);
        await store.registerBroker(reg({ topics: ["S", "TopicA"], mappings: { S: info(3) }, dataVersion: dv(2) }));
        expect((await store.getTopicRoute("S"))?.topicQueueMappingByBroker?.[BROKER_A].epoch).toBe(3);
      });

      it("a route lists one BrokerData and QueueData per broker name", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER, zoneName: "zone-1", topics: ["TopicA", "Solo"] }));
        const route = await store.getTopicRoute("TopicA");
        expect(route?.queueDatas.map((q) => q.brokerName).sort()).toEqual([BROKER_A, BROKER_B]);
        const byName = Object.fromEntries((route?.brokerDatas ?? []).map((b) => [b.brokerName, b]));
        expect(byName[BROKER_A]).toEqual({ cluster: CLUSTER, brokerName: BROKER_A, brokerAddrs: { "0": MASTER }, enableActingMaster: false });
        expect(byName[BROKER_B]).toEqual({
          cluster: CLUSTER,
          brokerName: BROKER_B,
          brokerAddrs: { "0": OTHER },
          enableActingMaster: false,
          zoneName: "zone-1",
        });
        const solo = await store.getTopicRoute("Solo");
        expect(solo?.brokerDatas.map((b) => b.brokerName)).toEqual([BROKER_B]);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("versioned routes (getTopicRouteIfChanged)", () => {
      /** The route as seen by a caller holding `stamp`: null means "unchanged". */
      async function since(stamp: { version: string; validUntil: number } | null, topic = "TopicA") {
        return store.getTopicRouteIfChanged(topic, stamp);
      }

      it("answers the full route and a stamp without `since`, the same route as getTopicRoute", async () => {
        await store.registerBroker(reg());
        const first = await since(null);
        expect(first).not.toBeNull();
        expect(first!.route).toEqual(await store.getTopicRoute("TopicA"));
        expect(typeof first!.stamp.version).toBe("string");
        const missing = await since(null, "Nope");
        expect(missing!.route).toBeNull();
      });

      it("never answers 'unchanged' after a change that alters the route", async () => {
        await store.registerBroker(reg());
        const changes: [string, () => Promise<unknown>, (r: any) => void][] = [
          ["wipe", () => store.wipeWritePerm(BROKER_A), (r) => expect(r.queueDatas[0].perm).toBe(4)],
          ["add", () => store.addWritePerm(BROKER_A), (r) => expect(r.queueDatas[0].perm).toBe(6)],
          [
            "slave registers",
            () => store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, channel: "s" })),
            (r) => expect(r.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER, "1": SLAVE }),
          ],
          [
            "changed data version",
            () => store.registerBroker(reg({ dataVersion: dv(2), topics: [{ topicName: "TopicA", writeQueueNums: 3 }, "TopicB"] })),
            (r) => expect(r.queueDatas[0].writeQueueNums).toBe(3),
          ],
          [
            "slave unregisters",
            () => store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: SLAVE, brokerName: BROKER_A, brokerId: 1 }]),
            (r) => expect(r.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER }),
          ],
          [
            "filter servers",
            () => store.registerBroker(reg({ dataVersion: dv(3), topics: [{ topicName: "TopicA", writeQueueNums: 3 }, "TopicB"], filterServerList: ["10.9.9.9:1"] })),
            (r) => expect(r.filterServerTable).toEqual({ [MASTER]: ["10.9.9.9:1"] }),
          ],
          [
            "acting-master flag",
            () => store.registerBroker(reg({ dataVersion: dv(3), topics: [{ topicName: "TopicA", writeQueueNums: 3 }, "TopicB"], filterServerList: ["10.9.9.9:1"], enableActingMaster: true })),
            (r) => expect(r.brokerDatas[0].enableActingMaster).toBe(true),
          ],
          [
            "topics dropped with deleteTopicWithBrokerRegistration",
            () => store.registerBroker(reg({ dataVersion: dv(4), topics: ["TopicB"], deleteTopicWithBrokerRegistration: true })),
            (r) => expect(r).toBeNull(),
          ],
          [
            "topic back, same data version",
            () => store.registerBroker(reg({ dataVersion: dv(4), topics: ["TopicA", "TopicB"] })),
            (r) => expect(r.queueDatas).toEqual([qd(BROKER_A)]),
          ],
          ["kv put", () => store.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4"), () => {}],
        ];
        for (const [what, change, check] of changes) {
          const before = await since(null);
          await change();
          const after = await since(before!.stamp);
          expect(after, `after ${what}`).not.toBeNull();
          check(after!.route);
        }
        const before = await since(null);
        await store.deleteTopic("TopicA", null);
        const after = await since(before!.stamp);
        expect(after).not.toBeNull();
        expect(after!.route).toBeNull();
      });

      it("answers 'unchanged' after a re-registration with a new data version but the same topics", async () => {
        await store.registerBroker(reg({ filterServerList: ["10.9.9.9:1"] }));
        const first = await since(null);
        for (const [i, now] of [T0 + 1000, T0 + 2000].entries()) {
          await store.registerBroker(reg({ dataVersion: dv(2 + i), now, filterServerList: ["10.9.9.9:1"] }));
        }
        expect(await since(first!.stamp)).toBeNull();
        expect(await store.getTopicRoute("TopicA")).toEqual(first!.route);
      });

      it("answers 'unchanged' when nothing a route shows changed: heartbeat, data-version query, the same registration", async () => {
        await store.registerBroker(reg());
        const first = await since(null);
        await store.refreshBroker(CLUSTER, MASTER, T0 + 1000);
        await store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: dv(1), now: T0 + 1500 });
        await store.registerBroker(reg({ now: T0 + 2000 }));
        expect(await since(first!.stamp)).toBeNull();
      });

      it("the stamp's validUntil is the earliest liveness deadline among the addresses the route shows", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 30_000 }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, heartbeatTimeoutMillis: 50_000 }));
        // an address already past its deadline is not shown, and does not count
        await store.registerBroker(reg({ brokerAddr: SLAVE2, brokerId: 2, heartbeatTimeoutMillis: 10_000, now: T0 - 20_000 }));
        const first = await since(null);
        expect(first!.route!.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER, "1": SLAVE });
        expect(first!.stamp.validUntil).toBe(T0 + 30_000);
        // a stamp is plain data: it survives JSON
        expect(await since(JSON.parse(JSON.stringify(first!.stamp)))).toBeNull();
      });

      it("a broker coming back to life after its deadline changes the route (heartbeat, data-version query, registration)", async () => {
        const revivals: [string, (at: number) => Promise<unknown>][] = [
          ["heartbeat", (at) => store.refreshBroker(CLUSTER, MASTER, at)],
          ["data-version query", (at) => store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: dv(1), now: at })],
          ["registration", (at) => store.registerBroker(reg({ heartbeatTimeoutMillis: 60_000, now: at }))],
        ];
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        for (const [what, revive] of revivals) {
          await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: MASTER, brokerName: BROKER_A, brokerId: 0 }]);
          // refreshed last 61 s ago, with a 60 s timeout: a second past its deadline
          await store.registerBroker(reg({ heartbeatTimeoutMillis: 60_000, now: T0 - 61_000 }));
          const hidden = await since(null);
          expect(hidden!.route!.brokerDatas[0].brokerAddrs, what).toEqual({ "1": SLAVE });
          expect(await since(hidden!.stamp), what).toBeNull();
          // by a clock a little behind the reader's: before the deadline the reader saw pass
          await revive(T0 - 2000);
          const back = await since(hidden!.stamp);
          expect(back, what).not.toBeNull();
          expect(back!.route!.brokerDatas[0].brokerAddrs, what).toEqual({ "0": MASTER, "1": SLAVE });
        }
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("liveness deadlines in routes", () => {
      it("a broker past its deadline is not in routes before a sweep", async () => {
        // refreshed last 61 s ago, with a 60 s timeout
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 60_000, now: T0 - 61_000, filterServerList: ["10.0.0.1:30000"] }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        const route = await store.getTopicRoute("TopicA");
        expect(route?.brokerDatas[0].brokerAddrs).toEqual({ "1": SLAVE });
        expect(route?.filterServerTable).toEqual({});
        // not swept yet: the tables still hold it
        expect((await store.getClusterInfo()).brokerAddrTable[BROKER_A].brokerAddrs).toEqual({ "0": MASTER, "1": SLAVE });
        // a heartbeat brings it back
        expect(await store.refreshBroker(CLUSTER, MASTER, T0)).toBe(true);
        const back = await store.getTopicRoute("TopicA");
        expect(back?.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER, "1": SLAVE });
        expect(back?.filterServerTable).toEqual({ [MASTER]: ["10.0.0.1:30000"] });
        // a group with every address past its deadline: its topics have no route, and its queues are not in others
        await store.registerBroker(
          reg({ brokerName: BROKER_B, brokerAddr: OTHER, topics: ["TopicA", "OnlyB"], heartbeatTimeoutMillis: 60_000, now: T0 - 61_000 }),
        );
        expect(await store.getTopicRoute("OnlyB")).toBeNull();
        const shared = await store.getTopicRoute("TopicA");
        expect(shared?.queueDatas.map((q) => q.brokerName)).toEqual([BROKER_A]);
        expect(shared?.brokerDatas.map((b) => b.brokerName)).toEqual([BROKER_A]);
        // the sweep then removes what routes already left out
        expect(await store.expireBrokers(T0)).toEqual([{ clusterName: CLUSTER, brokerAddr: OTHER, brokerName: BROKER_B, brokerId: 0 }]);
        expect(await store.getTopicRoute("TopicA")).toEqual(shared);
        expect(sorted(await store.getAllTopics())).toEqual(["TopicA", "TopicB"]);
      });

      it("an acting-master group whose master is past its deadline is read-only in routes, as after a sweep", async () => {
        await store.registerBroker(reg({ heartbeatTimeoutMillis: 60_000, now: T0 - 61_000, enableActingMaster: true }));
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, enableActingMaster: true }));
        const hidden = await store.getTopicRoute("TopicA");
        expect(hidden?.queueDatas).toEqual([qd(BROKER_A, 4)]);
        expect(hidden?.brokerDatas[0].brokerAddrs).toEqual({ "1": SLAVE });
        expect(await store.expireBrokers(T0)).toHaveLength(1);
        expect(await store.getTopicRoute("TopicA")).toEqual(hidden);
      });
    });

    describe("cluster and topic lists", () => {
      it("an empty store", async () => {
        expect(await store.getClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
        expect(await store.getAllTopics()).toEqual([]);
        expect(await store.getSystemTopicList()).toEqual({ topicList: [] });
        expect(await store.getUnitTopics("unit")).toEqual([]);
      });

      it("cluster info over two clusters", async () => {
        await store.registerBroker(reg({ clusterName: "C1" }));
        await store.registerBroker(reg({ clusterName: "C1", brokerAddr: SLAVE, brokerId: 1 }));
        await store.registerBroker(reg({ clusterName: "C2", brokerName: BROKER_B, brokerAddr: OTHER, enableActingMaster: true }));
        const info = await store.getClusterInfo();
        expect(info.brokerAddrTable).toEqual({
          [BROKER_A]: { cluster: "C1", brokerName: BROKER_A, brokerAddrs: { "0": MASTER, "1": SLAVE }, enableActingMaster: false },
          [BROKER_B]: { cluster: "C2", brokerName: BROKER_B, brokerAddrs: { "0": OTHER }, enableActingMaster: true },
        });
        expect(info.clusterAddrTable).toEqual({ C1: [BROKER_A], C2: [BROKER_B] });
      });

      it("3 broker names × 3 replicas × 10 topics", async () => {
        const topics = Array.from({ length: 10 }, (_, i) => `Topic${i}`);
        const names = ["b0", "b1", "b2"];
        for (const [n, brokerName] of names.entries()) {
          for (const id of [0, 1, 2]) {
            await store.registerBroker(
              reg({ brokerName, brokerAddr: `10.1.${n}.${id}:10911`, brokerId: id, topics }),
            );
          }
        }
        const info = await store.getClusterInfo();
        expect(Object.keys(info.clusterAddrTable)).toEqual([CLUSTER]);
        expect(sorted(info.clusterAddrTable[CLUSTER])).toEqual(names);
        expect(sorted(await store.getAllTopics())).toEqual(sorted(topics));
        expect(sorted(await store.getTopicsByCluster(CLUSTER))).toEqual(sorted(topics));
        const route = await store.getTopicRoute("Topic3");
        expect(route?.brokerDatas).toHaveLength(3);
        const b1 = route?.brokerDatas.find((b) => b.brokerName === "b1");
        expect(b1?.brokerAddrs).toEqual({ "0": "10.1.1.0:10911", "1": "10.1.1.1:10911", "2": "10.1.1.2:10911" });
        expect(route?.queueDatas).toHaveLength(3);

        await store.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: "10.1.1.2:10911", brokerName: "b1", brokerId: 2 }]);
        const after = await store.getTopicRoute("Topic3");
        expect(after?.brokerDatas.find((b) => b.brokerName === "b1")?.brokerAddrs).toEqual({
          "0": "10.1.1.0:10911",
          "1": "10.1.1.1:10911",
        });
        await store.deleteTopic("Topic3", null);
        expect(await store.getTopicRoute("Topic3")).toBeNull();
      });

      it("topics by cluster: deduplicated across brokers; unknown cluster → []", async () => {
        await store.registerBroker(reg({ clusterName: "C1" }));
        await store.registerBroker(reg({ clusterName: "C1", brokerName: BROKER_B, brokerAddr: OTHER, topics: ["TopicA", "TopicC"] }));
        await store.registerBroker(reg({ clusterName: "C2", brokerName: "broker-c", brokerAddr: SLAVE, topics: ["TopicD", "TopicE"] }));
        const c1 = await store.getTopicsByCluster("C1");
        expect(sorted(c1)).toEqual(["TopicA", "TopicB", "TopicC"]);
        expect(sorted(await store.getTopicsByCluster("C2"))).toEqual(["TopicD", "TopicE"]);
        expect(await store.getTopicsByCluster("nope")).toEqual([]);
      });

      it("system topic list: cluster and broker names plus a broker address", async () => {
        await store.registerBroker(reg({ clusterName: "C1" }));
        await store.registerBroker(reg({ clusterName: "C1", brokerAddr: SLAVE, brokerId: 1 }));
        await store.registerBroker(reg({ clusterName: "C2", brokerName: BROKER_B, brokerAddr: OTHER }));
        const list = await store.getSystemTopicList();
        expect(sorted(list.topicList)).toEqual(sorted(["C1", "C2", BROKER_A, BROKER_B]));
        expect([MASTER, OTHER]).toContain(list.brokerAddr);
      });

      it("system topic list of a master+slave group names the master", async () => {
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        await store.registerBroker(reg());
        const list = await store.getSystemTopicList();
        expect(list).toEqual({ topicList: expect.any(Array), brokerAddr: MASTER });
        expect(sorted(list.topicList)).toEqual(sorted([CLUSTER, BROKER_A]));
      });

      it("a broker name equal to its cluster name is listed once", async () => {
        await store.registerBroker(reg({ clusterName: "same", brokerName: "same" }));
        expect((await store.getSystemTopicList()).topicList).toEqual(["same"]);
      });

      it("unit topic kinds by topicSysFlag", async () => {
        await store.registerBroker(
          reg({
            topics: [
              { topicName: "Plain", topicSysFlag: 0 },
              { topicName: "Unit", topicSysFlag: 1 },
              { topicName: "UnitSub", topicSysFlag: 2 },
              { topicName: "Both", topicSysFlag: 3 },
            ],
          }),
        );
        expect(sorted(await store.getUnitTopics("unit"))).toEqual(["Both", "Unit"]);
        expect(sorted(await store.getUnitTopics("hasUnitSub"))).toEqual(["Both", "UnitSub"]);
        expect(sorted(await store.getUnitTopics("hasUnitSubUnUnit"))).toEqual(["UnitSub"]);
      });

      it("broker member group: addresses of the name, cluster echoed", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 }));
        expect(await store.getBrokerMemberGroup(CLUSTER, BROKER_A)).toEqual({
          cluster: CLUSTER,
          brokerName: BROKER_A,
          brokerAddrs: { "0": MASTER, "1": SLAVE },
        });
        expect(await store.getBrokerMemberGroup("AnyCluster", BROKER_A)).toEqual({
          cluster: "AnyCluster",
          brokerName: BROKER_A,
          brokerAddrs: { "0": MASTER, "1": SLAVE },
        });
        expect(await store.getBrokerMemberGroup(CLUSTER, "nope")).toEqual({
          cluster: CLUSTER,
          brokerName: "nope",
          brokerAddrs: {},
        });
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("write permission", () => {
      it("wipe clears the write bit and counts unchanged queues too; add sets 6", async () => {
        await store.registerBroker(reg({ topics: ["TopicA", { topicName: "TopicB", perm: 4 }, { topicName: "TopicC", perm: 7 }] }));
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER }));
        expect(await store.wipeWritePerm(BROKER_A)).toBe(3);
        expect(await permOf("TopicA")).toBe(4);
        expect(await permOf("TopicB")).toBe(4);
        expect(await permOf("TopicC")).toBe(5);
        expect(await permOf("TopicA", BROKER_B)).toBe(6);
        expect(await store.wipeWritePerm(BROKER_A)).toBe(3);
        expect(await store.addWritePerm(BROKER_A)).toBe(3);
        expect(await permOf("TopicA")).toBe(6);
        expect(await permOf("TopicC")).toBe(6);
        expect(await store.addWritePerm(BROKER_A)).toBe(3);
      });

      it("unknown broker → 0", async () => {
        await store.registerBroker(reg());
        expect(await store.wipeWritePerm("nope")).toBe(0);
        expect(await store.addWritePerm("nope")).toBe(0);
        expect(await permOf("TopicA")).toBe(6);
      });

      it("a wiped broker is reported in the route as not writeable", async () => {
        await store.registerBroker(reg());
        await store.wipeWritePerm(BROKER_A);
        const route = await store.getTopicRoute("TopicA");
        expect((route?.queueDatas[0].perm ?? 2) & 2).toBe(0);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("deleteTopic and registerTopic", () => {
      it("deleteTopic without cluster removes the topic entirely", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER }));
        await store.deleteTopic("TopicA", null);
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        expect(await store.getAllTopics()).toEqual(["TopicB"]);
        await store.deleteTopic("TopicB", null);
        expect(await store.getAllTopics()).toEqual([]);
        await store.deleteTopic("nope", null);
      });

      it("deleteTopic with a cluster removes only that cluster's queues", async () => {
        await store.registerBroker(reg({ clusterName: "C1" }));
        await store.registerBroker(reg({ clusterName: "C2", brokerName: BROKER_B, brokerAddr: OTHER }));
        await store.deleteTopic("TopicA", "C1");
        const route = await store.getTopicRoute("TopicA");
        expect(route?.queueDatas).toEqual([qd(BROKER_B)]);
        expect(route?.brokerDatas.map((b) => b.brokerName)).toEqual([BROKER_B]);
        await store.deleteTopic("TopicA", "unknown-cluster");
        expect((await store.getTopicRoute("TopicA"))?.queueDatas).toEqual([qd(BROKER_B)]);
        await store.deleteTopic("TopicA", "C2");
        expect(await store.getTopicRoute("TopicA")).toBeNull();
        expect(sorted(await store.getAllTopics())).toEqual(["TopicB"]);
      });

      it("deleteTopic leaves static-topic mappings alone", async () => {
        const info: TopicQueueMappingInfo = { topic: "S", bname: BROKER_A, epoch: 1 };
        await store.registerBroker(reg({ topics: ["S", "TopicA"], mappings: { S: info } }));
        await store.deleteTopic("S", null);
        expect(await store.getTopicRoute("S")).toBeNull();
        await store.registerBroker(reg({ topics: ["S", "TopicA"], now: T0 + 1 }));
        expect((await store.getTopicRoute("S"))?.topicQueueMappingByBroker).toEqual({ [BROKER_A]: info });
      });

      it("registerTopic for an unknown broker is ignored", async () => {
        await store.registerTopic("T", [qd("nope")]);
        expect(await store.getTopicRoute("T")).toBeNull();
        expect(await store.getAllTopics()).toEqual([]);
      });

      it("registerTopic adds queues of known brokers", async () => {
        await store.registerBroker(reg());
        await store.registerTopic("T", [qd(BROKER_A, 6, 2, 1)]);
        const route = await store.getTopicRoute("T");
        expect(route?.queueDatas).toEqual([qd(BROKER_A, 6, 2, 1)]);
        expect(route?.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER });
      });

      it("registerTopic on a new topic stores nothing when any broker is unknown", async () => {
        await store.registerBroker(reg());
        await store.registerTopic("T", [qd(BROKER_A), qd("nope")]);
        expect(await store.getTopicRoute("T")).toBeNull();
      });

      it("registerTopic on an existing topic applies entries up to the first unknown broker", async () => {
        await store.registerBroker(reg());
        await store.registerBroker(reg({ brokerName: BROKER_B, brokerAddr: OTHER }));
        await store.registerBroker(reg({ brokerName: "broker-c", brokerAddr: SLAVE, topics: ["X", "Y"] }));
        await store.registerTopic("TopicA", [qd(BROKER_A, 4, 1), qd("nope"), qd("broker-c", 4, 1)]);
        const route = await store.getTopicRoute("TopicA");
        const byName = Object.fromEntries((route?.queueDatas ?? []).map((q) => [q.brokerName, q]));
        expect(Object.keys(byName).sort()).toEqual([BROKER_A, BROKER_B]);
        expect(byName[BROKER_A]).toEqual(qd(BROKER_A, 4, 1));
        expect(byName[BROKER_B]).toEqual(qd(BROKER_B));
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("KV config", () => {
      it("put, get, overwrite", async () => {
        expect(await store.getKVConfig("ns", "k")).toBeNull();
        await store.putKVConfig("ns", "k", "v1");
        expect(await store.getKVConfig("ns", "k")).toBe("v1");
        await store.putKVConfig("ns", "k", "v2");
        expect(await store.getKVConfig("ns", "k")).toBe("v2");
        expect(await store.getKVConfig("ns", "other")).toBeNull();
        expect(await store.getKVConfig("other", "k")).toBeNull();
      });

      it("list: never created → null; emptied → {}", async () => {
        expect(await store.getKVListByNamespace("ns")).toBeNull();
        await store.deleteKVConfig("ns", "k");
        expect(await store.getKVListByNamespace("ns")).toBeNull();
        expect(await store.getKVConfig("ns", "k")).toBeNull();
        await store.putKVConfig("ns", "a", "1");
        await store.putKVConfig("ns", "b", "2");
        expect(await store.getKVListByNamespace("ns")).toEqual({ a: "1", b: "2" });
        await store.deleteKVConfig("ns", "a");
        expect(await store.getKVListByNamespace("ns")).toEqual({ b: "2" });
        await store.deleteKVConfig("ns", "b");
        expect(await store.getKVListByNamespace("ns")).toEqual({});
        expect(await store.getKVConfig("ns", "b")).toBeNull();
        await store.deleteKVConfig("ns", "missing");
        expect(await store.getKVListByNamespace("ns")).toEqual({});
      });

      it("namespaces are independent and lists are copies", async () => {
        await store.putKVConfig("ORDER_TOPIC_CONFIG", "TopicOrder", "broker-a:4;broker-b:4");
        await store.putKVConfig("other", "TopicOrder", "x");
        const list = await store.getKVListByNamespace("ORDER_TOPIC_CONFIG");
        expect(list).toEqual({ TopicOrder: "broker-a:4;broker-b:4" });
        if (list) list.TopicOrder = "mutated";
        expect(await store.getKVConfig("ORDER_TOPIC_CONFIG", "TopicOrder")).toBe("broker-a:4;broker-b:4");
        await store.deleteKVConfig("other", "TopicOrder");
        expect(await store.getKVConfig("ORDER_TOPIC_CONFIG", "TopicOrder")).toBe("broker-a:4;broker-b:4");
      });

      it("concurrent writes all land", async () => {
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.putKVConfig("ns", `k${i}`, `v${i}`)));
        const list = await store.getKVListByNamespace("ns");
        expect(Object.keys(list ?? {})).toHaveLength(20);
        expect(list?.k7).toBe("v7");
      });

      it("keys and values with special characters", async () => {
        await store.putKVConfig("n s/é", "__proto__", "a=b;c \"q\" 中");
        await store.putKVConfig("n s/é", "", "");
        expect(await store.getKVConfig("n s/é", "__proto__")).toBe("a=b;c \"q\" 中");
        expect(await store.getKVConfig("n s/é", "")).toBe("");
        const list = await store.getKVListByNamespace("n s/é");
        expect(Object.keys(list ?? {}).sort()).toEqual(["", "__proto__"]);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("config overrides", () => {
      it("start empty, merge, overwrite, return copies", async () => {
        expect(await store.getConfigOverrides()).toEqual({});
        await store.putConfigOverrides({ enableTopicList: "false" });
        await store.putConfigOverrides({ orderMessageEnable: "true" });
        await store.putConfigOverrides({ enableTopicList: "true" });
        const overrides = await store.getConfigOverrides();
        expect(overrides).toEqual({ enableTopicList: "true", orderMessageEnable: "true" });
        overrides.enableTopicList = "mutated";
        expect((await store.getConfigOverrides()).enableTopicList).toBe("true");
        await store.putConfigOverrides({});
        expect(Object.keys(await store.getConfigOverrides())).toHaveLength(2);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe("NameServer instances", () => {
      it("start empty; a registration is listed until its deadline, sorted by address", async () => {
        expect(await store.listInstances(T0)).toEqual([]);
        await store.registerInstance("10.0.0.2:9876", T0, 30_000);
        await store.registerInstance("10.0.0.1:9876", T0 + 1_000, 30_000);
        expect(await store.listInstances(T0 + 2_000)).toEqual([
          { addr: "10.0.0.1:9876", lastSeen: T0 + 1_000 },
          { addr: "10.0.0.2:9876", lastSeen: T0 },
        ]);
        expect(await store.listInstances(T0 + 30_000)).toEqual([
          { addr: "10.0.0.1:9876", lastSeen: T0 + 1_000 },
          { addr: "10.0.0.2:9876", lastSeen: T0 },
        ]);
        expect(await store.listInstances(T0 + 30_500)).toEqual([{ addr: "10.0.0.1:9876", lastSeen: T0 + 1_000 }]);
        expect(await store.listInstances(T0 + 31_001)).toEqual([]);
      });

      it("a refresh moves the deadline and lastSeen; an expired instance comes back when it registers again", async () => {
        await store.registerInstance("10.0.0.1:9876", T0, 10_000);
        await store.registerInstance("10.0.0.1:9876", T0 + 8_000, 10_000);
        expect(await store.listInstances(T0 + 15_000)).toEqual([{ addr: "10.0.0.1:9876", lastSeen: T0 + 8_000 }]);
        await store.registerInstance("10.0.0.2:9876", T0 + 60_000, 10_000);
        expect(await store.listInstances(T0 + 60_000)).toEqual([{ addr: "10.0.0.2:9876", lastSeen: T0 + 60_000 }]);
        await store.registerInstance("10.0.0.1:9876", T0 + 61_000, 10_000);
        expect((await store.listInstances(T0 + 61_000)).map((i) => i.addr)).toEqual(["10.0.0.1:9876", "10.0.0.2:9876"]);
      });

      it("IPv6 and host names are kept as given", async () => {
        await store.registerInstance("[::1]:9876", T0, 10_000);
        await store.registerInstance("namesrv-0.namesrv.default.svc:9876", T0, 10_000);
        expect((await store.listInstances(T0)).map((i) => i.addr)).toEqual(["[::1]:9876", "namesrv-0.namesrv.default.svc:9876"]);
      });
    });

    describeAccessConformance(describe, it, () => store.access);
  });
}
