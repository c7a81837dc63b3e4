/**
 * Registrations too large for one script: uploaded in chunks, committed by one small script (then
 * visible whole, through an overlay), folded into the topic tables in chunks. Checked against a
 * private redis-server: the state equals the embedded store's after the same operations (with folds
 * finished or still pending), readers never see half a registration, concurrent registrations of one
 * broker do not mix, staging keys expire, answers tell the truth when Redis is paused around a
 * commit, and no script of a 100,000-topic registration blocks Redis for long.
 */
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { NodeRespTransport } from "../support/redis/node-resp-transport";
import { RedisStore, type RedisStoreOptions } from "../../edge/store/redis/redis-store";
import { RedisTransportError, type RedisScript, type RedisTransport } from "../../edge/store/redis/redis-transport";
import { FOLD_TOPICS } from "../../edge/store/redis/operations/fold-topics";
import { REGISTER_BROKER, STAGE_TOPICS, STAGING_TTL_MS } from "../../edge/store/redis/operations/register-broker";
import { EXPIRE_BROKERS, UNREGISTER_BROKERS, UNREGISTER_CHANNEL } from "../../edge/store/redis/operations/unregister-brokers";
import { StoreRpcProcess } from "../support/redis/store-rpc";
import type { BrokerRegistration, Store } from "../../edge/store/store";
import type { TopicConfig, TopicRouteData } from "../../shared/model";
import { waitFor } from "../support/wait-for";
import { useRedisServer } from "../support/redis-server";
import { dv, reg } from "./store-conformance";

const T0 = reg().now;
const CLUSTER = "DefaultCluster";
const MASTER = "10.0.0.1:10911";
const SLAVE = "10.0.0.2:10911";
const B_MASTER = "10.0.1.1:10911";

const redis = useRedisServer();
const transports: RedisTransport[] = [];
let n = 0;

afterAll(async () => {
  for (const t of transports) await t.close();
});

function transport(timeoutMs?: number): NodeRespTransport {
  const t = new NodeRespTransport({ url: redis.current.url, timeoutMs });
  transports.push(t);
  return t;
}

function prefix(): string {
  return `chunked-${++n}`;
}

type Hook = (script: RedisScript, args: string[]) => Promise<unknown> | undefined;

/** A transport whose evals pass a hook first: it may act, or answer instead of Redis. */
class HookedTransport implements RedisTransport {
  constructor(
    private readonly inner: RedisTransport,
    private readonly hook: Hook,
  ) {}
  async eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    const instead = this.hook(script, args);
    if (instead !== undefined) return instead;
    return this.inner.eval(script, keys, args);
  }
  command(args: string[]): Promise<unknown> {
    return this.inner.command(args);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A transport that runs `before` (and waits for it) ahead of the evals `when` picks. */
function pauseBefore(inner: RedisTransport, when: (script: RedisScript, args: string[]) => boolean, before: () => Promise<void>) {
  return new (class implements RedisTransport {
    async eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
      if (when(script, args)) await before();
      return inner.eval(script, keys, args);
    }
    command(args: string[]): Promise<unknown> {
      return inner.command(args);
    }
    close(): Promise<void> {
      return inner.close();
    }
  })();
}

const isCommit = (script: RedisScript, args: string[]) => script === REGISTER_BROKER && args[1] === "commit";

function topics(names: string[], o: Partial<TopicConfig> = {}): (Partial<TopicConfig> & { topicName: string })[] {
  return names.map((topicName) => ({ topicName, ...o }));
}

function range(from: number, to: number, stem = "T"): string[] {
  return Array.from({ length: to - from }, (_, i) => `${stem}${from + i}`);
}

function byBroker<T extends { brokerName: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
}

function normalRoute(route: TopicRouteData | null): unknown {
  if (!route) return null;
  return { ...route, queueDatas: byBroker(route.queueDatas), brokerDatas: byBroker(route.brokerDatas) };
}

/** Everything readers can see of the route tables for these topics. */
async function snapshot(store: Store, names: string[]): Promise<unknown> {
  const routes: Record<string, unknown> = {};
  for (const t of names) routes[t] = normalRoute(await store.getTopicRoute(t));
  return {
    routes,
    all: (await store.getAllTopics()).sort(),
    clusterInfo: await store.getClusterInfo(),
    byCluster: (await store.getTopicsByCluster(CLUSTER)).sort(),
    unit: (await store.getUnitTopics("unit")).sort(),
    hasUnitSub: (await store.getUnitTopics("hasUnitSub")).sort(),
  };
}

/** Staging, diff and outcome keys of a deployment, and its overlays. */
async function leftovers(t: RedisTransport, store: RedisStore): Promise<{ staging: string[]; overlays: unknown }> {
  const staging = ((await t.command(["KEYS", `${store.prefix}:staging:*`])) as string[]).sort();
  return { staging, overlays: await t.command(["HGETALL", `${store.prefix}:topicOverlay`]) };
}

describe("chunked registrations give the embedded store's state", () => {
  const names = [...range(0, 90), "U1", "U2"];
  const unregisterA = { clusterName: CLUSTER, brokerAddr: MASTER, brokerName: "broker-a", brokerId: 0 };

  /** Operations on a store, each followed by a comparison; registrations carry 0–70 topics. */
  const steps: [string, (s: Store) => Promise<unknown>][] = [
    ["first registration of broker-a", (s) => s.registerBroker(reg({ topics: topics(range(0, 60)) }))],
    ["broker-b shares some topics", (s) =>
      s.registerBroker(reg({ brokerName: "broker-b", brokerAddr: B_MASTER, topics: topics(range(40, 80), { perm: 4, readQueueNums: 4 }) }))],
    ["a slave of broker-a (publishes nothing)", (s) => s.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, topics: topics(range(0, 60)) }))],
    ["wipe broker-a's write permission", (s) => s.wipeWritePerm("broker-a")],
    ["same DataVersion, 5 more topics: only the new ones are written", (s) =>
      s.registerBroker(reg({ topics: [...topics(range(0, 60), { readQueueNums: 16 }), ...topics(range(60, 65))], now: T0 + 1 }))],
    ["new DataVersion, other topics, deleting the rest", (s) =>
      s.registerBroker(
        reg({
          topics: [...topics(range(10, 65), { writeQueueNums: 2 }), ...topics(range(80, 85)), { topicName: "U1", topicSysFlag: 1 }, { topicName: "U2", topicSysFlag: 2 }],
          dataVersion: dv(2),
          deleteTopicWithBrokerRegistration: true,
          now: T0 + 2,
        }),
      )],
    ["the same again (changes nothing)", (s) =>
      s.registerBroker(
        reg({
          topics: [...topics(range(10, 65), { writeQueueNums: 2 }), ...topics(range(80, 85)), { topicName: "U1", topicSysFlag: 1 }, { topicName: "U2", topicSysFlag: 2 }],
          dataVersion: dv(3),
          deleteTopicWithBrokerRegistration: true,
          now: T0 + 3,
        }),
      )],
    ["delete a topic and register one", async (s) => {
      await s.deleteTopic("T12", null);
      await s.registerTopic("T89", [{ brokerName: "broker-b", readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 }]);
    }],
    ["acting master: master and slave register with the flag", async (s) => {
      await s.registerBroker(reg({ topics: topics(range(20, 70)), dataVersion: dv(4), enableActingMaster: true, now: T0 + 4 }));
      await s.registerBroker(reg({ brokerAddr: SLAVE, brokerId: 1, topics: topics(range(20, 70)), dataVersion: dv(4), enableActingMaster: true, now: T0 + 4 }));
    }],
    ["the master goes: the slave publishes read-only", async (s) => {
      await s.unregisterBrokers([unregisterA]);
      await s.registerBroker(
        reg({ brokerAddr: SLAVE, brokerId: 1, topics: topics(range(25, 75)), dataVersion: dv(5), enableActingMaster: true, now: T0 + 5 }),
      );
    }],
    ["broker-b registers no topics, deleting all of its own", (s) =>
      s.registerBroker(reg({ brokerName: "broker-b", brokerAddr: B_MASTER, topics: [], dataVersion: dv(9), deleteTopicWithBrokerRegistration: true, now: T0 + 6 }))],
    ["broker-a's last address goes", (s) =>
      s.unregisterBrokers([{ clusterName: CLUSTER, brokerAddr: SLAVE, brokerName: "broker-a", brokerId: 1 }])],
    ["broker-c and broker-d register", async (s) => {
      await s.registerBroker(reg({ brokerName: "broker-c", brokerAddr: "10.0.2.1:10911", topics: topics(range(0, 30)), channel: "ch-c" }));
      await s.registerBroker(
        reg({ brokerName: "broker-d", brokerAddr: "10.0.3.1:10911", topics: topics(range(20, 45)), heartbeatTimeoutMillis: 1000 }),
      );
    }],
    ["broker-c's connection closes", (s) => s.unregisterChannel("ch-c")],
    ["broker-d expires", (s) => s.expireBrokers(T0 + 60_000)],
  ];

  async function compare(label: string, options: RedisStoreOptions, interruptFolds: boolean): Promise<void> {
    const t = transport();
    const p = prefix();
    let failNextFold = false;
    let pendingSeen = 0;
    const unregisters: RedisScript[] = [UNREGISTER_BROKERS, UNREGISTER_CHANNEL, EXPIRE_BROKERS];
    const hooked = new HookedTransport(t, (script, args) => {
      if (isCommit(script, args) || unregisters.includes(script)) {
        return t.eval(script, [`{${p}}`], args).then((reply) => {
          failNextFold = interruptFolds;
          return reply;
        });
      }
      if (script === FOLD_TOPICS && failNextFold) {
        // the writing store "stops" right after its commit: the overlay stays for readers
        failNextFold = false;
        return Promise.reject(new RedisTransportError("connection lost"));
      }
      return undefined;
    });
    const redisStore = new RedisStore(hooked, { prefix: p, clock: () => T0, ...options });
    const embedded = new EmbeddedStore({ kvConfigPath: null, clock: () => T0 });
    for (const [what, step] of steps) {
      await step(embedded);
      await step(redisStore);
      if (interruptFolds && Object.keys((await leftovers(t, redisStore)).overlays as object).length > 0) pendingSeen++;
      expect(await snapshot(redisStore, names), `${label}: after ${what}`).toEqual(await snapshot(embedded, names));
    }
    if (interruptFolds) {
      // overlays were read, then folded by the next writer; the sweep folds whatever is left
      expect(pendingSeen).toBeGreaterThan(5);
      await redisStore.expireBrokers(T0);
    }
    expect(await leftovers(t, redisStore)).toEqual({ staging: [], overlays: [] });
    expect(await snapshot(redisStore, names)).toEqual(await snapshot(embedded, names));
  }

  it("in one script per registration", () => compare("one-shot", { chunkTopics: 100_000 }, false));
  it("in chunks of 7 topics", () => compare("chunks of 7", { chunkTopics: 7 }, false));
  it("in chunks of 7 topics, read through overlays whose fold was interrupted", () =>
    compare("interrupted folds", { chunkTopics: 7 }, true));
  it("staged by payload size, folded one topic per script", () =>
    compare("by size", { chunkTopics: 1, maxRequestBytes: 1 }, true));
});

describe("atomic visibility", () => {
  it("a reader between any two scripts of a chunked registration sees all of it or none of it", async () => {
    const p = prefix();
    const reader = new RedisStore(transport(), { prefix: p, clock: () => T0 });
    const names = range(0, 40);
    const seen: unknown[] = [];
    let observe = false;
    const writer = new RedisStore(
      pauseBefore(transport(), () => observe, async () => {
        seen.push(await snapshot(reader, names));
      }),
      { prefix: p, clock: () => T0, chunkTopics: 4 },
    );

    await writer.registerBroker(reg({ topics: topics(range(0, 30)) }));
    await writer.registerBroker(reg({ brokerName: "broker-b", brokerAddr: B_MASTER, topics: topics(range(25, 35)) }));
    const before = await snapshot(reader, names);
    const change = reg({
      topics: [...topics(range(10, 40), { perm: 4, readQueueNums: 2 })],
      dataVersion: dv(2),
      deleteTopicWithBrokerRegistration: true,
      now: T0 + 1,
    });
    const expected = new EmbeddedStore({ kvConfigPath: null, clock: () => T0 });
    await expected.registerBroker(reg({ topics: topics(range(0, 30)) }));
    await expected.registerBroker(reg({ brokerName: "broker-b", brokerAddr: B_MASTER, topics: topics(range(25, 35)) }));
    await expected.registerBroker(change);
    const after = await snapshot(expected, names);

    observe = true;
    await writer.registerBroker(change);
    observe = false;
    expect(await snapshot(reader, names)).toEqual(after);
    // 8 uploads, a probe and a commit, 9 fold chunks (and the ones past the end): both states seen
    expect(seen.length).toBeGreaterThan(15);
    const states = seen.map((s) => (JSON.stringify(s) === JSON.stringify(before) ? "before" : JSON.stringify(s) === JSON.stringify(after) ? "after" : "mixed"));
    expect(states.filter((s) => s === "mixed")).toEqual([]);
    expect(states).toContain("before");
    expect(states).toContain("after");
    // never back: once the commit is seen, every later read sees it
    expect(states.slice(states.indexOf("after")).every((s) => s === "after")).toBe(true);
  });

  it("two stores registering one broker at once: the last commit wins whole, nothing is left behind", async () => {
    const A = reg({ topics: topics(range(0, 23), { perm: 6 }), dataVersion: dv(2), deleteTopicWithBrokerRegistration: true, now: T0 + 1 });
    const B = reg({ topics: topics(range(15, 41, "U"), { perm: 4 }), dataVersion: dv(3), deleteTopicWithBrokerRegistration: true, now: T0 + 2 });
    const names = [...range(0, 23), ...range(15, 41, "U")];
    const expect1 = new EmbeddedStore({ kvConfigPath: null, clock: () => T0 });
    const expect2 = new EmbeddedStore({ kvConfigPath: null, clock: () => T0 });
    for (const s of [expect1, expect2]) await s.registerBroker(reg({ topics: topics(range(0, 30)) }));
    await expect1.registerBroker(A);
    await expect1.registerBroker(B);
    await expect2.registerBroker(B);
    await expect2.registerBroker(A);
    const bLast = await snapshot(expect1, names);
    const aLast = await snapshot(expect2, names);

    const outcomes = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const p = prefix();
      const t = transport();
      // a pause of a few event-loop turns before some calls varies the interleaving per round
      const jitter = (seed: number) =>
        pauseBefore(
          transport(),
          () => {
            seed = (seed * 1103515245 + 12345) % 2 ** 31;
            return seed % 3 === 0;
          },
          () => new Promise((r) => setTimeout(r, seed % 4)),
        );
      const one = new RedisStore(t, { prefix: p, clock: () => T0, chunkTopics: 3 });
      await one.registerBroker(reg({ topics: topics(range(0, 30)) }));
      const s1 = new RedisStore(jitter(round + 1), { prefix: p, clock: () => T0, chunkTopics: 3 });
      const s2 = new RedisStore(jitter(round + 101), { prefix: p, clock: () => T0, chunkTopics: 2 });
      await Promise.all([s1.registerBroker(A), s2.registerBroker(B)]);
      const state = await snapshot(one, names);
      const which = JSON.stringify(state) === JSON.stringify(aLast) ? "A last" : JSON.stringify(state) === JSON.stringify(bLast) ? "B last" : "mixed";
      expect(which, `round ${round}`).not.toBe("mixed");
      outcomes.add(which);
      expect(await leftovers(t, one)).toEqual({ staging: [], overlays: [] });
    }
    expect(outcomes.size).toBeGreaterThan(0);
  });
});

describe("staging keys", () => {
  it("expire while uploading, and are gone after a commit", async () => {
    const t = transport();
    const p = prefix();
    const ttls: number[] = [];
    const store = new RedisStore(
      pauseBefore(t, (script) => script === STAGE_TOPICS || script === REGISTER_BROKER, async () => {
        for (const key of (await t.command(["KEYS", `{${p}}:staging:*`])) as string[]) ttls.push((await t.command(["PTTL", key])) as number);
      }),
      { prefix: p, clock: () => T0, chunkTopics: 5 },
    );
    await store.registerBroker(reg({ topics: topics(range(0, 23)) }));
    // the upload hash and its diff counts, seen before each later upload and before the commit
    expect(ttls.length).toBeGreaterThanOrEqual(8);
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(STAGING_TTL_MS);
    }
    expect(await leftovers(t, store)).toEqual({ staging: [], overlays: [] });
  });

  it("an abandoned upload is fenced off and removed when its store resolves the outcome", async () => {
    const t = transport();
    const p = prefix();
    let abandon = true;
    const store = new RedisStore(
      new HookedTransport(t, (script, args) => {
        if (abandon && isCommit(script, args)) return Promise.reject(new RedisTransportError("no answer from Redis within 2000 ms"));
        return undefined;
      }),
      { prefix: p, clock: () => T0, chunkTopics: 5 },
    );
    await expect(store.registerBroker(reg({ topics: topics(range(0, 23)) }))).rejects.toThrow(/was not applied/);
    expect((await leftovers(t, store)).staging).toEqual([]);
    expect(await store.getAllTopics()).toEqual([]);
    abandon = false;
    await store.registerBroker(reg({ topics: topics(range(0, 23)) }));
    expect(await store.getAllTopics()).toHaveLength(23);
  });
});

describe.each([
  ["a chunked registration's commit", 100, (script: RedisScript, args: string[]) => isCommit(script, args)],
  ["a small registration", 3, (script: RedisScript, args: string[]) => script === REGISTER_BROKER && args[1] === "inline"],
] as const)("truthful answers: %s", (_what, count, isTheCall) => {
  const registration = (): BrokerRegistration => reg({ topics: topics(range(0, count)) });

  it("is answered success when Redis applies it after the client's timeout fired", async () => {
    const admin = transport();
    const p = prefix();
    const store = new RedisStore(
      pauseBefore(transport(250), isTheCall, async () => {
        // from another connection: Redis takes no command for 900 ms; the call waits in its queue
        await admin.command(["CLIENT", "PAUSE", "900", "ALL"]);
      }),
      { prefix: p, clock: () => T0, chunkTopics: 50, outcomeChecks: 8 },
    );
    const started = Date.now();
    await expect(store.registerBroker(registration())).resolves.toEqual({});
    // the first answer was lost (250 ms timeout); the outcome came from Redis after the pause
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
    expect(await store.getAllTopics()).toHaveLength(count);
    expect((await store.getClusterInfo()).brokerAddrTable["broker-a"].brokerAddrs).toEqual({ "0": MASTER });
  });

  it("is answered 'not applied' when it provably was not, and a late copy of it is refused", async () => {
    const t = transport();
    const p = prefix();
    let lost: string[] | null = null;
    let armed = false;
    const store = new RedisStore(
      new HookedTransport(t, (script, args) => {
        if (armed && lost === null && isTheCall(script, args)) {
          lost = args;
          return Promise.reject(new RedisTransportError("no answer from Redis within 2000 ms"));
        }
        return undefined;
      }),
      { prefix: p, clock: () => T0, chunkTopics: 50 },
    );
    await store.registerBroker(reg({ brokerName: "broker-b", brokerAddr: B_MASTER, topics: ["Other"] }));
    const before = await snapshot(store, ["T0", "Other"]);
    armed = true;
    await expect(store.registerBroker(registration())).rejects.toThrow(/registration of broker-a at 10\.0\.0\.1:10911 was not applied/);
    expect(await snapshot(store, ["T0", "Other"])).toEqual(before);
    // the request arrives after all (it was only delayed): fenced off, nothing changes
    await expect(t.eval(REGISTER_BROKER, [`{${p}}`], lost!)).rejects.toThrow(/RMQ_ABORTED/);
    expect(await snapshot(store, ["T0", "Other"])).toEqual(before);
    expect((await leftovers(t, store)).staging.filter((k) => !k.includes(":registration:"))).toEqual([]);
  });

  it("says the outcome is unknown when Redis answers nothing in time, and it was in fact applied later", async () => {
    const admin = transport();
    const p = prefix();
    const store = new RedisStore(
      pauseBefore(transport(150), isTheCall, async () => {
        await admin.command(["CLIENT", "PAUSE", "1200", "ALL"]);
      }),
      { prefix: p, clock: () => T0, chunkTopics: 50, outcomeChecks: 2 },
    );
    await expect(store.registerBroker(registration())).rejects.toThrow(/whether it was applied is unknown/);
    // not "failed": it was queued in Redis and is applied when the pause ends
    await waitFor(async () => (await store.getAllTopics()).length === count, "the queued registration to apply", 5000);
  });
});

describe("Redis is never blocked for long", () => {
  it("100,000 topics: a route query sent after the commit is answered first; the slowest script is a small part of a one-piece one", async () => {
    const admin = transport();
    const p = prefix();
    const reader = new RedisStore(transport(), { prefix: p, clock: () => T0 });
    const names = range(0, 100_000);
    let query: Promise<TopicRouteData | null> | null = null;
    let registered = false;
    let queryAnsweredWhileRegistering = false;
    const store = new RedisStore(
      pauseBefore(transport(10_000), isCommit, async () => {
        query = reader.getTopicRoute("T99999").then((route) => {
          queryAnsweredWhileRegistering = !registered;
          return route;
        });
      }),
      { prefix: p, clock: () => T0 },
    );
    /** Redis-side duration (SLOWLOG, microseconds) of the slowest script `register` runs. */
    const slowestScript = async (register: () => Promise<unknown>): Promise<number> => {
      await admin.command(["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
      await admin.command(["CONFIG", "SET", "slowlog-max-len", "10000"]);
      await admin.command(["SLOWLOG", "RESET"]);
      await register();
      const log = (await admin.command(["SLOWLOG", "GET", "10000"])) as unknown[][];
      await admin.command(["CONFIG", "SET", "slowlog-log-slower-than", "10000"]);
      const scripts = log.filter((entry) => /^EVAL/i.test(String((entry[3] as string[])[0])));
      expect(scripts.length).toBeGreaterThan(0);
      return Math.max(...scripts.map((entry) => Number(entry[2])));
    };

    const chunked = await slowestScript(async () => {
      await store.registerBroker(reg({ topics: topics(names) }));
      registered = true;
    });
    expect(query).not.toBeNull();
    const route = await query!;
    expect(queryAnsweredWhileRegistering).toBe(true);
    // sent right after the commit, it already sees the whole registration (through the overlay)
    expect(route?.queueDatas).toEqual([{ brokerName: "broker-a", readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 }]);
    expect(await reader.getAllTopics()).toHaveLength(100_000);
    expect(await leftovers(admin, store)).toEqual({ staging: [], overlays: [] });

    // the same registration with all topics in one script (as before chunking), under the same load
    const onePiece = new RedisStore(transport(10_000), { prefix: prefix(), clock: () => T0, chunkTopics: 1_000_000 });
    const whole = await slowestScript(() => onePiece.registerBroker(reg({ topics: topics(names) })));
    // (200 chunks of 500: the ratio is near 100 on a quiet machine; 5 leaves room for a busy one)
    expect(chunked * 5).toBeLessThan(whole);
  }, 120_000);

  it("200,000 topics over Bun's client with its default 2 s timeout: answered success, all visible", async () => {
    const rpc = await StoreRpcProcess.start(redis.current.url);
    try {
      const p = prefix();
      const store = await rpc.open({ prefix: p, clock: T0 });
      const names = range(0, 200_000);
      await expect(store.registerBroker(reg({ topics: topics(names) }))).resolves.toEqual({});
      const all = await store.getAllTopics();
      expect(all).toHaveLength(200_000);
      expect(new Set(all)).toEqual(new Set(names));
      for (const t of ["T0", "T123456", "T199999"]) expect((await store.getTopicRoute(t))?.queueDatas).toHaveLength(1);
      // an unchanged re-registration is one small script again
      await expect(store.registerBroker(reg({ topics: topics(names), now: T0 + 30_000 }))).resolves.toEqual({});
    } finally {
      await rpc.stop();
    }
  }, 120_000);
});
