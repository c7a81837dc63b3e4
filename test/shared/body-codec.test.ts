import { describe, expect, it } from "vitest";
import {
  decodeDataVersion,
  decodeTopicRouteData,
  encodeBrokerMemberGroupBody,
  encodeClusterInfo,
  encodeDataVersion,
  encodeKVTable,
  encodeTopicList,
  encodeTopicRouteData,
} from "../../shared/body-codec";
import { BodyDecodeError } from "../../shared/errors";
import type { TopicRouteData } from "../../shared/model";
import { enc } from "./helpers";

const route: TopicRouteData = {
  brokerDatas: [
    {
      brokerAddrs: { "0": "192.168.0.10:10911", "1": "192.168.0.11:10911" },
      brokerName: "broker-a",
      cluster: "DefaultCluster",
      enableActingMaster: false,
    },
    {
      // key order of the input must not matter
      zoneName: "zone-1",
      enableActingMaster: false,
      cluster: "DefaultCluster",
      brokerName: "broker-b",
      brokerAddrs: { "0": "192.168.0.20:10911" },
    },
  ],
  filterServerTable: {},
  queueDatas: [
    { brokerName: "broker-a", perm: 6, readQueueNums: 4, topicSysFlag: 0, writeQueueNums: 4 },
    { writeQueueNums: 8, topicSysFlag: 0, readQueueNums: 8, perm: 6, brokerName: "broker-b" },
  ],
};

const ROUTE_STANDARD =
  '{"brokerDatas":[{"brokerAddrs":{"0":"192.168.0.10:10911","1":"192.168.0.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false},{"brokerAddrs":{"0":"192.168.0.20:10911"},"brokerName":"broker-b","cluster":"DefaultCluster","enableActingMaster":false,"zoneName":"zone-1"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4},{"brokerName":"broker-b","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}';
const ROUTE_LEGACY =
  '{"brokerDatas":[{"brokerAddrs":{0:"192.168.0.10:10911",1:"192.168.0.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false},{"brokerAddrs":{0:"192.168.0.20:10911"},"brokerName":"broker-b","cluster":"DefaultCluster","enableActingMaster":false,"zoneName":"zone-1"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4},{"brokerName":"broker-b","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}';

describe("TopicRouteData (§5.3, byte-exact)", () => {
  it("standard encoding", () => {
    expect(encodeTopicRouteData(route, "standard")).toBe(ROUTE_STANDARD);
  });
  it("default (legacy) encoding", () => {
    expect(encodeTopicRouteData(route, "legacy")).toBe(ROUTE_LEGACY);
  });
  it("sorts brokerAddrs numerically in standard mode", () => {
    const r: TopicRouteData = {
      ...route,
      brokerDatas: [{ brokerAddrs: { "10": "b", "2": "a" }, brokerName: "x", cluster: "c", enableActingMaster: true }],
    };
    expect(encodeTopicRouteData(r, "standard")).toContain('"brokerAddrs":{"2":"a","10":"b"}');
  });
  it("order config, filter server and static-topic mapping (legacy)", () => {
    const r: TopicRouteData = {
      ...route,
      filterServerTable: { "192.168.0.10:10911": ["192.168.0.10:30000"] },
      orderTopicConf: "broker-a:4;broker-b:8",
      topicQueueMappingByBroker: {
        "broker-a": { topic: "StaticTopic", scope: "__global__", totalQueues: 4, bname: "broker-a", epoch: 1, dirty: false, currIdMap: { "1": 1, "0": 0 } },
      },
    };
    const legacy = encodeTopicRouteData(r, "legacy");
    const brokers = ROUTE_LEGACY.slice(ROUTE_LEGACY.indexOf("["), ROUTE_LEGACY.indexOf("]") + 1);
    const queues = ROUTE_LEGACY.slice(ROUTE_LEGACY.lastIndexOf("["), ROUTE_LEGACY.lastIndexOf("]") + 1);
    expect(legacy).toBe(
      `{"brokerDatas":${brokers},"filterServerTable":{"192.168.0.10:10911":["192.168.0.10:30000"]},"orderTopicConf":"broker-a:4;broker-b:8","queueDatas":${queues},"topicQueueMappingByBroker":{"broker-a":{"bname":"broker-a","currIdMap":{0:0,1:1},"dirty":false,"epoch":1,"scope":"__global__","topic":"StaticTopic","totalQueues":4}}}`,
    );
    expect(encodeTopicRouteData(r, "standard")).toContain('"currIdMap":{"0":0,"1":1}');
  });
  it("escaping example of §5.3", () => {
    const r: TopicRouteData = { brokerDatas: [], filterServerTable: {}, queueDatas: [], orderTopicConf: 'a/b é中\t"q"' };
    expect(encodeTopicRouteData(r, "legacy")).toBe('{"brokerDatas":[],"filterServerTable":{},"orderTopicConf":"a/b é中\\t\\"q\\"","queueDatas":[]}');
    expect(encodeTopicRouteData(r, "standard")).toBe(
      '{"brokerDatas":[],"filterServerTable":{},"orderTopicConf":"a\\/b \\u00E9\\u4E2D\\t\\"q\\"","queueDatas":[]}',
    );
  });
});

describe("ClusterInfo (§5.5, byte-exact)", () => {
  it("one broker", () => {
    const info = {
      brokerAddrTable: { "broker-a": route.brokerDatas[0] },
      clusterAddrTable: { DefaultCluster: ["broker-a"] },
    };
    expect(encodeClusterInfo(info, "legacy")).toBe(
      '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"192.168.0.10:10911",1:"192.168.0.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}',
    );
  });
  it("empty", () => {
    expect(encodeClusterInfo({ brokerAddrTable: {}, clusterAddrTable: {} }, "legacy")).toBe('{"brokerAddrTable":{},"clusterAddrTable":{}}');
  });
});

describe("small bodies (§5.6, byte-exact)", () => {
  it("TopicList", () => {
    expect(encodeTopicList({ topicList: ["TopicTest"] }, "legacy")).toBe('{"topicList":["TopicTest"]}');
    expect(encodeTopicList({ topicList: ["TopicTest"], brokerAddr: "192.168.0.10:10911" }, "legacy")).toBe(
      '{"brokerAddr":"192.168.0.10:10911","topicList":["TopicTest"]}',
    );
    expect(encodeTopicList({ topicList: [] }, "standard")).toBe('{"topicList":[]}');
  });
  it("KVTable", () => {
    expect(encodeKVTable({ table: { TopicOrder: "broker-a:4;broker-b:4" } }, "legacy")).toBe('{"table":{"TopicOrder":"broker-a:4;broker-b:4"}}');
    expect(encodeKVTable({ table: {} }, "legacy")).toBe('{"table":{}}');
  });
  it("KVTable keeps numeric-looking string keys quoted in legacy", () => {
    expect(encodeKVTable({ table: { "123": "x" } }, "legacy")).toBe('{"table":{"123":"x"}}');
  });
  it("DataVersion", () => {
    expect(encodeDataVersion({ stateVersion: 0, timestamp: 1700000000000, counter: 12 }, "legacy")).toBe(
      '{"counter":12,"stateVersion":0,"timestamp":1700000000000}',
    );
  });
  it("GetBrokerMemberGroupResponseBody", () => {
    expect(
      encodeBrokerMemberGroupBody(
        { cluster: "DefaultCluster", brokerName: "broker-a", brokerAddrs: { "1": "192.168.0.11:10911", "0": "192.168.0.10:10911" } },
        "legacy",
      ),
    ).toBe('{"brokerMemberGroup":{"brokerAddrs":{0:"192.168.0.10:10911",1:"192.168.0.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}}');
    expect(encodeBrokerMemberGroupBody({ cluster: "DefaultCluster", brokerName: "nope", brokerAddrs: {} }, "legacy")).toBe(
      '{"brokerMemberGroup":{"brokerAddrs":{},"brokerName":"nope","cluster":"DefaultCluster"}}',
    );
  });
});

describe("decoders", () => {
  it("DataVersion from bytes and text, lenient", () => {
    expect(decodeDataVersion(enc.encode('{"counter":12,"stateVersion":0,"timestamp":1700000000000}'))).toEqual({
      counter: 12, stateVersion: 0, timestamp: 1700000000000,
    });
    expect(decodeDataVersion("{timestamp:'5',counter:1,extra:[]}", 99)).toEqual({ counter: 1, stateVersion: 0, timestamp: 5 });
    expect(decodeDataVersion("{}", 42)).toEqual({ counter: 0, stateVersion: 0, timestamp: 42 });
  });
  it("DataVersion errors", () => {
    expect(() => decodeDataVersion("{counter:")).toThrow(BodyDecodeError);
    expect(() => decodeDataVersion("[1]")).toThrow(BodyDecodeError);
    expect(() => decodeDataVersion('{"counter":"abc"}')).toThrow(BodyDecodeError);
  });
  it("TopicRouteData from a broker's REGISTER_TOPIC body", () => {
    const r = decodeTopicRouteData(
      '{"brokerDatas":[],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}',
    );
    expect(r.queueDatas).toEqual([{ brokerName: "broker-a", perm: 6, readQueueNums: 8, topicSysFlag: 0, writeQueueNums: 8 }]);
  });
  it("TopicRouteData round-trips both dialects", () => {
    expect(decodeTopicRouteData(ROUTE_LEGACY)).toEqual(decodeTopicRouteData(ROUTE_STANDARD));
    const back = decodeTopicRouteData(ROUTE_LEGACY);
    expect(back.brokerDatas[1]).toEqual(route.brokerDatas[1]);
    expect(encodeTopicRouteData(back, "standard")).toBe(ROUTE_STANDARD);
  });
  it("TopicRouteData lenient on missing lists, strict on wrong types", () => {
    expect(decodeTopicRouteData("{}")).toEqual({ queueDatas: [], brokerDatas: [], filterServerTable: {} });
    expect(() => decodeTopicRouteData('{"queueDatas":{}}')).toThrow(BodyDecodeError);
    expect(() => decodeTopicRouteData('{"queueDatas":[{"perm":"x"}]}')).toThrow(BodyDecodeError);
    expect(() => decodeTopicRouteData("not json")).toThrow(BodyDecodeError);
  });
});
