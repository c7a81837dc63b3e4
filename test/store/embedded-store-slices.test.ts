/**
 * Large registrations on the embedded store: staged in slices between which other calls run, then
 * committed at once. Readers see the old state or the new one, never a mix; writes concerning the
 * broker wait for the commit; the result is the state a one-shot registration gives.
 */
import { describe, expect, it } from "vitest";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import type { BrokerRegistration, Store } from "../../edge/store/store";
import type { TopicConfig } from "../../shared/model";
import { dv, reg } from "./store-conformance";
import { seededRandom } from "../support/seeded-random";

const LARGE = 100_000;
/** Above the size applied in slices; with one topic per slice, thousands of turns. */
const MANY = 3_000;

const T0 = reg().now;
/** Routes read at T0, when the registrations here are live. */
const clock = () => T0;
/** A store whose large registrations yield after every topic: calls surely land mid-apply. */
const slowStore = () => new EmbeddedStore({ kvConfigPath: null, sliceMillis: 0, clock });

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function topics(count: number, perm = 6, prefix = "T"): Array<Partial<TopicConfig> & { topicName: string }> {
  return Array.from({ length: count }, (_, i) => ({ topicName: `${prefix}${i}`, perm }));
}

/** Everything a client can read of the route tables, as one comparable value. */
async function snapshot(store: Store, probeTopics: string[]): Promise<unknown> {
  const routes: Record<string, unknown> = {};
  for (const topic of probeTopics) routes[topic] = await store.getTopicRoute(topic);
  return {
    routes,
    topics: (await store.getAllTopics()).sort(),
    cluster: await store.getClusterInfo(),
    byCluster: (await store.getTopicsByCluster("DefaultCluster")).sort(),
    unit: await store.getUnitTopics("unit"),
    system: await store.getSystemTopicList(),
  };
}

describe("EmbeddedStore: registrations applied in slices", () => {
  it("leaves the same state as one-shot registrations, call after call (random sequences)", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `R${i}`);
    for (let seed = 1; seed <= 40; seed++) {
      const next = seededRandom(seed);
      const pick = <T,>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
      const oneShot = new EmbeddedStore({ kvConfigPath: null, sliceAtTopics: Infinity, clock });
      const sliced = new EmbeddedStore({ kvConfigPath: null, sliceAtTopics: 0, sliceMillis: 0, clock });
      const brokers = [
        { brokerName: "broker-a", brokerAddr: "10.0.0.1:10911", brokerId: 0 },
        { brokerName: "broker-a", brokerAddr: "10.0.0.2:10911", brokerId: 1 },
        { brokerName: "broker-b", brokerAddr: "10.0.0.3:10911", brokerId: 0 },
        { brokerName: "broker-c", brokerAddr: "10.0.0.4:10911", brokerId: 1 },
      ];
      const steps: string[] = [];
      for (let step = 0; step < 25; step++) {
        const broker = pick(brokers);
        const roll = next();
        let call: (s: Store) => Promise<unknown>;
        if (roll < 0.6) {
          const chosen = names.filter(() => next() < 0.5).map((topicName) => ({ topicName, perm: pick([2, 4, 6]), readQueueNums: pick([4, 8]) }));
          const registration: BrokerRegistration = reg({
            ...broker,
            topics: chosen,
            dataVersion: next() < 0.2 ? null : dv(Math.floor(next() * 3)),
            enableActingMaster: pick([true, false, null]),
            deleteTopicWithBrokerRegistration: next() < 0.3,
            mappings: next() < 0.2 ? { [pick(names)]: { topic: "x", bname: broker.brokerName, epoch: step } } : {},
            now: T0 + step,
          });
          steps.push(`register ${JSON.stringify(registration)}`);
          call = (s) => s.registerBroker(registration);
        } else if (roll < 0.7) {
          steps.push(`unregister ${broker.brokerAddr}`);
          call = (s) => s.unregisterBrokers([{ clusterName: "DefaultCluster", ...broker }]);
        } else if (roll < 0.8) {
          const topic = pick(names);
          steps.push(`deleteTopic ${topic}`);
          call = (s) => s.deleteTopic(topic, next() < 0.5 ? null : "DefaultCluster");
        } else if (roll < 0.9) {
          const topic = pick(names);
          steps.push(`registerTopic ${topic}`);
          call = (s) => s.registerTopic(topic, [{ brokerName: broker.brokerName, readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 }]);
        } else {
          steps.push(`wipeWritePerm ${broker.brokerName}`);
          call = (s) => s.wipeWritePerm(broker.brokerName);
        }
        expect(await call(sliced), steps.join("\n")).toEqual(await call(oneShot));
        expect(await snapshot(sliced, names), steps.join("\n")).toEqual(await snapshot(oneShot, names));
      }
      await sliced.close();
    }
  });

  it("answers a route query issued mid-apply from the old state, before the registration finishes, never a mix", async () => {
    const store = new EmbeddedStore({ kvConfigPath: null, clock });
    await store.registerBroker(reg({ topics: topics(LARGE, 6), dataVersion: dv(1) }));
    const probes = ["T0", `T${LARGE / 2}`, `T${LARGE - 1}`];
    const events: string[] = [];
    const registering = store.registerBroker(reg({ topics: topics(LARGE, 4), dataVersion: dv(2) })).then((result) => {
      events.push("registered");
      return result;
    });
    const seen = new Set<number>();
    let turns = 0;
    while (!events.includes("registered")) {
      // three queries in one turn: one snapshot of the tables
      const routes = await Promise.all(probes.map((topic) => store.getTopicRoute(topic)));
      if (!events.includes("registered")) events.push("route");
      const perms = new Set(routes.map((route) => route!.queueDatas[0].perm));
      expect(perms.size).toBe(1);
      seen.add([...perms][0]);
      await nextTurn();
      turns++;
    }
    expect(await registering).toEqual({});
    expect(events[0]).toBe("route");
    expect(events.filter((e) => e === "route").length).toBeGreaterThan(1);
    expect(seen.has(6)).toBe(true);
    expect(turns).toBeGreaterThan(1);
    for (const topic of probes) expect((await store.getTopicRoute(topic))!.queueDatas[0].perm).toBe(4);
  });

  it("shows none of a first registration's topics until all of them", async () => {
    const store = slowStore();
    await store.registerBroker(reg({ brokerName: "broker-small", brokerAddr: "10.0.0.8:10911", topics: ["Small-1", "Small-2"] }));
    let done = false;
    const registering = store.registerBroker(reg({ topics: topics(MANY) })).then(() => (done = true));
    let during = 0;
    while (!done) {
      const [first, last, all, cluster] = await Promise.all([
        store.getTopicRoute("T0"),
        store.getTopicRoute(`T${MANY - 1}`),
        store.getAllTopics(),
        store.getClusterInfo(),
      ]);
      if (!done) {
        during++;
        expect(first).toBeNull();
        expect(last).toBeNull();
        expect(all.sort()).toEqual(["Small-1", "Small-2"]);
        expect(Object.keys(cluster.brokerAddrTable)).toEqual(["broker-small"]);
      }
      await nextTurn();
    }
    await registering;
    expect(during).toBeGreaterThan(0);
    expect(await store.getTopicRoute(`T${MANY - 1}`)).not.toBeNull();
    expect(await store.getAllTopics()).toHaveLength(MANY + 2);
  });

  it("an unregistration issued mid-apply wins: applied after the commit", async () => {
    const store = slowStore();
    const order: string[] = [];
    const registering = store.registerBroker(reg({ topics: topics(MANY) })).then(() => order.push("registered"));
    await nextTurn();
    const unregistering = store
      .unregisterBrokers([{ clusterName: "DefaultCluster", brokerAddr: "10.0.0.1:10911", brokerName: "broker-a", brokerId: 0 }])
      .then(() => order.push("unregistered"));
    await Promise.all([registering, unregistering]);
    expect(order).toEqual(["registered", "unregistered"]);
    expect(await store.getTopicRoute("T0")).toBeNull();
    expect(await store.getAllTopics()).toEqual([]);
    expect(await store.getClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
    await store.close();
  });

  it("a connection close and an expiry mid-apply win too", async () => {
    for (const removal of ["close", "expiry"] as const) {
      const store = slowStore();
      // expiry: a re-registration at the same time as the first, both long past by the sweep
      if (removal === "expiry") await store.registerBroker(reg({ topics: topics(MANY, 6), dataVersion: dv(1), now: T0 }));
      const registering = store.registerBroker(reg({ topics: topics(MANY, 4), dataVersion: dv(2), channel: "conn-1", now: T0 }));
      await nextTurn();
      const removed = removal === "close" ? store.unregisterChannel("conn-1") : store.expireBrokers(T0 + 10 * 60_000);
      await registering;
      expect(await removed, removal).toEqual([{ clusterName: "DefaultCluster", brokerAddr: "10.0.0.1:10911", brokerName: "broker-a", brokerId: 0 }]);
      expect(await store.getTopicRoute(`T${MANY - 1}`)).toBeNull();
      expect(await store.getClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
    }
  });

  it("registrations of one broker follow each other; another broker's small one is not held up", async () => {
    const store = slowStore();
    await store.registerBroker(reg({ topics: topics(MANY, 4), dataVersion: dv(1) }));
    const order: string[] = [];
    const first = store.registerBroker(reg({ topics: topics(MANY, 6), dataVersion: dv(2) })).then(() => order.push("first"));
    await nextTurn();
    // staged against the state the first one leaves, not against the one it finds now
    const second = store.registerBroker(reg({ topics: topics(MANY, 4), dataVersion: dv(3) })).then(() => order.push("second"));
    await store.registerBroker(reg({ brokerName: "broker-b", brokerAddr: "10.0.0.9:10911", topics: ["Other-1", "Other-2"] }));
    order.push("other broker");
    // the other broker's topics are there while broker-a's are still being staged
    expect(await store.getTopicRoute("Other-1")).not.toBeNull();
    await Promise.all([first, second]);
    expect(order).toEqual(["other broker", "first", "second"]);
    expect((await store.getTopicRoute("T0"))!.queueDatas[0].perm).toBe(4);
    expect((await store.getTopicRoute(`T${MANY - 1}`))!.queueDatas[0].perm).toBe(4);
  });

  it("a deletion of one of the broker's topics and a perm change mid-apply are applied after the commit", async () => {
    const store = slowStore();
    await store.registerBroker(reg({ topics: topics(MANY, 6), dataVersion: dv(1) }));
    const order: string[] = [];
    const registering = store.registerBroker(reg({ topics: topics(MANY, 2), dataVersion: dv(2) })).then(() => order.push("registered"));
    await nextTurn();
    const deleting = store.deleteTopic(`T${MANY - 1}`, null).then(() => order.push("deleted"));
    const wiping = store.addWritePerm("broker-a");
    await Promise.all([registering, deleting]);
    expect(order).toEqual(["registered", "deleted"]);
    expect(await wiping).toBe(MANY - 1);
    expect(await store.getTopicRoute(`T${MANY - 1}`)).toBeNull();
    expect((await store.getTopicRoute("T0"))!.queueDatas[0].perm).toBe(6);
  });

  it("unregisters a large broker in slices: routes show it whole until it is gone from all at once", async () => {
    const store = slowStore();
    await store.registerBroker(reg({ topics: topics(MANY) }));
    await store.registerBroker(reg({ brokerName: "broker-b", brokerAddr: "10.0.0.9:10911", topics: ["T0", "Other"] }));
    let done = false;
    const unregistering = store.unregisterChannel("ch-10.0.0.1:10911").then((removed) => {
      done = true;
      return removed;
    });
    let during = 0;
    while (!done) {
      const [first, last, cluster] = await Promise.all([store.getTopicRoute("T0"), store.getTopicRoute(`T${MANY - 1}`), store.getClusterInfo()]);
      if (!done) {
        during++;
        expect(first!.queueDatas.map((q) => q.brokerName)).toEqual(["broker-a", "broker-b"]);
        expect(last).not.toBeNull();
        expect(Object.keys(cluster.brokerAddrTable).sort()).toEqual(["broker-a", "broker-b"]);
      }
      await nextTurn();
    }
    expect(await unregistering).toHaveLength(1);
    expect(during).toBeGreaterThan(0);
    expect((await store.getTopicRoute("T0"))!.queueDatas.map((q) => q.brokerName)).toEqual(["broker-b"]);
    expect(await store.getTopicRoute(`T${MANY - 1}`)).toBeNull();
    expect((await store.getAllTopics()).sort()).toEqual(["Other", "T0"]);
  });

  it("a registration of a broker being unregistered in slices is applied after it", async () => {
    const store = slowStore();
    await store.registerBroker(reg({ topics: topics(MANY), dataVersion: dv(1) }));
    const order: string[] = [];
    const unregistering = store
      .unregisterBrokers([{ clusterName: "DefaultCluster", brokerAddr: "10.0.0.1:10911", brokerName: "broker-a", brokerId: 0 }])
      .then(() => order.push("unregistered"));
    await nextTurn();
    const registering = store.registerBroker(reg({ topics: ["Back-1", "Back-2"], dataVersion: dv(2) })).then(() => order.push("registered"));
    await Promise.all([unregistering, registering]);
    expect(order).toEqual(["unregistered", "registered"]);
    expect((await store.getAllTopics()).sort()).toEqual(["Back-1", "Back-2"]);
  });
});
