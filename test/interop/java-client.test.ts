import { describe, expect, it } from "vitest";
import { runJavaProducer, startJavaConsumer } from "./support/java.js";
import { expectExactDelivery, roundTrip } from "./support/messaging.js";
import { waitForRoute } from "./support/remoting.js";
import { admin, fileDir, suite, unique } from "./support/suite.js";

describe("RocketMQ 5.3.3 Java client through the NameServer", () => {
  const s = suite();
  const mq = admin();

  it("a producer sends N messages and a push consumer receives every one of them", async () => {
    const topic = unique("InteropJava");
    const count = 40;
    const prefix = unique("j5");
    const created = await mq("updateTopic", "-c", s.shared.cluster, "-t", topic, "-r", "4", "-w", "4");
    expect(created).toContain(`create topic to ${s.shared.addr} success.`);
    await waitForRoute(s.namesrv, topic, (r) => r?.queueDatas.some((q) => q.brokerName === s.shared.name) ?? false);

    const dir = fileDir(`java5-${topic}`);
    const common = { line: 5 as const, homeDir: dir, namesrv: s.namesrv, topic, count, prefix };
    const trip = await roundTrip(
      () => startJavaConsumer({ ...common, group: unique("cg_java5"), timeoutMs: 90_000 }),
      () => runJavaProducer({ ...common, group: unique("pg_java5") }),
      90_000,
    );

    expectExactDelivery(trip, prefix, count);
    // Every message went to the one broker the route names.
    expect(new Set([...trip.producer.output.matchAll(/^SENT \S+ (\S+)/gm)].map((m) => m[1]))).toEqual(new Set([s.shared.name]));
  });
});
