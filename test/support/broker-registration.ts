import { crc32, deflateSync } from "node:zlib";
import { brokerBodyCrc32 } from "../../shared/crc32";
import type { RegisterBrokerBody } from "../../shared/model";
import { encodeRegisterBrokerBody } from "../../shared/register-body";

/** A broker's register body with the given topics (plain TopicConfigs, 4 queues each). */
export function brokerBody(topics: string[], counter = 1): RegisterBrokerBody {
  return {
    dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter },
    topicConfigTable: Object.fromEntries(
      topics.map((t) => [t, { topicName: t, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0, topicFilterType: "SINGLE_TAG", order: false, attributes: {} }]),
    ),
    topicQueueMappingInfoMap: {},
    filterServerList: [],
  };
}

export interface BrokerOptions {
  brokerName?: string;
  brokerAddr?: string;
  brokerId?: number;
  clusterName?: string;
  topics?: string[];
  counter?: number;
  compressed?: boolean;
  version?: number;
  crc?: number;
  extra?: Record<string, string>;
}

/** A REGISTER_BROKER request's version, header fields and wire body, as a 5.x broker sends them. */
export function registerRequest(o: BrokerOptions = {}) {
  const version = o.version ?? 479;
  const compressed = o.compressed ?? false;
  const body = encodeRegisterBrokerBody(brokerBody(o.topics ?? ["TopicTest", "Base"], o.counter), {
    compressed,
    version,
    deflate: (b) => new Uint8Array(deflateSync(b)),
  });
  return {
    version,
    body,
    extFields: {
      brokerName: o.brokerName ?? "broker-a",
      brokerAddr: o.brokerAddr ?? "127.0.0.1:10911",
      clusterName: o.clusterName ?? "DefaultCluster",
      haServerAddr: "127.0.0.1:10912",
      brokerId: String(o.brokerId ?? 0),
      enableActingMaster: "false",
      compressed: String(compressed),
      bodyCrc32: String(o.crc ?? brokerBodyCrc32(body, crc32)),
      ...o.extra,
    },
  };
}

