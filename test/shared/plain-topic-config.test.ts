import { describe, expect, it } from "vitest";
import { plainTopicConfig, TopicConfigSchema } from "../../shared/topic-config";
import { seededRandom } from "../support/seeded-random";
import { topicConfigWithOddFields as topicConfig } from "../support/topic-config-values";

const random = seededRandom;

describe("plainTopicConfig", () => {
  it("is either null or exactly what TopicConfigSchema makes of the same value", () => {
    const next = random(20261124);
    let fast = 0;
    for (let i = 0; i < 3000; i++) {
      const value = topicConfig(next);
      const plain = plainTopicConfig(value);
      if (plain === null) continue;
      fast++;
      const parsed = TopicConfigSchema.safeParse(value);
      expect(parsed.success, JSON.stringify(value)).toBe(true);
      expect(plain, JSON.stringify(value)).toStrictEqual(parsed.data);
    }
    expect(fast).toBeGreaterThan(1000);
  });

  it("leaves defaults and errors to the schema", () => {
    expect(plainTopicConfig({ topicName: "T" })).toBeNull();
    expect(plainTopicConfig({ topicName: "", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 })).toBeNull();
    expect(plainTopicConfig({ topicName: "T", readQueueNums: "1", writeQueueNums: 1, perm: 6, topicSysFlag: 0 })).toBeNull();
    expect(plainTopicConfig({ topicName: "T", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0, attributes: { a: 1 } })).toBeNull();
  });
});
