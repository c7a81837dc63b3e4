import type { AdminClient } from "../../cli/admin-client";
import { CliError } from "../../cli/cli-error";
import type { ClusterInfo, TopicRouteData } from "../../shared/model";

/** An AdminClient over plain objects, recording the writes it was asked for. */
export function fakeAdminClient(state: { cluster?: ClusterInfo; routes?: Record<string, TopicRouteData>; kv?: Record<string, Record<string, string>>; config?: Record<string, string> } = {}) {
  const calls: unknown[][] = [];
  const kv = state.kv ?? {};
  const config = state.config ?? {};
  const client: AdminClient = {
    target: "fake:9876",
    clusterInfo: async () => state.cluster ?? { brokerAddrTable: {}, clusterAddrTable: {} },
    topicList: async () => Object.keys(state.routes ?? {}),
    topicRoute: async (topic) => {
      const route = state.routes?.[topic];
      if (!route) throw new CliError(`CODE 17 no route for ${topic}`, 17);
      return route;
    },
    kvGet: async (ns, key) => {
      const value = kv[ns]?.[key];
      if (value === undefined) throw new CliError("CODE 22 not found", 22);
      return value;
    },
    kvPut: async (ns, key, value) => {
      calls.push(["kvPut", ns, key, value]);
      (kv[ns] ??= {})[key] = value;
    },
    kvDelete: async (ns, key) => {
      calls.push(["kvDelete", ns, key]);
      delete kv[ns]?.[key];
    },
    kvList: async (ns) => {
      if (!kv[ns]) throw new CliError("CODE 22 not found", 22);
      return { ...kv[ns] };
    },
    configGet: async () => ({ ...config }),
    configSet: async (properties) => {
      calls.push(["configSet", properties]);
      Object.assign(config, properties);
    },
    wipeWritePerm: async (name) => (calls.push(["wipeWritePerm", name]), 3),
    addWritePerm: async (name) => (calls.push(["addWritePerm", name]), 2),
    deleteTopic: async (topic, cluster) => void calls.push(["deleteTopic", topic, cluster]),
    ping: async () => {},
    close: async () => {},
  };
  return { client, calls };
}

export const CLUSTER: ClusterInfo = {
  brokerAddrTable: {
    "broker-b": { cluster: "C1", brokerName: "broker-b", brokerAddrs: { "0": "10.0.0.3:10911" }, enableActingMaster: false },
    "broker-a": { cluster: "C1", brokerName: "broker-a", brokerAddrs: { "1": "10.0.0.2:10911", "0": "10.0.0.1:10911" }, enableActingMaster: false },
    "broker-z": { cluster: "C2", brokerName: "broker-z", brokerAddrs: { "1": "10.0.0.9:10911" }, enableActingMaster: false, zoneName: "z1" },
  },
  clusterAddrTable: { C1: ["broker-a", "broker-b"], C2: ["broker-z"] },
};
