import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type Broker } from "./support/broker.js";
import { runJavaProducer, startJavaConsumer } from "./support/java.js";
import { expectExactDelivery, roundTrip } from "./support/messaging.js";
import { parseClusterList, parseTopicRoute } from "./support/mqadmin-output.js";
import { ROCKETMQ4_VERSION, versionName } from "./support/lines.js";
import { waitForRoute } from "./support/remoting.js";
import { admin, fileDir, line, unique } from "./support/suite.js";

// A 4.9.x broker registers with an older protocol version (legacy RegisterBrokerBody, fastjson
// bodies) and a 4.9.x client asks for routes without acceptStandardJsonOnly. They use the 5.3.3
// line's NameServer (in java mode Apache's 5.3.3) and its mqadmin.
describe(`RocketMQ ${ROCKETMQ4_VERSION} broker and client through the NameServer`, () => {
  const s = line();
  const mq = admin();
  let broker: Broker;

  beforeAll(async () => {
    broker = await startBroker({ version: ROCKETMQ4_VERSION, namesrv: s.namesrv, cluster: "Interop49", name: "interop-49", id: 0, dir: fileDir("broker-49") });
  });

  afterAll(async () => {
    await broker?.proc.stop("SIGTERM");
  });

  it("the 4.9.x broker shows up in clusterList with its version", async () => {
    const rows = parseClusterList(await mq("clusterList"));
    expect(rows).toContainEqual({
      cluster: "Interop49",
      brokerName: "interop-49",
      brokerId: 0,
      addr: broker.addr,
      version: versionName(ROCKETMQ4_VERSION),
    });
  });

  it("a 4.9.x producer sends N messages and a 4.9.x push consumer receives every one of them", async () => {
    const topic = unique("Interop49");
    const count = 30;
    const prefix = unique("j4");
    expect(await mq("updateTopic", "-b", broker.addr, "-t", topic, "-r", "4", "-w", "4")).toContain(
      `create topic to ${broker.addr} success.`,
    );
    await waitForRoute(s.namesrv, topic, (r) => r?.queueDatas.some((q) => q.brokerName === broker.name) ?? false);
    const route = parseTopicRoute(await mq("topicRoute", "-t", topic));
    expect(route.brokerDatas).toEqual([expect.objectContaining({ brokerName: broker.name, cluster: "Interop49", brokerAddrs: { "0": broker.addr } })]);
    expect(route.queueDatas).toEqual([expect.objectContaining({ brokerName: broker.name, readQueueNums: 4, writeQueueNums: 4, perm: 6 })]);

    const dir = fileDir(`java4-${topic}`);
    const common = { version: ROCKETMQ4_VERSION, homeDir: dir, namesrv: s.namesrv, topic, count, prefix };
    const trip = await roundTrip(
      () => startJavaConsumer({ ...common, group: unique("cg_java4"), timeoutMs: 90_000 }),
      () => runJavaProducer({ ...common, group: unique("pg_java4") }),
      90_000,
    );

    expectExactDelivery(trip, prefix, count);
  });
});
