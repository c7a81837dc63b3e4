/**
 * Our bridge over a real Sentinel group (primary, replica, 3 sentinels), a real 5.3.3 broker
 * registered with it, and a Java producer and push consumer whose only NameServer is the bridge.
 * The Redis primary is SIGKILLed while the producer's stream is under way; the sentinels promote
 * the replica. The messaging keeps working: every message a producer reports as sent is consumed,
 * a producer started after the failover gets its route and sends, the broker's registrations land
 * on the new primary, and the bridge answers every route query of the failover window within a
 * client's timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SENTINEL_MASTER, startRedisSentinelGroup, type RedisSentinelGroup } from "../support/redis-sentinel.js";
import { waitFor } from "../support/wait-for.js";
import { startBroker, type Broker } from "./support/broker.js";
import { runJavaProducer, startJavaConsumer, startJavaProducer } from "./support/java.js";
import { bodiesOf, describeRun, keysOf } from "./support/messaging.js";
import { startNameServer, type NameServer } from "./support/namesrv.js";
import { DEFAULT_LINE } from "./support/lines.js";
import type { RunResult } from "./support/process.js";
import { createTopicOnBroker, remotingCall, waitForRoute } from "./support/remoting.js";
import { fileDir, suite, unique } from "./support/suite.js";

const CLUSTER = "InteropSentinel";
const GET_ROUTEINFO_BY_TOPIC = 105;
const SUCCESS = 0;
const SYSTEM_ERROR = 1;
/** A RocketMQ client's default timeout for a NameServer request. */
const CLIENT_TIMEOUT_MS = 3_000;
const PROBE_INTERVAL_MS = 200;
/** Sent before the kill and after it by the producer that is running when the primary dies. */
const DURING_COUNT = 3_000;
/** The primary is killed once the running producer reported this many messages sent. */
const KILL_AFTER = 200;
/** Sent by a producer started after the promotion: it needs a fresh route from the bridge. */
const AFTER_COUNT = 100;

const s = suite();
// Apache's NameServer keeps its state in its own memory: there is no Redis under it to fail over.
const SKIP_REASON =
  s.kind === "java"
    ? "skipped with INTEROP_NAMESRV=java: a NameServer over Redis Sentinel is a feature of ours only (Apache's NamesrvStartup has no external store)"
    : undefined;
const TITLE = "a 5.3.3 broker and Java producer/consumer keep working through a Redis Sentinel failover under our bridge";

interface Probe {
  /** ms after the kill */
  at: number;
  ms: number;
  code?: number;
  error?: string;
}

/**
 * Starts a route query for `topic` every PROBE_INTERVAL_MS, each on a fresh connection as a client
 * refreshing routes would, whether or not the earlier ones were answered yet (a bridge that
 * stalls must not slow the probing down); records how long each answer took and its code.
 */
function probeRoutes(addr: string, topic: string, since: number): { stop(): Promise<Probe[]> } {
  const pending: Array<Promise<Probe>> = [];
  const ask = async (): Promise<Probe> => {
    const started = Date.now();
    try {
      const response = await remotingCall(addr, GET_ROUTEINFO_BY_TOPIC, { topic }, CLIENT_TIMEOUT_MS);
      return { at: started - since, ms: Date.now() - started, code: response.code };
    } catch (error) {
      return { at: started - since, ms: Date.now() - started, error: (error as Error).message };
    }
  };
  pending.push(ask());
  const timer = setInterval(() => pending.push(ask()), PROBE_INTERVAL_MS);
  return {
    async stop() {
      clearInterval(timer);
      return Promise.all(pending);
    },
  };
}

describe.skipIf(SKIP_REASON !== undefined)(SKIP_REASON ? `${TITLE} — ${SKIP_REASON}` : TITLE, () => {
  let group: RedisSentinelGroup | undefined;
  let bridge: NameServer | undefined;
  let broker: Broker | undefined;

  beforeAll(async () => {
    group = await startRedisSentinelGroup();
    bridge = await startNameServer("ours", fileDir("sentinel-bridge"), {
      env: { REDIS_SENTINELS: group.sentinelList, REDIS_SENTINEL_MASTER: SENTINEL_MASTER, NAMESRV_REDIS_PREFIX: unique("failover") },
      label: "sentinel",
    });
    console.log(`[interop] sentinels ${group.sentinelList}, primary ${group.servers[0].url}; bridge on ${bridge.addr}`);
    broker = await startBroker({ version: DEFAULT_LINE, namesrv: bridge.addr, cluster: CLUSTER, name: "interop-sentinel", id: 0, dir: fileDir("broker-sentinel") });
  });

  afterAll(async () => {
    await broker?.proc.stop("SIGTERM", 10_000);
    await bridge?.proc.stop("SIGTERM");
    await group?.stop();
  });

  /** Creates `topic` on the broker (which registers it with the bridge) and waits until the bridge routes it there. */
  async function createTopic(topic: string): Promise<void> {
    await createTopicOnBroker(broker!.addr, topic);
    await waitForRoute(bridge!.addr, topic, (r) => r?.brokerDatas.some((b) => b.brokerAddrs["0"] === broker!.addr) ?? false, 30_000);
  }

  it("no message reported sent is lost, and the bridge answers every route query in time while the primary is replaced", async () => {
    const b = broker!;
    const ns = bridge!;
    const topic = unique("InteropSentinel");
    await createTopic(topic);

    // One consumer through the whole failover; both producers' keys start with `prefix-`.
    const prefix = unique("failover");
    const common = { version: DEFAULT_LINE, namesrv: ns.addr, topic };
    const consumer = startJavaConsumer({
      ...common,
      homeDir: fileDir("sentinel-consumer"),
      group: unique("cg_sentinel"),
      count: DURING_COUNT + AFTER_COUNT,
      prefix,
      timeoutMs: 120_000,
    });
    await consumer.waitForOutput(/^READY$/m, 60_000);

    const during = startJavaProducer({ ...common, homeDir: fileDir("sentinel-producer-during"), group: unique("pg_sentinel"), count: DURING_COUNT, prefix: `${prefix}-during` });
    await during.waitForOutput(new RegExp(`^SENT ${prefix}-during-${KILL_AFTER - 1} `, "m"), 90_000);
    const old = await group!.primary();
    old.kill("SIGKILL");
    const killed = Date.now();
    const sentBeforeKill = keysOf(during.output, "SENT").length;
    const stillSending = during.running;
    const probe = probeRoutes(ns.addr, topic, killed);
    let probes: Probe[] = [];
    try {
      await old.exited();
      const promoted = await waitFor(
        async () => {
          const now = await group!.primary();
          return now !== old ? now : undefined;
        },
        "the sentinels to name a new primary",
        30_000,
        100,
      );
      const promotedAfter = Date.now() - killed;
      // Served again: from the new primary, or from what was replicated before the kill.
      await waitForRoute(ns.addr, topic, (r) => r?.brokerDatas.some((d) => d.brokerAddrs["0"] === b.addr) ?? false, 60_000);
      // A registration that reaches the new primary: the broker registers a new topic before it answers.
      const later = unique("InteropSentinelLater");
      await waitFor(async () => (await createTopic(later), true), `${later} to be created and routed after the failover`, 60_000, 500);
      const routedAgainAfter = Date.now() - killed;
      console.log(
        `[interop] primary ${old.port} killed after ${sentBeforeKill} SENT lines (producer still running: ${stillSending}); ` +
          `${promoted.port} named primary after ${promotedAfter} ms, new topic routed after ${routedAgainAfter} ms`,
      );
    } finally {
      probes = await probe.stop();
    }
    expect(stillSending, "the primary was killed while the producer was still sending").toBe(true);

    const codes = new Map<string, number>();
    for (const p of probes) codes.set(String(p.code ?? p.error), (codes.get(String(p.code ?? p.error)) ?? 0) + 1);
    console.log(`[interop] ${probes.length} route queries during the failover, answers by code: ${JSON.stringify([...codes])}, slowest ${Math.max(...probes.map((p) => p.ms))} ms`);
    const late = probes.filter((p) => p.error !== undefined || p.ms >= CLIENT_TIMEOUT_MS || (p.code !== SUCCESS && p.code !== SYSTEM_ERROR));
    expect(late, "route queries unanswered within the client's timeout, or answered with another code").toEqual([]);
    expect(probes.length).toBeGreaterThanOrEqual(5);
    expect(ns.proc.running, "the bridge process is still running").toBe(true);

    // The producer that was sending when the primary died: its sends go to the broker, not to Redis.
    const duringExit = await during.waitForExit(120_000);
    const duringRun: RunResult = { ...duringExit, output: during.output };
    expect(duringRun.code, describeRun("producer (during)", duringRun)).toBe(0);

    // A producer started after the promotion fetches its route from the bridge; a refused attempt is retried.
    const attempts: RunResult[] = [];
    await waitFor(
      async () => {
        const run = await runJavaProducer({ ...common, homeDir: fileDir("sentinel-producer-after"), group: unique("pg_sentinel"), count: AFTER_COUNT, prefix: `${prefix}-after` });
        attempts.push(run);
        return run.code === 0;
      },
      "a producer started after the failover to send every message",
      90_000,
      500,
    );
    console.log(`[interop] producer after the failover succeeded on attempt ${attempts.length}`);

    const sent = new Set([duringRun, ...attempts].flatMap((run) => keysOf(run.output, "SENT")));
    expect(sent.size).toBe(DURING_COUNT + AFTER_COUNT);
    const consumerExit = await consumer.waitForExit(140_000);
    const consumed: RunResult = { ...consumerExit, output: consumer.output };
    expect(consumed.code, describeRun("consumer", consumed)).toBe(0);
    expect(new Set(keysOf(consumed.output, "RECV"))).toEqual(sent);
    const bodies = bodiesOf(consumed.output);
    expect(Object.entries(bodies).filter(([key, body]) => key !== body)).toEqual([]);
    expect(ns.proc.running, "the bridge process is still running").toBe(true);
  });
});
