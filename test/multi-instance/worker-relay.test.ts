/**
 * The secure edge set-up end to end: the Worker under `wrangler dev` with authentication and
 * authorization on (accounts in Redis), a Bun server on the same Redis, and a bridge in front of
 * the Worker holding a relay token. A broker signed with one account registers through the bridge;
 * an application account restricted to one topic reads that route and no other; a token issued
 * through the Bun server is accepted by the Worker (one shared view of accounts); every write and
 * denial is in the shared audit stream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevRestProxy, type DevRestProxy } from "../../tools/dev-rest-proxy";
import { RequestCode, ResponseCode } from "../../shared/codes";
import { signedExtFields } from "../../shared/request-signature";
import { registerRequest } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { RemotingTestClient, text } from "../support/remoting-client";
import { redisCommand, startEdgeBridge, startWorker, type EdgeBridge, type WorkerProcess } from "./support";

const TOKEN = "worker-relay-token";
const prefix = `wr-${process.pid}-${Date.now()}`;
const ADMIN = { accessKey: "admin", secretKey: "admin-secret-1" };
const BROKER = { accessKey: "broker-a-acct", secretKey: "broker-a-secret" };
const APP = { accessKey: "orders-app", secretKey: "orders-secret" };
const AUTH = {
  NAMESRV_CONFIG_authenticationEnabled: "true",
  NAMESRV_CONFIG_authorizationEnabled: "true",
  NAMESRV_CONFIG_initAuthenticationUser: JSON.stringify({ username: ADMIN.accessKey, password: ADMIN.secretKey }),
};
const basic = (who: { accessKey: string; secretKey: string }) => `Basic ${btoa(`${who.accessKey}:${who.secretKey}`)}`;

let redis: RedisServer;
let proxy: DevRestProxy;
let worker: WorkerProcess;
let server: NamesrvProcess;
let bridge: EdgeBridge;
const opened: RemotingTestClient[] = [];

async function connect(port: number): Promise<RemotingTestClient> {
  const c = await RemotingTestClient.connect(port);
  opened.push(c);
  return c;
}

/** An administrator's call to the Worker's HTTP API. */
async function toWorker(path: string, body?: unknown, method = "POST", who = ADMIN): Promise<Response> {
  return worker.fetch(path, { method, headers: { authorization: basic(who), "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
}

beforeAll(async () => {
  redis = await startRedisServer();
  proxy = await startDevRestProxy({ redisUrl: redis.url, token: TOKEN });
  [worker, server] = await Promise.all([
    startWorker({ UPSTASH_REDIS_REST_URL: proxy.url, UPSTASH_REDIS_REST_TOKEN: TOKEN, NAMESRV_REDIS_PREFIX: prefix, ...AUTH }),
    startNamesrv({ REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: prefix, ...AUTH }),
  ]);
  // accounts, through the Worker: a bridge that may relay, a broker, an application with one topic
  expect((await toWorker("/api/v1/accounts", { name: "bridge", secretKey: "bridge-secret-1" })).status).toBe(201);
  expect((await toWorker("/api/v1/accounts/bridge/policy", { classes: ["relay"] }, "PUT")).status).toBe(200);
  expect((await toWorker("/api/v1/accounts", { name: BROKER.accessKey, secretKey: BROKER.secretKey })).status).toBe(201);
  expect((await toWorker(`/api/v1/accounts/${BROKER.accessKey}/policy`, { classes: ["broker-control"], brokers: ["broker-a"] }, "PUT")).status).toBe(200);
  expect((await toWorker("/api/v1/accounts", { name: APP.accessKey, secretKey: APP.secretKey })).status).toBe(201);
  expect((await toWorker(`/api/v1/accounts/${APP.accessKey}/policy`, { classes: ["route-read"], topics: ["Orders"] }, "PUT")).status).toBe(200);
  const { token } = (await (await toWorker("/api/v1/accounts/bridge/tokens", {})).json()) as { token: string };
  bridge = await startEdgeBridge(worker.url, [], { NAMESRV_EDGE_TOKEN: token });
}, 180_000);

afterAll(async () => {
  for (const c of opened) c.close();
  await Promise.allSettled([bridge?.stop(), worker?.stop(), server?.stop()]);
  await proxy?.close();
  await redis?.stop();
}, 60_000);

const routeOf = async (c: RemotingTestClient, topic: string, who: typeof APP) =>
  c.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: await signedExtFields(who, { topic }) });

describe("the Worker with authentication, a relaying bridge in front", () => {
  it("registers a signed broker through the bridge; its own account cannot take another broker's name", async () => {
    const broker = await connect(bridge.port);
    const own = registerRequest({ brokerName: "broker-a", topics: ["Orders", "Payments"] });
    const registered = await broker.request(RequestCode.REGISTER_BROKER, { version: own.version, body: own.body, extFields: await signedExtFields(BROKER, own.extFields, own.body) });
    expect(registered.remark).toBeNull();
    expect(registered.code).toBe(ResponseCode.SUCCESS);
    const hijack = registerRequest({ brokerName: "broker-b", brokerAddr: "127.0.0.1:10921", topics: ["Orders"] });
    const refused = await broker.request(RequestCode.REGISTER_BROKER, { version: hijack.version, body: hijack.body, extFields: await signedExtFields(BROKER, hijack.extFields, hijack.body) });
    expect(refused.code).toBe(ResponseCode.NO_PERMISSION);
    expect(refused.remark).toMatch(/broker "broker-b" is not granted/);
  });

  it("an application account reads its topic's route through the bridge and no other", async () => {
    const app = await connect(bridge.port);
    const orders = await routeOf(app, "Orders", APP);
    expect(orders.code).toBe(ResponseCode.SUCCESS);
    expect(text(orders)).toContain("broker-a");
    const payments = await routeOf(app, "Payments", APP);
    expect(payments.code).toBe(ResponseCode.NO_PERMISSION);
    expect((await app.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "Orders" } })).code).toBe(ResponseCode.NO_PERMISSION);
  });

  it("shares accounts: a token issued by the Bun server is accepted by the Worker, the Bun server checks signatures by the Worker's accounts", async () => {
    const issued = await server.http(`/api/v1/accounts/${APP.accessKey}/tokens`, { method: "POST", headers: { authorization: basic(ADMIN) } });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    expect((await worker.fetch("/api/v1/topics/Orders/route", { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await worker.fetch("/api/v1/topics/Payments/route", { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    const direct = await connect(server.port);
    expect((await routeOf(direct, "Orders", APP)).code).toBe(ResponseCode.SUCCESS);
  });

  it("keeps every write and denial of every instance in one audit stream", async () => {
    const entries = (await redisCommand(redis.url, "XRANGE", `{${prefix}}:audit`, "-", "+")) as [string, string[]][];
    const records = entries.map(([, flat]) => {
      const row: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) row[flat[i]] = flat[i + 1];
      return row;
    });
    expect(records.find((r) => r.operation === "registerBroker" && r.outcome === "success")).toMatchObject({ principal: BROKER.accessKey, transport: "http" });
    // (a bridge first offers a registration by its body's digest: the refusal is of that first step)
    expect(records.find((r) => r.code === "103" && r.outcome === "denied")).toMatchObject({ principal: BROKER.accessKey, responseCode: "16", resource: expect.stringContaining("broker-b") });
    expect(records.find((r) => r.operation === "getRouteInfoByTopic" && r.outcome === "denied" && r.principal === APP.accessKey)).toBeDefined();
    expect(records.find((r) => r.operation === "issueToken")).toMatchObject({ principal: ADMIN.accessKey, transport: "http" });
    const admin = await toWorker("/api/v1/audit?limit=1000", undefined, "GET");
    const { records: read } = (await admin.json()) as { records: { operation: string }[] };
    expect(read.length).toBe(records.length);
  });
});
