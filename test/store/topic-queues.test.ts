import { describe, expect, it } from "vitest";
import { TopicQueues } from "../../edge/store/embedded/topic-queues";

const qd = (brokerName: string, perm = 6) => ({ brokerName, readQueueNums: 4, writeQueueNums: 4, perm, topicSysFlag: 0 });

describe("TopicQueues", () => {
  it("keeps one entry per broker name in first-seen order, as a Map would", () => {
    const queues = TopicQueues.of(qd("b"));
    queues.set(qd("a"));
    queues.set(qd("c"));
    queues.set(qd("b", 4)); // replaced in place
    expect(queues.brokerNames()).toEqual(["b", "a", "c"]);
    expect(queues.get("b")?.perm).toBe(4);
    expect(queues.size).toBe(3);
    expect(queues.delete("a")).toBe(true);
    expect(queues.delete("a")).toBe(false);
    expect(queues.has("a")).toBe(false);
    expect(queues.get("nope")).toBeUndefined();
    queues.set(qd("a"));
    expect(queues.values().map((q) => q.brokerName)).toEqual(["b", "c", "a"]);
  });
});
