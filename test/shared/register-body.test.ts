import { deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  REGISTER_BODY_ERROR_PREFIX,
  RegisterBodyDecodeError,
  decodeRegisterBrokerBody,
  encodeCompressedRegisterPayload,
  encodeRegisterBrokerBody,
} from "../../shared/register-body";
import { BodyDecodeError } from "../../shared/errors";
import type { RegisterBrokerBody } from "../../shared/model";
import { concat, dec, enc, hex } from "./helpers";

const inflate = (b: Uint8Array) => new Uint8Array(inflateSync(b));
const deflate = (b: Uint8Array) => new Uint8Array(deflateSync(b, { level: 9 }));
const NOW = 1234;

const JSON_BODY =
  '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"stateVersion":0,"timestamp":1700000000000},"mappingDataVersion":{"counter":0,"stateVersion":0,"timestamp":1700000000001},"topicConfigTable":{"TopicTest":{"attributes":{},"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"TopicTest","topicSysFlag":0,"writeQueueNums":4}},"topicQueueMappingDetailMap":{},"topicQueueMappingInfoMap":{}}}';

const INFLATED = concat(
  hex("00 00 00 38"),
  enc.encode('{"counter":3,"stateVersion":0,"timestamp":1700000000000}'),
  hex("00 00 00 01 00 00 00 1d"),
  enc.encode("TopicTest 4 4 6 SINGLE_TAG {}"),
  hex("00 00 00 02"),
  enc.encode("[]"),
  hex("00 00 00 00"),
);

const EXPECTED: RegisterBrokerBody = {
  dataVersion: { counter: 3, stateVersion: 0, timestamp: 1700000000000 },
  topicConfigTable: {
    TopicTest: {
      topicName: "TopicTest", readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: "SINGLE_TAG",
      topicSysFlag: 0, order: false, attributes: {},
    },
  },
  topicQueueMappingInfoMap: {},
  filterServerList: [],
};

function expectDecodeError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RegisterBodyDecodeError);
    expect(e).toBeInstanceOf(BodyDecodeError);
    expect((e as Error).message.startsWith(REGISTER_BODY_ERROR_PREFIX)).toBe(true);
    expect((e as Error).message.lastIndexOf(REGISTER_BODY_ERROR_PREFIX)).toBe(0); // wrapped once
    return;
  }
  throw new Error("expected a BodyDecodeError");
}

describe("RegisterBrokerBody JSON form", () => {
  it("decodes the verified 5.x body", () => {
    expect(decodeRegisterBrokerBody(enc.encode(JSON_BODY), { version: 479, compressed: false, inflate, now: NOW })).toEqual(EXPECTED);
  });
  it("encodes the verified 5.x body byte-exactly", () => {
    const bytes = encodeRegisterBrokerBody(EXPECTED, {
      compressed: false, version: 479, mappingDataVersion: { counter: 0, stateVersion: 0, timestamp: 1700000000001 },
    });
    expect(dec.decode(bytes)).toBe(JSON_BODY);
  });
  it("accepts bare numeric keys (currIdMap) and uses each value's topicName", () => {
    const text =
      '{"filterServerList":["10.0.0.1:30000"],"topicConfigSerializeWrapper":{"topicConfigTable":{"alias":{"topicName":"Real","perm":4}},"topicQueueMappingInfoMap":{"Real":{"bname":"broker-a","currIdMap":{0:0,1:1},"epoch":1,"topic":"Real","totalQueues":2}}}}';
    const b = decodeRegisterBrokerBody(enc.encode(text), { version: 479, compressed: false, inflate, now: NOW });
    expect(Object.keys(b.topicConfigTable)).toEqual(["Real"]);
    expect(b.topicConfigTable.Real).toMatchObject({ perm: 4, readQueueNums: 16, writeQueueNums: 16, topicSysFlag: 0 });
    expect(b.topicQueueMappingInfoMap.Real.currIdMap).toEqual({ "0": 0, "1": 1 });
    expect(b.filterServerList).toEqual(["10.0.0.1:30000"]);
    // missing dataVersion → fresh one with timestamp now
    expect(b.dataVersion).toEqual({ stateVersion: 0, timestamp: NOW, counter: 0 });
  });
  it("4.x body without stateVersion and mapping fields", () => {
    const text = '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"timestamp":5},"topicConfigTable":{}}}';
    const b = decodeRegisterBrokerBody(enc.encode(text), { version: 401, compressed: false, inflate, now: NOW });
    expect(b.dataVersion).toEqual({ stateVersion: 0, timestamp: 5, counter: 1 });
    expect(b.topicQueueMappingInfoMap).toEqual({});
  });
  it("failures carry the Java remark prefix", () => {
    const o = { version: 479, compressed: false, inflate, now: NOW };
    expectDecodeError(() => decodeRegisterBrokerBody(enc.encode("{"), o));
    expectDecodeError(() => decodeRegisterBrokerBody(enc.encode("[]"), o));
    expectDecodeError(() => decodeRegisterBrokerBody(enc.encode('{"topicConfigSerializeWrapper":{"topicConfigTable":{"a":{"perm":6}}}}'), o));
    expectDecodeError(() => decodeRegisterBrokerBody(enc.encode('{"topicConfigSerializeWrapper":{"topicConfigTable":{"a":{"topicName":"a","perm":"rw"}}}}'), o));
    // zlib data labelled uncompressed (5.x broker with compressedRegister on)
    expectDecodeError(() => decodeRegisterBrokerBody(deflate(INFLATED), o));
  });
});

describe("RegisterBrokerBody compressed form", () => {
  it("builds the verified inflated example", () => {
    const b = encodeCompressedRegisterPayload(EXPECTED, 479);
    expect(Array.from(b)).toEqual(Array.from(INFLATED));
  });
  it("decodes the verified inflated example", () => {
    expect(decodeRegisterBrokerBody(deflate(INFLATED), { version: 479, compressed: true, inflate, now: NOW })).toEqual(EXPECTED);
  });
  it("zlib round trip with level-9 header 78 da", () => {
    const body: RegisterBrokerBody = {
      dataVersion: { counter: 9, stateVersion: 2, timestamp: 1700000000123 },
      topicConfigTable: {
        A: { topicName: "A", readQueueNums: 8, writeQueueNums: 8, perm: 7, topicFilterType: "MULTI_TAG", topicSysFlag: 0, order: false, attributes: { "+k": "v" } },
        "é中": { topicName: "é中", readQueueNums: 1, writeQueueNums: 2, perm: 2, topicFilterType: "SINGLE_TAG", topicSysFlag: 0, order: false, attributes: {} },
      },
      topicQueueMappingInfoMap: { S: { topic: "S", bname: "b", currIdMap: { "0": 3 }, epoch: 1, totalQueues: 1 } },
      filterServerList: ["1.2.3.4:5"],
    };
    const bytes = encodeRegisterBrokerBody(body, { compressed: true, version: 479, deflate });
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0x78, 0xda]);
    expect(decodeRegisterBrokerBody(bytes, { version: 479, compressed: true, inflate, now: NOW })).toEqual(body);
  });
  it("no mapping section below version 413", () => {
    const payload = encodeCompressedRegisterPayload(EXPECTED, 401);
    expect(payload.length).toBe(INFLATED.length - 4);
    const b = decodeRegisterBrokerBody(deflate(payload), { version: 401, compressed: true, inflate, now: NOW });
    expect(b.topicConfigTable.TopicTest.perm).toBe(6);
  });
  it("truncated, garbled or non-zlib data fails with the prefix", () => {
    const o = { version: 479, compressed: true, inflate, now: NOW };
    expectDecodeError(() => decodeRegisterBrokerBody(enc.encode(JSON_BODY), o));
    expectDecodeError(() => decodeRegisterBrokerBody(deflate(INFLATED.subarray(0, INFLATED.length - 2)), o));
    const bad = INFLATED.slice();
    bad[3] = 0x7f; // data version length beyond the data
    expectDecodeError(() => decodeRegisterBrokerBody(deflate(bad), o));
    const fewParts = concat(INFLATED.subarray(0, 64), hex("00 00 00 01 00 00 00 05"), enc.encode("T 4 4"), hex("00 00 00 02"), enc.encode("[]"), hex("00 00 00 00"));
    expectDecodeError(() => decodeRegisterBrokerBody(deflate(fewParts), o));
  });
  it("a broken filter server list is ignored", () => {
    const payload = concat(INFLATED.subarray(0, INFLATED.length - 10), hex("00 00 00 02"), enc.encode("[x"), hex("00 00 00 00"));
    const b = decodeRegisterBrokerBody(deflate(payload), { version: 479, compressed: true, inflate, now: NOW });
    expect(b.filterServerList).toEqual([]);
    expect(Object.keys(b.topicConfigTable)).toEqual(["TopicTest"]);
  });
});

describe("RegisterBrokerBody legacy form and empty body", () => {
  it("version < 37: bare TopicConfigSerializeWrapper, filterServerList null", () => {
    const text = '{"dataVersion":{"counter":1,"timestamp":7},"topicConfigTable":{"T":{"topicName":"T","readQueueNums":2,"writeQueueNums":2,"perm":6,"topicSysFlag":1}}}';
    const b = decodeRegisterBrokerBody(enc.encode(text), { version: 36, compressed: false, inflate, now: NOW });
    expect(b.filterServerList).toBeNull();
    expect(b.topicConfigTable.T.topicSysFlag).toBe(1);
    expect(b.dataVersion).toEqual({ counter: 1, stateVersion: 0, timestamp: 7 });
    const enc36 = encodeRegisterBrokerBody(b, { compressed: false, version: 36 });
    expect(dec.decode(enc36).startsWith('{"dataVersion":')).toBe(true);
    expect(decodeRegisterBrokerBody(enc36, { version: 36, compressed: false, inflate, now: NOW })).toEqual(b);
  });
  it("no body", () => {
    const empty = { dataVersion: { counter: 0, stateVersion: 0, timestamp: 0 }, topicConfigTable: {}, topicQueueMappingInfoMap: {} };
    expect(decodeRegisterBrokerBody(null, { version: 479, compressed: false, inflate, now: NOW })).toEqual({ ...empty, filterServerList: [] });
    expect(decodeRegisterBrokerBody(new Uint8Array(0), { version: 479, compressed: true, inflate, now: NOW })).toEqual({ ...empty, filterServerList: [] });
    expect(decodeRegisterBrokerBody(null, { version: 10, compressed: false, inflate, now: NOW })).toEqual({ ...empty, filterServerList: null });
  });
});
