import { describe, expect, it } from "vitest";
import type { RegisterBrokerBody, TopicConfig } from "../../shared/model";
import { packRegisterBody, UNPACK_SLICE_TOPICS, unpackRegisterBody } from "../../tcp-bridge/register-body-packing";

const topic = (topicName: string, more: Partial<TopicConfig> = {}): TopicConfig => ({
  topicName, readQueueNums: 8, writeQueueNums: 4, perm: 6, topicFilterType: "SINGLE_TAG", topicSysFlag: 0, order: false, attributes: {}, ...more,
});

function body(topics: TopicConfig[]): RegisterBrokerBody {
  const topicConfigTable: Record<string, TopicConfig> = {};
  for (const tc of topics) Object.defineProperty(topicConfigTable, tc.topicName, { value: tc, enumerable: true, writable: true, configurable: true });
  return {
    dataVersion: { stateVersion: 1, timestamp: 1700000000000, counter: 7 },
    topicConfigTable,
    topicQueueMappingInfoMap: Object.defineProperty(
      {
        T: { topic: "T", bname: "broker-a", epoch: 3, currIdMap: { "0": 1 }, extra: [[1]] },
        "7": { topic: "7", epoch: -0, big: Infinity }, // not JSON-safe: kept as is
        "é中": { topic: "é中", lone: "\ud800", nested: JSON.parse('{"__proto__":{"x":1}}') },
      },
      "__proto__",
      { value: { topic: "__proto__", totalQueues: 2 }, enumerable: true, writable: true, configurable: true },
    ),
    filterServerList: ["10.0.0.1:1"],
  };
}

/** What crossing to another thread does to a packed body (the structured clone of a message). */
const crossThread = <T>(value: T): T => structuredClone(value);

describe("register body packing", () => {
  it("gives back the same body, every field and attribute, through a structured clone", async () => {
    const original = body([
      topic("TopicTest"),
      topic("%RETRY%group", { perm: 2, topicSysFlag: 3, order: true, topicFilterType: "MULTI_TAG" }),
      topic("with attributes", { attributes: { "+message.type": "FIFO", k: "v" } }),
      topic("__proto__", { readQueueNums: 1 }),
      topic("unicode é中\u{1F600}", { readQueueNums: 2 ** 40 }),
      topic("odd filter", { topicFilterType: "SOMETHING_ELSE" }), // does not fit the columns: kept as is
      topic("-1"),
    ]);
    const { packed, transfer } = packRegisterBody(original);
    expect(transfer).toHaveLength(4);
    expect(packed.otherMappings.map(([topic]) => topic)).toEqual(["7"]);
    expect(packed.others.map((tc) => tc.topicName)).toEqual(["odd filter"]);
    const again = await unpackRegisterBody(crossThread(packed));
    expect(again).toEqual(original);
    expect(Object.hasOwn(again.topicConfigTable, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(again.topicConfigTable)).toBe(Object.prototype);
    expect(Object.is(again.topicQueueMappingInfoMap["7"].epoch, -0)).toBe(true);
    expect(Object.hasOwn((again.topicQueueMappingInfoMap["é中"] as { nested: object }).nested, "__proto__")).toBe(true);
    expect(Object.keys(again.topicQueueMappingInfoMap)).toEqual(Object.keys(original.topicQueueMappingInfoMap));
    expect(again.topicConfigTable.TopicTest.attributes).not.toBe(again.topicConfigTable["-1"].attributes); // no shared objects
  });

  it("handles an empty table and null parts", async () => {
    const empty: RegisterBrokerBody = { dataVersion: null, topicConfigTable: {}, topicQueueMappingInfoMap: {}, filterServerList: null };
    expect(await unpackRegisterBody(crossThread(packRegisterBody(empty).packed))).toEqual(empty);
  });

  it("rebuilds large tables in slices, letting the event loop run between them", async () => {
    const topics = Array.from({ length: UNPACK_SLICE_TOPICS * 3 + 5 }, (_, i) => topic(`T${i}`));
    const packed = crossThread(packRegisterBody(body(topics)).packed);
    const events: string[] = [];
    const unpacking = unpackRegisterBody(packed).then((b) => {
      events.push("unpacked");
      return b;
    });
    setImmediate(() => events.push("other client served"));
    const again = await unpacking;
    expect(events).toEqual(["other client served", "unpacked"]);
    expect(Object.keys(again.topicConfigTable)).toHaveLength(topics.length);
    expect(again.topicConfigTable[`T${topics.length - 1}`]).toEqual(topic(`T${topics.length - 1}`));
  });
});
