import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type Broker } from "./support/broker.js";
import { ADMIN } from "./support/credentials.js";
import { mqadmin, runRouteQuery } from "./support/java.js";
import { DEFAULT_LINE } from "./support/lines.js";
import { expectExactDelivery, roundTrip, runGoProducer, startGoConsumer } from "./support/messaging.js";
import { createTopicOnBroker, waitForRoute } from "./support/remoting.js";
import { fileDir, line, unique } from "./support/suite.js";

// Peers that sign their requests (AclClientRPCHook) with a NameServer that does not authenticate,
// as every Java NameServer and ours by default: the signature fields are extra extFields it must
// ignore. Runs in both modes; the same peers then face an authenticating NameServer in auth.test.ts.
describe(`signing ${DEFAULT_LINE} peers with a NameServer that does not authenticate`, () => {
  const s = line(DEFAULT_LINE);
  const dir = fileDir("signed-peers");
  const signedAdmin = mqadmin(s.namesrv, `${dir}/mqadmin-signed`, DEFAULT_LINE, ADMIN);
  let broker: Broker;

  beforeAll(async () => {
    // authenticate: the broker refuses unsigned clients, so the Go round trip below proves the Go client signs.
    broker = await startBroker({
      version: DEFAULT_LINE,
      namesrv: s.namesrv,
      cluster: "InteropSignedCluster",
      name: unique("interop-signed"),
      id: 0,
      dir: `${dir}/broker`,
      credentials: ADMIN,
      authenticate: true,
    });
  });

  afterAll(async () => {
    await broker?.proc.stop("SIGTERM");
  });

  it("a broker signing with innerClientAuthenticationCredentials registers, and refuses unsigned clients itself", async () => {
    const topic = unique("InteropSigned");
    await expect(createTopicOnBroker(broker.addr, topic)).rejects.toThrow(/→ 16 /);
    await createTopicOnBroker(broker.addr, topic, 4, ADMIN);
    await waitForRoute(s.namesrv, topic, (r) => r?.brokerDatas.some((b) => b.brokerName === broker.name) ?? false);
  });

  it("mqadmin with credentials in conf/tools.yml: clusterList, updateKvConfig and the value read back", async () => {
    expect(await signedAdmin("clusterList")).toContain(broker.name);
    const topic = unique("InteropSignedKv");
    expect(await signedAdmin("updateKvConfig", "-s", "ORDER_TOPIC_CONFIG", "-k", topic, "-v", `${broker.name}:4`)).toContain(
      "create or update kv config to namespace success.",
    );
    expect(await signedAdmin("updateOrderConf", "-t", topic, "-m", "get")).toContain(`orderConf=[${broker.name}:4]`);
  });

  it("the Java client's route query, signed and unsigned", async () => {
    for (const credentials of [ADMIN, undefined]) {
      const result = await runRouteQuery(DEFAULT_LINE, `${dir}/route-query`, s.namesrv, "TBW102", credentials);
      expect(result.route?.brokerDatas.map((b) => b.brokerName), result.run.output).toContain(broker.name);
    }
    const missing = await runRouteQuery(DEFAULT_LINE, `${dir}/route-query`, s.namesrv, unique("InteropNoSuchTopic"), ADMIN);
    expect(missing.code, missing.run.output).toBe(17);
  });

  it("a signing Go producer and push consumer exchange messages through the authenticating broker", async () => {
    const topic = unique("InteropSignedGo");
    await createTopicOnBroker(broker.addr, topic, 4, ADMIN);
    await waitForRoute(s.namesrv, topic, (r) => r?.queueDatas.some((q) => q.brokerName === broker.name) ?? false);
    const count = 20;
    const prefix = unique("signed-go");
    const common = { namesrv: s.namesrv, topic, count, prefix, dir: `${dir}/go-${topic}`, credentials: ADMIN };
    const trip = await roundTrip(
      () => startGoConsumer({ ...common, group: unique("cg_signed_go"), timeoutMs: 90_000 }),
      () => runGoProducer({ ...common, group: unique("pg_signed_go") }),
      90_000,
    );
    expectExactDelivery(trip, prefix, count);
  });
});
