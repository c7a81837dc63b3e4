import { describe, expect, it } from "vitest";
import { BodyTooDeepError, decodeDataVersion, decodeTopicRouteData } from "../../shared/body-codec";
import { BodyDecodeError, JsonSyntaxError, ProtocolError } from "../../shared/errors";
import { DEFAULT_MAX_JSON_DEPTH, JSON_DEPTH_CEILING, JsonTooDeepError, parseFastjson } from "../../shared/fastjson-reader";
import { decodeJsonHeaderText } from "../../shared/header-json";
import { decodeCommand, decodeCommandWithin } from "../../shared/remoting-command";
import { enc, rawFrame } from "./helpers";

/** `levels` nested arrays around 1: depth `levels`. */
const arrays = (levels: number) => "[".repeat(levels) + "1" + "]".repeat(levels);
/** `levels` nested objects with bare names, which only the lenient parser reads: depth `levels`. */
const bareObjects = (levels: number) => "{a:".repeat(levels) + "1" + "}".repeat(levels);

describe("parseFastjson depth limit", () => {
  it("defaults to 512 levels, in standard and in lenient JSON", () => {
    expect(DEFAULT_MAX_JSON_DEPTH).toBe(512);
    expect(() => parseFastjson(arrays(512))).not.toThrow();
    expect(() => parseFastjson(bareObjects(512))).not.toThrow();
    expect(() => parseFastjson(arrays(513))).toThrow(JsonTooDeepError);
    expect(() => parseFastjson(bareObjects(513))).toThrow(JsonTooDeepError);
  });

  it("takes the caller's limit; the error says which", () => {
    expect(parseFastjson("{a:[1,{b:2}]}", 3)).toEqual({ a: [1, { b: 2 }] });
    expect(() => parseFastjson("{a:[1,{b:2}]}", 2)).toThrow("JSON nested deeper than 2 levels");
    expect(() => parseFastjson("[[1]]", 1)).toThrow(JsonSyntaxError); // still a syntax error for callers that catch those
  });

  it("refuses 100,000 and 1,000,000 levels without a stack overflow, in either dialect", () => {
    for (const levels of [100_000, 1_000_000]) {
      expect(() => parseFastjson(arrays(levels))).toThrow(JsonTooDeepError);
      expect(() => parseFastjson(bareObjects(levels))).toThrow(JsonTooDeepError);
    }
  });

  it("never goes deeper than its ceiling, whatever limit is asked for", () => {
    expect(() => parseFastjson(bareObjects(JSON_DEPTH_CEILING), Number.POSITIVE_INFINITY)).not.toThrow();
    expect(() => parseFastjson(bareObjects(JSON_DEPTH_CEILING + 1), Number.POSITIVE_INFINITY)).toThrow(JsonTooDeepError);
    expect(() => parseFastjson(bareObjects(50_000), 1e9)).toThrow(`deeper than ${JSON_DEPTH_CEILING} levels`);
  });

  it("does not count brackets inside strings of either quote", () => {
    const text = `{"a":"${"[".repeat(1000)}",b:'${"{".repeat(1000)}'}`;
    expect(parseFastjson(text, 1)).toEqual({ a: "[".repeat(1000), b: "{".repeat(1000) });
  });
});

describe("JSON header depth limit", () => {
  const header = (remark: string) => `{"code":105,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":1,"remark":${remark},"version":479}`;

  it("accepts a remark that keeps the header within 512 levels (read as JSON text)", () => {
    const h = decodeJsonHeaderText(header(arrays(511)));
    expect(h.remark).toBe(arrays(511));
    expect(h.extFields).toEqual({ topic: "T" });
  });

  it("refuses a header one level deeper as a protocol error (the connection is closed)", () => {
    expect(() => decodeJsonHeaderText(header(arrays(512)))).toThrow(ProtocolError);
    expect(() => decodeJsonHeaderText(header(arrays(512)))).toThrow("malformed JSON header: JSON nested deeper than 512 levels");
  });

  it("refuses a remark nested 100,000 levels, in standard and lenient headers", () => {
    expect(() => decodeJsonHeaderText(header(arrays(100_000)))).toThrow(ProtocolError);
    expect(() => decodeJsonHeaderText(`{code:105,remark:${bareObjects(100_000)}}`)).toThrow(ProtocolError);
    expect(() => decodeJsonHeaderText(`{"code":105,"extFields":{"topic":${arrays(100_000)}}}`)).toThrow(ProtocolError);
  });

  it("decodeCommand applies 512 levels, decodeCommandWithin the server's limit", () => {
    const frame = (text: string) => rawFrame(0, enc.encode(text)).subarray(4);
    expect(() => decodeCommand(frame(header(arrays(600))))).toThrow(ProtocolError);
    expect(decodeCommandWithin(frame(header(arrays(600))), { maxJsonDepth: 1024 }).remark).toBe(arrays(600));
    expect(() => decodeCommandWithin(frame(header(arrays(8))), { maxJsonDepth: 8 })).toThrow("deeper than 8 levels");
    expect(decodeCommandWithin(frame(header(arrays(7))), { maxJsonDepth: 8 }).code).toBe(105);
  });
});

describe("body depth limit (QUERY_DATA_VERSION, REGISTER_TOPIC_IN_NAMESRV)", () => {
  it("refuses a DataVersion nested too deep with BodyTooDeepError naming the limit", () => {
    const deep = `{"counter":1,"stateVersion":0,"timestamp":5,"x":${arrays(100_000)}}`;
    expect(() => decodeDataVersion(deep, 0)).toThrow(BodyTooDeepError);
    expect(() => decodeDataVersion(deep, 0)).toThrow("Failed to decode DataVersion: JSON nested deeper than 512 levels (maxJsonDepth)");
    expect(() => decodeDataVersion(`{"counter":1,"x":${arrays(9)}}`, 0, 8)).toThrow(BodyTooDeepError);
    expect(decodeDataVersion(`{"counter":1,"x":${arrays(7)}}`, 0, 8)).toEqual({ counter: 1, stateVersion: 0, timestamp: 0 });
  });

  it("refuses a TopicRouteData nested too deep; other malformed bodies stay plain BodyDecodeErrors", () => {
    const deep = enc.encode(`{"queueDatas":[{"brokerName":"b","perm":6,"x":${bareObjects(30_000)}}]}`);
    expect(() => decodeTopicRouteData(deep)).toThrow(BodyTooDeepError);
    let malformed: unknown;
    try {
      decodeTopicRouteData('{"queueDatas":[');
    } catch (err) {
      malformed = err;
    }
    expect(malformed).toBeInstanceOf(BodyDecodeError);
    expect(malformed).not.toBeInstanceOf(BodyTooDeepError);
    expect(decodeTopicRouteData(`{"queueDatas":[],"x":${arrays(509)}}`).queueDatas).toEqual([]);
  });
});

describe("parseFastjson on texts too short to need the scan", () => {
  it("still refuses anything deeper than the limit, parsed or lenient, closed or not", () => {
    expect(parseFastjson(arrays(8), 8)).toEqual(JSON.parse(arrays(8)));
    expect(() => parseFastjson(arrays(9), 8)).toThrow(JsonTooDeepError); // 19 characters: scanned
    expect(() => parseFastjson("[".repeat(9), 8)).toThrow(JsonTooDeepError); // unclosed: the lenient parser's count
    expect(() => parseFastjson("{a:".repeat(5) + "1" + "}".repeat(5), 4)).toThrow(JsonTooDeepError);
    expect(() => parseFastjson("[".repeat(8), 8)).toThrow("unexpected end of input"); // within the limit: just malformed
  });
});
