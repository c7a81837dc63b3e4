import { describe, expect, it } from "vitest";
import { decodeRocketMQHeader, encodeRocketMQHeader } from "../../shared/header-rocketmq";
import { ProtocolError } from "../../shared/errors";
import type { RemotingCommandHeader } from "../../shared/remoting-command";
import { concat, enc, hex } from "./helpers";

const base: RemotingCommandHeader = { code: 0, language: "JAVA", version: 0, opaque: 0, flag: 0, remark: null, extFields: null };

describe("ROCKETMQ header sizes (§1.5)", () => {
  it("21 bytes without remark and ext", () => {
    expect(encodeRocketMQHeader(base).length).toBe(21);
  });
  it("34 bytes with remark 'Sample Remark'", () => {
    expect(encodeRocketMQHeader({ ...base, remark: "Sample Remark" }).length).toBe(34);
  });
  it("35 bytes with one ext entry key→value", () => {
    expect(encodeRocketMQHeader({ ...base, extFields: { key: "value" } }).length).toBe(35);
  });
  it("empty remark and empty ext map are written as length 0", () => {
    expect(encodeRocketMQHeader({ ...base, remark: "", extFields: {} }).length).toBe(21);
  });
});

const EXAMPLE_HEADER = concat(
  hex("00 69 00 01 df 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 14 00 05"),
  enc.encode("topic"),
  hex("00 00 00 09"),
  enc.encode("TopicTest"),
);

describe("ROCKETMQ header example (§1.5)", () => {
  it("encodes the route request exactly", () => {
    const h = { ...base, code: 105, version: 479, opaque: 3, extFields: { topic: "TopicTest" } };
    expect(Array.from(encodeRocketMQHeader(h))).toEqual(Array.from(EXAMPLE_HEADER));
    expect(EXAMPLE_HEADER.length).toBe(0x29);
  });
  it("decodes the route request", () => {
    expect(decodeRocketMQHeader(EXAMPLE_HEADER)).toEqual({
      code: 105, language: "JAVA", version: 479, opaque: 3, flag: 0, remark: null, extFields: { topic: "TopicTest" },
    });
  });
});

describe("ROCKETMQ header decoding rules", () => {
  it("round-trips signed fields and UTF-8 text", () => {
    const h: RemotingCommandHeader = {
      code: -2, language: "GO", version: 32767, opaque: -123456789, flag: 3, remark: "héllo 中", extFields: { a: "1", "ключ": "значение" },
    };
    expect(decodeRocketMQHeader(encodeRocketMQHeader(h))).toEqual(h);
  });
  it("empty strings decode as null / absent", () => {
    const h = decodeRocketMQHeader(encodeRocketMQHeader({ ...base, remark: "", extFields: { a: "", b: "x" } }));
    expect(h.remark).toBeNull();
    expect(h.extFields).toEqual({ b: "x" });
  });
  it("ext length 0 gives null extFields", () => {
    expect(decodeRocketMQHeader(encodeRocketMQHeader(base)).extFields).toBeNull();
  });
  it("unknown language byte → null", () => {
    const b = encodeRocketMQHeader(base);
    b[2] = 77;
    expect(decodeRocketMQHeader(b).language).toBeNull();
  });
  it("rejects remark length beyond the header", () => {
    const b = encodeRocketMQHeader({ ...base, remark: "abc" });
    new DataView(b.buffer).setInt32(13, 1000);
    expect(() => decodeRocketMQHeader(b)).toThrow(ProtocolError);
    new DataView(b.buffer).setInt32(13, -1);
    expect(() => decodeRocketMQHeader(b)).toThrow(ProtocolError);
  });
  it("rejects ext length beyond the header", () => {
    const b = EXAMPLE_HEADER.slice();
    b[20] = 0x15;
    expect(() => decodeRocketMQHeader(b)).toThrow(ProtocolError);
  });
  it("rejects an entry overrunning the ext block", () => {
    const b = EXAMPLE_HEADER.slice();
    b[31] = 0x0a; // value length 10 instead of 9
    expect(() => decodeRocketMQHeader(b)).toThrow(ProtocolError);
  });
  it("rejects truncated headers", () => {
    expect(() => decodeRocketMQHeader(EXAMPLE_HEADER.subarray(0, 20))).toThrow(ProtocolError);
    expect(() => decodeRocketMQHeader(EXAMPLE_HEADER.subarray(0, 30))).toThrow(ProtocolError);
  });
});
