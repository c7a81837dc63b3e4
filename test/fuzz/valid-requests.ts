/**
 * Well-formed requests of every code the NameServer serves, with headers and bodies as real
 * brokers, clients and `mqadmin` send them: the starting point every mutation works from.
 */
import { deflateSync } from "node:zlib";
import { encodeDataVersion, encodeTopicRouteData } from "../../shared/body-codec";
import { LANGUAGE_NAMES, RequestCode, Version } from "../../shared/codes";
import { brokerBodyCrc32 } from "../../shared/crc32";
import type { DataVersion, RegisterBrokerBody, TopicConfig, TopicQueueMappingInfo } from "../../shared/model";
import { encodeRegisterBrokerBody } from "../../shared/register-body";
import type { RemotingCommand } from "../../shared/remoting-command";
import { brokerIdentity, clusterName, kvKey, kvNamespace, topicName, type BrokerIdentity } from "./names";
import type { FuzzProfile } from "./profiles";
import type { Random } from "./random";

const utf8 = new TextEncoder();
export const deflate = (bytes: Uint8Array) => new Uint8Array(deflateSync(bytes));

/** What a builder decides; the rest of the command (language, opaque, flag) is filled in around it. */
interface RequestParts {
  extFields: Record<string, string> | null;
  body: Uint8Array | null;
  /** the request's `version` when it matters to the server (register bodies, route dialects) */
  version?: number;
}

type RequestBuilder = (rng: Random, profile: FuzzProfile) => RequestParts;

const VERSIONS = [0, Version.V3_0_11 - 1, Version.V3_0_11, Version.V4_5_2, Version.V4_9_4, Version.V5_0_0, Version.V5_3_1, Version.V5_3_3];

function dataVersion(rng: Random): DataVersion {
  return { stateVersion: rng.int(3), timestamp: 1_700_000_000_000 + rng.int(1e9), counter: rng.int(1000) };
}

function topicConfig(rng: Random, name: string): TopicConfig {
  const queues = rng.range(1, 16);
  return {
    topicName: name,
    readQueueNums: queues,
    writeQueueNums: rng.chance(0.9) ? queues : rng.range(1, 16),
    perm: rng.pick([2, 4, 6, 6, 6, 7]),
    topicFilterType: rng.chance(0.9) ? "SINGLE_TAG" : "MULTI_TAG",
    topicSysFlag: rng.chance(0.9) ? 0 : rng.int(4),
    order: rng.chance(0.1),
    attributes: rng.chance(0.8) ? {} : { "+message.type": rng.pick(["NORMAL", "FIFO", "DELAY"]) },
  };
}

function mappingInfo(rng: Random, topic: string, brokerName: string): TopicQueueMappingInfo {
  const total = rng.range(1, 8);
  const currIdMap: Record<string, number> = {};
  for (let q = 0; q < total; q++) currIdMap[String(q)] = q;
  return { topic, scope: "__global__", totalQueues: total, bname: brokerName, epoch: 1_700_000_000_000, dirty: false, currIdMap };
}

/** A register body in the shape a broker of `version` sends, with up to the profile's topic count. */
export function registerBody(rng: Random, profile: FuzzProfile, broker: BrokerIdentity, version: number): RegisterBrokerBody {
  const count = rng.size(rng.chance(profile.hugeChance) ? profile.maxTopicsPerRegistration : 12);
  const topicConfigTable: Record<string, TopicConfig> = {};
  const topicQueueMappingInfoMap: Record<string, TopicQueueMappingInfo> = {};
  for (let i = 0; i < count; i++) {
    const name = topicName(rng);
    topicConfigTable[name] = topicConfig(rng, name);
    if (version >= Version.V5_0_0 && rng.chance(0.1)) topicQueueMappingInfoMap[name] = mappingInfo(rng, name, broker.brokerName);
  }
  return {
    dataVersion: dataVersion(rng),
    topicConfigTable,
    topicQueueMappingInfoMap,
    filterServerList: rng.chance(0.9) ? [] : [`127.0.0.1:${rng.range(1024, 65535)}`],
  };
}

/** Register header fields of `broker` for `body` (its CRC as brokers compute it). */
export function registerExtFields(rng: Random, broker: BrokerIdentity, body: Uint8Array | null, compressed: boolean): Record<string, string> {
  const ext: Record<string, string> = {
    brokerName: broker.brokerName,
    brokerAddr: broker.brokerAddr,
    clusterName: broker.clusterName,
    haServerAddr: broker.brokerAddr.replace(/:\d+$/, ":10912"),
    brokerId: String(broker.brokerId),
    enableActingMaster: String(rng.chance(0.1)),
    compressed: String(compressed),
    bodyCrc32: rng.chance(0.9) ? String(brokerBodyCrc32(body)) : "0",
  };
  if (rng.chance(0.5)) ext.heartbeatTimeoutMillis = String(rng.pick([3_000, 10_000, 30_000, 120_000]));
  if (rng.chance(0.1)) ext.__ZONE_NAME = rng.pick(["zone-a", "zone-b"]);
  return ext;
}

const registerBroker: RequestBuilder = (rng, profile) => {
  const version = rng.pick(VERSIONS);
  const broker = brokerIdentity(rng);
  const compressed = version >= Version.V3_0_11 && rng.chance(0.3);
  const body = encodeRegisterBrokerBody(registerBody(rng, profile, broker, version), { compressed, version, deflate });
  return { version, body, extFields: registerExtFields(rng, broker, body, compressed) };
};

const brokerHeader = (rng: Random): RequestParts => {
  const b = brokerIdentity(rng);
  return { extFields: { brokerName: b.brokerName, brokerAddr: b.brokerAddr, clusterName: b.clusterName, brokerId: String(b.brokerId) }, body: null };
};

const getRouteInfo: RequestBuilder = (rng) => {
  const ext: Record<string, string> = { topic: topicName(rng) };
  if (rng.chance(0.2)) ext.acceptStandardJsonOnly = String(rng.chance(0.5));
  if (rng.chance(0.1)) {
    ext.__ZONE_MODE = "true";
    ext.__ZONE_NAME = rng.pick(["zone-a", "zone-b"]);
  }
  return { extFields: ext, body: null, version: rng.pick(VERSIONS) };
};

const registerTopic: RequestBuilder = (rng) => {
  const queueDatas = [];
  for (let i = rng.range(1, 3); i > 0; i--) {
    const queues = rng.range(1, 16);
    queueDatas.push({ brokerName: brokerIdentity(rng).brokerName, readQueueNums: queues, writeQueueNums: queues, perm: 6, topicSysFlag: 0 });
  }
  const route = encodeTopicRouteData({ queueDatas, brokerDatas: [], filterServerTable: {} }, rng.chance(0.5) ? "legacy" : "standard");
  return { extFields: { topic: topicName(rng) }, body: utf8.encode(route) };
};

const noHeader: RequestBuilder = () => ({ extFields: null, body: null });

/**
 * Runtime configuration keys an UPDATE_NAMESRV_CONFIG of the fuzzer may set: none changes what a
 * route, the cluster info or the topic list shows (those would change the sentinel's answers by
 * design, not by a fault). Limits and black-listed keys are included: they must be refused.
 */
const CONFIG_ENTRIES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["productEnvName", ["center", "fz"]],
  ["clusterTest", ["false", "true", "maybe"]],
  ["returnOrderTopicConfigToBroker", ["true", "false"]],
  ["notifyMinBrokerIdChanged", ["false", "true"]],
  ["deleteTopicWithBrokerRegistration", ["false", "true"]],
  ["serverWorkerThreads", ["8", "-1", "x"]],
  ["clientRequestThreadPoolNums", ["8", "0"]],
  ["maxJsonDepth", ["100000"]],
  ["serverSocketMaxFrameBytes", ["2147483647"]],
  ["kvConfigPath", ["/tmp/fz-kv.json"]],
  ["configBlackList", [""]],
  ["fz.unknown.key", ["1"]],
];

const updateNamesrvConfig: RequestBuilder = (rng) => {
  let text = "";
  for (let i = rng.range(1, 3); i > 0; i--) {
    const [key, values] = rng.pick(CONFIG_ENTRIES);
    text += `${key}${rng.pick(["=", ":", " "])}${rng.pick(values)}\n`;
  }
  if (rng.chance(0.2)) text = "# comment\n" + text + "\\\n";
  return { extFields: null, body: utf8.encode(text) };
};

const kvHeader = (rng: Random, withValue: boolean): RequestParts => {
  const ext: Record<string, string> = { namespace: kvNamespace(rng), key: kvKey(rng) };
  if (withValue) ext.value = rng.pick([() => "broker-a:4", () => `fz-broker-${rng.int(12)}:${rng.range(1, 16)}`, () => "v".repeat(rng.size(1024))])();
  return { extFields: ext, body: null };
};

/** One builder per request code the NameServer serves. */
export const VALID_REQUEST_BUILDERS: Readonly<Record<number, RequestBuilder>> = {
  [RequestCode.PUT_KV_CONFIG]: (rng) => kvHeader(rng, true),
  [RequestCode.GET_KV_CONFIG]: (rng) => kvHeader(rng, false),
  [RequestCode.DELETE_KV_CONFIG]: (rng) => kvHeader(rng, false),
  [RequestCode.REGISTER_BROKER]: registerBroker,
  [RequestCode.UNREGISTER_BROKER]: brokerHeader,
  [RequestCode.GET_ROUTEINFO_BY_TOPIC]: getRouteInfo,
  [RequestCode.GET_BROKER_CLUSTER_INFO]: noHeader,
  [RequestCode.WIPE_WRITE_PERM_OF_BROKER]: (rng) => ({ extFields: { brokerName: brokerIdentity(rng).brokerName }, body: null }),
  [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER]: noHeader,
  [RequestCode.DELETE_TOPIC_IN_NAMESRV]: (rng) => {
    const ext: Record<string, string> = { topic: topicName(rng) };
    if (rng.chance(0.5)) ext.clusterName = clusterName(rng);
    return { extFields: ext, body: null };
  },
  [RequestCode.REGISTER_TOPIC_IN_NAMESRV]: registerTopic,
  [RequestCode.GET_KVLIST_BY_NAMESPACE]: (rng) => ({ extFields: { namespace: kvNamespace(rng) }, body: null }),
  [RequestCode.GET_TOPICS_BY_CLUSTER]: (rng) => ({ extFields: { cluster: clusterName(rng) }, body: null }),
  [RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS]: noHeader,
  [RequestCode.GET_UNIT_TOPIC_LIST]: noHeader,
  [RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST]: noHeader,
  [RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST]: noHeader,
  [RequestCode.UPDATE_NAMESRV_CONFIG]: updateNamesrvConfig,
  [RequestCode.GET_NAMESRV_CONFIG]: noHeader,
  [RequestCode.QUERY_DATA_VERSION]: (rng) => ({ ...brokerHeader(rng), body: rng.chance(0.9) ? utf8.encode(encodeDataVersion(dataVersion(rng), "legacy")) : null }),
  [RequestCode.ADD_WRITE_PERM_OF_BROKER]: (rng) => ({ extFields: { brokerName: brokerIdentity(rng).brokerName }, body: null }),
  [RequestCode.GET_BROKER_MEMBER_GROUP]: (rng) => {
    const b = brokerIdentity(rng);
    return { extFields: { clusterName: b.clusterName, brokerName: b.brokerName }, body: null };
  },
  [RequestCode.BROKER_HEARTBEAT]: brokerHeader,
};

/** How often each code is drawn: the state-changing and the busiest codes more often. */
const CODE_WEIGHTS: ReadonlyArray<readonly [number, number]> = Object.keys(VALID_REQUEST_BUILDERS).map((code) => {
  const c = Number(code);
  const weight =
    c === RequestCode.REGISTER_BROKER ? 12
    : c === RequestCode.GET_ROUTEINFO_BY_TOPIC ? 8
    : c === RequestCode.REGISTER_TOPIC_IN_NAMESRV || c === RequestCode.PUT_KV_CONFIG ? 5
    : c === RequestCode.GET_KV_CONFIG || c === RequestCode.UNREGISTER_BROKER || c === RequestCode.DELETE_TOPIC_IN_NAMESRV ? 3
    : 2;
  return [weight, c] as const;
});

/** A well-formed request of `code` (drawn at random when not given), JSON-serialized. */
export function validRequest(rng: Random, profile: FuzzProfile, code: number = rng.weighted(CODE_WEIGHTS)): RemotingCommand {
  const parts = VALID_REQUEST_BUILDERS[code](rng, profile);
  return {
    code,
    language: rng.chance(0.7) ? "JAVA" : rng.pick(LANGUAGE_NAMES),
    version: parts.version ?? rng.pick(VERSIONS),
    opaque: rng.int32(),
    flag: 0,
    remark: null,
    extFields: parts.extFields,
    body: parts.body,
    serializeType: "JSON",
  };
}
