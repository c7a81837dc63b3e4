import { describe, expect, it } from "vitest";
import { createResponse, decodeCommand, encodeCommand, encodeFrameHead, isOneway, isResponse, type RemotingCommand } from "../../shared/remoting-command";
import { FrameDecoder } from "../../shared/frame-decoder";
import { ProtocolError } from "../../shared/errors";
import { SERVER_VERSION } from "../../shared/codes";
import { concat, dec, enc, hex, rawFrame } from "./helpers";

const JAVA_REQ =
  '{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":3,"serializeTypeCurrentRPC":"JSON","version":479}';

const BINARY_FRAME = concat(
  hex("00 00 00 2d 01 00 00 29 00 69 00 01 df 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 14 00 05"),
  enc.encode("topic"),
  hex("00 00 00 09"),
  enc.encode("TopicTest"),
);

function decodeOne(bytes: Uint8Array): RemotingCommand {
  const frames = new FrameDecoder().push(bytes);
  expect(frames).toHaveLength(1);
  return decodeCommand(frames[0]);
}

describe("decodeCommand", () => {
  it("decodes the §1.2 JSON request frame (length 135, header 131)", () => {
    const frame = rawFrame(0, enc.encode(JAVA_REQ));
    expect(Array.from(frame.subarray(0, 8))).toEqual([0, 0, 0, 0x87, 0, 0, 0, 0x83]);
    expect(decodeOne(frame)).toEqual({
      code: 105, language: "JAVA", version: 479, opaque: 3, flag: 0, remark: null,
      extFields: { topic: "TopicTest" }, body: null, serializeType: "JSON",
    });
  });

  it("decodes the §1.5 binary request frame", () => {
    expect(decodeOne(BINARY_FRAME)).toEqual({
      code: 105, language: "JAVA", version: 479, opaque: 3, flag: 0, remark: null,
      extFields: { topic: "TopicTest" }, body: null, serializeType: "ROCKETMQ",
    });
  });

  it("returns the body bytes", () => {
    const cmd = decodeOne(rawFrame(0, enc.encode('{"code":322}'), enc.encode('{"counter":1}')));
    expect(dec.decode(cmd.body!)).toBe('{"counter":1}');
  });

  it("rejects unknown serialize type", () => {
    const f = rawFrame(2, enc.encode('{"code":1}'));
    expect(() => decodeOne(f)).toThrow(ProtocolError);
  });

  it("rejects header length larger than the frame", () => {
    const f = rawFrame(0, enc.encode('{"code":1}'));
    f[7] = 0x40;
    expect(() => decodeOne(f)).toThrow(ProtocolError);
  });

  it("rejects an empty JSON header and an empty binary header", () => {
    expect(() => decodeCommand(hex("00 00 00 00"))).toThrow(ProtocolError);
    expect(() => decodeCommand(hex("01 00 00 00"))).toThrow(ProtocolError);
    expect(() => decodeCommand(hex("00 00"))).toThrow(ProtocolError);
  });

  it("rejects a garbled JSON header", () => {
    expect(() => decodeOne(rawFrame(0, enc.encode("{code:")))).toThrow(ProtocolError);
  });
});

describe("encodeCommand / createResponse", () => {
  it("encodes a JSON response with serializeTypeCurrentRPC", () => {
    const resp = createResponse({ opaque: 3 }, 0, null, null, null);
    expect(resp).toMatchObject({ flag: 1, language: "JAVA", version: SERVER_VERSION, serializeType: "JSON" });
    const bytes = encodeCommand(resp);
    const text = '{"code":0,"flag":1,"language":"JAVA","opaque":3,"serializeTypeCurrentRPC":"JSON","version":479}';
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 0, 0, 4 + text.length, 0, 0, 0, text.length]);
    expect(dec.decode(bytes.subarray(8))).toBe(text);
  });

  it("re-encodes the binary request frame byte-exactly", () => {
    const cmd = decodeOne(BINARY_FRAME);
    expect(Array.from(encodeCommand(cmd))).toEqual(Array.from(BINARY_FRAME));
  });

  it("echoes negative opaque bit-exactly in both header types", () => {
    for (const serializeType of ["JSON", "ROCKETMQ"] as const) {
      const req: RemotingCommand = {
        code: 105, language: "GO", version: 317, opaque: -1, flag: 0, remark: null, extFields: { topic: "T" }, body: null, serializeType,
      };
      const decoded = decodeOne(encodeCommand(req));
      expect(decoded.opaque).toBe(-1);
      const resp = decodeOne(encodeCommand(createResponse(decoded, 17, "x", null, null)));
      expect(resp.opaque).toBe(-1);
      expect(resp.serializeType).toBe("JSON");
    }
  });

  it("round-trips a body and treats an empty body as none", () => {
    const body = enc.encode('{"table":{}}');
    const back = decodeOne(encodeCommand(createResponse({ opaque: 5 }, 0, null, {}, body)));
    expect(dec.decode(back.body!)).toBe('{"table":{}}');
    expect(back.extFields).toEqual({});
    const none = decodeOne(encodeCommand(createResponse({ opaque: 5 }, 0, null, null, new Uint8Array(0))));
    expect(none.body).toBeNull();
  });

  it("flag helpers", () => {
    expect(isOneway({ flag: 2 })).toBe(true);
    expect(isOneway({ flag: 1 })).toBe(false);
    expect(isResponse({ flag: 1 })).toBe(true);
    expect(isResponse({ flag: 2 })).toBe(false);
  });
});

describe("encodeFrameHead", () => {
  it("followed by the body, is encodeCommand's frame, for every header form", () => {
    const body = enc.encode('{"brokerDatas":[]}');
    const cases: RemotingCommand[] = [
      createResponse({ opaque: 7 }, 0, null, null, body),
      createResponse({ opaque: -5 }, 17, "No topic route info: ü", null, null),
      createResponse({ opaque: 1 }, 0, null, { changed: "true" }, body),
      { ...createResponse({ opaque: 2 }, 0, "r", { a: "b" }, body), serializeType: "ROCKETMQ" },
    ];
    for (const cmd of cases) {
      const head = encodeFrameHead(cmd);
      const whole = encodeCommand(cmd);
      expect(concat(head, cmd.body ?? new Uint8Array(0))).toEqual(whole);
      const back = decodeOne(whole);
      expect(back.opaque).toBe(cmd.opaque);
      expect(back.remark).toBe(cmd.remark);
      expect(back.body === null ? null : dec.decode(back.body)).toBe(cmd.body === null ? null : dec.decode(cmd.body));
    }
  });
});
