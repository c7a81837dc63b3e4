import { beforeEach, describe, expect, it } from "vitest";
import { ClusterInfoSchema, TopicRouteDataSchema } from "../../shared/body-schemas";
import { defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import { inProcessNamesrv } from "../support/in-process-namesrv";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { httpRegistration, jsonRequest, topicConfig } from "../support/http-api";

type App = ReturnType<typeof inProcessNamesrv>["app"];

function makeApp(overrides: Partial<NamesrvConfig> = {}, clock: () => number = Date.now): App {
  const store = new EmbeddedStore({ kvConfigPath: null });
  const config = { ...defaultNamesrvConfig("/tmp/namesrv-home"), ...overrides };
  return inProcessNamesrv(store, config, { clock }).app;
}

const json = jsonRequest;

/** broker-a with topics TopicTest and `a/b` (a name that needs encoding in a path). */
function registration(overrides: Record<string, unknown> = {}) {
  return httpRegistration({
    haServerAddr: "127.0.0.1:10912",
    enableActingMaster: false,
    topicConfigTable: { TopicTest: topicConfig("TopicTest"), "a/b": topicConfig("a/b", 2) },
    ...overrides,
  });
}

describe("HTTP API", () => {
  let app: App;
  beforeEach(() => {
    app = makeApp();
  });

  it("answers /health and serves an OpenAPI document naming every operation", async () => {
    expect((await app.request("/health")).status).toBe(200);
    const doc = await (await app.request("/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/v1/topics/{topic}/route");
    const routeSchema = doc.paths["/api/v1/topics/{topic}/route"].get.responses["200"].content["application/json"].schema;
    expect(routeSchema.required).toEqual(expect.arrayContaining(["queueDatas", "brokerDatas", "filterServerTable"]));
    const codes = Object.values(doc.paths).flatMap((p: any) => Object.values(p).map((op: any) => op["x-rocketmq-request-code"]));
    for (const code of [100, 101, 102, 103, 104, 105, 106, 205, 206, 216, 217, 219, 224, 304, 311, 318, 319, 322, 327, 901, 904]) {
      expect(codes).toContain(code);
    }
  });

  it("returns 404 with a RocketMQ error for an unknown topic route", async () => {
    const res = await app.request("/api/v1/topics/nope/route");
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error.code).toBe(17);
    expect(body.error.message).toBe(
      "No topic route info in name server for the topic: nope\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.",
    );
  });

  it("registers a broker and serves its route in both dialects", async () => {
    const res = await app.request("/api/v1/brokers/register", json(registration()));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ orderTopicConfig: null });

    const standard = await app.request("/api/v1/topics/TopicTest/route");
    expect(standard.status).toBe(200);
    expect(await standard.text()).toBe(
      '{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
    expect(TopicRouteDataSchema.safeParse(JSON.parse(await (await app.request("/api/v1/topics/TopicTest/route")).text())).success).toBe(true);
    expect(ClusterInfoSchema.safeParse(await (await app.request("/api/v1/clusters")).json()).success).toBe(true);
    const legacy = await app.request("/api/v1/topics/TopicTest/route?format=legacy");
    expect(await legacy.text()).toContain('"brokerAddrs":{0:"127.0.0.1:10911"}');
    // percent-encoded topic names reach the handler decoded
    expect((await app.request(`/api/v1/topics/${encodeURIComponent("a/b")}/route`)).status).toBe(200);
  });

  it("rejects an invalid registration with 400 and a readable message", async () => {
    const res = await app.request("/api/v1/brokers/register", json(registration({ brokerId: "x" })));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe(1);
    expect(body.error.message).toContain("brokerId");
    const bad = await app.request("/api/v1/brokers/register", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await app.request("/api/v1/topics")).status).toBe(200);
    expect(await (await app.request("/api/v1/topics")).json()).toEqual({ topicList: [] });
  });

  it("returns the order config to brokers and adds orderTopicConf to routes when enabled", async () => {
    const ordered = makeApp({ orderMessageEnable: true });
    await ordered.request("/api/v1/kv/ORDER_TOPIC_CONFIG/TopicTest", json({ value: "broker-a:4" }, "PUT"));
    const reg = await ordered.request("/api/v1/brokers/register", json(registration()));
    expect(await reg.json()).toEqual({ orderTopicConfig: { TopicTest: "broker-a:4" } });
    const route = await (await ordered.request("/api/v1/topics/TopicTest/route")).json();
    expect(route.orderTopicConf).toBe("broker-a:4");
    const plain = await (await app.request("/api/v1/brokers/register", json(registration()))).json();
    expect(plain.orderTopicConfig).toBeNull();
  });

  it("never serves a stale encoded route after a registration, a KV write or a config change", async () => {
    await app.request("/api/v1/brokers/register", json(registration()));
    const read = async () => (await app.request("/api/v1/topics/TopicTest/route")).json();
    expect((await read()).orderTopicConf).toBeUndefined();
    await app.request("/api/v1/config", json({ orderMessageEnable: "true" }, "PUT"));
    await app.request("/api/v1/kv/ORDER_TOPIC_CONFIG/TopicTest", json({ value: "broker-a:4" }, "PUT"));
    expect((await read()).orderTopicConf).toBe("broker-a:4");
    await app.request("/api/v1/kv/ORDER_TOPIC_CONFIG/TopicTest", json({ value: "broker-a:2" }, "PUT"));
    expect((await read()).orderTopicConf).toBe("broker-a:2");
    const changed = registration({
      dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter: 2 },
      topicConfigTable: { TopicTest: { topicName: "TopicTest", readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 }, X: { topicName: "X" } },
    });
    await app.request("/api/v1/brokers/register", json(changed));
    expect((await read()).queueDatas[0].writeQueueNums).toBe(8);
    const legacy = await (await app.request("/api/v1/topics/TopicTest/route?format=legacy")).text();
    expect(legacy).toContain('"writeQueueNums":8');
    await app.request("/api/v1/config", json({ orderMessageEnable: "false" }, "PUT"));
    expect((await read()).orderTopicConf).toBeUndefined();
  });

  /** the bridge's digest-only re-registration, with every optional field of the port input */
  const REFRESH = "/internal/v1/ops/refreshBrokerRegistration";
  const unset = { haServerAddr: null, zoneName: null, heartbeatTimeoutMillis: null, enableActingMaster: null, channel: null };

  it("takes an unchanged re-registration by digest, except when deleteTopicWithBrokerRegistration needs the full body", async () => {
    const { topicConfigTable: _t, dataVersion: _d, filterServerList: _f, ...identity } = registration();
    await app.request("/api/v1/brokers/register", json(registration({ bodyDigest: "d1" })));
    const refreshed = await app.request(REFRESH, json({ ...unset, ...identity, bodyDigest: "d1" }));
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).toEqual({ output: { orderTopicConfig: null } });
    const other = await app.request(REFRESH, json({ ...unset, ...identity, bodyDigest: "d2" }));
    expect(other.status).toBe(200);
    expect(await other.json()).toEqual({ output: null });

    const strict = makeApp({ deleteTopicWithBrokerRegistration: true });
    await strict.request("/api/v1/brokers/register", json(registration({ bodyDigest: "d1" })));
    const q = { brokerName: "broker-a", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 };
    await strict.request("/api/v1/topics/Extra/queues", json({ queueDatas: [q] }, "PUT"));
    const declined = await strict.request(REFRESH, json({ ...unset, ...identity, bodyDigest: "d1" }));
    expect(await declined.json()).toEqual({ output: null });
    await strict.request("/api/v1/brokers/register", json(registration({ bodyDigest: "d1" })));
    expect((await strict.request("/api/v1/topics/Extra/route")).status).toBe(404);
  });

  it("keeps slave data in a master/slave group and answers the slave with its master", async () => {
    await app.request("/api/v1/brokers/register", json(registration()));
    const slave = await app.request(
      "/api/v1/brokers/register",
      json(registration({ brokerId: 1, brokerAddr: "127.0.0.1:10921", haServerAddr: "127.0.0.1:10922", channel: "c-2" })),
    );
    expect(await slave.json()).toEqual({ haServerAddr: "127.0.0.1:10912", masterAddr: "127.0.0.1:10911", orderTopicConfig: null });
    const members = await (await app.request("/api/v1/clusters/DefaultCluster/brokers/broker-a/members")).json();
    expect(members.brokerMemberGroup.brokerAddrs).toEqual({ 0: "127.0.0.1:10911", 1: "127.0.0.1:10921" });
    const clusters = await (await app.request("/api/v1/clusters")).json();
    expect(clusters.clusterAddrTable).toEqual({ DefaultCluster: ["broker-a"] });
  });

  it("wipes and adds write permission, counting topics", async () => {
    await app.request("/api/v1/brokers/register", json(registration()));
    const wipe = await (await app.request("/api/v1/brokers/broker-a/wipe-write-perm", { method: "POST" })).json();
    expect(wipe).toEqual({ wipeTopicCount: 2 });
    let route = await (await app.request("/api/v1/topics/TopicTest/route")).json();
    expect(route.queueDatas[0].perm).toBe(4);
    const add = await (await app.request("/api/v1/brokers/broker-a/add-write-perm", { method: "POST" })).json();
    expect(add).toEqual({ addTopicCount: 2 });
    route = await (await app.request("/api/v1/topics/TopicTest/route")).json();
    expect(route.queueDatas[0].perm).toBe(6);
  });

  it("unregisters a broker through its channel only", async () => {
    await app.request("/api/v1/brokers/register", json(registration({ channel: "old" })));
    await app.request("/api/v1/brokers/register", json(registration({ channel: "new" })));
    const stale = await (await app.request("/internal/v1/ops/closeChannel", json({ channel: "old" }))).json();
    expect(stale.output).toEqual([]);
    expect((await app.request("/api/v1/topics/TopicTest/route")).status).toBe(200);
    const current = await (await app.request("/internal/v1/ops/closeChannel", json({ channel: "new" }))).json();
    expect(current.output).toHaveLength(1);
    expect((await app.request("/api/v1/topics/TopicTest/route")).status).toBe(404);
  });

  it("expires silent brokers on a scan", async () => {
    let now = 1_000_000;
    const timed = makeApp({}, () => now);
    await timed.request("/api/v1/brokers/register", json(registration({ heartbeatTimeoutMillis: 1000 })));
    now += 500;
    expect((await (await timed.request("/internal/v1/ops/scanNotActiveBroker", json({}))).json()).output).toEqual([]);
    now += 1000;
    const scan = { expired: (await (await timed.request("/internal/v1/ops/scanNotActiveBroker", json({}))).json()).output };
    expect(scan.expired.map((b: any) => b.brokerName)).toEqual(["broker-a"]);
    expect((await timed.request("/api/v1/topics/TopicTest/route")).status).toBe(404);
  });

  it("lists broker instances with their last registration or heartbeat and data version", async () => {
    let now = 1_000_000;
    const timed = makeApp({}, () => now);
    expect(await (await timed.request("/api/v1/brokers/live")).json()).toEqual({ brokers: [] });
    await timed.request("/api/v1/brokers/register", json(registration({ brokerAddr: "127.0.0.2:10911", brokerId: 1, heartbeatTimeoutMillis: 5000 })));
    await timed.request("/api/v1/brokers/register", json(registration()));
    now += 700;
    await timed.request("/api/v1/brokers/heartbeat", json({ clusterName: "DefaultCluster", brokerAddr: "127.0.0.1:10911" }));
    const res = await timed.request("/api/v1/brokers/live");
    expect(res.status).toBe(200);
    const dataVersion = { stateVersion: 0, timestamp: 1700000000000, counter: 1 };
    expect(await res.json()).toEqual({
      brokers: [
        { clusterName: "DefaultCluster", brokerAddr: "127.0.0.1:10911", brokerName: "broker-a", lastUpdateTimestamp: 1_000_700, heartbeatTimeoutMillis: 120_000, dataVersion, haServerAddr: "127.0.0.1:10912" },
        { clusterName: "DefaultCluster", brokerAddr: "127.0.0.2:10911", brokerName: "broker-a", lastUpdateTimestamp: 1_000_000, heartbeatTimeoutMillis: 5000, dataVersion, haServerAddr: "127.0.0.1:10912" },
      ],
    });
    const doc = await (await timed.request("/openapi.json")).json();
    expect(doc.paths["/api/v1/brokers/live"].get).toBeDefined();
  });

  it("answers QUERY_DATA_VERSION and refreshes liveness", async () => {
    await app.request("/api/v1/brokers/register", json(registration()));
    const same = await (
      await app.request("/api/v1/brokers/query-data-version", json({
        clusterName: "DefaultCluster",
        brokerAddr: "127.0.0.1:10911",
        dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter: 1 },
      }))
    ).json();
    expect(same.changed).toBe(false);
    const unknown = await (
      await app.request("/api/v1/brokers/query-data-version", json({ clusterName: "X", brokerAddr: "1.1.1.1:1" }))
    ).json();
    expect(unknown).toEqual({ changed: true, dataVersion: null });
  });

  it("serves KV configuration with Java's not-found remarks", async () => {
    const missing = await app.request("/api/v1/kv/ns/k");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toEqual({ code: 22, name: "QUERY_NOT_FOUND", message: "No config item, Namespace: ns Key: k" });
    expect((await app.request("/api/v1/kv/ns/k", json({ value: "v" }, "PUT"))).status).toBe(200);
    expect(await (await app.request("/api/v1/kv/ns/k")).json()).toEqual({ namespace: "ns", key: "k", value: "v" });
    expect(await (await app.request("/api/v1/kv/ns")).json()).toEqual({ table: { k: "v" } });
    await app.request("/api/v1/kv/ns/k", { method: "DELETE" });
    expect(await (await app.request("/api/v1/kv/ns")).json()).toEqual({ table: {} });
    const noNs = await app.request("/api/v1/kv/other");
    expect((await noNs.json()).error.message).toBe("No config item, Namespace: other");
  });

  it("updates configuration at run time and refuses black-listed keys", async () => {
    const res = await app.request("/api/v1/config", json({ enableTopicList: "false" }, "PUT"));
    expect(res.status).toBe(200);
    expect((await res.json()).enableTopicList).toBe("false");
    const gated = await app.request("/api/v1/clusters/DefaultCluster/topics");
    expect((await gated.json()).error).toMatchObject({ code: 1, message: "disable" });
    const refused = await app.request("/api/v1/config", json({ kvConfigPath: "/tmp/x" }, "PUT"));
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatchObject({ code: 16, message: "Can not update config in black list." });
    const invalid = await app.request("/api/v1/config", json({ listenPort: "abc" }, "PUT"));
    expect(invalid.status).toBe(400);
    expect((await (await app.request("/api/v1/config")).json()).listenPort).toBe("9876");
  });

  it("answers 'name server not ready' while waiting for service", async () => {
    let now = 0;
    const waiting = makeApp({ needWaitForService: true, waitSecondsForService: 3 }, () => now);
    const early = await waiting.request("/api/v1/topics/TopicTest/route");
    expect((await early.json()).error).toMatchObject({ code: 1, message: "name server not ready" });
    now = 4000;
    expect((await (await waiting.request("/api/v1/topics/TopicTest/route")).json()).error.code).toBe(17);
  });

  it("filters routes by zone", async () => {
    await app.request("/api/v1/brokers/register", json(registration({ zoneName: "zone-1" })));
    await app.request(
      "/api/v1/brokers/register",
      json(registration({ brokerName: "broker-b", brokerAddr: "127.0.0.1:11911", zoneName: "zone-2", channel: "c-b" })),
    );
    const all = await (await app.request("/api/v1/topics/TopicTest/route")).json();
    expect(all.brokerDatas).toHaveLength(2);
    const zoned = await (await app.request("/api/v1/topics/TopicTest/route?zone=ZONE-1")).json();
    expect(zoned.brokerDatas.map((b: any) => b.brokerName)).toEqual(["broker-a"]);
    expect(zoned.queueDatas.map((q: any) => q.brokerName)).toEqual(["broker-a"]);
  });

  it("deletes a topic and registers queues for a known broker only", async () => {
    await app.request("/api/v1/brokers/register", json(registration()));
    const q = { brokerName: "broker-a", readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 };
    await app.request("/api/v1/topics/NewTopic/queues", json({ queueDatas: [q] }, "PUT"));
    expect((await app.request("/api/v1/topics/NewTopic/route")).status).toBe(200);
    await app.request("/api/v1/topics/Unknown/queues", json({ queueDatas: [{ ...q, brokerName: "ghost" }] }, "PUT"));
    expect((await app.request("/api/v1/topics/Unknown/route")).status).toBe(404);
    await app.request("/api/v1/topics/NewTopic", { method: "DELETE" });
    expect((await app.request("/api/v1/topics/NewTopic/route")).status).toBe(404);
  });

  it("publishes the lowest slave as master when the master is gone and supportActingMaster is on", async () => {
    for (const support of [true, false]) {
      const acting = makeApp({ supportActingMaster: support });
      await acting.request("/api/v1/brokers/register", json(registration({ enableActingMaster: true })));
      await acting.request(
        "/api/v1/brokers/register",
        json(registration({ enableActingMaster: true, brokerId: 1, brokerAddr: "127.0.0.1:10921", channel: "c-2" })),
      );
      await acting.request("/api/v1/brokers/unregister", json({ clusterName: "DefaultCluster", brokerAddr: "127.0.0.1:10911", brokerName: "broker-a", brokerId: 0 }));
      const route = await (await acting.request("/api/v1/topics/TopicTest/route")).json();
      expect(route.queueDatas[0].perm).toBe(4);
      expect(route.brokerDatas[0].brokerAddrs).toEqual(support ? { 0: "127.0.0.1:10921" } : { 1: "127.0.0.1:10921" });
    }
  });

  it("answers unknown paths with a JSON error", async () => {
    const res = await app.request("/api/v1/nothing-here");
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe(3);
  });
});
