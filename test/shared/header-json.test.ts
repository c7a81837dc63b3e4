import { describe, expect, it } from "vitest";
import { decodeJsonHeaderText, decodeJsonHeader, encodeJsonHeaderText } from "../../shared/header-json";
import { ProtocolError } from "../../shared/errors";
import { enc } from "./helpers";

const JAVA_REQ =
  '{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":3,"serializeTypeCurrentRPC":"JSON","version":479}';
const OK_RESP = '{"code":0,"flag":1,"language":"JAVA","opaque":3,"serializeTypeCurrentRPC":"JSON","version":479}';
const EMPTY_EXT_RESP =
  '{"code":0,"extFields":{},"flag":1,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":479}';
const ERR_RESP =
  '{"code":17,"flag":1,"language":"JAVA","opaque":9,"remark":"No topic route info in name server for the topic: X\\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.","serializeTypeCurrentRPC":"JSON","version":479}';
const GO_REQ = '{"code":105,"language":"GO","version":317,"opaque":1,"flag":0,"remark":"","extFields":{"topic":"TopicTest"}}';

describe("JSON header encoding (§1.4, byte-exact)", () => {
  it("Java client request", () => {
    const h = { code: 105, language: "JAVA" as const, version: 479, opaque: 3, flag: 0, remark: null, extFields: { topic: "TopicTest" } };
    expect(encodeJsonHeaderText(h)).toBe(JAVA_REQ);
    expect(JAVA_REQ.length).toBe(131);
  });
  it("success response without custom header", () => {
    expect(encodeJsonHeaderText({ code: 0, language: "JAVA", version: 479, opaque: 3, flag: 1, remark: null, extFields: null })).toBe(OK_RESP);
  });
  it("response with empty extFields", () => {
    expect(encodeJsonHeaderText({ code: 0, language: "JAVA", version: 479, opaque: 7, flag: 1, remark: null, extFields: {} })).toBe(EMPTY_EXT_RESP);
  });
  it("error with remark (newline escaped, slash raw)", () => {
    const remark =
      "No topic route info in name server for the topic: X\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.";
    expect(encodeJsonHeaderText({ code: 17, language: "JAVA", version: 479, opaque: 9, flag: 1, remark, extFields: null })).toBe(ERR_RESP);
  });
  it("negative opaque is written as a negative decimal", () => {
    const s = encodeJsonHeaderText({ code: 0, language: "JAVA", version: 479, opaque: -2147483648, flag: 1, remark: null, extFields: null });
    expect(s).toContain('"opaque":-2147483648,');
  });
  it("fastjson default escaping of remark", () => {
    const s = encodeJsonHeaderText({
      code: 1, language: "JAVA", version: 479, opaque: 1, flag: 1,
      remark: 'a"b\\c\u000b\u001f\u0000\u007f\u0085\u2028é中/\t', extFields: null,
    });
    expect(s).toContain('"remark":"a\\"b\\\\c\\u000B\\u001F\\u0000\\u007F\\u0085\\u2028é中/\\t"');
  });
});

describe("JSON header decoding", () => {
  it("decodes the Java request", () => {
    expect(decodeJsonHeader(enc.encode(JAVA_REQ))).toEqual({
      code: 105, language: "JAVA", version: 479, opaque: 3, flag: 0, remark: null, extFields: { topic: "TopicTest" },
    });
  });
  it("decodes the Go client request (any order, empty remark)", () => {
    expect(decodeJsonHeaderText(GO_REQ)).toEqual({
      code: 105, language: "GO", version: 317, opaque: 1, flag: 0, remark: "", extFields: { topic: "TopicTest" },
    });
  });
  it("decodes the error response remark", () => {
    expect(decodeJsonHeaderText(ERR_RESP).remark).toMatch(/topic: X\nSee https:\/\//);
  });
  it("accepts language as ordinal and unknown names as null", () => {
    expect(decodeJsonHeaderText('{"code":1,"language":9}').language).toBe("GO");
    expect(decodeJsonHeaderText('{"code":1,"language":"KOTLIN"}').language).toBeNull();
    expect(decodeJsonHeaderText('{"code":1,"language":99}').language).toBeNull();
    expect(decodeJsonHeaderText('{"code":1}').language).toBe("JAVA");
  });
  it("accepts unquoted and single-quoted names, ignores unknown fields", () => {
    const h = decodeJsonHeaderText("{code:105,'opaque':-5,flag:0,extFields:{'topic':'T1',n:1},whatever:[1,{}],version:401}");
    expect(h).toMatchObject({ code: 105, opaque: -5, version: 401, extFields: { topic: "T1", n: "1" } });
  });
  it("converts number/boolean ext values to strings and drops nulls", () => {
    const h = decodeJsonHeaderText('{"code":103,"extFields":{"brokerId":0,"compressed":false,"x":null,"crc":-12}}');
    expect(h.extFields).toEqual({ brokerId: "0", compressed: "false", crc: "-12" });
  });
  it("keeps a __proto__ ext key as an ordinary entry", () => {
    const h = decodeJsonHeaderText('{"code":1,"extFields":{"__proto__":"x","topic":"t"}}');
    expect(Object.keys(h.extFields!)).toEqual(["__proto__", "topic"]);
    expect(Object.getPrototypeOf(h.extFields)).toBe(Object.prototype);
  });
  it("round-trips its own output", () => {
    const h = { code: 17, language: "JAVA" as const, version: 479, opaque: -7, flag: 1, remark: "é\u0001/", extFields: { a: "1", b: "x\"y" } };
    expect(decodeJsonHeaderText(encodeJsonHeaderText(h))).toEqual(h);
  });
  it("rejects empty, garbled and non-object headers", () => {
    expect(() => decodeJsonHeader(new Uint8Array(0))).toThrow(ProtocolError);
    expect(() => decodeJsonHeaderText("   ")).toThrow(ProtocolError);
    expect(() => decodeJsonHeaderText('{"code":105')).toThrow(ProtocolError);
    expect(() => decodeJsonHeaderText("[1,2]")).toThrow(ProtocolError);
    expect(() => decodeJsonHeaderText('{"code":"abc"}')).toThrow(ProtocolError);
    expect(() => decodeJsonHeaderText('{"code":1,"extFields":"x"}')).toThrow(ProtocolError);
  });
});
