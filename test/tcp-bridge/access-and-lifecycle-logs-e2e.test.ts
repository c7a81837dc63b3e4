import { afterAll, afterEach, describe, expect, it } from "vitest";
import { RequestCode, ResponseCode } from "../../shared/codes";
import { registerRequest, type BrokerOptions } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { useRedisServer } from "../support/redis-server";
import { RemotingTestClient } from "../support/remoting-client";
import { waitFor } from "../support/wait-for";

/** The JSON lines the process wrote with `msg`. */
function linesOf(ns: NamesrvProcess, msg: string): Record<string, unknown>[] {
  return ns
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);
}

const started: NamesrvProcess[] = [];
const clients: RemotingTestClient[] = [];
async function namesrv(env: Record<string, string>): Promise<NamesrvProcess> {
  const ns = await startNamesrv(env);
  started.push(ns);
  return ns;
}
async function client(ns: NamesrvProcess): Promise<RemotingTestClient> {
  const c = await RemotingTestClient.connect(ns.port);
  clients.push(c);
  return c;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await Promise.all(started.map((ns) => ns.stop()));
});

async function register(c: RemotingTestClient, o: BrokerOptions) {
  const r = registerRequest(o);
  const response = await c.request(RequestCode.REGISTER_BROKER, { version: r.version, extFields: r.extFields, body: r.body });
  return response;
}

describe("the access log", () => {
  it("writes one line per request at accessLogLevel, from remoting and HTTP alike", async () => {
    const ns = await namesrv({ NAMESRV_CONFIG_accessLogLevel: "info" });
    const c = await client(ns);
    const route = await c.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "NoSuchTopic" } });
    expect(route.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect((await register(c, { brokerName: "b-log", topics: ["LoggedTopic", "Base"] })).code).toBe(ResponseCode.SUCCESS);
    expect((await c.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "LoggedTopic" } })).code).toBe(ResponseCode.SUCCESS);
    expect((await ns.http("/api/v1/kv/NS/key", { method: "PUT", headers: { "content-type": "application/json" }, body: '{"value":"v"}' })).status).toBeLessThan(300);

    await waitFor(() => linesOf(ns, "request").length >= 4, "four access log lines");
    const lines = linesOf(ns, "request");
    expect(lines.every((l) => l.level === "info")).toBe(true);
    expect(lines[0]).toMatchObject({ operation: "getRouteInfoByTopic", code: 105, transport: "remoting", principal: null, responseCode: ResponseCode.TOPIC_NOT_EXIST, requestBytes: 0 });
    expect(String(lines[0].peer)).toMatch(/^127\.0\.0\.1/);
    expect(typeof lines[0].durationMs).toBe("number");
    expect(lines[1]).toMatchObject({ operation: "registerBroker", code: 103, responseCode: 0 });
    expect(lines[1].requestBytes).toBeGreaterThan(0);
    expect(lines[2]).toMatchObject({ operation: "getRouteInfoByTopic", responseCode: 0 });
    expect(lines[2].responseBytes).toBeGreaterThan(0);
    expect(lines[3]).toMatchObject({ operation: "putKVConfig", code: 100, transport: "http", responseCode: 0, requestBytes: 13 });
  });

  it("writes lines for the accessLogSampleRate share of requests only", async () => {
    const ns = await namesrv({ NAMESRV_CONFIG_accessLogLevel: "info", NAMESRV_CONFIG_accessLogSampleRate: "0.25" });
    const c = await client(ns);
    for (let i = 0; i < 400; i++) await c.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "NoSuchTopic" } });
    // settle: the last line is written after its response
    await new Promise((r) => setTimeout(r, 200));
    const count = linesOf(ns, "request").length;
    // binomial(400, 0.25): mean 100, sd ~8.7
    expect(count).toBeGreaterThan(50);
    expect(count).toBeLessThan(150);
  });

  it("writes none at the default level (debug) when the log level is info", async () => {
    const ns = await namesrv({});
    const c = await client(ns);
    await c.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "NoSuchTopic" } });
    await new Promise((r) => setTimeout(r, 200));
    expect(linesOf(ns, "request")).toEqual([]);
  });
});

const redis = useRedisServer();
describeLifecycle("embedded store", () => ({}));
describeLifecycle("Redis store over RESP", () => ({ REDIS_URL: redis.current.url, NAMESRV_REDIS_PREFIX: `lifecycle-${Date.now()}` }));

function describeLifecycle(storeName: string, env: () => Record<string, string>) {
  describe(`broker lifecycle lines (${storeName})`, () => {
    it("tell the first registration, a change, an unregistration, a close and an expiry, once each", async () => {
      const ns = await namesrv({ ...env(), NAMESRV_CONFIG_scanNotActiveBrokerInterval: "200" });
      const events = () => linesOf(ns, "broker lifecycle");
      const c = await client(ns);
      const broker = { brokerName: "b-life", brokerAddr: "127.0.0.1:20911", clusterName: "LifeCluster" };

      expect((await register(c, { ...broker, topics: ["T0", "T1"] })).code).toBe(ResponseCode.SUCCESS);
      expect((await register(c, { ...broker, topics: ["T0", "T1"] })).code).toBe(ResponseCode.SUCCESS);
      expect((await register(c, { ...broker, topics: ["T0", "T1", "T2"], counter: 2 })).code).toBe(ResponseCode.SUCCESS);
      const unregistered = await c.request(RequestCode.UNREGISTER_BROKER, {
        extFields: { clusterName: "LifeCluster", brokerName: "b-life", brokerAddr: "127.0.0.1:20911", brokerId: "0" },
      });
      expect(unregistered.code).toBe(ResponseCode.SUCCESS);

      const closing = await RemotingTestClient.connect(ns.port);
      expect((await register(closing, { brokerName: "b-close", brokerAddr: "127.0.0.1:20921", clusterName: "LifeCluster" })).code).toBe(ResponseCode.SUCCESS);
      closing.close();
      await waitFor(() => events().some((e) => e.reason === "connection closed"), "the close to be logged");

      const expiring = { brokerName: "b-expire", brokerAddr: "127.0.0.1:20931", clusterName: "LifeCluster", extra: { heartbeatTimeoutMillis: "300" } };
      expect((await register(c, expiring)).code).toBe(ResponseCode.SUCCESS);
      await waitFor(() => events().some((e) => e.event === "expired"), "the expiry to be logged", 10_000);

      const seen = events().map((e) => [e.event, e.reason, e.cluster, e.brokerName, e.brokerAddr]);
      expect(seen).toEqual([
        ["registered", "first registration", "LifeCluster", "b-life", "127.0.0.1:20911"],
        ["changed", "register body changed", "LifeCluster", "b-life", "127.0.0.1:20911"],
        ["unregistered", "unregistered by request", "LifeCluster", "b-life", "127.0.0.1:20911"],
        ["registered", "first registration", "LifeCluster", "b-close", "127.0.0.1:20921"],
        ["unregistered", "connection closed", "LifeCluster", "b-close", "127.0.0.1:20921"],
        ["registered", "first registration", "LifeCluster", "b-expire", "127.0.0.1:20931"],
        ["expired", "expired", "LifeCluster", "b-expire", "127.0.0.1:20931"],
      ]);
      expect(events().every((e) => e.level === "info")).toBe(true);
      expect(events()[1]).toMatchObject({ topics: 3, dataVersion: { counter: 2 } });
    });
  });
}
