import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { brokerLog, startBroker, type Broker } from "./support/broker.js";
import { NEWEST_LINE, lineTag } from "./support/lines.js";
import { startNameServer, type NameServer, type NameServerOptions } from "./support/namesrv.js";
import { waitFor } from "../support/wait-for.js";
import { createTopicOnBroker, getRoute, registeredAddr } from "./support/remoting.js";
import { fileDir, suite, unique } from "./support/suite.js";

/** The broker re-registers in full every 10 s (the shortest period a 5.x broker accepts). */
const REGISTER_PERIOD_MS = 10_000;
/** One full registration period after the restart, with room for a slow tick: never two periods. */
const RESTORE_DEADLINE_MS = REGISTER_PERIOD_MS + 8_000;

const s = suite();
const version = NEWEST_LINE;
type Store = "embedded" | "redis";
// Apache's NameServer keeps its routes in memory only, like our embedded store.
const STORES: Store[] = s.kind === "ours" ? ["embedded", "redis"] : ["embedded"];

/** Every route the broker had before the restart is served again, and the broker is listed. */
async function brokerFullyRouted(namesrv: string, broker: Broker, topics: string[]): Promise<boolean> {
  if ((await registeredAddr(namesrv, broker.name, 0)) !== broker.addr) return false;
  for (const topic of topics) {
    const route = await getRoute(namesrv, topic);
    if (!route?.queueDatas.some((q) => q.brokerName === broker.name)) return false;
  }
  return true;
}

// A NameServer that restarts has no routes (embedded store) until each broker registers again. A
// broker re-registers in full on its timer, and also sends a partial registration (just the new
// topic) whenever a topic is created on it. Apache's NameServer once took such a partial
// registration for the broker's first one, then skipped the topics of the next full registration
// because its data version had not changed: routes stayed missing until the broker's topic
// configuration changed again (apache/rocketmq #4522). Since then it refuses a one-topic
// registration from a broker it does not know (SYSTEM_ERROR "register broker failed"), so the next
// full registration is the first and restores every route. Apache's NameServer is the reference.
describe.each(STORES)(`a RocketMQ ${version} broker across a restart of the NameServer (%s store)`, (store) => {
  const tag = `${store}-${lineTag(version)}`;
  let redis: RedisServer | undefined;
  let namesrv: NameServer;
  let options: NameServerOptions;
  let broker: Broker;
  /** Topics the broker had before any restart: its own name, its cluster, the template, one created. */
  let before: string[];

  beforeAll(async () => {
    if (store === "redis") redis = await startRedisServer();
    options = {
      label: `restart-${store}`,
      version,
      ...(redis ? { env: { REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: unique("restart") } } : {}),
    };
    namesrv = await startNameServer(s.kind, fileDir(`restart-namesrv-${tag}`), options);
    broker = await startBroker({
      version,
      namesrv: namesrv.addr,
      cluster: `InteropRestart_${lineTag(version)}`,
      name: `interop-restart-${tag}`,
      id: 0,
      dir: fileDir(`broker-restart-${tag}`),
      config: { registerNameServerPeriod: REGISTER_PERIOD_MS },
    });
    const created = unique("InteropBeforeRestart");
    await createTopicOnBroker(broker.addr, created);
    before = ["TBW102", broker.name, broker.cluster, created];
    await waitFor(() => brokerFullyRouted(namesrv.addr, broker, before), "every topic routed before the restart", 15_000, 250);
  });

  afterAll(async () => {
    await broker?.proc.stop("SIGKILL");
    await namesrv?.proc.stop("SIGTERM");
    await redis?.stop();
  });

  /** Kills the NameServer and starts it again on the same ports (same store, same files). */
  async function restart(): Promise<void> {
    await namesrv.proc.stop("SIGKILL");
    namesrv = await startNameServer(s.kind, fileDir(`restart-namesrv-${tag}`), {
      ...options,
      port: namesrv.port,
      ...(namesrv.httpPort ? { httpPort: namesrv.httpPort } : {}),
    });
  }

  /** Waits until the broker and `topics` are served, within one registration period. */
  async function expectRestored(topics: string[], since: number, what: string): Promise<void> {
    await waitFor(() => brokerFullyRouted(namesrv.addr, broker, topics), `${broker.name} and its routes back ${what}`, RESTORE_DEADLINE_MS, 200);
    console.log(`[interop] ${store}: ${broker.name} fully routed ${Date.now() - since} ms ${what}`);
  }

  it("after a restart, the broker's next full registration at the latest serves the broker and every route again", async () => {
    // (With the embedded store nothing survives the kill: the broker is gone until it registers
    // again, which its timer may well do while the NameServer is still starting.)
    await restart();
    await expectRestored(before, Date.now(), "after the restart");
  });

  if (store === "embedded") {
    it("a topic created right after the restart: its one-topic registration is refused, the next full one restores every route", async () => {
      // Create a topic on the broker as soon as the restarted NameServer answers, so that the
      // broker's first registration with it is the one-topic one. Should the broker's timer fire
      // in those few milliseconds (it is then known already), restart and try again.
      let created = "";
      let logFrom = 0;
      for (let attempt = 1; ; attempt++) {
        await restart();
        logFrom = brokerLog(broker).length;
        created = unique("InteropAfterRestart");
        await createTopicOnBroker(broker.addr, created);
        if ((await registeredAddr(namesrv.addr, broker.name, 0)) === undefined) break;
        expect(attempt, "the broker's timer raced every topic creation").toBeLessThan(3);
      }
      const refused = Date.now();
      // The broker registers with its NameServers before it answers: the refusal is in its log now.
      expect(brokerLog(broker).slice(logFrom)).toMatch(/Failed to register current broker to name server[^\n]*\n[^\n]*CODE: 1\s+DESC: register broker failed/);
      expect(await getRoute(namesrv.addr, created)).toBeUndefined();
      // Nothing half-registered: the next full registration is the broker's first, and carries every topic.
      await expectRestored([...before, created], refused, "after the refused one-topic registration");
    });
  } else {
    it("a topic created right after the restart is routed at once (the broker is still known from the store)", async () => {
      await restart();
      const created = unique("InteropAfterRestart");
      await createTopicOnBroker(broker.addr, created);
      const route = await getRoute(namesrv.addr, created);
      expect(route?.queueDatas).toEqual([expect.objectContaining({ brokerName: broker.name, readQueueNums: 4, writeQueueNums: 4, perm: 6 })]);
      expect(route?.brokerDatas).toEqual([expect.objectContaining({ brokerName: broker.name, brokerAddrs: { "0": broker.addr } })]);
      await expectRestored([...before, created], Date.now(), "after the topic was created");
    });
  }
});
