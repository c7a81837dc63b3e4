/**
 * The ioredis transport over Sentinel when the sentinels answer slowly: after a SIGKILL of the
 * primary the client keeps asking them for the primary while the promotion is announced, so the
 * announcement (+switch-master) arrives while a question is in flight. ioredis then gives up for
 * good; the transport must start it again and reach the promoted replica.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IoRedisTransport } from "../../edge/store/redis/ioredis-transport";
import { startDelayingProxy, type DelayingProxy } from "../support/delaying-proxy";
import { SENTINEL_MASTER, useRedisSentinelGroup } from "../support/redis-sentinel";
import { waitFor } from "../support/wait-for";

/** Long enough that most of a reconnection attempt is spent waiting on a sentinel's answer. */
const SENTINEL_DELAY_MS = 300;

const group = useRedisSentinelGroup();
let proxies: DelayingProxy[] = [];
let transport: IoRedisTransport | undefined;

beforeAll(async () => {
  proxies = await Promise.all(group.current.sentinels.map((s) => startDelayingProxy(s.port, SENTINEL_DELAY_MS)));
  transport = new IoRedisTransport({
    topology: { kind: "sentinel", sentinels: proxies.map((p) => ({ host: "127.0.0.1", port: p.port })), masterName: SENTINEL_MASTER, sentinelPassword: null },
    connection: { username: null, password: null, tls: false, tlsCaFile: null },
    replicaAck: { replicas: 1, timeoutMs: 1000 },
  });
});

afterAll(async () => {
  await transport?.close();
  await Promise.all(proxies.map((p) => p.close()));
});

describe("Sentinel failover with slow sentinels", () => {
  it("the transport reaches the promoted replica after a SIGKILL of the primary", async () => {
    const t = transport!;
    await waitFor(async () => (await t.command(["SET", "before", "1"])) === "OK", "the transport to reach the primary", 15_000, 100);
    // replicated before the kill, so the promoted replica holds it
    expect(await group.current.command(await group.current.primary(), ["WAIT", "1", "2000"])).toBe(1);

    const old = await group.current.primary();
    old.kill("SIGKILL");
    await old.exited();
    const killed = Date.now();
    await waitFor(async () => (await group.current.primary()) !== old, "the sentinels to name a new primary", 30_000, 100);
    await waitFor(async () => (await t.command(["GET", "before"])) === "1", "the transport to read from the promoted replica", 20_000, 200);
    expect(await t.command(["SET", "after", "1"])).toBe("OK");
    console.log(`promoted replica answering ${Date.now() - killed} ms after the kill`);
  }, 60_000);
});
