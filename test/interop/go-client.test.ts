import { describe, expect, it } from "vitest";
import { expectExactDelivery, roundTrip, runGoProducer, startGoConsumer } from "./support/messaging.js";
import { waitForRoute } from "./support/remoting.js";
import { admin, fileDir, line, unique } from "./support/suite.js";

// rocketmq-client-go v2 sends version 317 without acceptStandardJsonOnly, so it gets the legacy
// (fastjson, bare numeric keys) route encoding and parses brokerAddrs by hand.
// Through the 5.3.3 line's broker and NameServer.
describe("rocketmq-client-go v2 through the NameServer", () => {
  const s = line();
  const mq = admin();

  it("a Go producer sends N messages and a Go push consumer receives every one of them", async () => {
    const topic = unique("InteropGo");
    const count = 30;
    const prefix = unique("go");
    expect(await mq("updateTopic", "-c", s.shared.cluster, "-t", topic, "-r", "4", "-w", "4")).toContain(
      `create topic to ${s.shared.addr} success.`,
    );
    await waitForRoute(s.namesrv, topic, (r) => r?.queueDatas.some((q) => q.brokerName === s.shared.name) ?? false);

    const dir = fileDir(`go-${topic}`);
    const common = { namesrv: s.namesrv, topic, count, prefix, dir };
    const trip = await roundTrip(
      () => startGoConsumer({ ...common, group: unique("cg_go"), timeoutMs: 90_000 }),
      () => runGoProducer({ ...common, group: unique("pg_go") }),
      90_000,
    );

    expectExactDelivery(trip, prefix, count);
  });
});
