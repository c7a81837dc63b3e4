import { describe, expect, it } from "vitest";
import { KVConfigFileError, parseKVConfig, serializeKVConfig } from "../../edge/store/kv-config-file";

/** kvConfig.json as the Java NameServer writes it (HashMap order), compact and pretty. */
const JAVA_COMPACT = '{"configTable":{"ORDER_TOPIC_CONFIG":{"TopicOrder":"broker-a:4"},"EMPTY_NS":{}}}';
const JAVA_PRETTY = '{\n\t"configTable":{\n\t\t"ORDER_TOPIC_CONFIG":{\n\t\t\t"TopicOrder":"broker-a:4"\n\t\t},\n\t\t"EMPTY_NS":{}\n\t}\n}';

const table = (entries: Record<string, Record<string, string>>) =>
  new Map(Object.entries(entries).map(([ns, kv]) => [ns, new Map(Object.entries(kv))]));

describe("kvConfig.json format", () => {
  it("reads what Java writes, empty namespaces included", () => {
    const expected = table({ ORDER_TOPIC_CONFIG: { TopicOrder: "broker-a:4" }, EMPTY_NS: {} });
    expect(parseKVConfig(JAVA_COMPACT)).toEqual(expected);
    expect(parseKVConfig(JAVA_PRETTY)).toEqual(expected);
  });

  it("reads blank content and a null table as empty, keeps scalars as text and skips null values", () => {
    expect(parseKVConfig("")).toEqual(new Map());
    expect(parseKVConfig(" \n")).toEqual(new Map());
    expect(parseKVConfig('{"configTable":null}')).toEqual(new Map());
    expect(parseKVConfig('{"configTable":{"NS":{"n":4,"b":true,"gone":null}}}')).toEqual(table({ NS: { n: "4", b: "true" } }));
  });

  it("refuses what Java would refuse to load", () => {
    for (const text of ['{"configTable":{"a":', '{"configTable":[]}', "[]", '{"configTable":{"NS":[]}}', '{"configTable":{"NS":{"k":{}}}}']) {
      expect(() => parseKVConfig(text), text).toThrow(KVConfigFileError);
    }
  });

  it("writes compact JSON in the Java wrapper's shape, in insertion order, that reads back", () => {
    const written = serializeKVConfig(table({ EMPTY_NS: {}, ORDER_TOPIC_CONFIG: { TopicOrder: "broker-a:4" } }));
    expect(written).toBe('{"configTable":{"EMPTY_NS":{},"ORDER_TOPIC_CONFIG":{"TopicOrder":"broker-a:4"}}}');
    expect(parseKVConfig(written)).toEqual(table({ EMPTY_NS: {}, ORDER_TOPIC_CONFIG: { TopicOrder: "broker-a:4" } }));
  });

  it("keeps a namespace or key named __proto__ as data", () => {
    const read = parseKVConfig('{"configTable":{"__proto__":{"__proto__":"v"}}}');
    expect(read.get("__proto__")?.get("__proto__")).toBe("v");
    expect(parseKVConfig(serializeKVConfig(read))).toEqual(read);
  });
});
