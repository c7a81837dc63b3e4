import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { RespConnection } from "../support/redis/node-resp-transport.js";
import { waitFor } from "../support/wait-for.js";
import { startBroker, type Broker } from "./support/broker.js";
import { DEFAULT_LINE } from "./support/lines.js";
import { startNameServer, type NameServer } from "./support/namesrv.js";
import { registeredAddr } from "./support/remoting.js";
import { fileDir, suite, unique } from "./support/suite.js";

const CLUSTER = "InteropTwoBridges";
/** Far below the broker's 120 s heartbeat timeout: only a connection close can remove it this fast. */
const REMOVAL_DEADLINE_MS = 15_000;
/** Bridge 1 closes a connection idle this long: the broker's, a few seconds after each registration. */
const BRIDGE1_IDLE_SECONDS = 3;

const s = suite();
const SKIP_REASON =
  s.kind === "java"
    ? "skipped with INTEROP_NAMESRV=java: two NameServers sharing one Redis store is a feature of ours only"
    : undefined;
const TITLE = "a broker whose namesrvAddr lists two of our bridges on one Redis: one connection closing keeps it, the last removes it";

// The broker registers with both bridges (each registration goes to every address of namesrvAddr),
// so its live entry in Redis records one connection per bridge. Bridge 1 closes its connection when
// idle; the broker must stay listed by both bridges until its connection to bridge 2 closes too.
describe.skipIf(SKIP_REASON !== undefined)(SKIP_REASON ? `${TITLE} — ${SKIP_REASON}` : TITLE, () => {
  let redis: RedisServer | undefined;
  let bridge1: NameServer;
  let bridge2: NameServer;
  let broker: Broker | undefined;
  let prefix: string;

  /** How many bridges' connections the broker's live entry records (docs/redis-keys.md). */
  async function recordedConnections(b: Broker): Promise<number> {
    const conn = RespConnection.fromUrl(redis!.url);
    try {
      return Number(await conn.send(["HLEN", `{${prefix}}:brokerLiveChannels:${CLUSTER}:${b.addr}`]));
    } finally {
      conn.close();
    }
  }

  beforeAll(async () => {
    redis = await startRedisServer();
    prefix = unique("interop-two");
    const env = { REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: prefix };
    [bridge1, bridge2] = await Promise.all([
      startNameServer("ours", fileDir("two-bridges-1"), {
        env: { ...env, NAMESRV_CONFIG_serverChannelMaxIdleTimeSeconds: String(BRIDGE1_IDLE_SECONDS) },
        label: "bridge-1",
      }),
      startNameServer("ours", fileDir("two-bridges-2"), { env, label: "bridge-2" }),
    ]);
    broker = await startBroker({
      version: DEFAULT_LINE,
      namesrv: `${bridge1.addr};${bridge2.addr}`,
      cluster: CLUSTER,
      name: "interop-two-a",
      id: 0,
      dir: fileDir("broker-two-a"),
      awaitRegistration: false,
    });
  });

  afterAll(async () => {
    await broker?.proc.stop("SIGKILL");
    await Promise.all([bridge1?.proc.stop("SIGTERM"), bridge2?.proc.stop("SIGTERM")]);
    await redis?.stop();
  });

  it("stays listed by both bridges when bridge 1 closes its connection, and leaves when its last connection closes", async () => {
    const b = broker!;
    await waitFor(async () => (await recordedConnections(b)) === 2, `${b.name} to register through both bridges`, 60_000, 200);

    // bridge 1 closes the idle connection; the one to bridge 2 still carries the broker
    await waitFor(async () => (await recordedConnections(b)) === 1, "bridge 1 to close the broker's idle connection", 30_000, 200);
    expect(await registeredAddr(bridge1.addr, b.name, 0)).toBe(b.addr);
    expect(await registeredAddr(bridge2.addr, b.name, 0)).toBe(b.addr);

    // the broker dies without unregistering: closing its connections is all the bridges see
    const killed = Date.now();
    await b.proc.stop("SIGKILL");
    await waitFor(
      async () => (await registeredAddr(bridge2.addr, b.name, 0)) === undefined && (await registeredAddr(bridge1.addr, b.name, 0)) === undefined,
      `${b.name} to leave both bridges once its connections closed`,
      REMOVAL_DEADLINE_MS,
      200,
    );
    console.log(`[interop] ${b.name} gone from both bridges ${Date.now() - killed} ms after SIGKILL`);
    expect(await recordedConnections(b)).toBe(0);
  });
});
