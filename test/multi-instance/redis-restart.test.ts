/**
 * Redis killed and restarted under a running bridge: while it is down every request is answered
 * SYSTEM_ERROR with a remark naming Redis, well within a client's 3 s timeout, and the TCP clients
 * stay connected; once it is back on the same port, the same connections work again without
 * restarting the bridge, and every write acknowledged before the kill is there (AOF, fsync always).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { RemotingTestClient, text } from "../support/remoting-client";
import { registerRequest } from "../support/broker-registration";
import { route, startPersistentRedis, type PersistentRedis } from "./support";

const prefix = `restart-${process.pid}-${Date.now()}`;
/** A RocketMQ client's default request timeout. */
const CLIENT_TIMEOUT_MS = 3000;

let redis: PersistentRedis;
let ns: NamesrvProcess;
let client: RemotingTestClient;
let broker: RemotingTestClient;

beforeAll(async () => {
  redis = await startPersistentRedis();
  ns = await startNamesrv({ REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: prefix });
  client = await RemotingTestClient.connect(ns.port);
  broker = await RemotingTestClient.connect(ns.port);
}, 60_000);

afterAll(async () => {
  client?.close();
  broker?.close();
  await ns?.stop();
  await redis?.stop();
}, 30_000);

describe("Redis killed and restarted under a bridge", () => {
  it("fails fast while Redis is down, keeps the connections, and recovers with nothing acknowledged lost", async () => {
    // acknowledged writes before the kill
    const put = await client.request(100, { extFields: { namespace: "RESTART_NS", key: "before", value: "acknowledged" } });
    expect(put.code).toBe(0);
    const reg = await broker.request(103, registerRequest({ brokerName: "broker-rs", brokerAddr: "127.0.0.1:45911", topics: ["RsTopic", "RsBase"] }));
    expect(reg.code).toBe(0);
    expect((await route(client, "RsTopic")).code).toBe(0);

    await redis.kill();

    // every kind of request fails with SYSTEM_ERROR and a remark that names the cause, in time
    for (const [code, extFields] of [
      [105, { topic: "RsTopic" }],
      [101, { namespace: "RESTART_NS", key: "before" }],
      [100, { namespace: "RESTART_NS", key: "during", value: "not acknowledged" }],
      [106, {}],
    ] as const) {
      const res = await client.request(code, { extFields }, CLIENT_TIMEOUT_MS);
      expect(res.code, `request ${code} while Redis is down`).toBe(1);
      expect(res.remark, `remark of request ${code}`).toMatch(/redis/i);
    }
    // a broker's heartbeat-like re-registration fails the same way, on its own connection
    const regDown = await broker.request(103, registerRequest({ brokerName: "broker-rs", brokerAddr: "127.0.0.1:45911", topics: ["RsTopic", "RsBase"] }), CLIENT_TIMEOUT_MS);
    expect(regDown.code).toBe(1);
    expect(client.socket.destroyed).toBe(false);
    expect(broker.socket.destroyed).toBe(false);

    await redis.restart();

    // the same connections, the same bridge process: it reconnects by itself
    await waitFor(
      async () => (await client.request(101, { extFields: { namespace: "RESTART_NS", key: "before" } }, CLIENT_TIMEOUT_MS)).code === 0,
      "the bridge to serve again after Redis restarted",
      20_000,
      200,
    );
    const before = await client.request(101, { extFields: { namespace: "RESTART_NS", key: "before" } });
    expect(before.extFields).toEqual({ value: "acknowledged" });
    const rs = await route(client, "RsTopic");
    expect(rs.code).toBe(0);
    expect(JSON.parse(rs.body!).brokerDatas[0].brokerAddrs).toEqual({ "0": "127.0.0.1:45911" });

    // and it writes again
    expect((await client.request(100, { extFields: { namespace: "RESTART_NS", key: "after", value: "v" } })).code).toBe(0);
    expect((await broker.request(103, registerRequest({ brokerName: "broker-rs", brokerAddr: "127.0.0.1:45911", topics: ["RsTopic", "RsBase"] }))).code).toBe(0);
    const list = await client.request(219, { extFields: { namespace: "RESTART_NS" } });
    expect(JSON.parse(text(list)!).table).toMatchObject({ before: "acknowledged", after: "v" });
    expect(ns.process.exitCode).toBeNull();
  }, 60_000);
});

describe("a broker connection that closes while Redis is down", () => {
  it("is unregistered once Redis is back, not a heartbeat timeout later", async () => {
    const closing = await RemotingTestClient.connect(ns.port);
    const reg = await closing.request(
      103,
      registerRequest({ brokerName: "broker-gone", brokerAddr: "127.0.0.1:45921", topics: ["GoneTopic", "GoneBase"] }),
    );
    expect(reg.code).toBe(0);
    expect((await route(client, "GoneTopic")).code).toBe(0);

    await redis.kill();
    closing.close(); // the unregistration this close asks for fails: Redis is down
    await waitFor(() => ns.output().includes("unregister on close failed"), "the failed unregistration to be logged", 10_000);
    await redis.restart();

    // retried until it succeeds: the broker leaves the routes within seconds of Redis coming back
    // (its heartbeat timeout is 120 s)
    await waitFor(async () => (await route(client, "GoneTopic")).code === 17, "the closed broker to leave the routes", 20_000, 200);
    expect(ns.output()).toContain('"msg":"retry succeeded"');
  }, 60_000);
});
