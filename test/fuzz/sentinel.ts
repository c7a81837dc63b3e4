/**
 * The sentinel: a broker and topic registered before the fuzzing starts, on a connection that
 * stays open, under names no fuzz request uses. Whatever the fuzz requests do, its route must
 * stay byte for byte what it was.
 */
import { RequestCode, Version } from "../../shared/codes";
import { brokerBodyCrc32 } from "../../shared/crc32";
import { encodeRegisterBrokerBody } from "../../shared/register-body";
import type { RemotingCommand } from "../../shared/remoting-command";

export interface Sentinel {
  clusterName: string;
  brokerName: string;
  /** an address no fuzz broker has (TEST-NET-1) */
  brokerAddr: string;
  topic: string;
  /** a second topic: a broker's first registration must carry more than one (PROTOCOL §4.3 step 7) */
  otherTopic: string;
}

export function sentinelFor(seed: number): Sentinel {
  const tag = (seed >>> 0).toString(16);
  return {
    clusterName: `sentinel-cluster-${tag}`,
    brokerName: `sentinel-broker-${tag}`,
    brokerAddr: "192.0.2.1:10911",
    topic: `sentinel-topic-${tag}`,
    otherTopic: `sentinel-topic-${tag}-b`,
  };
}

function request(code: number, extFields: Record<string, string> | null, body: Uint8Array | null, version: number = Version.V5_3_3): RemotingCommand {
  return { code, language: "JAVA", version, opaque: 0, flag: 0, remark: null, extFields, body, serializeType: "JSON" };
}

export function sentinelRegistration(s: Sentinel): RemotingCommand {
  const body = encodeRegisterBrokerBody(
    {
      dataVersion: { stateVersion: 0, timestamp: 1_700_000_000_000, counter: 1 },
      topicConfigTable: Object.fromEntries(
        [s.topic, s.otherTopic].map((topicName) => [
          topicName,
          { topicName, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0, topicFilterType: "SINGLE_TAG", order: false, attributes: {} },
        ]),
      ),
      topicQueueMappingInfoMap: {},
      filterServerList: [],
    },
    { compressed: false, version: Version.V5_3_3 },
  );
  return request(
    RequestCode.REGISTER_BROKER,
    {
      brokerName: s.brokerName,
      brokerAddr: s.brokerAddr,
      clusterName: s.clusterName,
      haServerAddr: "192.0.2.1:10912",
      brokerId: "0",
      enableActingMaster: "false",
      compressed: "false",
      bodyCrc32: String(brokerBodyCrc32(body)),
    },
    body,
  );
}

/** Keeps the sentinel alive past its heartbeat timeout in long runs. */
export function sentinelHeartbeat(s: Sentinel): RemotingCommand {
  return request(RequestCode.BROKER_HEARTBEAT, {
    clusterName: s.clusterName,
    brokerAddr: s.brokerAddr,
    brokerName: s.brokerName,
    brokerId: "0",
  }, null);
}

/** The sentinel's route, in the standard dialect (`version` 479) or the legacy one (317). */
export function sentinelRouteQuery(s: Sentinel, version: number): RemotingCommand {
  return request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: s.topic }, null, version);
}

export const ROUTE_DIALECT_VERSIONS = [Version.V5_3_3, Version.V4_5_2] as const;

export function queryOf(code: number, extFields: Record<string, string> | null = null): RemotingCommand {
  return request(code, extFields, null);
}
