import { describe, expect, it } from "vitest";
import { ADMIN_POLICY, policyRefusal, policySchema } from "../../edge/auth/policy";
import { resourcesOf } from "../../edge/auth/call-resources";
import { CLASS_OF_OPERATION } from "../../edge/auth/request-classes";
import { OPERATION_CODES, OPERATIONS } from "../../edge/port/namesrv-port";
import { RequestCode } from "../../shared/codes";

describe("request classes", () => {
  it("place each remoting request code as the README's table says", () => {
    const classOfCode = new Map<number, string>();
    for (const op of OPERATIONS) {
      const code = OPERATION_CODES[op];
      if (code !== null && op !== "refreshBrokerRegistration") classOfCode.set(code, CLASS_OF_OPERATION[op]);
    }
    const expected: Record<string, number[]> = {
      "route-read": [105],
      "broker-control": [103, 104, 322, 904],
      "admin-read": [101, 106, 206, 219, 224, 304, 311, 312, 313, 319, 901],
      "admin-write": [100, 102, 205, 216, 217, 318, 327],
    };
    for (const [cls, codes] of Object.entries(expected)) for (const code of codes) expect(classOfCode.get(code), `code ${code}`).toBe(cls);
    expect([...classOfCode.keys()].sort((a, b) => a - b)).toEqual(Object.values(expected).flat().sort((a, b) => a - b));
    expect(CLASS_OF_OPERATION.refreshBrokerRegistration).toBe(CLASS_OF_OPERATION.registerBroker);
    expect(OPERATION_CODES.getBrokerMemberGroup).toBe(RequestCode.GET_BROKER_MEMBER_GROUP);
  });
});

describe("policies", () => {
  const app = policySchema.parse({ classes: ["route-read"], topics: ["Orders", "Pay*"] });

  it("grant the classes they list, nothing else", () => {
    expect(policyRefusal(app, "route-read", {})).toBeNull();
    expect(policyRefusal(app, "admin-write", {})).toMatch(/class admin-write is not granted/);
    expect(policyRefusal({ classes: [] }, "route-read", {})).toMatch(/not granted/);
  });

  it("match names exactly or by a trailing * prefix", () => {
    expect(policyRefusal(app, "route-read", { topics: ["Orders"] })).toBeNull();
    expect(policyRefusal(app, "route-read", { topics: ["Payments"] })).toBeNull();
    expect(policyRefusal(app, "route-read", { topics: ["Pa"] })).toMatch(/topic "Pa" is not granted/);
    expect(policyRefusal(app, "route-read", { topics: ["Orders2"] })).toMatch(/topic "Orders2"/);
    // a kind the policy does not restrict: any name
    expect(policyRefusal(app, "route-read", { clusters: ["any"] })).toBeNull();
  });

  it("restrict a broker account to its own broker names", () => {
    const broker = policySchema.parse({ classes: ["broker-control"], brokers: ["broker-a"], clusters: ["DefaultCluster"] });
    const own = resourcesOf("registerBroker", { clusterName: "DefaultCluster", brokerName: "broker-a", brokerAddr: "x" });
    const other = resourcesOf("registerBroker", { clusterName: "DefaultCluster", brokerName: "broker-b", brokerAddr: "x" });
    expect(policyRefusal(broker, "broker-control", own)).toBeNull();
    expect(policyRefusal(broker, "broker-control", other)).toMatch(/broker "broker-b" is not granted/);
  });

  it("the administrator's grants every class but relay", () => {
    for (const cls of ["route-read", "broker-control", "admin-read", "admin-write"] as const) expect(policyRefusal(ADMIN_POLICY, cls, { topics: ["x"] })).toBeNull();
    expect(policyRefusal(ADMIN_POLICY, "relay", {})).not.toBeNull();
  });

  it("refuse malformed policies", () => {
    expect(policySchema.safeParse({ classes: ["root"] }).success).toBe(false);
    expect(policySchema.safeParse({ classes: [], topics: ["a*b"] }).success).toBe(false);
    expect(policySchema.safeParse({ classes: [], users: [] }).success).toBe(false);
  });
});

describe("call resources", () => {
  it("name the topic, broker, cluster and namespace a call acts on", () => {
    expect(resourcesOf("getRouteInfoByTopic", { topic: "T", zoneName: null, dialect: "standard" })).toEqual({ topics: ["T"] });
    expect(resourcesOf("putKVConfig", { namespace: "ns", key: "k", value: "v" })).toEqual({ namespaces: ["ns"] });
    expect(resourcesOf("wipeWritePermOfBroker", { brokerName: "b" })).toEqual({ brokers: ["b"] });
    expect(resourcesOf("deleteTopicInNamesrv", { topic: "T", clusterName: null })).toEqual({ topics: ["T"] });
    expect(resourcesOf("registerTopicInNamesrv", { topic: "T", queueDatas: [{ brokerName: "b1" }, { brokerName: "b1" }, { brokerName: "b2" }] })).toEqual({
      topics: ["T"],
      brokers: ["b1", "b2"],
    });
    expect(resourcesOf("getBrokerClusterInfo", {})).toEqual({});
  });
});
