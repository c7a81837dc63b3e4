/**
 * Many NameServers, one view: one Redis; two bridges on it over RESP; the Worker under
 * `wrangler dev` on it through the development REST proxy; and a third bridge that keeps no state
 * and forwards to the Worker (NAMESRV_EDGE_URL). All share one key prefix. The bridges' own expiry
 * timers are set to an hour, so that the only sweep is the Worker's cron handler.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpNamesrv } from "../../edge/port/http-namesrv";
import { startDevRestProxy, type DevRestProxy } from "../../tools/dev-rest-proxy";
import { describeNamesrvPortConformance } from "../port/namesrv-port-conformance";
import { registerRequest } from "../support/broker-registration";
import { waitFor } from "../support/wait-for";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { RemotingTestClient, text } from "../support/remoting-client";
import {
  noSweepConfigFile,
  redisCommand,
  route,
  scriptCalls,
  startEdgeBridge,
  startWorker,
  type EdgeBridge,
  type WorkerProcess,
} from "./support";

const TOKEN = "multi-instance-token";
const prefix = `mi-${process.pid}-${Date.now()}`;
const key = (rest: string) => `{${prefix}}:${rest}`;

let dir: string;
let redis: RedisServer;
let proxy: DevRestProxy;
let bridge1: NamesrvProcess;
let bridge2: NamesrvProcess;
let worker: WorkerProcess;
let edgeBridge: EdgeBridge;
let client1: RemotingTestClient;
let client2: RemotingTestClient;
let edgeClient: RemotingTestClient;
const opened: RemotingTestClient[] = [];

async function connect(port: number): Promise<RemotingTestClient> {
  const c = await RemotingTestClient.connect(port);
  opened.push(c);
  return c;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "multi-instance-"));
  const props = noSweepConfigFile(dir);
  redis = await startRedisServer();
  proxy = await startDevRestProxy({ redisUrl: redis.url, token: TOKEN });
  const env = { REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: prefix };
  [bridge1, bridge2, worker] = await Promise.all([
    startNamesrv(env, ["-c", props]),
    startNamesrv(env, ["-c", props]),
    // anonymous writes, as the bridges in front of it send them (worker-relay.test.ts covers the authenticated set-up)
    startWorker({ UPSTASH_REDIS_REST_URL: proxy.url, UPSTASH_REDIS_REST_TOKEN: TOKEN, NAMESRV_REDIS_PREFIX: prefix, NAMESRV_ALLOW_ANONYMOUS_WRITES: "true" }),
  ]);
  edgeBridge = await startEdgeBridge(worker.url, ["-c", props]);
  client1 = await connect(bridge1.port);
  client2 = await connect(bridge2.port);
  edgeClient = await connect(edgeBridge.port);
}, 180_000);

afterAll(async () => {
  for (const c of opened) c.close();
  await Promise.allSettled([edgeBridge?.stop(), worker?.stop(), bridge1?.stop(), bridge2?.stop()]);
  await proxy?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("two bridges and a Worker on one Redis", () => {
  it("serves a broker registered through bridge 1 from bridge 2, the Worker and the edge bridge at once", async () => {
    const broker = await connect(bridge1.port);
    const reg = await broker.request(103, registerRequest({ brokerName: "broker-mi", brokerAddr: "127.0.0.1:41911", topics: ["MiTopic", "MiBase"] }));
    expect(reg.code).toBe(0);

    // no waiting: the registration is acknowledged, so every instance sees it
    const fromBridge2 = await route(client2, "MiTopic");
    expect(fromBridge2.code).toBe(0);
    expect(JSON.parse(fromBridge2.body!).brokerDatas[0]).toMatchObject({ brokerName: "broker-mi", brokerAddrs: { "0": "127.0.0.1:41911" } });
    const fromWorker = await worker.fetch("/api/v1/topics/MiTopic/route");
    expect(fromWorker.status).toBe(200);
    expect(await fromWorker.text()).toBe(fromBridge2.body);
    const fromEdge = await route(edgeClient, "MiTopic");
    expect(fromEdge).toEqual(fromBridge2);
    const fromBridge1 = await route(client1, "MiTopic");
    expect(fromBridge1).toEqual(fromBridge2);

    // the cluster view agrees too
    expect(text(await client2.request(106))).toBe(text(await client1.request(106)));

    broker.close();
    await waitFor(async () => (await route(client2, "MiTopic")).code === 17, "bridge 2 to drop the closed broker", 10_000);
    expect((await worker.fetch("/api/v1/topics/MiTopic/route")).status).toBe(404);
  }, 30_000);

  it("reads through the Worker a KV entry put through bridge 2, and the other way round", async () => {
    const put = await client2.request(100, { extFields: { namespace: "MI_NS", key: "k1", value: "from-bridge-2" } });
    expect(put.code).toBe(0);
    const viaWorker = await worker.fetch("/api/v1/kv/MI_NS/k1");
    expect(await viaWorker.json()).toEqual({ namespace: "MI_NS", key: "k1", value: "from-bridge-2" });

    const workerPut = await worker.fetch("/api/v1/kv/MI_NS/k2", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value: "from-worker" }),
    });
    expect(workerPut.status).toBe(200);
    const get = await client1.request(101, { extFields: { namespace: "MI_NS", key: "k2" } });
    expect(get).toMatchObject({ code: 0, extFields: { value: "from-worker" } });
    const list = await edgeClient.request(219, { extFields: { namespace: "MI_NS" } });
    expect(text(list)).toBe('{"table":{"k1":"from-bridge-2","k2":"from-worker"}}');
    expect(await redisCommand(redis.url, "HGET", key("kvConfig:MI_NS"), "k1")).toBe("from-bridge-2");
  }, 30_000);

  it("registers and unregisters over TCP through a bridge that forwards to the Worker", async () => {
    const broker = await connect(edgeBridge.port);
    const reg = await broker.request(103, registerRequest({ brokerName: "broker-edge", brokerAddr: "127.0.0.1:42911", topics: ["EdgeTopic", "EdgeBase"] }));
    expect(reg.code).toBe(0);
    const viaEdge = await route(edgeClient, "EdgeTopic");
    expect(viaEdge.code).toBe(0);
    expect(JSON.parse(viaEdge.body!).brokerDatas[0].brokerAddrs).toEqual({ "0": "127.0.0.1:42911" });
    expect(await route(client1, "EdgeTopic")).toEqual(viaEdge);

    // the edge bridge tells the Worker about the closed connection
    broker.close();
    await waitFor(async () => (await route(client1, "EdgeTopic")).code === 17, "the broker on the edge bridge to be unregistered", 10_000);
  }, 30_000);

  it("keeps a broker re-registered through bridge 2 when its older connection on bridge 1 closes", async () => {
    const a = await connect(bridge1.port);
    const b = await connect(bridge2.port);
    const broker = { brokerName: "broker-race", brokerAddr: "127.0.0.1:43911", topics: ["RaceTopic", "RaceBase"] };
    expect((await a.request(103, registerRequest(broker))).code).toBe(0);
    expect((await b.request(103, registerRequest(broker))).code).toBe(0);
    // one connection per bridge instance (docs/redis-keys.md, "Connections of a broker")
    const channelsKey = key("brokerLiveChannels:DefaultCluster:127.0.0.1:43911");
    const both = (await redisCommand(redis.url, "HVALS", channelsKey)) as string[];
    expect(both).toHaveLength(2);

    // A closes; bridge 1 runs one Store call (one script) for it: wait for that, then look
    const before = await scriptCalls(redis.url);
    a.close();
    await a.closed;
    await waitFor(async () => (await scriptCalls(redis.url)) > before, "bridge 1 to process the close of A", 10_000);
    expect((await route(client2, "RaceTopic")).code).toBe(0);
    expect((await worker.fetch("/api/v1/topics/RaceTopic/route")).status).toBe(200);
    // only A's connection is forgotten
    const left = (await redisCommand(redis.url, "HVALS", channelsKey)) as string[];
    expect(left).toHaveLength(1);
    expect(both).toContain(left[0]);

    b.close();
    await waitFor(async () => (await route(client1, "RaceTopic")).code === 17, "the broker to go when B closes", 10_000);
    expect((await worker.fetch("/api/v1/topics/RaceTopic/route")).status).toBe(404);
  }, 30_000);

  it("lets the Worker's cron sweep remove a broker whose heartbeat timed out", async () => {
    const broker = await connect(bridge1.port);
    const reg = await broker.request(
      103,
      registerRequest({ brokerName: "broker-exp", brokerAddr: "127.0.0.1:44911", topics: ["ExpTopic", "ExpBase"], extra: { heartbeatTimeoutMillis: "500" } }),
    );
    expect(reg.code).toBe(0);
    const member = "DefaultCluster:127.0.0.1:44911";
    expect(await redisCommand(redis.url, "ZSCORE", key("brokerLiveTable"), member)).not.toBeNull();

    // past the deadline the route leaves it out everywhere, before any sweep ...
    await waitFor(async () => (await route(client2, "ExpTopic")).code === 17, "the route to leave out the expired broker", 10_000);
    expect((await worker.fetch("/api/v1/topics/ExpTopic/route")).status).toBe(404);
    // ... while its entries are still in Redis (the bridges do not sweep in this test)
    expect(await redisCommand(redis.url, "ZSCORE", key("brokerLiveTable"), member)).not.toBeNull();
    expect(await redisCommand(redis.url, "EXISTS", key("brokerAddrTable:broker-exp"))).toBe(1);

    const fired = await worker.scheduled();
    expect(fired.status).toBe(200);
    await waitFor(
      async () => (await redisCommand(redis.url, "ZSCORE", key("brokerLiveTable"), member)) === null,
      "the sweep to remove the live entry",
      10_000,
    );
    expect(await redisCommand(redis.url, "EXISTS", key("brokerAddrTable:broker-exp"))).toBe(0);
    expect(await redisCommand(redis.url, "EXISTS", key("topicQueueTable:ExpTopic"))).toBe(0);
    expect(await redisCommand(redis.url, "SISMEMBER", key("clusterAddrTable:DefaultCluster"), "broker-exp")).toBe(0);
    await waitFor(() => worker.output().includes('"msg":"expiry sweep"'), "the sweep's log line", 10_000);
    broker.close();
  }, 30_000);
});

// The Worker under `wrangler dev` answers the NameServer port exactly as the in-process port does
// (the same suite as test/port), over the HTTP a bridge with NAMESRV_EDGE_URL uses.
describeNamesrvPortConformance("over HTTP: the Worker under wrangler dev on Redis", () => ({ port: httpNamesrv(worker.url) }));
