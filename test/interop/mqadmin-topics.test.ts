import { describe, expect, it } from "vitest";
import { parseTopicList, parseTopicRoute } from "./support/mqadmin-output.js";
import { LINES_5X } from "./support/lines.js";
import { waitForRoute } from "./support/remoting.js";
import { admin, line, unique } from "./support/suite.js";

describe.each(LINES_5X)("mqadmin %s topic commands", (version) => {
  const s = line(version);
  const mq = admin(version);

  it("updateTopic creates a topic whose route has the queue counts asked for", async () => {
    const topic = unique("InteropUpdate");
    expect(await mq("updateTopic", "-c", s.shared.cluster, "-t", topic, "-r", "3", "-w", "5")).toContain(
      `create topic to ${s.shared.addr} success.`,
    );
    await waitForRoute(s.namesrv, topic, (r) => r !== undefined);
    const route = parseTopicRoute(await mq("topicRoute", "-t", topic));
    expect(route.queueDatas).toEqual([
      expect.objectContaining({ brokerName: s.shared.name, readQueueNums: 3, writeQueueNums: 5, perm: 6, topicSysFlag: 0 }),
    ]);
    expect(route.brokerDatas).toEqual([
      expect.objectContaining({ cluster: s.shared.cluster, brokerName: s.shared.name, brokerAddrs: { "0": s.shared.addr } }),
    ]);
    expect(parseTopicList(await mq("topicList"))).toContain(topic);
  });

  it("deleteTopic removes the topic's route and its topicList entry", async () => {
    const topic = unique("InteropDelete");
    await mq("updateTopic", "-c", s.shared.cluster, "-t", topic, "-r", "2", "-w", "2");
    await waitForRoute(s.namesrv, topic, (r) => r !== undefined);
    expect(parseTopicRoute(await mq("topicRoute", "-t", topic)).queueDatas).toHaveLength(1);

    const deleted = await mq("deleteTopic", "-t", topic, "-c", s.shared.cluster);
    expect(deleted).toContain(`delete topic [${topic}] from cluster [${s.shared.cluster}] success.`);
    expect(deleted).toContain(`delete topic [${topic}] from NameServer success.`);

    expect(await mq("topicRoute", "-t", topic)).toMatch(new RegExp(`CODE: 17\\s+DESC: No topic route info in name server for the topic: ${topic}`));
    expect(parseTopicList(await mq("topicList"))).not.toContain(topic);
  });
});
