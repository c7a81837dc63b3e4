/**
 * The NameServer's data model, in the protocol's own names. Numeric broker ids are numbers
 * (brokers use small longs); map keys that are broker ids are decimal strings in JS objects.
 */

export interface DataVersion {
  stateVersion: number;
  timestamp: number;
  counter: number;
}

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** brokerId (decimal string) → "ip:port" */
  brokerAddrs: Record<string, string>;
  enableActingMaster: boolean;
  zoneName?: string;
}

export interface TopicQueueMappingInfo {
  topic?: string;
  scope?: string;
  totalQueues?: number;
  bname?: string;
  epoch?: number;
  dirty?: boolean;
  /** logic queue id (decimal string) → physical queue id */
  currIdMap?: Record<string, number>;
  [extra: string]: unknown;
}

export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  /** brokerAddr → filter server addresses */
  filterServerTable: Record<string, string[]>;
  topicQueueMappingByBroker?: Record<string, TopicQueueMappingInfo>;
}

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType?: string;
  topicSysFlag: number;
  order?: boolean;
  attributes?: Record<string, string>;
}

/** What a broker sends in REGISTER_BROKER, in whichever of the three body forms. */
export interface RegisterBrokerBody {
  dataVersion: DataVersion | null;
  topicConfigTable: Record<string, TopicConfig>;
  topicQueueMappingInfoMap: Record<string, TopicQueueMappingInfo>;
  /** null = leave the filter-server table untouched (pre-V3_0_11 brokers) */
  filterServerList: string[] | null;
}

export interface ClusterInfo {
  brokerAddrTable: Record<string, BrokerData>;
  clusterAddrTable: Record<string, string[]>;
}

export interface TopicList {
  topicList: string[];
  brokerAddr?: string;
}

export interface KVTable {
  table: Record<string, string>;
}

export interface BrokerMemberGroup {
  cluster: string;
  brokerName: string;
  brokerAddrs: Record<string, string>;
}
