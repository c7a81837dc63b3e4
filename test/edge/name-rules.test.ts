import { describe, expect, it } from "vitest";
import { defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import type { RegisterBrokerInput } from "../../edge/port/namesrv-port";
import { inProcessNamesrv } from "../support/in-process-namesrv";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { httpRegistration, jsonRequest, registrationInput, topicConfig } from "../support/http-api";

function makeApp(overrides: Partial<NamesrvConfig> = {}, clock: () => number = Date.now) {
  const store = new EmbeddedStore({ kvConfigPath: null });
  return { store, ...inProcessNamesrv(store, { ...defaultNamesrvConfig("/tmp/namesrv-home"), ...overrides }, { clock }) };
}

const json = jsonRequest;
const registration = httpRegistration;
const directRegistration = registrationInput;

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: number; message: string } }).error;
}

const LONE_SURROGATE = "\ud800";

describe("names and values", () => {
  it("refuses over-long and ill-formed broker, cluster and zone names on HTTP and on the bridge's direct path, storing nothing", async () => {
    const { app, services } = makeApp();
    const bad: [Record<string, unknown>, string][] = [
      [{ brokerName: "b".repeat(256) }, "brokerName of 256 characters is longer than maxNameLength (255)"],
      [{ clusterName: "c".repeat(300) }, "clusterName of 300 characters is longer than maxNameLength (255)"],
      [{ zoneName: "z".repeat(256) }, "zoneName of 256 characters is longer than maxNameLength (255)"],
      [{ brokerAddr: "a".repeat(256) }, "brokerAddr of 256 characters is longer than maxNameLength (255)"],
      [{ brokerName: `broker${LONE_SURROGATE}` }, "brokerName contains an unpaired UTF-16 surrogate"],
      [{ clusterName: `\udc00cluster` }, "clusterName contains an unpaired UTF-16 surrogate"],
    ];
    for (const [fields, message] of bad) {
      const res = await app.request("/api/v1/brokers/register", json(registration(fields)));
      expect(res.status, message).toBe(400);
      expect(await errorOf(res)).toEqual({ code: 1, name: "SYSTEM_ERROR", message });
      await expect(services.routes.registerBroker(directRegistration(fields as Partial<RegisterBrokerInput>))).rejects.toMatchObject({
        code: 1,
        status: 400,
        message,
      });
    }
    expect(await (await app.request("/api/v1/clusters")).json()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
    // names at the limit, and paired surrogates, are fine
    const ok = await app.request("/api/v1/brokers/register", json(registration({ brokerName: `${"b".repeat(253)}😀`, zoneName: "z".repeat(255) })));
    expect(ok.status).toBe(200);
  });

  it("takes every topic a real broker registers, and refuses over-long or ill-formed ones", async () => {
    const { app, services } = makeApp();
    const group = "g".repeat(200);
    const real = [
      "TopicTest",
      "%RETRY%please_rename_unique_group_name_4",
      "%DLQ%please_rename_unique_group_name_4",
      `%RETRY%${group}`,
      `%RETRY%${group}+${"t".repeat(127)}`,
      `%RETRY%${group}_${"t".repeat(127)}`,
      "rmq_sys_REVIVE_LOG_DefaultCluster",
      "rmq_sys_SYNC_BROKER_MEMBER_broker-a",
      "rmq_sys_wheel_timer",
      "SCHEDULE_TOPIC_XXXX",
      "RMQ_SYS_TRANS_HALF_TOPIC",
      "RMQ_SYS_TRANS_OP_HALF_TOPIC",
      "TRANS_CHECK_MAX_TIME_TOPIC",
      "BenchmarkTest",
      "TBW102",
      "OFFSET_MOVED_EVENT",
      "SELF_TEST_TOPIC",
      "DefaultCluster",
      "broker-a",
      "DefaultCluster_REPLY_TOPIC",
      "%LMQ%lmq-1",
      "ns|topic",
      "a/b",
    ];
    const table = Object.fromEntries(real.map((t) => [t, topicConfig(t)]));
    expect((await app.request("/api/v1/brokers/register", json(registration({ topicConfigTable: table })))).status).toBe(200);
    const all = ((await (await app.request("/api/v1/topics")).json()) as { topicList: string[] }).topicList;
    expect(all.sort()).toEqual([...real].sort());

    for (const topic of ["t".repeat(8 + 255 + 1 + 127 + 1), `topic${LONE_SURROGATE}`]) {
      const res = await app.request("/api/v1/brokers/register", json(registration({ brokerName: "broker-b", topicConfigTable: { ...table, [topic]: topicConfig(topic) } })));
      expect(res.status).toBe(400);
      const direct = directRegistration({ brokerName: "broker-b" });
      direct.body.topicConfigTable[topic] = topicConfig(topic);
      await expect(services.routes.registerBroker(direct)).rejects.toMatchObject({ code: 1, status: 400 });
    }
    // the table key is checked, and the topicName the store uses as well
    const renamed = directRegistration({ brokerName: "broker-b" });
    renamed.body.topicConfigTable.TopicTest = topicConfig(`x${LONE_SURROGATE}`);
    await expect(services.routes.registerBroker(renamed)).rejects.toMatchObject({ code: 1 });
    const clusters = (await (await app.request("/api/v1/clusters")).json()) as { clusterAddrTable: Record<string, string[]> };
    expect(clusters.clusterAddrTable).toEqual({ DefaultCluster: ["broker-a"] });
  });

  it("caps the topics of one registration at maxTopicsPerRegistration", async () => {
    const { app, services } = makeApp({ maxTopicsPerRegistration: 10 });
    const table = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`T${i}`, topicConfig(`T${i}`)]));
    const res = await app.request("/api/v1/brokers/register", json(registration({ topicConfigTable: table })));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe("registration has more than maxTopicsPerRegistration (10) topics");
    delete table.T10;
    expect((await app.request("/api/v1/brokers/register", json(registration({ topicConfigTable: table })))).status).toBe(200);
    expect((await services.routes.getAllTopicList()).topicList).toHaveLength(10);
  });

  it("applies Java's topic rules to REGISTER_TOPIC_IN_NAMESRV", async () => {
    const { app } = makeApp();
    await app.request("/api/v1/brokers/register", json(registration()));
    const queues = { queueDatas: [{ brokerName: "broker-a", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 }] };
    const put = (topic: string) => app.request(`/api/v1/topics/${encodeURIComponent(topic)}/queues`, json(queues, "PUT"));
    for (const topic of ["Good_Topic-1", "%RETRY%group", "a|b", "t".repeat(127), "%RETRY%group+topic"]) {
      expect((await put(topic)).status, topic).toBe(200);
      expect((await app.request(`/api/v1/topics/${encodeURIComponent(topic)}/route`)).status, topic).toBe(200);
    }
    const refused: [string, string][] = [
      ["t".repeat(128), "The specified topic is longer than topic max length."],
      ["a b", "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"],
      ["a/b", "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"],
      ["a+b", "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"],
      ["tøpic", "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"],
      ["  ", "The specified topic is blank."],
    ];
    for (const [topic, message] of refused) {
      const res = await put(topic);
      expect(res.status, topic).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 1, message });
      expect((await app.request(`/api/v1/topics/${encodeURIComponent(topic)}/route`)).status).toBe(404);
    }
  });

  it("bounds KV namespaces, keys and values; a value over maxKvValueBytes in UTF-8 is refused", async () => {
    const { app, services } = makeApp({ maxKvValueBytes: 1000 });
    const put = (ns: string, key: string, value: string) => app.request(`/api/v1/kv/${encodeURIComponent(ns)}/${encodeURIComponent(key)}`, json({ value }, "PUT"));
    expect((await put("ns", "k", "v".repeat(1000))).status).toBe(200);
    const tooLong = await put("ns", "k2", "v".repeat(1001));
    expect(tooLong.status).toBe(400);
    expect(await errorOf(tooLong)).toEqual({ code: 1, name: "SYSTEM_ERROR", message: "KV value is larger than maxKvValueBytes (1000 bytes in UTF-8)" });
    // 334 three-byte characters are 1002 bytes: counted in UTF-8, not in characters
    expect((await put("ns", "k3", "€".repeat(334))).status).toBe(400);
    expect((await put("ns", "k3", "€".repeat(333))).status).toBe(200);
    expect((await put("ns".repeat(200), "k", "v")).status).toBe(400);
    expect((await put("ns", "k".repeat(256), "v")).status).toBe(400);
    expect(await errorOf(await put("ns", "k".repeat(256), "v"))).toMatchObject({ message: "key of 256 characters is longer than maxNameLength (255)" });
    const surrogate = await app.request("/api/v1/kv/ns/k4", { method: "PUT", headers: { "content-type": "application/json" }, body: '{"value":"a\\ud800"}' });
    expect(surrogate.status).toBe(400);
    await expect(services.kv.putKVConfig(`ns${LONE_SURROGATE}`, "k", "v")).rejects.toMatchObject({ code: 1, message: "namespace contains an unpaired UTF-16 surrogate" });
    await expect(services.kv.deleteKVConfig("ns", `k${LONE_SURROGATE}`)).rejects.toMatchObject({ code: 1 });
    expect(Object.keys(await services.kv.getKVListByNamespace("ns")).sort()).toEqual(["k", "k3"]);
    expect(await services.kv.getKVConfig("ns", "k")).toHaveLength(1000);
  });

  it("refuses a 2 MiB value under the default maxKvValueBytes of 1 MiB", async () => {
    const { app } = makeApp();
    const res = await app.request("/api/v1/kv/ns/k", json({ value: "v".repeat(2 * 1024 * 1024) }, "PUT"));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe("KV value is larger than maxKvValueBytes (1048576 bytes in UTF-8)");
    expect((await app.request("/api/v1/kv/ns")).status).toBe(404);
  });
});

describe("unpaired surrogates", () => {
  it("get a clear SYSTEM_ERROR from every service call that takes a name, and never alias another name", async () => {
    const { app, services } = makeApp();
    const replaced = "x\ufffd"; // what an unpaired surrogate becomes in UTF-8
    const table = { [replaced]: topicConfig(replaced), Other: topicConfig("Other") };
    expect((await app.request("/api/v1/brokers/register", json(registration({ topicConfigTable: table })))).status).toBe(200);
    await services.kv.putKVConfig("ns", replaced, "v");
    const lone = `x${LONE_SURROGATE}`;
    const queue = { brokerName: "broker-a", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 };
    const calls: [string, () => Promise<unknown>][] = [
      ["getEncodedRoute", () => services.routes.getEncodedRoute(lone, null, "standard")],
      ["getEncodedRoute (zone)", () => services.routes.getEncodedRoute(lone, "zone-1", "legacy")],
      ["getRouteInfoByTopic", () => services.routes.getRouteInfoByTopic(lone)],
      ["getTopicsByCluster", () => services.routes.getTopicsByCluster(lone)],
      ["getBrokerMemberGroup", () => services.routes.getBrokerMemberGroup("DefaultCluster", lone)],
      ["wipeWritePerm", () => services.routes.wipeWritePerm(`broker-a${LONE_SURROGATE}`)],
      ["addWritePerm", () => services.routes.addWritePerm(lone)],
      ["deleteTopic", () => services.routes.deleteTopic(lone, null)],
      ["deleteTopic (cluster)", () => services.routes.deleteTopic("Other", lone)],
      ["registerTopic", () => services.routes.registerTopic(lone, [queue])],
      ["getKVConfig", () => services.kv.getKVConfig("ns", lone)],
      ["deleteKVConfig", () => services.kv.deleteKVConfig("ns", lone)],
      ["putKVConfig", () => services.kv.putKVConfig("ns", lone, "w")],
      ["getKVListByNamespace", () => services.kv.getKVListByNamespace(lone)],
    ];
    for (const [name, call] of calls) {
      await expect(call(), name).rejects.toMatchObject({ code: 1, status: 400, message: expect.stringMatching(/unpaired UTF-16 surrogate|illegal characters/) });
    }
    expect((await services.routes.getRouteInfoByTopic(replaced)).queueDatas[0].perm).toBe(6);
    expect((await services.routes.getRouteInfoByTopic("Other")).queueDatas).toHaveLength(1);
    expect(await services.kv.getKVConfig("ns", replaced)).toBe("v");
  });
});

describe("heartbeatTimeoutMillis", () => {
  const remark = "heartbeatTimeoutMillis 9007199254740991 is outside 1..maxHeartbeatTimeoutMillis (600000)";

  it("refuses 9007199254740991 on every registration path and leaves the state unchanged", async () => {
    let now = 1_000_000;
    const { app, services } = makeApp({}, () => now);
    const forever = await app.request("/api/v1/brokers/register", json(registration({ heartbeatTimeoutMillis: 9007199254740991, channel: null })));
    expect(forever.status).toBe(400);
    expect(await errorOf(forever)).toEqual({ code: 1, name: "SYSTEM_ERROR", message: remark });
    await expect(services.routes.registerBroker(directRegistration({ heartbeatTimeoutMillis: 9007199254740991 }))).rejects.toMatchObject({
      code: 1,
      message: remark,
    });
    expect(await (await app.request("/api/v1/clusters")).json()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });

    // a registered broker cannot stretch its timeout through the digest-only refresh either
    await app.request("/api/v1/brokers/register", json(registration({ bodyDigest: "d1", heartbeatTimeoutMillis: 1000 })));
    const { topicConfigTable: _t, dataVersion: _d, filterServerList: _f, ...identity } = registration();
    const unset = { haServerAddr: null, zoneName: null, enableActingMaster: null, channel: null };
    const refresh = await app.request("/internal/v1/ops/refreshBrokerRegistration", json({ ...unset, ...identity, bodyDigest: "d1", heartbeatTimeoutMillis: 9007199254740991 }));
    expect(refresh.status).toBe(400);
    expect(await errorOf(refresh)).toMatchObject({ message: remark });
    now += 1500;
    expect((await services.routes.expireBrokers()).map((b) => b.brokerName)).toEqual(["broker-a"]);
    expect(await (await app.request("/api/v1/clusters")).json()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
  });

  it("takes timeouts up to maxHeartbeatTimeoutMillis", async () => {
    const { app } = makeApp({ maxHeartbeatTimeoutMillis: 60_000 });
    expect((await app.request("/api/v1/brokers/register", json(registration({ heartbeatTimeoutMillis: 60_000 })))).status).toBe(200);
    const over = await app.request("/api/v1/brokers/register", json(registration({ heartbeatTimeoutMillis: 60_001 })));
    expect(over.status).toBe(400);
    expect((await errorOf(over)).message).toBe("heartbeatTimeoutMillis 60001 is outside 1..maxHeartbeatTimeoutMillis (60000)");
  });
});
