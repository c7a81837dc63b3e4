import { describe, expect, it } from "vitest";
import { parseFastjson } from "../../shared/fastjson-reader";
import { javaHashMapOrder, javaStringHash, numMap, quoteLegacy, quoteStandard, raw, strMap, writeJson } from "../../shared/fastjson-writer";
import { JsonSyntaxError } from "../../shared/errors";

describe("parseFastjson", () => {
  it("parses standard JSON like JSON.parse", () => {
    const text = '{"a":[1,-2.5,3e2,true,false,null,"x\\u00e9\\n\\"\\\\\\/"],"b":{"c":{}},"d":[]}';
    expect(parseFastjson(text)).toEqual(JSON.parse(text));
  });
  it("accepts bare numeric and identifier keys and single quotes", () => {
    expect(parseFastjson('{0:"a:1",1:"b:2"}')).toEqual({ "0": "a:1", "1": "b:2" });
    expect(parseFastjson("{currIdMap:{0:0,-1:3},'k':'it\\'s'}")).toEqual({ currIdMap: { "0": 0, "-1": 3 }, k: "it's" });
  });
  it("tolerates trailing commas and fastjson whitespace", () => {
    expect(parseFastjson("{\f\"a\":[1,2,],\b}")).toEqual({ a: [1, 2] });
  });
  it("keeps __proto__ as own property", () => {
    const v = parseFastjson('{"__proto__":{"x":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__"]);
  });
  it("rejects malformed input with position", () => {
    for (const bad of ["", "{", '{"a"1}', '{"a":1', "[1 2]", '"abc', "{a:tru}", "1 2", '"\\u12G4"', "-", "01x", "{:1}"]) {
      expect(() => parseFastjson(bad), bad).toThrow(JsonSyntaxError);
    }
  });
  it("turns very deep nesting into JsonSyntaxError", () => {
    expect(() => parseFastjson("[".repeat(200000))).toThrow(JsonSyntaxError);
  });
  it("parses a ~2 MB registration quickly", () => {
    const topics: string[] = [];
    for (let i = 0; i < 10000; i++) {
      topics.push(
        `"Topic${i}":{"attributes":{"k\\"${i}":"v"},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"Topic${i}","topicSysFlag":0,"writeQueueNums":8}`,
      );
    }
    const text = `{"filterServerList":[],"topicConfigSerializeWrapper":{"topicConfigTable":{${topics.join(",")}}}}`;
    expect(text.length).toBeGreaterThan(1_500_000);
    const t0 = performance.now();
    const v = parseFastjson(text) as { topicConfigSerializeWrapper: { topicConfigTable: Record<string, unknown> } };
    const ms = performance.now() - t0;
    expect(Object.keys(v.topicConfigSerializeWrapper.topicConfigTable)).toHaveLength(10000);
    expect(ms).toBeLessThan(300);
    expect((v.topicConfigSerializeWrapper.topicConfigTable.Topic7 as { attributes: object }).attributes).toEqual({ [`k"7`]: "v" });
  });
});

describe("fastjson writers", () => {
  it("legacy escaping", () => {
    expect(quoteLegacy("plain")).toBe('"plain"');
    expect(quoteLegacy("a/b\u0001\u001f\u007f\u009f\u00a0\u2028\u2029\r\f\b")).toBe('"a/b\\u0001\\u001F\\u007F\\u009F\u00a0\\u2028\\u2029\\r\\f\\b"');
  });
  it("standard escaping", () => {
    expect(quoteStandard("a/b\u00e9\u007e\u007f\ud83d\ude00<")).toBe('"a\\/b\\u00E9~\\u007F\\uD83D\\uDE00<"');
  });
  it("beans: alphabetical, null/undefined omitted", () => {
    expect(writeJson({ b: 1, a: null, c: undefined, A: "x", _: true }, "legacy")).toBe('{"A":"x","_":true,"b":1}');
  });
  it("maps: bare numeric keys only for numeric maps in legacy", () => {
    const v = { n: numMap({ "1": "a", "0": "b" }), s: strMap({ "1": "a", "0": "b" }) };
    expect(writeJson(v, "legacy")).toBe('{"n":{0:"b",1:"a"},"s":{"0":"b","1":"a"}}');
    expect(writeJson(v, "standard")).toBe('{"n":{"0":"b","1":"a"},"s":{"0":"b","1":"a"}}');
  });
  it("standard sorts string keys by UTF-16 code units", () => {
    expect(writeJson(strMap({ b: 1, B: 2, "\u00e9": 3, a: 4, "\ud83d\ude00": 5, "\uffff": 6 }), "standard")).toBe(
      '{"B":2,"a":4,"b":1,"\\u00E9":3,"\\uD83D\\uDE00":5,"\\uFFFF":6}',
    );
  });
  it("standard sorts negative and large numeric keys numerically", () => {
    expect(writeJson(numMap({ "10": 1, "-1": 2, "2": 3, "9007199254740993": 4 }), "standard")).toBe(
      '{"-1":2,"2":3,"10":1,"9007199254740993":4}',
    );
  });
  it("longs beyond 2^53-1: strings in standard, numbers in legacy", () => {
    expect(writeJson({ a: 9007199254740993n, b: 9007199254740991, c: -9007199254740993n }, "standard")).toBe(
      '{"a":"9007199254740993","b":9007199254740991,"c":"-9007199254740993"}',
    );
    expect(writeJson({ a: 9007199254740993n }, "legacy")).toBe('{"a":9007199254740993}');
    expect(writeJson({ a: 1e21 }, "legacy")).toBe('{"a":1000000000000000000000}');
  });
  it("raw text is inserted verbatim; null map values dropped", () => {
    expect(writeJson({ a: raw("[1,2]"), m: strMap({ x: null, y: "1" }) }, "legacy")).toBe('{"a":[1,2],"m":{"y":"1"}}');
  });
  it("Java String.hashCode and HashMap order", () => {
    expect(javaStringHash("hello")).toBe(99162322);
    expect(javaStringHash("ORDER_TOPIC_CONFIG")).toBe(-578808349);
    // buckets at capacity 16: ORDER_TOPIC_CONFIG → 3, EMPTY_NS → 9
    expect(javaHashMapOrder(["EMPTY_NS", "ORDER_TOPIC_CONFIG"], (k) => k, false)).toEqual(["ORDER_TOPIC_CONFIG", "EMPTY_NS"]);
    // Long keys: 17 collides with 1 in a 16-bucket table, 16 with 0 — insertion order within bucket
    expect(javaHashMapOrder(["17", "1", "0", "16"], (k) => k, true)).toEqual(["0", "16", "17", "1"]);
  });
});
