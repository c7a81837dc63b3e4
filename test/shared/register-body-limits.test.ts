import { deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeTopicRouteData } from "../../shared/body-codec";
import { BodyDecodeError } from "../../shared/errors";
import { jsonDepth } from "../../shared/json-depth";
import type { RegisterBrokerBody, TopicConfig } from "../../shared/model";
import {
  DEFAULT_MAX_REGISTER_BODY_INFLATED_BYTES,
  DEFAULT_MAX_TOPICS_PER_REGISTRATION,
  REGISTER_BODY_ERROR_PREFIX,
  decodeRegisterBrokerBody,
  encodeCompressedRegisterPayload,
  encodeRegisterBrokerBody,
  type DecodeRegisterBodyOptions,
} from "../../shared/register-body";
import { deflateBomb } from "./deflate-bomb";
import { concat, enc, hex } from "./helpers";

const boundedInflate = (bytes: Uint8Array, maxOutputLength: number) => new Uint8Array(inflateSync(bytes, { maxOutputLength }));
const deflate = (b: Uint8Array) => new Uint8Array(deflateSync(b));

function decode(body: Uint8Array, o: Partial<DecodeRegisterBodyOptions> = {}): RegisterBrokerBody {
  return decodeRegisterBrokerBody(body, { version: 479, compressed: false, inflate: boundedInflate, now: 1, ...o });
}

function decodeError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BodyDecodeError);
    expect((e as Error).message.startsWith(REGISTER_BODY_ERROR_PREFIX + ": ")).toBe(true);
    return (e as Error).message.slice(REGISTER_BODY_ERROR_PREFIX.length + 2);
  }
  throw new Error("expected a BodyDecodeError");
}

const topic = (topicName: string): TopicConfig => ({
  topicName, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: "SINGLE_TAG", topicSysFlag: 0, order: false, attributes: {},
});

/** `levels` nested arrays (as a value: depth `levels`). */
function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

/** A body whose one topic mapping holds `levels` nested arrays: depth 4 + levels in the JSON form. */
function bodyWithDeepMapping(levels: number): RegisterBrokerBody {
  return {
    dataVersion: { stateVersion: 0, timestamp: 5, counter: 1 },
    topicConfigTable: { T: topic("T") },
    topicQueueMappingInfoMap: { T: { topic: "T", bname: "broker-a", epoch: 1, deep: nested(levels) } },
    filterServerList: [],
  };
}

/** The JSON form with the mapping written as text (fast for 100,000 levels). */
function jsonFormWithMappingDepth(depth: number, lenient = false): Uint8Array {
  const levels = depth - 4;
  const deep = lenient ? "{a:".repeat(levels) + "1" + "}".repeat(levels) : "[".repeat(levels) + "1" + "]".repeat(levels);
  return enc.encode(
    `{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"stateVersion":0,"timestamp":5},` +
      `"topicConfigTable":{"T":{"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":4}},` +
      `"topicQueueMappingInfoMap":{"T":{"bname":"broker-a","deep":${deep},"topic":"T"}}}}`,
  );
}

describe("REGISTER_BROKER body: JSON depth", () => {
  it("accepts a mapping that brings the JSON form to exactly 512 levels, and it encodes again in a route", () => {
    const body = encodeRegisterBrokerBody(bodyWithDeepMapping(508), { compressed: false, version: 479 });
    expect(jsonDepth(new TextDecoder().decode(body), 1000)).toBe(512);
    const decoded = decode(body);
    const route = encodeTopicRouteData(
      { queueDatas: [], brokerDatas: [], filterServerTable: {}, topicQueueMappingByBroker: { "broker-a": decoded.topicQueueMappingInfoMap.T } },
      "standard",
    );
    expect(jsonDepth(route, 512)).toBeGreaterThan(500); // within the limit a client reading it may apply
    expect(encodeTopicRouteData({ queueDatas: [], brokerDatas: [], filterServerTable: {}, topicQueueMappingByBroker: decoded.topicQueueMappingInfoMap }, "legacy")).toContain('"deep":[[[');
  });

  it("refuses one level more, and 30,000 and 100,000 levels, naming the limit", () => {
    expect(decodeError(() => decode(jsonFormWithMappingDepth(513)))).toBe("JSON nested deeper than 512 levels (maxJsonDepth)");
    for (const depth of [30_000, 100_000]) {
      expect(decodeError(() => decode(jsonFormWithMappingDepth(depth)))).toContain("deeper than 512 levels");
      expect(decodeError(() => decode(jsonFormWithMappingDepth(depth, true)))).toContain("deeper than 512 levels"); // lenient reader
    }
  });

  it("takes the limit from its options", () => {
    expect(() => decode(jsonFormWithMappingDepth(20), { maxJsonDepth: 20 })).not.toThrow();
    expect(decodeError(() => decode(jsonFormWithMappingDepth(21), { maxJsonDepth: 20 }))).toContain("deeper than 20 levels");
  });

  it("applies to the bare TopicConfigSerializeWrapper of brokers before 3.0.11", () => {
    const deep = enc.encode(`{"topicConfigTable":{},"x":${"[".repeat(600)}${"]".repeat(600)}}`);
    expect(decodeError(() => decode(deep, { version: 0 }))).toContain("deeper than 512 levels");
  });

  it("compressed form: a mapping part counts the three levels above it in the JSON form, so both forms agree", () => {
    const compressed = (levels: number) =>
      encodeRegisterBrokerBody(bodyWithDeepMapping(levels), { compressed: true, version: 479, deflate });
    expect(decode(compressed(508), { compressed: true }).topicQueueMappingInfoMap.T.bname).toBe("broker-a");
    expect(decodeError(() => decode(compressed(509), { compressed: true }))).toBe("JSON nested deeper than 509 levels (maxJsonDepth)");
    expect(() => decode(encodeRegisterBrokerBody(bodyWithDeepMapping(509), { compressed: false, version: 479 }))).toThrow(BodyDecodeError);
  });

  it("compressed form: the data version, filter server list and topic attributes are bounded too", () => {
    const deep = "[".repeat(600) + "]".repeat(600);
    const part = (text: string) => {
      const bytes = enc.encode(text);
      const length = new Uint8Array(4);
      new DataView(length.buffer).setInt32(0, bytes.length);
      return concat(length, bytes);
    };
    const payload = (dv: string, line: string, filters: string) =>
      deflate(concat(part(dv), hex("00 00 00 01"), part(line), part(filters), hex("00 00 00 00")));
    const dv = '{"counter":1,"stateVersion":0,"timestamp":5}';
    expect(decode(payload(dv, "T 4 4 6 SINGLE_TAG {\"k\":\"v\"}", "[]"), { compressed: true }).topicConfigTable.T.attributes).toEqual({ k: "v" });
    expect(decodeError(() => decode(payload(`{"counter":${deep}}`, "T 4 4 6 SINGLE_TAG", "[]"), { compressed: true }))).toContain("deeper than 512");
    expect(decodeError(() => decode(payload(dv, "T 4 4 6 SINGLE_TAG", deep), { compressed: true }))).toContain("deeper than 512");
    expect(decodeError(() => decode(payload(dv, `T 4 4 6 SINGLE_TAG {"k":${deep}}`, "[]"), { compressed: true }))).toBe(
      "attributes of topic T: JSON nested deeper than 512 levels (maxJsonDepth)",
    );
    // attributes that merely do not parse are ignored, as Java does
    expect(decode(payload(dv, "T 4 4 6 SINGLE_TAG {oops", "[]"), { compressed: true }).topicConfigTable.T.attributes).toEqual({});
  });
});

describe("REGISTER_BROKER body: inflated size", () => {
  it("defaults to 32 MiB", () => {
    expect(DEFAULT_MAX_REGISTER_BODY_INFLATED_BYTES).toBe(32 * 1024 * 1024);
  });

  it("refuses a ~1 MB body that would inflate to 1 GiB, stopping at the limit", () => {
    const bomb = deflateBomb(1024 ** 3);
    expect(bomb.length).toBeLessThan(1_100_000);
    const calls: { max: number; stopped: boolean }[] = [];
    const watchedInflate = (bytes: Uint8Array, max: number) => {
      try {
        return boundedInflate(bytes, max);
      } catch (e) {
        calls.push({ max, stopped: e instanceof RangeError });
        throw e;
      }
    };
    const rssBefore = process.memoryUsage().rss;
    const remark = decodeError(() => decode(bomb, { compressed: true, inflate: watchedInflate }));
    expect(remark).toBe(`compressed body inflates to more than ${32 * 1024 * 1024} bytes (maxRegisterBodyInflatedBytes)`);
    expect(calls).toEqual([{ max: 32 * 1024 * 1024, stopped: true }]); // zlib stopped at the bound
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it("accepts a body that inflates to exactly the limit and refuses one byte more", () => {
    const payload = encodeCompressedRegisterPayload({ ...bodyWithDeepMapping(1), topicConfigTable: { T: topic("T") } }, 479);
    const body = deflate(payload);
    expect(() => decode(body, { compressed: true, maxInflatedBytes: payload.length })).not.toThrow();
    expect(decodeError(() => decode(body, { compressed: true, maxInflatedBytes: payload.length - 1 }))).toContain(
      `inflates to more than ${payload.length - 1} bytes`,
    );
  });

  it("checks the size even when the injected inflate ignores its bound", () => {
    const unbounded = (bytes: Uint8Array) => new Uint8Array(inflateSync(bytes));
    const remark = decodeError(() => decode(deflateBomb(5_000_000), { compressed: true, inflate: unbounded, maxInflatedBytes: 1_000_000 }));
    expect(remark).toContain("inflates to more than 1000000 bytes");
  });

  it("still reports a corrupt stream as such", () => {
    expect(decodeError(() => decode(hex("01 02 03 04 05"), { compressed: true }))).toMatch(/^inflate failed: /);
  });
});

describe("REGISTER_BROKER body: topics per registration", () => {
  const table = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`T${i}`, topic(`T${i}`)]));
  const body = (n: number): RegisterBrokerBody => ({ dataVersion: null, topicConfigTable: table(n), topicQueueMappingInfoMap: {}, filterServerList: [] });

  it("defaults to 100,000", () => {
    expect(DEFAULT_MAX_TOPICS_PER_REGISTRATION).toBe(100_000);
  });

  it("refuses more topics than the limit in the JSON, compressed and legacy forms", () => {
    for (const [version, compressed] of [[479, false], [479, true], [0, false]] as const) {
      const at = encodeRegisterBrokerBody(body(10), { compressed, version, deflate });
      const over = encodeRegisterBrokerBody(body(11), { compressed, version, deflate });
      expect(Object.keys(decode(at, { version, compressed, maxTopics: 10 }).topicConfigTable)).toHaveLength(10);
      expect(decodeError(() => decode(over, { version, compressed, maxTopics: 10 }))).toBe(
        "more than 10 topics in one registration (maxTopicsPerRegistration)",
      );
    }
  });

  it("compressed form: refuses on the announced count, before reading a single topic line", () => {
    const dv = enc.encode("{}");
    const payload = deflate(concat(hex("00 00 00 02"), dv, hex("7f ff ff ff"))); // 2^31-1 topics announced, none sent
    expect(decodeError(() => decode(payload, { compressed: true }))).toBe("more than 100000 topics in one registration (maxTopicsPerRegistration)");
  });

  it("bounds topic mappings the same way", () => {
    const mappings = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`T${i}`, { topic: `T${i}`, bname: "b" }]));
    for (const compressed of [false, true]) {
      const wire = encodeRegisterBrokerBody({ ...body(1), topicQueueMappingInfoMap: mappings }, { compressed, version: 479, deflate });
      expect(decodeError(() => decode(wire, { compressed, maxTopics: 2 }))).toContain("more than 2 topics");
    }
  });
});

describe("REGISTER_BROKER body: topic names", () => {
  it("refuses a topic name with an unpaired surrogate (JSON escapes can carry one)", () => {
    const json = (name: string) =>
      enc.encode(`{"topicConfigSerializeWrapper":{"topicConfigTable":{"x":{"topicName":"${name}","perm":6,"readQueueNums":1,"writeQueueNums":1,"topicSysFlag":0,"order":false,"topicFilterType":"SINGLE_TAG"}}}}`);
    expect(decodeError(() => decode(json("bad\\ud800")))).toBe("topic contains an unpaired UTF-16 surrogate");
    expect(decodeError(() => decode(json("\\udc00")))).toBe("topic contains an unpaired UTF-16 surrogate");
    expect(Object.keys(decode(json("ok\\ud83d\\ude00")).topicConfigTable)).toEqual(["ok\u{1F600}"]);
  });

  it("refuses a mapping whose topic has an unpaired surrogate, in both forms", () => {
    const mapping = '{"bname":"b","topic":"m\\ud800"}';
    const json = enc.encode(`{"topicConfigSerializeWrapper":{"topicConfigTable":{},"topicQueueMappingInfoMap":{"m\\ud800":${mapping}}}}`);
    expect(decodeError(() => decode(json))).toBe("topic contains an unpaired UTF-16 surrogate");
    const bytes = enc.encode(mapping);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setInt32(0, bytes.length);
    const compressed = deflate(concat(hex("00 00 00 02"), enc.encode("{}"), hex("00 00 00 00 00 00 00 02"), enc.encode("[]"), hex("00 00 00 01"), length, bytes));
    expect(decodeError(() => decode(compressed, { compressed: true }))).toBe("topic contains an unpaired UTF-16 surrogate");
  });
});
