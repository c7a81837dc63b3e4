/**
 * The bridge over a real Sentinel group (REDIS_SENTINELS): the primary is killed with SIGKILL, the
 * sentinels promote the replica, and the NameServer keeps serving: requests during the failover
 * are answered (SYSTEM_ERROR at worst) within a RocketMQ client's 3 s timeout, service resumes by
 * itself, every KV write acknowledged before or during the failover is still there, and routes are
 * current.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRequest } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { SENTINEL_MASTER, useRedisSentinelGroup } from "../support/redis-sentinel";
import { RemotingTestClient, text } from "../support/remoting-client";
import { waitFor } from "../support/wait-for";

const PUT_KV_CONFIG = 100;
const GET_KV_CONFIG = 101;
const REGISTER_BROKER = 103;
const GET_ROUTEINFO_BY_TOPIC = 105;
const WIPE_WRITE_PERM_OF_BROKER = 205;

const group = useRedisSentinelGroup();
let ns: NamesrvProcess;
let client: RemotingTestClient;

beforeAll(async () => {
  ns = await startNamesrv({ REDIS_SENTINELS: group.current.sentinelList, REDIS_SENTINEL_MASTER: SENTINEL_MASTER, NAMESRV_REDIS_PREFIX: "sentinel" });
  client = await RemotingTestClient.connect(ns.port);
});

afterAll(async () => {
  client?.close();
  await ns?.stop();
});

const put = (key: string, value: string) =>
  client.request(PUT_KV_CONFIG, { extFields: { namespace: "ns", key, value } }, 3500).then((r) => r.code);
const get = (key: string) => client.request(GET_KV_CONFIG, { extFields: { namespace: "ns", key } }, 3500);

describe("a Sentinel failover under the NameServer", () => {
  it("keeps serving through a SIGKILL of the primary without losing an acknowledged write", async () => {
    const broker = await RemotingTestClient.connect(ns.port);
    try {
      const first = await broker.request(REGISTER_BROKER, registerRequest({ topics: ["TopicTest", "Other"] }));
      expect(first.code, `${first.remark}\n${ns.output()}`).toBe(0);
      const acknowledged: string[] = [];
      for (let i = 0; i < 30; i++) {
        expect(await put(`before-${i}`, String(i))).toBe(0);
        acknowledged.push(`before-${i}`);
      }
      // a route change a bridge's cache has seen: after the failover the route must show it, never an older one
      expect((await client.request(WIPE_WRITE_PERM_OF_BROKER, { extFields: { brokerName: "broker-a" } })).code).toBe(0);
      const wiped = JSON.parse(text(await client.request(GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "TopicTest" } }))!);
      expect(wiped.queueDatas[0].perm).toBe(4);

      const old = await group.current.primary();
      old.kill("SIGKILL");
      await old.exited();

      // writes keep coming during the failover; each is answered in time, and some are refused
      const codes = new Map<number, number>();
      let i = 0;
      await waitFor(
        async () => {
          const key = `during-${i++}`;
          const started = Date.now();
          const code = await put(key, "x");
          expect(Date.now() - started).toBeLessThan(3000);
          codes.set(code, (codes.get(code) ?? 0) + 1);
          if (code === 0) acknowledged.push(key);
          return code === 0 && (await group.current.primary()) !== old;
        },
        "a KV write acknowledged by the promoted replica",
        60_000,
        100,
      );
      expect(codes.get(1) ?? 0, `answers by code: ${JSON.stringify([...codes])}`).toBeGreaterThan(0);
      expect([...codes.keys()].every((c) => c === 0 || c === 1)).toBe(true);

      for (const key of acknowledged) {
        const res = await get(key);
        expect(res.code, key).toBe(0);
        expect(res.extFields?.value, key).toBe(key.startsWith("before-") ? key.slice(7) : "x");
      }
      const route = JSON.parse(text(await client.request(GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "TopicTest" } }))!);
      expect(route.queueDatas[0].perm).toBe(4);
      // operators see it: one loss, connected again, and the log names the old and the new primary
      const metrics = await (await fetch(`http://127.0.0.1:${ns.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/^rocketmq_namesrv_redis_connection_losses_total 1$/m);
      expect(metrics).toMatch(/^rocketmq_namesrv_redis_connection_up 1$/m);
      const fresh = await group.current.primary();
      const back = ns.output().split("\n").find((line) => line.includes("Redis connection back, on another node (failover)"));
      expect(back && JSON.parse(back)).toMatchObject({ endpoint: `127.0.0.1:${fresh.port}`, previous: `127.0.0.1:${old.port}` });
      // the broker re-registers as it does every 30 s and the route follows on the new primary
      expect((await broker.request(REGISTER_BROKER, registerRequest({ topics: ["TopicTest", "Later"] }))).code).toBe(0);
      expect((await client.request(GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "Later" } })).code).toBe(0);
    } finally {
      broker.close();
    }
  }, 90_000);
});
