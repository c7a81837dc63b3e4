import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokerLog, startBroker, type Broker } from "./support/broker.js";
import { DEFAULT_LINE, LINES_5X, ROCKETMQ4_VERSION, isLine5, lineTag, versionName, type Line5 } from "./support/lines.js";
import { parseClusterList, parseTopicList, parseTopicRoute } from "./support/mqadmin-output.js";
import { waitFor } from "../support/wait-for.js";
import { registeredAddr, waitForRoute } from "./support/remoting.js";
import { admin, fileDir, line, unique } from "./support/suite.js";

describe.each(LINES_5X)("a RocketMQ %s broker registers with the NameServer", (version) => {
  const l = line(version);
  const mq = admin(version);

  it("mqadmin clusterList shows the broker", async () => {
    const rows = parseClusterList(await mq("clusterList"));
    expect(rows).toContainEqual({
      cluster: l.shared.cluster,
      brokerName: l.shared.name,
      brokerId: 0,
      addr: l.shared.addr,
      version: versionName(version),
    });
  });

  it("mqadmin topicList lists the topics the broker registered", async () => {
    const topics = parseTopicList(await mq("topicList"));
    // TBW102 is the auto-create template; a broker also registers its own name and its cluster's name as topics.
    expect(topics).toEqual(expect.arrayContaining(["TBW102", l.shared.name, l.shared.cluster, "SELF_TEST_TOPIC"]));
  });

  it("mqadmin topicRoute shows the route of a registered topic", async () => {
    const route = parseTopicRoute(await mq("topicRoute", "-t", "TBW102"));
    expect(route.brokerDatas).toContainEqual(
      expect.objectContaining({ cluster: l.shared.cluster, brokerName: l.shared.name, brokerAddrs: { "0": l.shared.addr } }),
    );
    const queue = route.queueDatas.find((q) => q.brokerName === l.shared.name);
    // autoCreateTopicEnable: TBW102 is registered read+write+inherit (7).
    expect(queue).toMatchObject({ perm: 7, readQueueNums: 8, writeQueueNums: 8 });
  });

  it("mqadmin topicRoute of an unknown topic reports TOPIC_NOT_EXIST (17)", async () => {
    const output = await mq("topicRoute", "-t", "NO_SUCH_TOPIC_INTEROP");
    expect(output).toMatch(/CODE: 17\s+DESC: No topic route info in name server for the topic: NO_SUCH_TOPIC_INTEROP/);
  });
});

// compressedRegister=true: the broker deflates its REGISTER_BROKER body. A 4.9.x broker says so in
// the header (`compressed=true`) and the NameServer inflates the body. A 5.x broker (5.3.3 and 5.5.0
// alike) deflates the body but always sends `compressed=false`, so Apache's NameServer fails to
// parse it and answers SYSTEM_ERROR to every registration: such a broker never registers. Ours does
// the same (what Apache's does is the reference; accepting it would be a feature of ours).
describe.each([ROCKETMQ4_VERSION, ...LINES_5X])("a RocketMQ %s broker with compressedRegister=true", (version) => {
  // The 4.9.x broker uses the 5.3.3 line's NameServer and mqadmin, as in rocketmq-4.test.ts.
  const lineVersion = isLine5(version) ? (version as Line5) : DEFAULT_LINE;
  const l = line(lineVersion);
  const mq = admin(lineVersion);
  const cluster = `InteropZip_${lineTag(version)}`;
  const marksCompressed = !isLine5(version);
  let broker: Broker;

  beforeAll(async () => {
    broker = await startBroker({
      version,
      namesrv: l.namesrv,
      cluster,
      name: `interop-zip-${lineTag(version)}`,
      id: 0,
      dir: fileDir(`broker-zip-${lineTag(version)}`),
      config: { compressedRegister: true },
      awaitRegistration: marksCompressed,
    });
  });

  afterAll(async () => {
    await broker?.proc.stop("SIGTERM");
  });

  if (marksCompressed) {
    it("registers: clusterList shows it and its topics are routed, a topic created later too", async () => {
      expect(parseClusterList(await mq("clusterList"))).toContainEqual({
        cluster,
        brokerName: broker.name,
        brokerId: 0,
        addr: broker.addr,
        version: versionName(version),
      });
      const template = parseTopicRoute(await mq("topicRoute", "-t", "TBW102"));
      expect(template.queueDatas).toContainEqual(expect.objectContaining({ brokerName: broker.name, perm: 7, readQueueNums: 8, writeQueueNums: 8 }));

      // A topic created afterwards reaches the NameServer in a compressed registration as well.
      const topic = unique("InteropZip");
      expect(await mq("updateTopic", "-b", broker.addr, "-t", topic, "-r", "3", "-w", "3")).toContain(`create topic to ${broker.addr} success.`);
      await waitForRoute(l.namesrv, topic, (r) => r !== undefined);
      const route = parseTopicRoute(await mq("topicRoute", "-t", topic));
      expect(route.brokerDatas).toEqual([expect.objectContaining({ cluster, brokerName: broker.name, brokerAddrs: { "0": broker.addr } })]);
      expect(route.queueDatas).toEqual([expect.objectContaining({ brokerName: broker.name, readQueueNums: 3, writeQueueNums: 3, perm: 6 })]);
    });
  } else {
    it("is refused with SYSTEM_ERROR (its body is deflated, its header says it is not) and never listed", async () => {
      const [code, remark] = await waitFor(
        () => brokerLog(broker).match(/Failed to register current broker to name server[^\n]*\n[^\n]*CODE: (\d+)\s+DESC: ([^\n]*)/)?.slice(1),
        `${broker.name} to log a refused registration`,
        30_000,
        250,
      );
      // The remark differs: Apache's 5.5.0 says "Failed to decode RegisterBrokerBody", 5.3.3 (fastjson 1
      // parses the bytes to null) a NullPointerException, ours "Failed to decode RegisterBrokerBody: <why>".
      console.log(`[interop] ${version} broker with compressedRegister=true refused: CODE ${code} ${remark}`);
      expect(code).toBe("1");
      expect(await registeredAddr(l.namesrv, broker.name, 0)).toBeUndefined();
      expect(parseClusterList(await mq("clusterList")).filter((r) => r.brokerName === broker.name)).toEqual([]);
    });
  }
});
