/**
 * RedisStore beyond the conformance suite: the key schema as an operator sees it, hand-edited
 * values, concurrent sweeps, several stores on one Redis and the route version they share, request
 * sizes and round trips of large registrations, and bounded failures when Redis is unreachable.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NodeRespTransport } from "../support/redis/node-resp-transport";
import type { RedisScript, RedisTransport } from "../../edge/store/redis/redis-transport";
import { RedisStore, RedisStoreDataError, RedisStoreError } from "../../edge/store/redis/redis-store";
import { StoreRpcProcess } from "../support/redis/store-rpc";
import { UpstashTransport, createUpstashRedisStore } from "../../edge/store/redis/upstash-transport";
import { startDevRestProxy } from "../../tools/dev-rest-proxy";
import type { TopicConfig } from "../../shared/model";
import { freePort } from "../support/ports";
import { useRedisServer } from "../support/redis-server";
import { dv, reg } from "./store-conformance";

const T0 = reg().now;
const CLUSTER = "DefaultCluster";
const MASTER = "10.0.0.1:10911";
const SLAVE = "10.0.0.2:10911";

const redis = useRedisServer();
const transports: RedisTransport[] = [];
let n = 0;

/** Counts calls and request bytes (script arguments) of every eval. */
class CountingTransport implements RedisTransport {
  calls = 0;
  maxBytes = 0;
  totalBytes = 0;
  constructor(private readonly inner: RedisTransport) {}
  reset(): void {
    this.calls = 0;
    this.maxBytes = 0;
    this.totalBytes = 0;
  }
  eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    const bytes = [...keys, ...args].reduce((sum, a) => sum + Buffer.byteLength(a) + 8, 0);
    this.calls++;
    this.totalBytes += bytes;
    this.maxBytes = Math.max(this.maxBytes, bytes);
    return this.inner.eval(script, keys, args);
  }
  command(args: string[]): Promise<unknown> {
    return this.inner.command(args);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function transport(): NodeRespTransport {
  const t = new NodeRespTransport({ url: redis.current.url });
  transports.push(t);
  return t;
}

function prefix(): string {
  return `behaviour-${++n}`;
}

afterAll(async () => {
  for (const t of transports) await t.close();
});

/** HGETALL as an object (RESP2 flat array from the Node transport). */
async function hgetall(t: RedisTransport, key: string): Promise<Record<string, string>> {
  const flat = (await t.command(["HGETALL", key])) as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

describe("key schema", () => {
  it("is readable with plain Redis commands: sets and hashes named after the Java tables, JSON values", async () => {
    const t = transport();
    const p = prefix();
    const store = new RedisStore(t, { prefix: p, clock: () => T0 });
    await store.registerBroker(reg({ zoneName: "zone-1", filterServerList: ["10.0.0.1:30000"] }));
    await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, zoneName: "zone-1" }));
    await store.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4");
    await store.putConfigOverrides({ enableTopicList: "false" });
    const P = `{${p}}`;

    expect(await t.command(["SMEMBERS", `${P}:clusterAddrTable`])).toEqual([CLUSTER]);
    expect(await t.command(["SMEMBERS", `${P}:clusterAddrTable:${CLUSTER}`])).toEqual(["broker-a"]);
    expect(await t.command(["SMEMBERS", `${P}:brokerAddrTable`])).toEqual(["broker-a"]);

    const broker = await hgetall(t, store.brokerKey("broker-a"));
    expect(broker).toEqual({
      cluster: CLUSTER,
      brokerName: "broker-a",
      enableActingMaster: "false",
      zoneName: "zone-1",
      brokerAddrs: JSON.stringify({ "0": MASTER, "1": SLAVE }),
    });

    expect(((await t.command(["SMEMBERS", `${P}:topicQueueTable`])) as string[]).sort()).toEqual(["TopicA", "TopicB"]);
    const topic = await hgetall(t, store.topicKey("TopicA"));
    expect(JSON.parse(topic["broker-a"])).toEqual({
      brokerName: "broker-a",
      readQueueNums: 8,
      writeQueueNums: 8,
      perm: 6,
      topicSysFlag: 0,
    });

    const live = await hgetall(t, `${P}:brokerLiveTable:${CLUSTER}:${MASTER}`);
    expect(live).toMatchObject({
      clusterName: CLUSTER,
      brokerAddr: MASTER,
      lastUpdateTimestamp: String(T0),
      heartbeatTimeoutMillis: "120000",
      deadline: String(T0 + 120_000),
      haServerAddr: "10.0.0.1:10912",
    });
    expect(JSON.parse(live.dataVersion)).toEqual(dv(1));
    // its connections: bridge instance (the channel id before its last "-") → channel, and the index back
    expect(await hgetall(t, `${P}:brokerLiveChannels:${CLUSTER}:${MASTER}`)).toEqual({ ch: `ch-${MASTER}` });
    expect(await t.command(["SMEMBERS", `${P}:brokerLiveChannel:ch-${MASTER}`])).toEqual([`${CLUSTER}:${MASTER}`]);
    expect(await t.command(["ZRANGE", `${P}:brokerLiveTable`, "0", "-1", "WITHSCORES"])).toEqual([
      `${CLUSTER}:${MASTER}`,
      String(T0 + 120_000),
      `${CLUSTER}:${SLAVE}`,
      String(T0 + 120_000),
    ]);
    expect(JSON.parse((await t.command(["HGET", `${P}:filterServerTable`, `${CLUSTER}:${MASTER}`])) as string)).toEqual([
      "10.0.0.1:30000",
    ]);

    expect(await t.command(["SMEMBERS", `${P}:kvConfig`])).toEqual(["ORDER_TOPIC_CONFIG"]);
    expect(await hgetall(t, `${P}:kvConfig:ORDER_TOPIC_CONFIG`)).toEqual({ TopicA: "broker-a:4" });
    expect(await hgetall(t, `${P}:namesrvConfig`)).toEqual({ enableTopicList: "false" });

    // every key the store wrote starts with the hash tag, so Redis Cluster hashes only `p`: one slot
    const all = (await t.command(["KEYS", "*"])) as string[];
    const mine = all.filter((k) => k.includes(p));
    expect(mine.length).toBeGreaterThan(10);
    expect(mine.filter((k) => !k.startsWith(`${P}:`))).toEqual([]);
  });

  it("a cluster name with ':' or '%' cannot collide in the live table", async () => {
    const t = transport();
    const store = new RedisStore(t, { prefix: prefix(), clock: () => T0 });
    await store.registerBroker(reg({ clusterName: "a:b", brokerAddr: "c:1" }));
    await store.registerBroker(reg({ clusterName: "a", brokerName: "broker-b", brokerAddr: "b:c:1", dataVersion: dv(9) }));
    expect((await store.queryDataVersion({ clusterName: "a:b", brokerAddr: "c:1", dataVersion: null, now: T0 })).dataVersion).toEqual(dv(1));
    expect((await store.queryDataVersion({ clusterName: "a", brokerAddr: "b:c:1", dataVersion: null, now: T0 })).dataVersion).toEqual(dv(9));
  });
});

describe("hand-edited values", () => {
  it("malformed JSON is reported with its key, and the call writes nothing", async () => {
    const t = transport();
    const store = new RedisStore(t, { prefix: prefix(), clock: () => T0 });
    await store.registerBroker(reg({ heartbeatTimeoutMillis: 1000 }));
    const key = store.brokerKey("broker-a");
    await t.command(["HSET", key, "brokerAddrs", "{not json"]);

    await expect(store.getTopicRoute("TopicA")).rejects.toThrow(RedisStoreDataError);
    await expect(store.getTopicRoute("TopicA")).rejects.toThrow(
      `malformed value in Redis at ${key} field brokerAddrs`,
    );
    await expect(store.getClusterInfo()).rejects.toThrow(/malformed value in Redis at .*broker-a.*brokerAddrs/);
    await expect(store.getBrokerMemberGroup(CLUSTER, "broker-a")).rejects.toThrow(RedisStoreDataError);
    // a registration fails as a whole: the liveness refresh it would have made did not happen
    await expect(store.registerBroker(reg({ heartbeatTimeoutMillis: 1000, now: T0 + 900 }))).rejects.toThrow(
      RedisStoreDataError,
    );
    expect(await store.refreshBroker(CLUSTER, MASTER, T0)).toBe(true);
    const live = await hgetall(t, `{${store.prefix.slice(1, -1)}}:brokerLiveTable:${CLUSTER}:${MASTER}`);
    expect(live.lastUpdateTimestamp).toBe(String(T0));

    // the wrong shape is as bad as no JSON
    await t.command(["HSET", key, "brokerAddrs", '["10.0.0.1:10911"]']);
    await expect(store.getTopicRoute("TopicA")).rejects.toThrow(/brokerAddrs/);
    // repaired by hand: works again
    await t.command(["HSET", key, "brokerAddrs", JSON.stringify({ "0": MASTER })]);
    expect((await store.getTopicRoute("TopicA"))?.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER });
  });

  it("an unregistration batch touching a malformed broker changes nothing", async () => {
    const t = transport();
    const store = new RedisStore(t, { prefix: prefix(), clock: () => T0 });
    await store.registerBroker(reg());
    await store.registerBroker(reg({ brokerName: "broker-b", brokerAddr: "10.0.0.9:10911", topics: ["X", "Y"] }));
    await t.command(["HSET", store.brokerKey("broker-b"), "brokerAddrs", "garbage"]);
    await expect(
      store.unregisterBrokers([
        { clusterName: CLUSTER, brokerAddr: MASTER, brokerName: "broker-a", brokerId: 0 },
        { clusterName: CLUSTER, brokerAddr: "10.0.0.9:10911", brokerName: "broker-b", brokerId: 0 },
      ]),
    ).rejects.toThrow(/broker-b field brokerAddrs/);
    expect((await store.getTopicRoute("TopicA"))?.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER });
    expect(await store.refreshBroker(CLUSTER, MASTER, T0)).toBe(true);
    await expect(store.expireBrokers(T0 + 10_000_000)).rejects.toThrow(RedisStoreDataError);
    expect(await store.refreshBroker(CLUSTER, MASTER, T0)).toBe(true);
  });

  it("a malformed QueueData, DataVersion or filter-server list is reported", async () => {
    const t = transport();
    const store = new RedisStore(t, { prefix: prefix(), clock: () => T0 });
    await store.registerBroker(reg({ filterServerList: ["10.0.0.1:30000"] }));
    await t.command(["HSET", store.topicKey("TopicA"), "broker-a", '{"perm":"rw"}']);
    await expect(store.getTopicRoute("TopicA")).rejects.toThrow(
      `malformed value in Redis at ${store.topicKey("TopicA")} field "broker-a"`,
    );
    await expect(store.wipeWritePerm("broker-a")).rejects.toThrow(
      new RegExp(`malformed value in Redis at .*TopicA field broker-a`),
    );
    // the wipe did not touch TopicB either (all or nothing)
    expect((await store.getTopicRoute("TopicB"))?.queueDatas[0].perm).toBe(6);

    const liveKey = `${store.prefix}:brokerLiveTable:${CLUSTER}:${MASTER}`;
    await t.command(["HSET", liveKey, "dataVersion", "7"]);
    await expect(
      store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: dv(1), now: T0 }),
    ).rejects.toThrow(`malformed value in Redis at ${liveKey} field "dataVersion"`);

    await t.command(["HSET", `${store.prefix}:filterServerTable`, `${CLUSTER}:${MASTER}`, "x"]);
    await expect(store.getTopicRoute("TopicB")).rejects.toThrow(/filterServerTable/);
  });

  it("over RESP with Bun's client too", async () => {
    const rpc = await StoreRpcProcess.start(redis.current.url);
    try {
      const p = prefix();
      const store = await rpc.open({ prefix: p, clock: T0 });
      await store.registerBroker(reg());
      // RESP3 reply shape of a plain command through Bun's client: a map
      expect(await rpc.command(["HGETALL", `{${p}}:brokerAddrTable:broker-a`])).toMatchObject({
        brokerAddrs: JSON.stringify({ "0": MASTER }),
      });
      await rpc.command(["HSET", `{${p}}:brokerAddrTable:broker-a`, "brokerAddrs", "oops"]);
      await expect(store.getTopicRoute("TopicA")).rejects.toMatchObject({
        name: "RedisStoreDataError",
        message: expect.stringContaining("brokerAddrs"),
      });
    } finally {
      await rpc.stop();
    }
  });
});

describe("liveness sweeps", () => {
  it("two sweepers at once unregister each broker once", async () => {
    const p = prefix();
    const a = new RedisStore(transport(), { prefix: p });
    const b = new RedisStore(transport(), { prefix: p });
    for (let i = 0; i < 20; i++) {
      await a.registerBroker(reg({ brokerName: `b${i}`, brokerAddr: `10.0.1.${i}:10911`, heartbeatTimeoutMillis: 1000 }));
    }
    const [x, y] = await Promise.all([a.expireBrokers(T0 + 5000), b.expireBrokers(T0 + 5000)]);
    expect(x.length + y.length).toBe(20);
    expect(new Set([...x, ...y].map((u) => u.brokerName)).size).toBe(20);
    expect(await a.getClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
  });
});

describe("several stores on one Redis", () => {
  it("a store over REST and a store over RESP see one view", async () => {
    const p = prefix();
    const proxy = await startDevRestProxy({ redisUrl: redis.current.url, token: "t" });
    try {
      const edge = createUpstashRedisStore({ url: proxy.url, token: "t", prefix: p, clock: () => T0 });
      const bridge = new RedisStore(transport(), { prefix: p, clock: () => T0 });
      await bridge.registerBroker(reg());
      expect(await edge.getTopicRoute("TopicA")).toEqual(await bridge.getTopicRoute("TopicA"));
      await edge.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:8");
      expect(await bridge.getKVConfig("ORDER_TOPIC_CONFIG", "TopicA")).toBe("broker-a:8");
      await edge.close();
    } finally {
      await proxy.close();
    }
  });

  it("two stores with one prefix share one view; another prefix sees nothing", async () => {
    const p = prefix();
    const bridge1 = new RedisStore(transport(), { prefix: p, clock: () => T0 });
    const bridge2 = new RedisStore(transport(), { prefix: p, clock: () => T0 });
    const other = new RedisStore(transport(), { prefix: prefix(), clock: () => T0 });
    await bridge1.registerBroker(reg());
    expect((await bridge2.getTopicRoute("TopicA"))?.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER });
    expect(await other.getTopicRoute("TopicA")).toBeNull();
    await bridge2.putKVConfig("ns", "k", "v");
    expect(await bridge1.getKVConfig("ns", "k")).toBe("v");
    expect(await other.getKVListByNamespace("ns")).toBeNull();
  });

  it("a close of the older connection on bridge 1 leaves the newer registration through bridge 2", async () => {
    const p = prefix();
    const t = transport();
    const bridge1 = new RedisStore(transport(), { prefix: p, clock: () => T0 });
    const bridge2 = new RedisStore(transport(), { prefix: p, clock: () => T0 });
    await bridge1.registerBroker(reg({ channel: "bridge1/conn-7" }));
    await bridge2.registerBroker(reg({ channel: "bridge2/conn-3", now: T0 + 1 }));
    expect(await bridge1.unregisterChannel("bridge1/conn-7")).toEqual([]);
    expect((await bridge1.getTopicRoute("TopicA"))?.brokerDatas[0].brokerAddrs).toEqual({ "0": MASTER });
    expect(((await t.command(["KEYS", `{${p}}:brokerLiveChannel*`])) as string[]).sort()).toEqual([
      `{${p}}:brokerLiveChannel:bridge2/conn-3`,
      `{${p}}:brokerLiveChannels:${CLUSTER}:${MASTER}`,
    ]);
    expect(await bridge2.unregisterChannel("bridge2/conn-3")).toHaveLength(1);
    expect(await bridge1.getTopicRoute("TopicA")).toBeNull();
    // neither the entry's connections nor the channel index outlive it
    expect(await t.command(["KEYS", `{${p}}:brokerLiveChannel*`])).toEqual([]);
  });

  it("no lost update: master and slave of one group registering at once through two stores", async () => {
    for (let round = 0; round < 10; round++) {
      const p = prefix();
      const bridge1 = new RedisStore(transport(), { prefix: p, clock: () => T0 });
      const bridge2 = new RedisStore(transport(), { prefix: p, clock: () => T0 });
      await Promise.all([
        bridge1.registerBroker(reg()),
        bridge2.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1 })),
        bridge2.registerBroker(reg({ brokerAddr: "10.0.0.3:10911", brokerId: 2 })),
      ]);
      expect((await bridge1.getBrokerMemberGroup(CLUSTER, "broker-a")).brokerAddrs).toEqual({
        "0": MASTER,
        "1": SLAVE,
        "2": "10.0.0.3:10911",
      });
    }
  });
});

describe("versioned routes", () => {
  async function versionOf(t: RedisTransport, store: RedisStore): Promise<string | null> {
    return (await t.command(["GET", `${store.prefix}:routeVersion`])) as string | null;
  }

  it("route checks made in one turn share one GET of the version; a change made before a check is seen by it", async () => {
    const inner = transport();
    let commands = 0;
    let evals = 0;
    const counting: RedisTransport = {
      eval: (script, keys, args) => (evals++, inner.eval(script, keys, args)),
      command: (args) => (commands++, inner.command(args)),
      close: () => inner.close(),
    };
    const store = new RedisStore(counting, { prefix: prefix() });
    await store.registerBroker(reg({ topics: ["TopicA", "TopicB", "TopicC"], now: Date.now() }));
    const stamps = await Promise.all(["TopicA", "TopicB", "TopicC"].map((t) => store.getTopicRouteIfChanged(t, null)));
    expect(stamps.map((s) => s!.route!.queueDatas[0].perm)).toEqual([6, 6, 6]);
    [commands, evals] = [0, 0];
    const checks = await Promise.all(["TopicA", "TopicB", "TopicC", "TopicA"].map((t, i) => store.getTopicRouteIfChanged(t, stamps[i % 3]!.stamp)));
    expect(checks).toEqual([null, null, null, null]);
    expect([commands, evals]).toEqual([1, 0]);
    // a change acknowledged before the check: the check reads the new version and the full route
    await store.wipeWritePerm(reg().brokerName);
    const after = await store.getTopicRouteIfChanged("TopicA", stamps[0]!.stamp);
    expect(after!.route!.queueDatas[0].perm).toBe(4);
  });

  it("a stamp is P:routeVersion; a route that never expires gets Number.MAX_SAFE_INTEGER; a stamp past validUntil is not offered", async () => {
    const t = transport();
    let now = T0;
    const store = new RedisStore(t, { prefix: prefix(), clock: () => now });
    await store.registerBroker(reg({ heartbeatTimeoutMillis: 3000 }));
    await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, heartbeatTimeoutMillis: 5000 }));
    const first = await store.getTopicRouteIfChanged("TopicA", null);
    expect(first!.stamp).toEqual({ version: await versionOf(t, store), validUntil: T0 + 3000 });
    const stamp = first!.stamp;
    // no route: nothing expires, and the stamp is still a JSON number
    const missing = await store.getTopicRouteIfChanged("Nope", null);
    expect(missing).toEqual({ stamp: { version: first!.stamp.version, validUntil: Number.MAX_SAFE_INTEGER }, route: null });
    expect(await store.getTopicRouteIfChanged("Nope", JSON.parse(JSON.stringify(missing!.stamp)))).toBeNull();
    // past validUntil by the store's own clock the stamp is not offered: the full route, with the next deadline
    now = T0 + 3001;
    const later = await store.getTopicRouteIfChanged("TopicA", stamp);
    expect(later!.route!.brokerDatas[0].brokerAddrs).toEqual({ "1": SLAVE });
    expect(later!.stamp).toEqual({ version: stamp.version, validUntil: T0 + 5000 });
  });

  it("an unchanged re-registration or heartbeat leaves the version alone; a real change bumps it", async () => {
    const t = transport();
    const store = new RedisStore(t, { prefix: prefix(), clock: () => T0 });
    await store.registerBroker(reg({ filterServerList: ["10.0.0.1:30000"], zoneName: "z" }));
    await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, zoneName: "z" }));
    const stamp = (await store.getTopicRouteIfChanged("TopicA", null))!.stamp;
    const version = await versionOf(t, store);
    // a fresh counter starts at the server clock (µs), above any version handed out before a wipe
    expect(Number(version)).toBeGreaterThan(1e15);

    await store.registerBroker(reg({ filterServerList: ["10.0.0.1:30000"], zoneName: "z", now: T0 + 30_000 }));
    await store.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, zoneName: "z", now: T0 + 30_000 }));
    await store.refreshBroker(CLUSTER, MASTER, T0 + 40_000);
    await store.queryDataVersion({ clusterName: CLUSTER, brokerAddr: MASTER, dataVersion: dv(1), now: T0 + 45_000 });
    // a new DataVersion with the same topics: rewritten, but nothing a route shows changed
    await store.registerBroker(reg({ filterServerList: ["10.0.0.1:30000"], zoneName: "z", dataVersion: dv(2), now: T0 + 50_000 }));
    await store.wipeWritePerm("nobody");
    await store.deleteTopic("Nope", null);
    await store.deleteKVConfig("ORDER_TOPIC_CONFIG", "Nope");
    expect(await versionOf(t, store)).toBe(version);
    expect(await store.getTopicRouteIfChanged("TopicA", stamp)).toBeNull();

    const changes: [string, () => Promise<unknown>][] = [
      ["zone", () => store.registerBroker(reg({ filterServerList: ["10.0.0.1:30000"], zoneName: "y", now: T0 + 60_000 }))],
      ["filter servers", () => store.registerBroker(reg({ filterServerList: ["10.0.0.1:30001"], zoneName: "y", now: T0 + 60_000 }))],
      ["acting master", () => store.registerBroker(reg({ filterServerList: null, zoneName: "y", enableActingMaster: true, now: T0 + 60_000 }))],
      ["queue numbers", () => store.registerBroker(reg({ zoneName: "y", enableActingMaster: true, dataVersion: dv(3), topics: [{ topicName: "TopicA", writeQueueNums: 4 }, "TopicB"], now: T0 + 60_000 }))],
      ["registerTopic", () => store.registerTopic("TopicC", [{ brokerName: "broker-a", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 }])],
      ["wipe", () => store.wipeWritePerm("broker-a")],
      ["add", () => store.addWritePerm("broker-a")],
      ["kv put", () => store.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4")],
      ["kv delete", () => store.deleteKVConfig("ORDER_TOPIC_CONFIG", "TopicA")],
      ["config", () => store.putConfigOverrides({ orderMessageEnable: "true" })],
      ["channel close", () => store.unregisterChannel(`ch-${SLAVE}`)],
      ["expiry", () => store.expireBrokers(T0 + 10_000_000)],
    ];
    for (const [what, change] of changes) {
      const before = await versionOf(t, store);
      await change();
      expect(await versionOf(t, store), what).not.toBe(before);
    }
  });

  it("after a failover that lost the newest writes, no version a bridge holds is current again", async () => {
    const t = transport();
    const p = prefix();
    const store = new RedisStore(t, { prefix: p, clock: () => T0 });
    await store.registerBroker(reg());
    // the replica the failover promotes: a copy of every key as of now
    const keys = (await t.command(["KEYS", `{${p}}:*`])) as string[];
    for (const key of keys) await t.command(["COPY", key, `replica:${key}`]);
    await store.wipeWritePerm("broker-a");
    const held = (await store.getTopicRouteIfChanged("TopicA", null))!;
    expect(held.route!.queueDatas[0].perm).toBe(4);
    // the failover: the wipe is lost, the state is the copy's
    await t.command(["DEL", ...((await t.command(["KEYS", `{${p}}:*`])) as string[])]);
    for (const key of keys) await t.command(["COPY", `replica:${key}`, key]);
    expect((await store.getTopicRouteIfChanged("TopicA", held.stamp))!.route!.queueDatas[0].perm).toBe(6);
    // the next change on the new primary must not hand out the version the bridge holds
    await store.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4");
    expect((await store.getTopicRouteIfChanged("TopicA", held.stamp))?.route?.queueDatas[0].perm).toBe(6);
    expect(Number(await versionOf(t, store))).toBeGreaterThan(Number(held.stamp.version));
  });

  it("several stores on one prefix share the version: B's stamp sees A's change, also over Bun RESP and JSON", async () => {
    const p = prefix();
    const a = new RedisStore(transport(), { prefix: p, clock: () => T0 });
    const b = new RedisStore(transport(), { prefix: p, clock: () => T0 });
    await a.registerBroker(reg());
    const rpc = await StoreRpcProcess.start(redis.current.url);
    try {
      const c = await rpc.open({ prefix: p, clock: T0 });
      const stampB = (await b.getTopicRouteIfChanged("TopicA", null))!.stamp;
      const stampC = (await c.getTopicRouteIfChanged("TopicA", null))!.stamp;
      expect(stampC).toEqual(stampB);
      expect(await b.getTopicRouteIfChanged("TopicA", stampB)).toBeNull();
      expect(await c.getTopicRouteIfChanged("TopicA", stampC)).toBeNull();
      await a.wipeWritePerm("broker-a");
      expect((await b.getTopicRouteIfChanged("TopicA", stampB))!.route!.queueDatas[0].perm).toBe(4);
      expect((await c.getTopicRouteIfChanged("TopicA", stampC))!.route!.queueDatas[0].perm).toBe(4);
      const next = (await b.getTopicRouteIfChanged("TopicA", null))!.stamp;
      await a.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:8");
      expect(await b.getTopicRouteIfChanged("TopicA", next)).not.toBeNull();
    } finally {
      await rpc.stop();
    }
  });
});

describe("large registrations", () => {
  function topics(count: number, nameLength: number): TopicConfig[] {
    return Array.from({ length: count }, (_, i) => {
      const base = `Topic-${i}-`;
      return {
        topicName: base + "x".repeat(Math.max(0, nameLength - base.length)),
        readQueueNums: 8,
        writeQueueNums: 8,
        perm: 6,
        topicSysFlag: 0,
      };
    });
  }

  it("10,000 topics with 127-character names: no request over 1 MB; unchanged re-registration is one round trip", async () => {
    const counting = new CountingTransport(transport());
    const store = new RedisStore(counting, { prefix: prefix(), clock: () => T0 });
    const big = topics(10_000, 127);
    await store.registerBroker(reg({ topics: big }));
    expect(counting.maxBytes).toBeLessThan(1_000_000);
    expect(counting.calls).toBeGreaterThan(1); // too big for one request: staged
    expect(await store.getAllTopics()).toHaveLength(10_000);
    expect((await store.getTopicRoute(big[9_999].topicName))?.queueDatas).toHaveLength(1);

    counting.reset();
    await store.registerBroker(reg({ topics: big, now: T0 + 30_000 }));
    expect(counting.calls).toBe(1);
    expect(counting.maxBytes).toBeLessThan(4096);

    // a topic deleted meanwhile is re-added (the fast path notices) with an unchanged DataVersion
    await store.deleteTopic(big[5].topicName, null);
    counting.reset();
    await store.registerBroker(reg({ topics: big, now: T0 + 60_000 }));
    expect(counting.maxBytes).toBeLessThan(1_000_000);
    expect(await store.getTopicRoute(big[5].topicName)).not.toBeNull();

    // a changed DataVersion rewrites all of them, still in requests under 1 MB
    await store.wipeWritePerm("broker-a");
    counting.reset();
    await store.registerBroker(reg({ topics: big, dataVersion: dv(2), now: T0 + 90_000 }));
    expect(counting.maxBytes).toBeLessThan(1_000_000);
    expect((await store.getTopicRoute(big[1234].topicName))?.queueDatas[0].perm).toBe(6);
  }, 60_000);

  it("10,000 topics with ordinary names go in chunks of chunkTopics; up to chunkTopics in one request", async () => {
    const counting = new CountingTransport(transport());
    const store = new RedisStore(counting, { prefix: prefix(), clock: () => T0 });
    await store.registerBroker(reg({ topics: topics(10_000, 24) }));
    // a probe, 10 uploads, the commit, and the folds
    expect(counting.calls).toBeGreaterThanOrEqual(1 + 10 + 1 + 10);
    expect(counting.maxBytes).toBeLessThan(100_000);
    expect(await store.getAllTopics()).toHaveLength(10_000);

    counting.reset();
    const small = new RedisStore(counting, { prefix: prefix(), clock: () => T0, chunkTopics: 1000 });
    await small.registerBroker(reg({ topics: topics(1000, 24) }));
    expect(counting.calls).toBe(1);
  }, 60_000);

  it("the work of a registration does not grow with the number of other brokers", async () => {
    const t = transport();
    const commandCalls = async (): Promise<number> => {
      const info = (await t.command(["INFO", "commandstats"])) as string;
      let calls = 0;
      for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
        if (!["eval", "evalsha", "info"].includes(m[1])) calls += Number(m[2]);
      }
      return calls;
    };
    const measure = async (others: number): Promise<number> => {
      const store = new RedisStore(t, { prefix: prefix(), clock: () => T0 });
      for (let i = 0; i < others; i++) {
        await store.registerBroker(
          reg({ brokerName: `other-${i}`, brokerAddr: `10.9.0.${i}:10911`, topics: topics(300, 20).map((c) => ({ ...c, topicName: `o${i}-${c.topicName}` })) }),
        );
      }
      await store.registerBroker(reg({ topics: topics(200, 20) }));
      const before = await commandCalls();
      await store.registerBroker(
        reg({ topics: topics(200, 20), dataVersion: dv(2), deleteTopicWithBrokerRegistration: true, now: T0 + 1 }),
      );
      return (await commandCalls()) - before;
    };
    const alone = await measure(0);
    const crowded = await measure(20);
    expect(crowded).toBe(alone);
  }, 60_000);
});

describe("Redis unreachable", () => {
  let deadPort: number;
  beforeAll(async () => {
    deadPort = await freePort();
  });
  const started: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await s.close();
  });

  it("RESP (Node): a call fails fast with a clear error", async () => {
    const store = new RedisStore(new NodeRespTransport({ url: `redis://127.0.0.1:${deadPort}` }), { closeTransport: true });
    const t0 = Date.now();
    await expect(store.getTopicRoute("TopicA")).rejects.toThrow(RedisStoreError);
    await expect(store.getTopicRoute("TopicA")).rejects.toThrow(/cannot connect to Redis/);
    expect(Date.now() - t0).toBeLessThan(3000);
    await store.close();
  });

  it("a route check against a known stamp fails instead of waiting, whether the call rejects or throws", async () => {
    const stamp = { version: "7", validUntil: Number.MAX_SAFE_INTEGER };
    const dead = new RedisStore(new NodeRespTransport({ url: `redis://127.0.0.1:${deadPort}` }), { closeTransport: true });
    await expect(dead.getTopicRouteIfChanged("TopicA", stamp)).rejects.toThrow(/getRouteVersion failed: .*cannot connect to Redis/);
    await dead.close();
    const throwing = new RedisStore({
      eval: async () => null,
      command: () => {
        throw new Error("transport broken");
      },
      close: async () => {},
    });
    await expect(throwing.getTopicRouteIfChanged("TopicA", stamp)).rejects.toThrow(/getRouteVersion failed: transport broken/);
    // the next turn's read is a new one, not the failed one
    await expect(throwing.getTopicRouteIfChanged("TopicB", stamp)).rejects.toThrow(RedisStoreError);
  });

  it("REST: a proxy whose Redis is down, and no proxy at all, both fail within the bound", async () => {
    const proxy = await startDevRestProxy({ redisUrl: `redis://127.0.0.1:${deadPort}`, token: "t" });
    started.push(proxy);
    const viaProxy = new RedisStore(new UpstashTransport({ url: proxy.url, token: "t" }));
    let t0 = Date.now();
    await expect(viaProxy.putKVConfig("ns", "k", "v")).rejects.toThrow(RedisStoreError);
    expect(Date.now() - t0).toBeLessThan(3000);

    const nowhere = new RedisStore(new UpstashTransport({ url: `http://127.0.0.1:${deadPort}`, token: "t" }));
    t0 = Date.now();
    await expect(nowhere.getAllTopics()).rejects.toThrow(/Redis REST request failed|no answer/);
    expect(Date.now() - t0).toBeLessThan(3000);

    const badToken = new RedisStore(new UpstashTransport({ url: proxy.url, token: "wrong" }));
    await expect(badToken.getAllTopics()).rejects.toThrow(/Unauthorized/);
  });

  it("REST: a server that never answers is cut off within the bound", async () => {
    const { createServer } = await import("node:http");
    const server = createServer(() => undefined); // accepts, never responds
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    started.push({ close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
    const port = (server.address() as { port: number }).port;
    const store = new RedisStore(new UpstashTransport({ url: `http://127.0.0.1:${port}`, token: "t", timeoutMs: 800 }));
    const t0 = Date.now();
    await expect(store.getAllTopics()).rejects.toThrow(/no answer/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("RESP (Bun): starting against a dead Redis fails within the bound", async () => {
    const t0 = Date.now();
    await expect(StoreRpcProcess.start(`redis://127.0.0.1:${deadPort}`)).rejects.toThrow(/Redis/);
    // includes starting Bun
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("RESP (Node): recovers by itself when Redis comes back", async () => {
    const t = new NodeRespTransport({ url: redis.current.url });
    transports.push(t);
    const store = new RedisStore(t, { prefix: prefix() });
    await store.putKVConfig("ns", "k", "v");
    // the server drops every client connection (as on a restart)
    await t.command(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"]).catch(() => undefined);
    // a call caught on the dying connection may fail; the next ones reconnect by themselves
    await store.getKVConfig("ns", "k").catch(() => undefined);
    await expect(store.getKVConfig("ns", "k")).resolves.toBe("v");
  });
});
