import { describe, expect, it } from "vitest";
import { BodyTooDeepError } from "../../shared/body-codec";
import { BodyDecodeError } from "../../shared/errors";
import {
  formatTopicConfigLine,
  parseTopicConfigLine,
  plainWireTopicConfig,
  topicConfigFromWire,
  TopicConfigSchema,
  wireTopicConfigBySchema,
} from "../../shared/topic-config";
import { seededRandom } from "../support/seeded-random";
import { topicConfigWithOddFields } from "../support/topic-config-values";

describe("TopicConfig from a broker's JSON", () => {
  it("plainWireTopicConfig is either null or exactly what WireTopicConfigSchema makes of the same value", () => {
    const next = seededRandom(20261201);
    let fast = 0;
    for (let i = 0; i < 3000; i++) {
      const value = topicConfigWithOddFields(next);
      const plain = plainWireTopicConfig(value);
      if (plain === null) continue;
      fast++;
      expect(plain, JSON.stringify(value)).toStrictEqual(wireTopicConfigBySchema(value));
    }
    expect(fast).toBeGreaterThan(1000);
  });

  it("leaves coercions and Java's defaults to the schema", () => {
    const coerced = { topicName: 7, readQueueNums: "8", perm: 6.9, order: "TRUE", topicFilterType: "OTHER", attributes: { a: 1, b: null } };
    expect(plainWireTopicConfig(coerced)).toBeNull();
    expect(topicConfigFromWire(coerced)).toStrictEqual({
      topicName: "7",
      readQueueNums: 8,
      writeQueueNums: 16,
      perm: 6,
      topicFilterType: "SINGLE_TAG",
      topicSysFlag: 0,
      order: true,
      attributes: { a: "1" },
    });
  });

  it("refuses what fastjson could not read", () => {
    expect(() => topicConfigFromWire([])).toThrow(new BodyDecodeError("TopicConfig is not an object"));
    expect(() => topicConfigFromWire({ perm: 6 })).toThrow(new BodyDecodeError("TopicConfig without topicName"));
    expect(() => topicConfigFromWire({ topicName: "T", perm: "six" })).toThrow(BodyDecodeError);
  });
});

describe("TopicConfig of the HTTP API", () => {
  it("takes only the two filter types", () => {
    expect(TopicConfigSchema.safeParse({ topicName: "T", topicFilterType: "MULTI_TAG" }).success).toBe(true);
    expect(TopicConfigSchema.safeParse({ topicName: "T", topicFilterType: "OTHER" }).success).toBe(false);
  });
});

describe("TopicConfig line", () => {
  it("parses as TopicConfig.decode does", () => {
    expect(parseTopicConfigLine("T 4 4 6 SINGLE_TAG")).toMatchObject({ topicName: "T", attributes: {} });
    expect(parseTopicConfigLine('T 4 4 6 SINGLE_TAG {"a":"b"}').attributes).toEqual({ a: "b" });
    expect(parseTopicConfigLine("T 4 4 6 SINGLE_TAG not-json").attributes).toEqual({});
    expect(parseTopicConfigLine("T 4 4 6 SINGLE_TAG  ")).toMatchObject({ topicName: "T" });
    expect(() => parseTopicConfigLine("T 4 4 6")).toThrow(BodyDecodeError);
    expect(() => parseTopicConfigLine("T 4  4 6 SINGLE_TAG")).toThrow(BodyDecodeError);
    expect(() => parseTopicConfigLine("T 4 x 6 SINGLE_TAG")).toThrow(new BodyDecodeError('For input string: "x"'));
    expect(() => parseTopicConfigLine("T 4 4 6 OTHER")).toThrow(new BodyDecodeError("No enum constant TopicFilterType.OTHER"));
    expect(() => parseTopicConfigLine("T 4 4 99999999999 SINGLE_TAG")).toThrow(BodyDecodeError);
    expect(() => parseTopicConfigLine('T 4 4 6 SINGLE_TAG {"a":{"b":"c"}}', 1)).toThrow(BodyTooDeepError);
  });

  it("formats as TopicConfig.encode does, and parses back", () => {
    const tc = { topicName: "T", readQueueNums: 8, writeQueueNums: 4, perm: 6, topicFilterType: "MULTI_TAG", topicSysFlag: 0, order: false, attributes: { "+a": "1" } };
    expect(formatTopicConfigLine(tc)).toBe('T 8 4 6 MULTI_TAG {"+a":"1"}');
    expect(parseTopicConfigLine(formatTopicConfigLine(tc))).toEqual(tc);
  });
});
