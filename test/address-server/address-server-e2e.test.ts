/**
 * The Bun server registers its advertised address and serves it at /rocketmq/nsaddr: alone on the
 * embedded store, and two servers on one Redis, each listing both until one stops.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { waitFor } from "../support/wait-for";

const text = async (ns: NamesrvProcess, path: string) => (await ns.http(path)).text();

describe("address server on the embedded store", () => {
  let ns: NamesrvProcess;
  beforeAll(async () => {
    ns = await startNamesrv();
  });
  afterAll(async () => {
    await ns?.stop();
  });

  it("lists this server only, at its bind address and port", async () => {
    const addr = `127.0.0.1:${ns.port}`;
    await waitFor(async () => (await text(ns, "/rocketmq/nsaddr")) === addr, "the instance to register", 10_000);
    expect(await text(ns, "/rocketmq/nsaddr-unitA?nofix=1")).toBe(addr);
    const listed = await (await ns.http("/api/v1/namesrv-instances")).json();
    expect(listed.instances).toEqual([{ addr, lastSeen: expect.any(Number) }]);
  });
});

describe("address server on Redis", () => {
  let redis: RedisServer;
  let first: NamesrvProcess;
  let second: NamesrvProcess;
  const prefix = `nsaddr-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = {
      REDIS_URL: redis.url,
      NAMESRV_REDIS_PREFIX: prefix,
      NAMESRV_CONFIG_namesrvInstanceTtlSeconds: "3",
      NAMESRV_CONFIG_namesrvInstanceRefreshSeconds: "1",
    };
    first = await startNamesrv(env);
    second = await startNamesrv({ ...env, NAMESRV_ADVERTISED_ADDR: "namesrv-1.example:19876" });
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await redis?.stop();
  });

  it("every server lists every live instance; a stopped one lapses after its TTL", async () => {
    const both = [`127.0.0.1:${first.port}`, "namesrv-1.example:19876"].sort().join(";");
    await waitFor(async () => (await text(first, "/rocketmq/nsaddr")) === both, "both instances on the first server", 10_000);
    expect(await text(second, "/rocketmq/nsaddr")).toBe(both);

    await second.stop();
    await waitFor(async () => (await text(first, "/rocketmq/nsaddr")) === `127.0.0.1:${first.port}`, "the stopped instance to lapse", 10_000);
  });
});
