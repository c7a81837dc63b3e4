import { describe, expect, it } from "vitest";
import { plainTopicConfig, TopicConfigSchema } from "../../shared/topic-config";
import { plainRegisterBrokerRequest, registerBrokerSchema } from "../../edge/http-schemas";
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

describe("plainRegisterBrokerRequest", () => {
  const identity = { clusterName: "c", brokerAddr: "10.0.0.1:10911", brokerName: "b", brokerId: 0, channel: "ch", bodyDigest: "d" };

  it("is either null or exactly what registerBrokerSchema makes of the same request", () => {
    const next = random(4242);
    let fast = 0;
    for (let i = 0; i < 400; i++) {
      const topicConfigTable: Record<string, unknown> = {};
      const n = Math.floor(next() * 4);
      for (let j = 0; j < n; j++) topicConfigTable[`T${j}`] = topicConfig(next);
      const request: Record<string, unknown> = {
        ...identity,
        dataVersion: next() < 0.9 ? { stateVersion: 0, timestamp: 1, counter: 2 } : { timestamp: "x" },
        topicConfigTable,
        filterServerList: next() < 0.9 ? [] : null,
      };
      if (next() < 0.1) delete request.clusterName;
      if (next() < 0.1) request.brokerId = -1;
      const plain = plainRegisterBrokerRequest(request);
      if (plain === null) continue;
      fast++;
      const parsed = registerBrokerSchema.safeParse(request);
      expect(parsed.success, JSON.stringify(request)).toBe(true);
      expect(plain, JSON.stringify(request)).toStrictEqual(parsed.data);
    }
    expect(fast).toBeGreaterThan(100);
  });

  it("leaves a request without a topic table, or with a bad identity, to the schema", () => {
    expect(plainRegisterBrokerRequest({ ...identity })).toBeNull();
    expect(plainRegisterBrokerRequest({ ...identity, brokerName: "", topicConfigTable: {} })).toBeNull();
    expect(plainRegisterBrokerRequest([])).toBeNull();
  });
});
