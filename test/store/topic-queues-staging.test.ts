import { describe, expect, it } from "vitest";
import { Staging } from "../../edge/store/embedded/staging";
import { TopicMappings } from "../../edge/store/embedded/topic-mappings";
import { TopicQueues } from "../../edge/store/embedded/topic-queues";

const qd = (brokerName: string, perm = 6) => ({ brokerName, readQueueNums: 4, writeQueueNums: 4, perm, topicSysFlag: 0 });

describe("TopicQueues with staged writes", () => {
  it("shows staged writes only once their staging commits, in the order of the writes around them", () => {
    const queues = TopicQueues.of(qd("a"));
    const staging = new Staging();
    queues.stage(staging, "b", qd("b"));
    queues.stage(staging, "a", qd("a", 4));
    queues.stage(staging, "b", qd("b", 2)); // replaces the first write of b
    expect(queues.stagedBy(staging, "b")).toEqual(qd("b", 2));
    expect(queues.brokerNames()).toEqual(["a"]);
    expect(queues.get("a")?.perm).toBe(6);
    queues.set(qd("c")); // a write meanwhile comes first
    staging.commit();
    expect(queues.brokerNames()).toEqual(["a", "c", "b"]);
    expect(queues.values().map((q) => q.perm)).toEqual([4, 6, 2]);
    expect(queues.stagedBy(staging, "b")).toBeUndefined();
  });

  it("stages removals, drops an abandoned staging, and is empty only with nothing staged", () => {
    const fresh = new TopicQueues();
    const abandoned = new Staging();
    fresh.stage(abandoned, "a", qd("a"));
    expect(fresh.size).toBe(0);
    expect(fresh.isEmpty()).toBe(false); // a registration still fills it
    abandoned.abandon();
    abandoned.commit(); // too late: stays abandoned
    expect(fresh.isEmpty()).toBe(true);
    expect(fresh.brokerNamesWithStaged()).toEqual([]);

    const queues = TopicQueues.of(qd("a"));
    queues.set(qd("b"));
    const removal = new Staging();
    queues.stage(removal, "a", null);
    expect(queues.brokerNamesWithStaged()).toEqual(["a", "b"]);
    queues.clear(); // committed entries go, the staged removal stays
    expect(queues.isEmpty()).toBe(false);
    removal.commit();
    expect(queues.isEmpty()).toBe(true);
  });
});

describe("TopicMappings with staged writes", () => {
  it("shows staged mappings once committed, never when abandoned", () => {
    const mappings = new TopicMappings();
    mappings.set("a", { bname: "a", epoch: 1 });
    const kept = new Staging();
    const dropped = new Staging();
    mappings.stage(kept, "b", { bname: "b", epoch: 2 });
    mappings.stage(dropped, "a", { bname: "a", epoch: 9 });
    expect(mappings.entries()).toEqual([["a", { bname: "a", epoch: 1 }]]);
    kept.commit();
    dropped.abandon();
    expect(mappings.entries()).toEqual([
      ["a", { bname: "a", epoch: 1 }],
      ["b", { bname: "b", epoch: 2 }],
    ]);
    expect(mappings.isEmpty()).toBe(false);
  });
});
