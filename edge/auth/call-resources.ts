/**
 * The names a call acts on, read from its input, for policies and audit records. Only names the
 * caller chose count: a route query names its topic, a registration its cluster and broker name,
 * a KV call its namespace. Operations that name nothing (the cluster-wide lists) have none.
 */
import type { Operation } from "../port/namesrv-port";
import type { CallResources } from "./policy";

type Input = Record<string, unknown>;

const name = (value: unknown): string[] | undefined => (typeof value === "string" && value !== "" ? [value] : undefined);

function compact(resources: CallResources): CallResources {
  const out: CallResources = {};
  for (const [kind, names] of Object.entries(resources) as [keyof CallResources, string[] | undefined][]) if (names !== undefined) out[kind] = names;
  return out;
}

const broker = (i: Input): CallResources => compact({ clusters: name(i.clusterName), brokers: name(i.brokerName) });
const namespace = (i: Input): CallResources => compact({ namespaces: name(i.namespace) });

const RESOURCES_OF: Partial<Record<Operation, (input: Input) => CallResources>> = {
  getRouteInfoByTopic: (i) => compact({ topics: name(i.topic) }),
  registerBroker: broker,
  refreshBrokerRegistration: broker,
  unregisterBroker: broker,
  queryDataVersion: broker,
  brokerHeartbeat: broker,
  getBrokerMemberGroup: broker,
  wipeWritePermOfBroker: broker,
  addWritePermOfBroker: broker,
  putKVConfig: namespace,
  getKVConfig: namespace,
  deleteKVConfig: namespace,
  getKVListByNamespace: namespace,
  getTopicsByCluster: (i) => compact({ clusters: name(i.cluster) }),
  deleteTopicInNamesrv: (i) => compact({ topics: name(i.topic), clusters: name(i.clusterName) }),
  registerTopicInNamesrv: (i) => {
    const queues = Array.isArray(i.queueDatas) ? (i.queueDatas as Input[]) : [];
    const brokers = [...new Set(queues.map((q) => q?.brokerName).filter((b): b is string => typeof b === "string"))];
    return compact({ topics: name(i.topic), brokers: brokers.length > 0 ? brokers : undefined });
  },
};

export function resourcesOf(operation: Operation, input: unknown): CallResources {
  const read = RESOURCES_OF[operation];
  return read && input !== null && typeof input === "object" ? read(input as Input) : {};
}

/** What else an audit record names besides the resources: the KV key, the config keys changed. */
export function auditDetailOf(operation: Operation, input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== "object") return {};
  const i = input as Input;
  switch (operation) {
    case "putKVConfig":
    case "deleteKVConfig":
      return { key: i.key ?? null };
    case "updateNamesrvConfig":
      return { configKeys: Object.keys((i.properties as object | null) ?? {}) };
    case "registerBroker":
    case "refreshBrokerRegistration":
    case "unregisterBroker":
      return { brokerAddr: i.brokerAddr ?? null, brokerId: i.brokerId ?? null };
    case "createAccount":
    case "deleteAccount":
    case "putPolicy":
    case "issueToken":
    case "revokeToken":
      return { account: i.name ?? null, ...(typeof i.id === "string" ? { tokenId: i.id } : {}) };
    default:
      return {};
  }
}
