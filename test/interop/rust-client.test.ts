import { beforeAll, describe, expect, it } from "vitest";
import { NEWEST_LINE } from "./support/lines.js";
import { describeRun, expectExactDelivery, roundTrip, runRustProducer, rustRouteLookup, startRustConsumer } from "./support/messaging.js";
import { waitForRoute } from "./support/remoting.js";
import { admin, fileDir, line, unique } from "./support/suite.js";

// rocketmq-client-rust 1.0.0 (crates.io), through the newest line's broker and NameServer.
describe(`rocketmq-client-rust 1.0.0 through the NameServer (RocketMQ ${NEWEST_LINE} broker)`, () => {
  const s = line(NEWEST_LINE);
  const mq = admin(NEWEST_LINE);
  const topic = unique("InteropRust");

  beforeAll(async () => {
    expect(await mq("updateTopic", "-c", s.shared.cluster, "-t", topic, "-r", "4", "-w", "4")).toContain(
      `create topic to ${s.shared.addr} success.`,
    );
    await waitForRoute(s.namesrv, topic, (r) => r?.queueDatas.some((q) => q.brokerName === s.shared.name) ?? false);
  });

  it("its admin API reads the route and the cluster info", async () => {
    const { run, route, cluster } = await rustRouteLookup(s.namesrv, topic, fileDir(`rust-route-${topic}`));
    expect(run.code, describeRun("rust route", run)).toBe(0);
    expect(route.brokerDatas).toEqual([
      expect.objectContaining({ cluster: s.shared.cluster, brokerName: s.shared.name, brokerAddrs: { "0": s.shared.addr } }),
    ]);
    expect(route.queueDatas).toEqual([expect.objectContaining({ brokerName: s.shared.name, readQueueNums: 4, writeQueueNums: 4, perm: 6 })]);
    expect(cluster.brokerAddrTable[s.shared.name]).toEqual(expect.objectContaining({ brokerAddrs: { "0": s.shared.addr } }));
    expect(cluster.clusterAddrTable[s.shared.cluster]).toEqual([s.shared.name]);

    // TOPIC_NOT_EXIST (17) reaches the program as "no route" (Ok(None)), not as an error or an empty route.
    const missing = await rustRouteLookup(s.namesrv, "NO_SUCH_TOPIC_INTEROP_RUST", fileDir("rust-route-missing"));
    expect(missing.run.code, describeRun("rust route (unknown topic)", missing.run)).toBe(0);
    expect(missing.run.output).toMatch(/^ROUTE none$/m);
  });

  it("a Rust producer sends N messages and a Rust push consumer receives every one of them", async () => {
    const count = 30;
    const prefix = unique("rs");
    const dir = fileDir(`rust-${topic}`);
    const common = { namesrv: s.namesrv, topic, count, prefix, dir };
    const trip = await roundTrip(
      () => startRustConsumer({ ...common, group: unique("cg_rust"), timeoutMs: 90_000 }),
      () => runRustProducer({ ...common, group: unique("pg_rust") }),
      90_000,
    );

    expectExactDelivery(trip, prefix, count);
    expect(new Set([...trip.producer.output.matchAll(/^SENT \S+ (\S+)/gm)].map((m) => m[1]))).toEqual(new Set([s.shared.name]));
  });
});
