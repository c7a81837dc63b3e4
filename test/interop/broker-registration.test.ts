import { describe, expect, it } from "vitest";
import { parseClusterList, parseTopicList, parseTopicRoute } from "./support/mqadmin-output.js";
import { ROCKETMQ5_VERSION } from "./support/paths.js";
import { admin, suite } from "./support/suite.js";

describe("a RocketMQ 5.3.3 broker registers with the NameServer", () => {
  const s = suite();
  const mq = admin();

  it("mqadmin clusterList shows the broker", async () => {
    const rows = parseClusterList(await mq("clusterList"));
    expect(rows).toContainEqual({
      cluster: s.shared.cluster,
      brokerName: s.shared.name,
      brokerId: 0,
      addr: s.shared.addr,
      version: `V${ROCKETMQ5_VERSION.replaceAll(".", "_")}`,
    });
  });

  it("mqadmin topicList lists the topics the broker registered", async () => {
    const topics = parseTopicList(await mq("topicList"));
    // TBW102 is the auto-create template; a broker also registers its own name and its cluster's name as topics.
    expect(topics).toEqual(expect.arrayContaining(["TBW102", s.shared.name, s.shared.cluster, "SELF_TEST_TOPIC"]));
  });

  it("mqadmin topicRoute shows the route of a registered topic", async () => {
    const route = parseTopicRoute(await mq("topicRoute", "-t", "TBW102"));
    expect(route.brokerDatas).toContainEqual(
      expect.objectContaining({ cluster: s.shared.cluster, brokerName: s.shared.name, brokerAddrs: { "0": s.shared.addr } }),
    );
    const queue = route.queueDatas.find((q) => q.brokerName === s.shared.name);
    // autoCreateTopicEnable: TBW102 is registered read+write+inherit (7).
    expect(queue).toMatchObject({ perm: 7, readQueueNums: 8, writeQueueNums: 8 });
  });

  it("mqadmin topicRoute of an unknown topic reports TOPIC_NOT_EXIST (17)", async () => {
    const output = await mq("topicRoute", "-t", "NO_SUCH_TOPIC_INTEROP");
    expect(output).toMatch(/CODE: 17\s+DESC: No topic route info in name server for the topic: NO_SUCH_TOPIC_INTEROP/);
  });
});
