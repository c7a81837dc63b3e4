import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startBroker, type Broker } from "./support/broker.js";
import { mqadmin, runJavaProducer, startJavaConsumer, type MQAdmin } from "./support/java.js";
import { expectExactDelivery, roundTrip } from "./support/messaging.js";
import { parseClusterList, parseTopicRoute } from "./support/mqadmin-output.js";
import { startNameServer, type NameServer } from "./support/namesrv.js";
import { DEFAULT_LINE, versionName } from "./support/lines.js";
import { waitFor } from "../support/wait-for.js";
import { getClusterInfo, getRoute, registeredAddr, waitForRoute } from "./support/remoting.js";
import { fileDir, suite, unique } from "./support/suite.js";

const CLUSTER = "InteropRedis";
/** Same deadline as broker-lifecycle: a SIGTERM'd broker unregisters itself on its way out. */
const REMOVAL_DEADLINE_MS = 15_000;
const VERSION = versionName(DEFAULT_LINE);

const s = suite();
// Apache's NameServer keeps its state in its own memory; there is no shared store to point two of
// them at, so this scenario has nothing to compare against in java mode.
const SKIP_REASON =
  s.kind === "java"
    ? "skipped with INTEROP_NAMESRV=java: two NameServers sharing one Redis store is a feature of ours only (Apache's NamesrvStartup has no shared state)"
    : undefined;
const TITLE = "two of our bridges on one Redis: a broker registered with bridge 1 is served by bridge 2";

// One private redis-server; two bridges (tcp-bridge/main.ts, REDIS_URL + the same NAMESRV_REDIS_PREFIX,
// different ports). Every broker below knows only bridge 1; every client and mqadmin call knows only
// bridge 2. So whatever the clients find, bridge 2 read from Redis what bridge 1 wrote there.
describe.skipIf(SKIP_REASON !== undefined)(SKIP_REASON ? `${TITLE} — ${SKIP_REASON}` : TITLE, () => {
  let redis: RedisServer | undefined;
  let bridge1: NameServer;
  let bridge2: NameServer;
  let mq2: MQAdmin;
  let brokerA: Broker | undefined;
  let brokerB: Broker | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: unique("interop") };
    [bridge1, bridge2] = await Promise.all([
      startNameServer("ours", fileDir("redis-bridge-1"), { env, label: "bridge-1" }),
      startNameServer("ours", fileDir("redis-bridge-2"), { env, label: "bridge-2" }),
    ]);
    expect(bridge1.addr).not.toBe(bridge2.addr);
    console.log(`[interop] redis-server on ${redis.url}; bridge 1 on ${bridge1.addr}, bridge 2 on ${bridge2.addr} (prefix ${env.NAMESRV_REDIS_PREFIX})`);
    mq2 = mqadmin(bridge2.addr, fileDir("redis-mqadmin"), DEFAULT_LINE);
    // startBroker waits until bridge 1 (its only NameServer) lists it.
    brokerA = await startBroker({ version: DEFAULT_LINE, namesrv: bridge1.addr, cluster: CLUSTER, name: "interop-redis-a", id: 0, dir: fileDir("broker-redis-a") });
  });

  afterAll(async () => {
    // SIGKILL: broker B's NameServer (bridge 1) is gone by then, its unregister would only time out.
    await Promise.all([brokerA?.proc.stop("SIGKILL"), brokerB?.proc.stop("SIGKILL")]);
    await Promise.all([bridge1?.proc.stop("SIGTERM"), bridge2?.proc.stop("SIGTERM")]);
    await redis?.stop();
  });

  /** Creates `topic` on the broker (mqadmin -b talks to it directly) and waits until bridge 2 routes it there. */
  async function createTopic(broker: Broker, topic: string): Promise<void> {
    expect(await mq2("updateTopic", "-b", broker.addr, "-t", topic, "-r", "4", "-w", "4")).toContain(`create topic to ${broker.addr} success.`);
    await waitForRoute(bridge2.addr, topic, (r) => r?.queueDatas.some((q) => q.brokerName === broker.name) ?? false);
  }

  /** A Java 5.3.3 producer and push consumer whose only NameServer is bridge 2 exchange `count` messages. */
  async function exchangeThroughBridge2(broker: Broker, topic: string, count: number): Promise<void> {
    const prefix = unique("redis");
    const common = { version: DEFAULT_LINE, homeDir: fileDir(`redis-java-${topic}`), namesrv: bridge2.addr, topic, count, prefix };
    const trip = await roundTrip(
      () => startJavaConsumer({ ...common, group: unique("cg_redis"), timeoutMs: 90_000 }),
      () => runJavaProducer({ ...common, group: unique("pg_redis") }),
      90_000,
    );
    expectExactDelivery(trip, prefix, count);
    expect(new Set([...trip.producer.output.matchAll(/^SENT \S+ (\S+)/gm)].map((m) => m[1]))).toEqual(new Set([broker.name]));
  }

  it("mqadmin clusterList through bridge 2 shows the broker that registered with bridge 1", async () => {
    const a = brokerA!;
    await waitFor(async () => (await registeredAddr(bridge2.addr, a.name, 0)) === a.addr, `bridge 2 to list ${a.name}`, 15_000, 250);
    expect(parseClusterList(await mq2("clusterList"))).toContainEqual({ cluster: CLUSTER, brokerName: a.name, brokerId: 0, addr: a.addr, version: VERSION });
    // The broker's own topic, as bridge 2 routes it.
    const route = parseTopicRoute(await mq2("topicRoute", "-t", a.name));
    expect(route.brokerDatas).toEqual([expect.objectContaining({ cluster: CLUSTER, brokerName: a.name, brokerAddrs: { "0": a.addr } })]);
  });

  it("a producer and a push consumer that know only bridge 2 exchange exactly N messages", async () => {
    const topic = unique("InteropRedis");
    await createTopic(brokerA!, topic);
    await exchangeThroughBridge2(brokerA!, topic, 30);
  });

  it("a graceful shutdown (SIGTERM) of the broker removes it from what bridge 2 serves within 15 s", async () => {
    const a = brokerA!;
    const topic = unique("InteropRedisGone");
    await createTopic(a, topic);
    // Poll while the broker shuts down (that takes seconds after it unregistered), not after it exited.
    const stopped = Date.now();
    a.proc.killGroup("SIGTERM");
    await waitFor(
      async () => {
        const info = await getClusterInfo(bridge2.addr);
        return info.brokerAddrTable?.[a.name] === undefined && (await getRoute(bridge2.addr, topic)) === undefined && (await getRoute(bridge2.addr, a.name)) === undefined;
      },
      `${a.name} to leave bridge 2's GET_BROKER_CLUSTER_INFO and routes`,
      REMOVAL_DEADLINE_MS,
      200,
    );
    const elapsed = Date.now() - stopped;
    console.log(`[interop] ${a.name} gone from bridge 2 ${elapsed} ms after SIGTERM`);
    expect(elapsed).toBeLessThan(REMOVAL_DEADLINE_MS);
    await a.proc.stop("SIGTERM", 30_000);

    expect(parseClusterList(await mq2("clusterList")).filter((r) => r.brokerName === a.name)).toEqual([]);
    expect(await mq2("topicRoute", "-t", topic)).toMatch(new RegExp(`CODE: 17\\s+DESC: No topic route info in name server for the topic: ${topic}`));
  });

  it("after bridge 1 is killed (SIGKILL) under a connected broker, bridge 2 still serves that broker", async () => {
    const b = (brokerB = await startBroker({ version: DEFAULT_LINE, namesrv: bridge1.addr, cluster: CLUSTER, name: "interop-redis-b", id: 0, dir: fileDir("broker-redis-b") }));
    const topic = unique("InteropRedisKill");
    await createTopic(b, topic);

    const exit = await bridge1.proc.stop("SIGKILL");
    expect(exit.signal, "bridge 1 exit").toBe("SIGKILL");
    expect(b.proc.running, "broker B still running").toBe(true);
    const killed = Date.now();

    // Right after the kill: the registration bridge 1 wrote is still in Redis (until the broker's
    // heartbeat timeout, 120 s by default), so bridge 2 keeps listing and routing the broker.
    expect(await registeredAddr(bridge2.addr, b.name, 0)).toBe(b.addr);
    const route = await getRoute(bridge2.addr, topic);
    expect(route?.brokerDatas).toEqual([expect.objectContaining({ cluster: CLUSTER, brokerName: b.name, brokerAddrs: { "0": b.addr } })]);
    expect(route?.queueDatas).toEqual([expect.objectContaining({ brokerName: b.name, readQueueNums: 4, writeQueueNums: 4 })]);

    // The real clients agree: messages flow through the broker with bridge 2 as the only NameServer,
    // and mqadmin lists it. (Bridge 2 drops it once its heartbeat timeout passes: nobody refreshes it.)
    await exchangeThroughBridge2(b, topic, 20);
    expect(parseClusterList(await mq2("clusterList"))).toContainEqual({ cluster: CLUSTER, brokerName: b.name, brokerId: 0, addr: b.addr, version: VERSION });
    console.log(`[interop] ${b.name} still served by bridge 2 ${Date.now() - killed} ms after bridge 1 was killed`);
  });
});
