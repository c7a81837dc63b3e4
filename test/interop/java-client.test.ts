import { describe, expect, it } from "vitest";
import { runJavaProducer, startJavaConsumer } from "./support/java.js";
import { LINES_5X, lineTag } from "./support/lines.js";
import { expectExactDelivery, roundTrip } from "./support/messaging.js";
import { waitForRoute } from "./support/remoting.js";
import { admin, fileDir, line, unique } from "./support/suite.js";

describe.each(LINES_5X)("RocketMQ %s Java client through the NameServer", (version) => {
  const l = line(version);
  const mq = admin(version);

  it("a producer sends N messages and a push consumer receives every one of them", async () => {
    const topic = unique("InteropJava");
    const count = 40;
    const prefix = unique(`j${lineTag(version)}`);
    const created = await mq("updateTopic", "-c", l.shared.cluster, "-t", topic, "-r", "4", "-w", "4");
    expect(created).toContain(`create topic to ${l.shared.addr} success.`);
    await waitForRoute(l.namesrv, topic, (r) => r?.queueDatas.some((q) => q.brokerName === l.shared.name) ?? false);

    const dir = fileDir(`java-${lineTag(version)}-${topic}`);
    const common = { version, homeDir: dir, namesrv: l.namesrv, topic, count, prefix };
    const trip = await roundTrip(
      () => startJavaConsumer({ ...common, group: unique("cg_java"), timeoutMs: 90_000 }),
      () => runJavaProducer({ ...common, group: unique("pg_java") }),
      90_000,
    );

    expectExactDelivery(trip, prefix, count);
    // Every message went to the one broker the route names.
    expect(new Set([...trip.producer.output.matchAll(/^SENT \S+ (\S+)/gm)].map((m) => m[1]))).toEqual(new Set([l.shared.name]));
  });
});
