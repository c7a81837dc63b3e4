/**
 * A broker connected to two bridges on one Redis (namesrvAddr=bridgeA;bridgeB: it registers with
 * both): it stays routed until its last connection closes, whichever closes first, and the close of
 * a connection it has replaced by reconnecting to the same bridge removes nothing. The bridges'
 * expiry sweeps are off, so that only closes unregister.
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
import { noSweepConfigFile, redisCommand, route, scriptCalls } from "./support";

const prefix = `two-bridges-${process.pid}-${Date.now()}`;
const key = (rest: string) => `{${prefix}}:${rest}`;

let dir: string;
let redis: RedisServer;
let bridgeA: NamesrvProcess;
let bridgeB: NamesrvProcess;
let clientA: RemotingTestClient;
let clientB: RemotingTestClient;
const opened: RemotingTestClient[] = [];

async function connect(port: number): Promise<RemotingTestClient> {
  const c = await RemotingTestClient.connect(port);
  opened.push(c);
  return c;
}

async function register(connection: RemotingTestClient, broker: { brokerName: string; brokerAddr: string; topics: string[] }): Promise<void> {
  expect((await connection.request(103, registerRequest(broker))).code).toBe(0);
}

/** Closes a broker's connection and waits until its bridge has run the Store call for the close. */
async function closeAndSettle(connection: RemotingTestClient, what: string): Promise<void> {
  const before = await scriptCalls(redis.url);
  connection.close();
  await connection.closed;
  await waitFor(async () => (await scriptCalls(redis.url)) > before, `the bridge to process the close of ${what}`, 10_000);
}

async function connections(brokerAddr: string): Promise<Record<string, string>> {
  const flat = (await redisCommand(redis.url, "HGETALL", key(`brokerLiveChannels:DefaultCluster:${brokerAddr}`))) as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

async function routedOnBoth(topic: string): Promise<boolean> {
  return (await route(clientA, topic)).code === 0 && (await route(clientB, topic)).code === 0;
}

async function goneFromBoth(topic: string): Promise<boolean> {
  return (await route(clientA, topic)).code === 17 && (await route(clientB, topic)).code === 17;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "two-bridges-"));
  const props = noSweepConfigFile(dir);
  redis = await startRedisServer();
  const env = { REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: prefix };
  [bridgeA, bridgeB] = await Promise.all([startNamesrv(env, ["-c", props]), startNamesrv(env, ["-c", props])]);
  clientA = await connect(bridgeA.port);
  clientB = await connect(bridgeB.port);
}, 60_000);

afterAll(async () => {
  for (const c of opened) c.close();
  await Promise.allSettled([bridgeA?.stop(), bridgeB?.stop()]);
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe("a broker registered through two bridges on one Redis", () => {
  it("stays routed when the connection of its latest registration closes, and goes with the last one", async () => {
    const broker = { brokerName: "broker-two", brokerAddr: "127.0.0.1:44911", topics: ["TwoTopic", "TwoBase"] };
    const a = await connect(bridgeA.port);
    const b = await connect(bridgeB.port);
    await register(a, broker);
    await register(b, broker);
    // one connection per bridge instance
    expect(Object.keys(await connections(broker.brokerAddr))).toHaveLength(2);

    await closeAndSettle(b, "the connection to bridge B");
    expect(await routedOnBoth("TwoTopic")).toBe(true);
    expect(Object.keys(await connections(broker.brokerAddr))).toHaveLength(1);

    // the periodic re-registration through the remaining connection changes nothing
    await register(a, broker);
    expect(await routedOnBoth("TwoTopic")).toBe(true);

    a.close();
    await waitFor(() => goneFromBoth("TwoTopic"), "the broker to go when its last connection closes", 10_000);
    expect(await connections(broker.brokerAddr)).toEqual({});
  }, 30_000);

  it("ignores the close of a connection it replaced by reconnecting to the same bridge", async () => {
    const broker = { brokerName: "broker-reconnect", brokerAddr: "127.0.0.1:45911", topics: ["ReconnectTopic", "ReconnectBase"] };
    const a1 = await connect(bridgeA.port);
    const b = await connect(bridgeB.port);
    await register(a1, broker);
    await register(b, broker);
    const first = await connections(broker.brokerAddr);
    const a2 = await connect(bridgeA.port);
    await register(a2, broker);
    const second = await connections(broker.brokerAddr);
    // bridge A's field now names the new connection; bridge B's is unchanged
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    expect(Object.values(second).filter((channel) => !Object.values(first).includes(channel))).toHaveLength(1);

    await closeAndSettle(a1, "the replaced connection to bridge A");
    expect(await routedOnBoth("ReconnectTopic")).toBe(true);
    expect(await connections(broker.brokerAddr)).toEqual(second);

    await closeAndSettle(b, "the connection to bridge B");
    expect(await routedOnBoth("ReconnectTopic")).toBe(true);

    a2.close();
    await waitFor(() => goneFromBoth("ReconnectTopic"), "the broker to go when its new connection closes", 10_000);
  }, 30_000);
});
