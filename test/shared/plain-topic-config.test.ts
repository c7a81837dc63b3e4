import { describe, expect, it } from "vitest";
import { plainTopicConfig, TopicConfigSchema } from "../../shared/body-schemas";
import { seededRandom } from "../support/seeded-random";

const random = seededRandom;

const ABSENT = Symbol("absent");
const pick = <T,>(next: () => number, values: readonly T[]): T => values[Math.floor(next() * values.length)];

const INTS = [0, 1, 6, 8, -1, 2147483647, 2 ** 53, 1.5, Number.NaN, "8", null, true, ABSENT] as const;
const FIELD_VALUES: Record<string, readonly unknown[]> = {
  topicName: ["TopicA", "%RETRY%g", "", 7, null, ABSENT],
  readQueueNums: INTS,
  writeQueueNums: INTS,
  perm: INTS,
  topicSysFlag: INTS,
  topicFilterType: ["SINGLE_TAG", "MULTI_TAG", "OTHER", 1, null, ABSENT],
  order: [true, false, "true", null, ABSENT],
  attributes: [{}, { "+a": "1" }, { a: 1 }, [], null, "x", ABSENT],
  extra: ["kept?", ABSENT],
};

/** Mostly plain configs (the fast path), with one or two fields drawn from odd values. */
function topicConfig(next: () => number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    topicName: "TopicA",
    readQueueNums: 8,
    writeQueueNums: 8,
    perm: 6,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
    attributes: {},
  };
  const changes = next() < 0.3 ? 0 : 1 + Math.floor(next() * 2);
  for (let i = 0; i < changes; i++) {
    const field = pick(next, Object.keys(FIELD_VALUES));
    const value = pick(next, FIELD_VALUES[field]);
    if (value === ABSENT) delete out[field];
    else out[field] = value;
  }
  return out;
}

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
