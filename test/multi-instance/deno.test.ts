/**
 * The Deno entry (edge/runtime/deno.ts) under `deno serve` (the `deno` npm package): on Redis
 * through the development REST proxy, sharing state with a bridge, with its periodic sweep; and on
 * the in-memory embedded store when no Upstash variables are set.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevRestProxy, type DevRestProxy } from "../../tools/dev-rest-proxy";
import { freePort } from "../support/ports";
import { waitFor } from "../support/wait-for";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { RemotingTestClient } from "../support/remoting-client";
import { registerRequest } from "../support/broker-registration";
import { noSweepConfigFile, redisCommand, route, ROOT, spawnGroup, type Spawned } from "./support";

const DENO = join(ROOT, "node_modules/.bin/deno");
const TOKEN = "deno-test-token";
const prefix = `deno-${process.pid}-${Date.now()}`;

interface DenoServer {
  url: string;
  proc: Spawned;
}

async function startDeno(env: Record<string, string>): Promise<DenoServer> {
  const port = await freePort();
  const proc = spawnGroup(
    DENO,
    ["serve", "--port", String(port), "--host", "127.0.0.1", "--allow-net", "--allow-env", "--allow-read", "edge/runtime/deno.ts"],
    { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`deno exited with ${proc.child.exitCode}: ${proc.output()}`);
        return (await fetch(`${url}/health`)).ok;
      },
      "deno serve to answer /health",
      60_000,
      100,
    );
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}\n--- deno output ---\n${proc.output()}`);
  }
  return { url, proc };
}

function registration(brokerName: string, brokerAddr: string, topics: string[], extra: Record<string, unknown> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      clusterName: "DenoCluster",
      brokerAddr,
      brokerName,
      brokerId: 0,
      dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter: 1 },
      topicConfigTable: Object.fromEntries(topics.map((t) => [t, { topicName: t, readQueueNums: 2, writeQueueNums: 2, perm: 6 }])),
      ...extra,
    }),
  };
}

describe("deno serve edge/runtime/deno.ts on Redis (Upstash REST)", () => {
  let redis: RedisServer;
  let proxy: DevRestProxy;
  let deno: DenoServer;
  let bridge: NamesrvProcess;
  let client: RemotingTestClient;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "deno-test-"));
    redis = await startRedisServer();
    proxy = await startDevRestProxy({ redisUrl: redis.url, token: TOKEN });
    [deno, bridge] = await Promise.all([
      startDeno({
        UPSTASH_REDIS_REST_URL: proxy.url,
        UPSTASH_REDIS_REST_TOKEN: TOKEN,
        NAMESRV_REDIS_PREFIX: prefix,
        NAMESRV_CONFIG_scanNotActiveBrokerInterval: "200",
      }),
      // the bridge does not sweep here: the sweep seen below is Deno's
      startNamesrv({ REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: prefix }, ["-c", noSweepConfigFile(dir)]),
    ]);
    client = await RemotingTestClient.connect(bridge.port);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await Promise.allSettled([deno?.proc.stop(), bridge?.stop()]);
    await proxy?.close();
    await redis?.stop();
  }, 30_000);

  it("answers /health and says which store it uses", async () => {
    expect(await (await fetch(`${deno.url}/health`)).json()).toEqual({ status: "UP" });
    expect(deno.proc.output()).toContain('"store":"redis-rest"');
    expect((await fetch(`${deno.url}/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${deno.url}/metrics`)).text();
    expect(metrics).toContain('rocketmq_namesrv_up{node_type="namesrv"} 1\n');
  }, 30_000);

  it("serves a route registered through its HTTP API, and the bridge on the same Redis sees it", async () => {
    const reg = await fetch(`${deno.url}/api/v1/brokers/register`, registration("broker-deno", "127.0.0.1:46911", ["DenoTopic", "DenoBase"]));
    expect(reg.status).toBe(200);
    const res = await fetch(`${deno.url}/api/v1/topics/DenoTopic/route`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(JSON.parse(body).brokerDatas[0]).toMatchObject({ brokerName: "broker-deno", cluster: "DenoCluster" });
    expect(await route(client, "DenoTopic")).toMatchObject({ code: 0, body });
  }, 30_000);

  it("serves a broker registered over TCP through the bridge", async () => {
    const broker = await RemotingTestClient.connect(bridge.port);
    try {
      expect((await broker.request(103, registerRequest({ brokerName: "broker-tcp", brokerAddr: "127.0.0.1:47911", topics: ["TcpTopic", "TcpBase"] }))).code).toBe(0);
      const res = await fetch(`${deno.url}/api/v1/topics/TcpTopic/route`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe((await route(client, "TcpTopic")).body);
    } finally {
      broker.close();
    }
  }, 30_000);

  it("sweeps expired brokers every scanNotActiveBrokerInterval", async () => {
    const reg = await fetch(
      `${deno.url}/api/v1/brokers/register`,
      registration("broker-short", "127.0.0.1:48911", ["ShortTopic", "ShortBase"], { heartbeatTimeoutMillis: 300 }),
    );
    expect(reg.status).toBe(200);
    await waitFor(
      async () => (await redisCommand(redis.url, "EXISTS", `{${prefix}}:brokerAddrTable:broker-short`)) === 0,
      "Deno's sweep to remove the expired broker's entries",
      15_000,
      100,
    );
    expect((await fetch(`${deno.url}/api/v1/topics/ShortTopic/route`)).status).toBe(404);
  }, 30_000);
});

describe("deno serve edge/runtime/deno.ts without Redis (embedded store, in memory)", () => {
  let deno: DenoServer;

  beforeAll(async () => {
    const env: Record<string, string> = {};
    // no Upstash variables, whatever the environment of the test run holds
    for (const name of ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "REDIS_URL"]) env[name] = "";
    deno = await startDeno(env);
  }, 120_000);

  afterAll(async () => {
    await deno?.proc.stop();
  }, 30_000);

  it("registers and serves a route from memory", async () => {
    expect(deno.proc.output()).toContain('"store":"embedded"');
    expect((await fetch(`${deno.url}/api/v1/brokers/register`, registration("broker-mem", "127.0.0.1:49911", ["MemTopic", "MemBase"]))).status).toBe(200);
    const res = await fetch(`${deno.url}/api/v1/topics/MemTopic/route`);
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text()).brokerDatas[0].brokerName).toBe("broker-mem");
  }, 30_000);
});
