/**
 * Seeded TopicConfig-like JSON values for differential tests of the hand-written TopicConfig
 * checks against their schemas: mostly what brokers send, with one or two fields drawn from
 * values the decoders treat differently (coercible, wrong, null or absent).
 */

const ABSENT = Symbol("absent");

const INTS = [0, 1, 6, 8, -1, -0, 2147483647, 2 ** 53, 1.5, Number.NaN, "8", " 8", null, true, ABSENT] as const;

const FIELD_VALUES: Record<string, readonly unknown[]> = {
  topicName: ["TopicA", "%RETRY%g", "", 7, null, ABSENT],
  readQueueNums: INTS,
  writeQueueNums: INTS,
  perm: INTS,
  topicSysFlag: INTS,
  topicFilterType: ["SINGLE_TAG", "MULTI_TAG", "OTHER", 1, null, ABSENT],
  order: [true, false, "true", 1, null, ABSENT],
  attributes: [{}, { "+a": "1" }, JSON.parse('{"__proto__":"x"}'), { a: 1 }, { a: null }, [], null, "x", ABSENT],
  extra: ["kept?", ABSENT],
};

const pick = <T,>(next: () => number, values: readonly T[]): T => values[Math.floor(next() * values.length)];

/** A TopicConfig as a broker writes it, with (seven times in ten) one or two fields replaced. */
export function topicConfigWithOddFields(next: () => number): Record<string, unknown> {
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
