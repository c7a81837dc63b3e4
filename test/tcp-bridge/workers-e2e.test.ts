/**
 * NAMESRV_WORKERS=2 over a real redis-server: two real bridge processes on one remoting port. The
 * kernel spreads connections over both; a broker's connection close is handled by whichever process
 * held it; a worker killed with SIGKILL is restarted while the port keeps serving; SIGTERM to the
 * primary stops every process. The bridges' expiry sweep is off, so that only closes unregister.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRequest } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { RemotingTestClient } from "../support/remoting-client";
import { waitFor } from "../support/wait-for";
import { noSweepConfigFile, redisCommand, route } from "../multi-instance/support";

const prefix = `workers-${process.pid}-${Date.now()}`;
const TOPIC_NOT_EXIST = 17;

let dir: string;
let redis: RedisServer;
let namesrv: NamesrvProcess;
const opened: RemotingTestClient[] = [];

interface Boot {
  worker: number;
  instance: string;
  pid: number;
}

/** The processes' boot lines so far, in order: which worker, its channel-id prefix and pid. */
function boots(): Boot[] {
  return namesrv
    .output()
    .split("\n")
    .filter((line) => line.includes("The Name Server boot success"))
    .map((line) => JSON.parse(line) as Boot);
}

/** The latest boot of `worker`. */
function bootOf(worker: number): Boot | undefined {
  return boots().filter((b) => b.worker === worker).at(-1);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function connect(): Promise<RemotingTestClient> {
  const c = await RemotingTestClient.connect(namesrv.port);
  opened.push(c);
  return c;
}

/** `name{labels} value` samples of the primary's /metrics. */
async function metric(name: string): Promise<Record<string, number>> {
  const text = await (await namesrv.http("/metrics")).text();
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (m) out[m[1] ?? ""] = Number(m[2]);
  }
  return out;
}

/** Registers a broker over `connection` and answers which worker holds it, from its channel in Redis. */
async function registerAndLocate(connection: RemotingTestClient, broker: { brokerName: string; brokerAddr: string; topics: string[] }): Promise<number> {
  const answer = await connection.request(103, registerRequest(broker));
  expect(answer.code, answer.remark ?? "").toBe(0);
  const flat = (await redisCommand(redis.url, "HGETALL", `{${prefix}}:brokerLiveChannels:DefaultCluster:${broker.brokerAddr}`)) as string[];
  expect(flat).toHaveLength(2);
  const instance = flat[1].slice(0, flat[1].lastIndexOf("-"));
  const boot = boots().find((b) => b.instance === instance);
  if (!boot) throw new Error(`channel ${flat[1]} belongs to no booted process`);
  return boot.worker;
}

async function routeFromFreshConnection(topic: string): Promise<number> {
  const c = await RemotingTestClient.connect(namesrv.port);
  try {
    return (await route(c, topic)).code;
  } finally {
    c.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "workers-"));
  redis = await startRedisServer();
  namesrv = await startNamesrv({ REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: prefix, NAMESRV_WORKERS: "2" }, ["-c", noSweepConfigFile(dir)]);
  await waitFor(() => bootOf(1), "worker 1 to boot", 20_000);
}, 60_000);

afterAll(async () => {
  for (const c of opened) c.close();
  const workers = boots().map((b) => b.pid);
  await namesrv?.stop();
  // a SIGKILLed primary's workers see the IPC channel close and leave on their own
  await waitFor(() => workers.every((pid) => !isAlive(pid)), "the workers to exit after the primary", 15_000).catch(() => {
    for (const pid of workers) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  });
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe("NAMESRV_WORKERS=2 over Redis", () => {
  it("serves one port from two processes: connections land on both, and /metrics shows each", async () => {
    const connections = await Promise.all(Array.from({ length: 40 }, () => connect()));
    for (const c of connections) expect((await route(c, "NoSuchTopicYet")).code).toBe(TOPIC_NOT_EXIST);
    const perWorker = await waitFor(async () => {
      const open = await metric("rocketmq_namesrv_active_connections");
      return (open['{worker="0"}'] ?? 0) + (open['{worker="1"}'] ?? 0) >= 40 ? open : null;
    }, "both processes' connections in /metrics");
    expect(perWorker['{worker="0"}']).toBeGreaterThan(0);
    expect(perWorker['{worker="1"}']).toBeGreaterThan(0);
    expect(await metric("rocketmq_namesrv_workers_answering")).toEqual({ "": 2 });
    // state read from the shared store is one series per instance, not one per process
    expect(Object.keys(await metric("rocketmq_namesrv_active_brokers"))).toEqual([""]);
    for (const c of connections) c.close();
  }, 30_000);

  it("unregisters a broker when its connection closes, whichever process held it", async () => {
    const held = new Map<number, { connection: RemotingTestClient; topic: string }>();
    for (let i = 0; held.size < 2 && i < 40; i++) {
      const connection = await connect();
      const topic = `WorkerTopic${i}`;
      const worker = await registerAndLocate(connection, { brokerName: `broker-w${i}`, brokerAddr: `127.0.0.1:${30000 + i}`, topics: [topic, `${topic}Base`] });
      if (held.has(worker)) connection.close();
      else held.set(worker, { connection, topic });
    }
    expect([...held.keys()].sort()).toEqual([0, 1]);
    for (const { topic } of held.values()) expect(await routeFromFreshConnection(topic)).toBe(0);

    for (const worker of [1, 0]) {
      const { connection, topic } = held.get(worker)!;
      connection.close();
      await waitFor(async () => (await routeFromFreshConnection(topic)) === TOPIC_NOT_EXIST, `the broker held by worker ${worker} to leave routes`, 10_000);
    }
  }, 60_000);

  it("restarts a worker killed with SIGKILL, and the port serves throughout", async () => {
    const killed = bootOf(1)!;
    process.kill(killed.pid, "SIGKILL");
    await waitFor(() => !isAlive(killed.pid), "worker 1 to die");
    // the primary alone holds the port meanwhile
    for (let i = 0; i < 10; i++) expect(await routeFromFreshConnection("NoSuchTopic")).toBe(TOPIC_NOT_EXIST);
    const restarted = await waitFor(() => {
      const boot = bootOf(1);
      return boot && boot.pid !== killed.pid ? boot : null;
    }, "worker 1 to be restarted", 20_000);
    expect(isAlive(restarted.pid)).toBe(true);
    expect(namesrv.output()).toMatch(/"msg":"worker exited: restarting it".*"signal":"SIGKILL"/);
    await waitFor(async () => (await metric("rocketmq_namesrv_workers_answering"))[""] === 2, "the restarted worker to answer for /metrics");
    for (let i = 0; i < 10; i++) expect(await routeFromFreshConnection("NoSuchTopic")).toBe(TOPIC_NOT_EXIST);
  }, 60_000);

  it("stops every process on SIGTERM to the primary", async () => {
    const pids = [namesrv.process.pid!, bootOf(1)!.pid];
    expect(pids.every(isAlive)).toBe(true);
    const exited = new Promise<number | null>((resolve) => namesrv.process.once("exit", (code) => resolve(code)));
    namesrv.process.kill("SIGTERM");
    expect(await exited).toBe(0);
    // the primary exits only after its workers have
    expect(pids.filter(isAlive)).toEqual([]);
    expect(namesrv.output()).toMatch(/"worker":1,"msg":"shutting down","signal":"SIGTERM"/);
  }, 30_000);
});

describe("NAMESRV_WORKERS=2 with enableShutdownGracefully", () => {
  it("answers GO_AWAY on the connections of both processes after SIGTERM to the primary, then all exit", async () => {
    const graceful = await startNamesrv({
      REDIS_URL: redis.url,
      NAMESRV_REDIS_PREFIX: `${prefix}-graceful`,
      NAMESRV_WORKERS: "2",
      NAMESRV_CONFIG_enableShutdownGracefully: "true",
      NAMESRV_CONFIG_shutdownWaitTimeSeconds: "3",
    });
    const clients: RemotingTestClient[] = [];
    try {
      await waitFor(() => graceful.output().includes('"worker":1,"msg":"The Name Server boot success'), "worker 1 to boot", 20_000);
      // 24 connections: that the kernel puts all of them on one process is a chance of 2^-23
      for (let i = 0; i < 24; i++) clients.push(await RemotingTestClient.connect(graceful.port));
      for (const c of clients) expect((await route(c, "NoSuchTopic")).code).toBe(TOPIC_NOT_EXIST);
      const exited = new Promise<number | null>((resolve) => graceful.process.once("exit", (code) => resolve(code)));
      graceful.process.kill("SIGTERM");
      await waitFor(() => (graceful.output().match(/"msg":"shutting down gracefully"/g) ?? []).length === 2, "both processes to begin their graceful wait", 5000);
      const codes = await Promise.all(clients.map(async (c) => (await c.request(105, { extFields: { topic: "NoSuchTopic" } })).code));
      expect(codes.every((code) => code === 1500)).toBe(true);
      expect(await exited).toBe(0);
    } finally {
      for (const c of clients) c.close();
      await graceful.stop();
    }
  }, 30_000);
});

describe("NAMESRV_WORKERS unset", () => {
  it("runs one process whose /metrics is exactly its own: no worker label, no worker gauges", async () => {
    const single = await startNamesrv();
    try {
      const text = await (await single.http("/metrics")).text();
      expect(text).toMatch(/^rocketmq_namesrv_active_connections \d+$/m);
      expect(text).not.toMatch(/worker/);
      expect(single.output()).not.toMatch(/"worker"/);
    } finally {
      await single.stop();
    }
  });
});

describe("NAMESRV_WORKERS refused at start", () => {
  it("with the embedded store, whose state lives in one process", async () => {
    await expect(startNamesrv({ NAMESRV_WORKERS: "2" })).rejects.toThrow(/exited with 1:.*invalid configuration.*NAMESRV_WORKERS=2 needs a shared store/s);
  });

  it("with a value that is not a count", async () => {
    await expect(startNamesrv({ NAMESRV_WORKERS: "many" })).rejects.toThrow(/exited with 1:.*invalid configuration.*NAMESRV_WORKERS must be/s);
  });
});
