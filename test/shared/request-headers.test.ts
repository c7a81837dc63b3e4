import { describe, expect, it } from "vitest";
import {
  decodeBrokerHeartbeatRequestHeader,
  decodeBrokerPermRequestHeader,
  decodeDeleteTopicRequestHeader,
  decodeGetBrokerMemberGroupRequestHeader,
  decodeGetRouteInfoRequestHeader,
  decodeGetTopicsByClusterRequestHeader,
  decodeKVConfigRequestHeader,
  decodeQueryDataVersionRequestHeader,
  decodeRegisterBrokerRequestHeader,
  decodeRegisterTopicRequestHeader,
  decodeUnRegisterBrokerRequestHeader,
  parseJavaLong,
} from "../../shared/request-headers";
import { topicNotExistRemark } from "../../shared/remarks";

describe("request headers", () => {
  it("GetRouteInfo with zone extras", () => {
    expect(decodeGetRouteInfoRequestHeader({ topic: "T", acceptStandardJsonOnly: "TRUE", __ZONE_MODE: "true", __ZONE_NAME: "z1" })).toEqual({
      topic: "T", acceptStandardJsonOnly: true, zoneMode: true, zoneName: "z1",
    });
    expect(decodeGetRouteInfoRequestHeader({ topic: "T", acceptStandardJsonOnly: "yes" })).toEqual({
      topic: "T", acceptStandardJsonOnly: false, zoneMode: false, zoneName: null,
    });
    expect(decodeGetRouteInfoRequestHeader(null)).toEqual({ topic: null, acceptStandardJsonOnly: null, zoneMode: false, zoneName: null });
  });

  it("GetRouteInfo from a hand-built header: scalars become strings, other values count as absent", () => {
    const ext = { topic: 42, acceptStandardJsonOnly: true, __ZONE_MODE: { on: true }, __ZONE_NAME: "" } as unknown as Record<string, string>;
    expect(decodeGetRouteInfoRequestHeader(ext)).toEqual({ topic: "42", acceptStandardJsonOnly: true, zoneMode: false, zoneName: "" });
    expect(decodeGetRouteInfoRequestHeader({})).toEqual({ topic: null, acceptStandardJsonOnly: null, zoneMode: false, zoneName: null });
  });

  it("RegisterBroker from a 5.3.3 broker", () => {
    const h = decodeRegisterBrokerRequestHeader({
      brokerName: "broker-a", brokerAddr: "10.0.0.1:10911", clusterName: "DefaultCluster", haServerAddr: "10.0.0.1:10912",
      brokerId: "0", enableActingMaster: "false", compressed: "false", bodyCrc32: "1308328594", __ZONE_NAME: "zone-1",
    });
    expect(h).toEqual({
      brokerName: "broker-a", brokerAddr: "10.0.0.1:10911", clusterName: "DefaultCluster", haServerAddr: "10.0.0.1:10912",
      brokerId: 0, heartbeatTimeoutMillis: null, enableActingMaster: false, compressed: false, bodyCrc32: 1308328594, zoneName: "zone-1",
    });
  });

  it("RegisterBroker lenient defaults", () => {
    const h = decodeRegisterBrokerRequestHeader({ brokerId: "1.5", bodyCrc32: "x", compressed: "True", heartbeatTimeoutMillis: "10000" });
    expect(h.brokerId).toBeNull();
    expect(h.bodyCrc32).toBe(0);
    expect(h.compressed).toBe(true);
    expect(h.heartbeatTimeoutMillis).toBe(10000);
    expect(h.enableActingMaster).toBeNull();
    expect(h.brokerName).toBeNull();
    expect(decodeRegisterBrokerRequestHeader({}).compressed).toBe(false);
    expect(decodeRegisterBrokerRequestHeader({ bodyCrc32: "2147483648" }).bodyCrc32).toBe(0);
    expect(decodeRegisterBrokerRequestHeader({ bodyCrc32: "-5" }).bodyCrc32).toBe(-5);
  });

  it("parseJavaLong like Long.parseLong", () => {
    expect(parseJavaLong("+7")).toBe(7);
    expect(parseJavaLong("-0")).toBe(0);
    expect(parseJavaLong("9223372036854775807")).toBe(9223372036854775807);
    expect(parseJavaLong("9223372036854775808")).toBeNull();
    for (const bad of ["", " 1", "1 ", "1e3", "0x10", "1.0", "abc", "--1"]) expect(parseJavaLong(bad), bad).toBeNull();
  });

  it("other headers", () => {
    expect(decodeUnRegisterBrokerRequestHeader({ brokerName: "b", brokerAddr: "a", clusterName: "c", brokerId: "2" })).toEqual({
      brokerName: "b", brokerAddr: "a", clusterName: "c", brokerId: 2,
    });
    expect(decodeKVConfigRequestHeader({ namespace: "ns", key: "k" })).toEqual({ namespace: "ns", key: "k", value: null });
    expect(decodeBrokerPermRequestHeader({ brokerName: "b", lo: "true" })).toEqual({ brokerName: "b" });
    expect(decodeDeleteTopicRequestHeader({ topic: "t" })).toEqual({ topic: "t", clusterName: null });
    expect(decodeRegisterTopicRequestHeader({ topic: "t" })).toEqual({ topic: "t" });
    expect(decodeGetTopicsByClusterRequestHeader({ cluster: "c" })).toEqual({ cluster: "c" });
    expect(decodeQueryDataVersionRequestHeader({ brokerId: "x" })).toEqual({ brokerName: null, brokerAddr: null, clusterName: null, brokerId: null });
    expect(decodeGetBrokerMemberGroupRequestHeader({ clusterName: "c", brokerName: "b" })).toEqual({ clusterName: "c", brokerName: "b" });
    expect(decodeBrokerHeartbeatRequestHeader({ clusterName: "c", brokerAddr: "a", brokerName: "b", epoch: "3" })).toEqual({
      clusterName: "c", brokerAddr: "a", brokerName: "b", brokerId: null,
    });
  });
});

describe("header types", () => {
  it("exposes precise TypeScript types", () => {
    const r = decodeRegisterBrokerRequestHeader({ brokerId: "3" });
    const id: number | null = r.brokerId;
    const crc: number = r.bodyCrc32;
    const compressed: boolean = r.compressed;
    const zone: string | null = r.zoneName;
    const g = decodeGetRouteInfoRequestHeader({ topic: "t" });
    const topic: string | null = g.topic;
    const std: boolean | null = g.acceptStandardJsonOnly;
    expect([id, crc, compressed, zone, topic, std]).toEqual([3, 0, false, null, "t", null]);
  });
});

describe("topicNotExistRemark", () => {
  it("matches the Java remark (§1.4 example)", () => {
    expect(topicNotExistRemark("X")).toBe(
      "No topic route info in name server for the topic: X\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.",
    );
    expect(topicNotExistRemark(null)).toContain("topic: null\n");
  });
});
