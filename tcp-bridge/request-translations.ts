import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { RequestCode, ResponseCode, Version } from "../shared/codes";
import { BodyTooDeepError, encodeDataVersion, encodeKVTable } from "../shared/body-codec";
import { brokerBodyCrc32 } from "../shared/crc32";
import { BodyDecodeError } from "../shared/errors";
import type { DataVersion } from "../shared/model";
import { parseJavaProperties, renderNamesrvConfig } from "../shared/properties";
import { createResponse, type RemotingCommand } from "../shared/remoting-command";
import { kvNamespaceNotFoundRemark, kvNotFoundRemark, Remark, topicNotExistRemark } from "../shared/remarks";
import * as headers from "../shared/request-headers";
import { illFormedField, isWellFormedName, unpairedSurrogateRemark } from "../shared/well-formed-names";
import { seg, type ApiClient, type ApiReply } from "./api-client";
import type { BodyDecoder } from "./body-decoder";
import type { Logger } from "./logger";
import type { ConnectionContext } from "./remoting-connection";

export interface TranslationContext {
  api: ApiClient;
  context: ConnectionContext;
  log: Logger;
  /** decodes request bodies under the bridge's limits */
  bodies: BodyDecoder;
}

/** Turns one remoting request into HTTP API calls and their reply into the remoting response. */
export type Translation = (request: RemotingCommand, ctx: TranslationContext) => Promise<RemotingCommand>;

const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text);

/** A reply whose body is the API's body (the API encodes wire bodies in the dialect asked for). */
function reply(request: RemotingCommand, api: ApiReply): RemotingCommand {
  if (api.ok) return createResponse(request, ResponseCode.SUCCESS, null, null, api.bytes.length ? api.bytes : null);
  return failure(request, api);
}

/** A reply without a body: only the outcome of the API call counts. */
function done(request: RemotingCommand, api: ApiReply): RemotingCommand {
  return api.ok ? success(request) : failure(request, api);
}

/**
 * Java builds some responses from a header class; those always carry `extFields` (possibly `{}`),
 * error responses included. `withHeader` marks them.
 */
function failure(request: RemotingCommand, api: { code: number; remark: string }, withHeader = false): RemotingCommand {
  return createResponse(request, api.code, api.remark, withHeader ? {} : null, null);
}

const success = (request: RemotingCommand, extFields: Record<string, string> | null = null, body: Uint8Array | null = null) =>
  createResponse(request, ResponseCode.SUCCESS, null, extFields, body);

const systemError = (request: RemotingCommand, remark: string, withHeader = false) =>
  createResponse(request, ResponseCode.SYSTEM_ERROR, remark, withHeader ? {} : null, null);

const ext = (request: RemotingCommand) => request.extFields ?? {};

/** A header field the HTTP call cannot do without (it names a path segment) is missing. */
const missingField = (request: RemotingCommand, field: string) =>
  systemError(request, `missing request header field: ${field}`);

/**
 * SYSTEM_ERROR for a request whose names (field → value) hold an unpaired UTF-16 surrogate,
 * which no URL and no UTF-8 store can carry (see well-formed-names.ts); null when all are fine.
 */
function refuseIllFormed(
  request: RemotingCommand,
  names: Readonly<Record<string, string | null | undefined>>,
  withHeader = false,
): RemotingCommand | null {
  const field = illFormedField(names);
  return field === null ? null : systemError(request, unpairedSurrogateRemark(field), withHeader);
}

// --- routes ---------------------------------------------------------------------------------------

const getRouteInfoByTopic: Translation = async (request, { api }) => {
  const h = headers.decodeGetRouteInfoRequestHeader(ext(request));
  if (h.topic == null) {
    return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, topicNotExistRemark(null), null, null);
  }
  if (!isWellFormedName(h.topic)) return systemError(request, unpairedSurrogateRemark("topic"));
  if (h.zoneName !== null && !isWellFormedName(h.zoneName)) return systemError(request, unpairedSurrogateRemark("zoneName"));
  const zone = h.zoneMode && h.zoneName && h.zoneName.trim() ? h.zoneName : null;
  // Standard JSON for clients from 4.9.4 on (or that ask for it); zone-filtered routes are
  // re-encoded in the default dialect whatever the client's version, as the Java server does.
  const standard = !zone && (request.version >= Version.V4_9_4 || h.acceptStandardJsonOnly === true);
  return reply(request, await api.route(h.topic, zone, standard ? "json" : "legacy"));
};

const getBrokerClusterInfo: Translation = async (request, { api }) =>
  reply(request, await api.call("GET", "/clusters?format=legacy"));

const getAllTopicList: Translation = async (request, { api }) =>
  reply(request, await api.call("GET", "/topics?format=legacy"));

const getTopicsByCluster: Translation = async (request, { api }) => {
  const { cluster } = headers.decodeGetTopicsByClusterRequestHeader(ext(request));
  if (!cluster) return missingField(request, "cluster");
  const refused = refuseIllFormed(request, { cluster });
  if (refused) return refused;
  return reply(request, await api.call("GET", `/clusters/${seg(cluster)}/topics?format=legacy`));
};

const getSystemTopicList: Translation = async (request, { api }) =>
  reply(request, await api.call("GET", "/system-topics?format=legacy"));

const unitTopics =
  (kind: "unit" | "hasUnitSub" | "hasUnitSubUnUnit"): Translation =>
  async (request, { api }) =>
    reply(request, await api.call("GET", `/unit-topics?kind=${kind}&format=legacy`));

const deleteTopicInNamesrv: Translation = async (request, { api }) => {
  const h = headers.decodeDeleteTopicRequestHeader(ext(request));
  if (!h.topic) return missingField(request, "topic");
  const refused = refuseIllFormed(request, { topic: h.topic, clusterName: h.clusterName });
  if (refused) return refused;
  const query = h.clusterName ? `?cluster=${seg(h.clusterName)}` : "";
  return done(request, await api.call("DELETE", `/topics/${seg(h.topic)}${query}`));
};

const registerTopicInNamesrv: Translation = async (request, { api, bodies }) => {
  const h = headers.decodeRegisterTopicRequestHeader(ext(request));
  if (h.topic == null || request.body == null) return success(request);
  const refused = refuseIllFormed(request, { topic: h.topic });
  if (refused) return refused;
  let queueDatas;
  try {
    queueDatas = bodies.topicRouteData(request.body).queueDatas;
  } catch (err) {
    if (err instanceof BodyTooDeepError) return systemError(request, err.message);
    return success(request); // the Java server ignores an undecodable body here
  }
  if (queueDatas.length === 0) return success(request);
  if (queueDatas.some((q) => typeof q.brokerName === "string" && !isWellFormedName(q.brokerName))) {
    return systemError(request, unpairedSurrogateRemark("brokerName"));
  }
  return done(request, await api.call("PUT", `/topics/${seg(h.topic)}/queues`, { queueDatas }));
};

// --- brokers --------------------------------------------------------------------------------------

/** Identifies a register body: the same digest means the same bytes, read the same way. */
function registerBodyDigest(request: RemotingCommand, compressed: boolean): string | null {
  if (!request.body) return null;
  const hash = createHash("sha1").update(request.body).digest("hex");
  return `${request.version}:${compressed ? "z" : "j"}:${request.body.length}:${hash}`;
}

type RegisterOutcome = { haServerAddr?: string; masterAddr?: string; orderTopicConfig: Record<string, string> | null };

/** The reply to a broker: its master's addresses for a slave, the order config as the body. */
function registerReply(request: RemotingCommand, outcome: RegisterOutcome): RemotingCommand {
  const extFields: Record<string, string> = {};
  if (outcome.haServerAddr != null) extFields.haServerAddr = outcome.haServerAddr;
  if (outcome.masterAddr != null) extFields.masterAddr = outcome.masterAddr;
  const kvBody = outcome.orderTopicConfig ? utf8(encodeKVTable({ table: outcome.orderTopicConfig }, "legacy")) : null;
  return success(request, extFields, kvBody);
}

const registerBroker: Translation = async (request, { api, context, bodies }) => {
  const h = headers.decodeRegisterBrokerRequestHeader(ext(request));
  if (h.bodyCrc32 !== 0 && brokerBodyCrc32(request.body, crc32) !== h.bodyCrc32) {
    return systemError(request, Remark.CRC32_NOT_MATCH, true);
  }
  const refused = refuseIllFormed(
    request,
    { brokerName: h.brokerName, brokerAddr: h.brokerAddr, clusterName: h.clusterName, haServerAddr: h.haServerAddr, zoneName: h.zoneName },
    true,
  );
  if (refused) return refused;
  const identity = {
    clusterName: h.clusterName,
    brokerAddr: h.brokerAddr,
    brokerName: h.brokerName,
    brokerId: h.brokerId,
    haServerAddr: h.haServerAddr,
    zoneName: h.zoneName,
    heartbeatTimeoutMillis: h.heartbeatTimeoutMillis,
    enableActingMaster: h.enableActingMaster,
    channel: context.channelId,
  };
  // Brokers re-register every 30 s, nearly always with the same body: first try without it.
  const bodyDigest = registerBodyDigest(request, h.compressed);
  if (bodyDigest !== null) {
    const refreshed = await api.call("POST", "/brokers/refresh-registration", { ...identity, bodyDigest });
    if (refreshed.ok) return registerReply(request, refreshed.json<RegisterOutcome>());
    if (refreshed.status !== 409) return failure(request, refreshed, true);
  }
  let body;
  try {
    body = await bodies.registerBrokerBody(request.body, request.version, h.compressed);
  } catch (err) {
    const remark = err instanceof BodyDecodeError ? err.message : String(err);
    return systemError(request, remark, true);
  }
  const answer = await api.registerBroker({
    ...identity,
    bodyDigest,
    dataVersion: body.dataVersion,
    topicConfigTable: body.topicConfigTable,
    topicQueueMappingInfoMap: body.topicQueueMappingInfoMap,
    filterServerList: body.filterServerList,
  });
  if (!answer.ok) return failure(request, answer, true);
  return registerReply(request, answer.json<RegisterOutcome>());
};

const unregisterBroker: Translation = async (request, { api }) => {
  const h = headers.decodeUnRegisterBrokerRequestHeader(ext(request));
  const refused = refuseIllFormed(request, { brokerName: h.brokerName, brokerAddr: h.brokerAddr, clusterName: h.clusterName });
  if (refused) return refused;
  return done(request, await api.call("POST", "/brokers/unregister", h));
};

const brokerHeartbeat: Translation = async (request, { api }) => {
  const h = headers.decodeBrokerHeartbeatRequestHeader(ext(request));
  const refused = refuseIllFormed(request, { clusterName: h.clusterName, brokerAddr: h.brokerAddr, brokerName: h.brokerName });
  if (refused) return refused;
  return done(request, await api.call("POST", "/brokers/heartbeat", h));
};

const queryDataVersion: Translation = async (request, { api, bodies }) => {
  const h = headers.decodeQueryDataVersionRequestHeader(ext(request));
  const refused = refuseIllFormed(request, { brokerName: h.brokerName, brokerAddr: h.brokerAddr, clusterName: h.clusterName }, true);
  if (refused) return refused;
  let dataVersion: DataVersion | null = null;
  if (request.body) {
    try {
      dataVersion = bodies.dataVersion(request.body);
    } catch (err) {
      return systemError(request, String(err instanceof Error ? err.message : err), true);
    }
  }
  const answer = await api.call("POST", "/brokers/query-data-version", { ...h, dataVersion });
  if (!answer.ok) return failure(request, answer, true);
  const result = answer.json<{ changed: boolean; dataVersion: DataVersion | null }>();
  const body = result.dataVersion ? utf8(encodeDataVersion(result.dataVersion, "legacy")) : null;
  return success(request, { changed: String(result.changed) }, body);
};

const writePerm =
  (action: "wipe-write-perm" | "add-write-perm", countField: "wipeTopicCount" | "addTopicCount"): Translation =>
  async (request, { api }) => {
    const { brokerName } = headers.decodeBrokerPermRequestHeader(ext(request));
    if (brokerName == null) return success(request, { [countField]: "0" });
    const refused = refuseIllFormed(request, { brokerName }, true);
    if (refused) return refused;
    const answer = await api.call("POST", `/brokers/${seg(brokerName)}/${action}`);
    if (!answer.ok) return failure(request, answer, true);
    return success(request, { [countField]: String(answer.json<Record<string, number>>()[countField]) });
  };

const getBrokerMemberGroup: Translation = async (request, { api }) => {
  const h = headers.decodeGetBrokerMemberGroupRequestHeader(ext(request));
  if (!h.clusterName) return missingField(request, "clusterName");
  if (!h.brokerName) return missingField(request, "brokerName");
  const refused = refuseIllFormed(request, { clusterName: h.clusterName, brokerName: h.brokerName });
  if (refused) return refused;
  const path = `/clusters/${seg(h.clusterName)}/brokers/${seg(h.brokerName)}/members?format=legacy`;
  const answer = await api.call("GET", path);
  if (!answer.ok) return failure(request, answer);
  // The Java server never clears the placeholder remark of this response; clients see it.
  return createResponse(request, ResponseCode.SUCCESS, Remark.NOT_SET, null, answer.bytes);
};

// --- KV config ------------------------------------------------------------------------------------

const kvPath = (namespace: string, key: string) => `/kv/${seg(namespace)}/${seg(key)}`;

const putKVConfig: Translation = async (request, { api }) => {
  const h = headers.decodeKVConfigRequestHeader(ext(request));
  if (h.namespace == null || h.key == null) return systemError(request, Remark.NAMESPACE_OR_KEY_NULL);
  const refused = refuseIllFormed(request, { namespace: h.namespace, key: h.key, value: h.value });
  if (refused) return refused;
  return done(
    request,
    h.value == null
      ? await api.call("DELETE", kvPath(h.namespace, h.key))
      : await api.call("PUT", kvPath(h.namespace, h.key), { value: h.value }),
  );
};

const getKVConfig: Translation = async (request, { api }) => {
  const h = headers.decodeKVConfigRequestHeader(ext(request));
  if (h.namespace == null || h.key == null) {
    return createResponse(request, ResponseCode.QUERY_NOT_FOUND, kvNotFoundRemark(h.namespace, h.key), {}, null);
  }
  const refused = refuseIllFormed(request, { namespace: h.namespace, key: h.key }, true);
  if (refused) return refused;
  const answer = await api.call("GET", kvPath(h.namespace, h.key));
  if (!answer.ok) return failure(request, answer, true);
  return success(request, { value: answer.json<{ value: string }>().value });
};

const deleteKVConfig: Translation = async (request, { api }) => {
  const h = headers.decodeKVConfigRequestHeader(ext(request));
  if (h.namespace == null || h.key == null) return success(request);
  const refused = refuseIllFormed(request, { namespace: h.namespace, key: h.key });
  if (refused) return refused;
  return done(request, await api.call("DELETE", kvPath(h.namespace, h.key)));
};

const getKVListByNamespace: Translation = async (request, { api }) => {
  const h = headers.decodeKVConfigRequestHeader(ext(request));
  if (h.namespace == null) {
    return createResponse(request, ResponseCode.QUERY_NOT_FOUND, kvNamespaceNotFoundRemark(null), null, null);
  }
  const refused = refuseIllFormed(request, { namespace: h.namespace });
  if (refused) return refused;
  return reply(request, await api.call("GET", `/kv/${seg(h.namespace)}?format=legacy`));
};

// --- NameServer config ----------------------------------------------------------------------------

const updateNamesrvConfig: Translation = async (request, { api }) => {
  if (!request.body) return success(request);
  let entries: Record<string, string>;
  try {
    entries = parseJavaProperties(request.body);
  } catch {
    return systemError(request, Remark.PROPERTIES_ERROR);
  }
  return done(request, await api.call("PUT", "/config", entries));
};

const getNamesrvConfig: Translation = async (request, { api }) => {
  const answer = await api.call("GET", "/config");
  if (!answer.ok) return failure(request, answer);
  return success(request, null, utf8(renderNamesrvConfig(answer.json<Record<string, string>>())));
};

/** Every request code the NameServer serves; anything else is REQUEST_CODE_NOT_SUPPORTED. */
export const REQUEST_TRANSLATIONS: Record<number, Translation> = {
  [RequestCode.PUT_KV_CONFIG]: putKVConfig,
  [RequestCode.GET_KV_CONFIG]: getKVConfig,
  [RequestCode.DELETE_KV_CONFIG]: deleteKVConfig,
  [RequestCode.REGISTER_BROKER]: registerBroker,
  [RequestCode.UNREGISTER_BROKER]: unregisterBroker,
  [RequestCode.GET_ROUTEINFO_BY_TOPIC]: getRouteInfoByTopic,
  [RequestCode.GET_BROKER_CLUSTER_INFO]: getBrokerClusterInfo,
  [RequestCode.WIPE_WRITE_PERM_OF_BROKER]: writePerm("wipe-write-perm", "wipeTopicCount"),
  [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER]: getAllTopicList,
  [RequestCode.DELETE_TOPIC_IN_NAMESRV]: deleteTopicInNamesrv,
  [RequestCode.REGISTER_TOPIC_IN_NAMESRV]: registerTopicInNamesrv,
  [RequestCode.GET_KVLIST_BY_NAMESPACE]: getKVListByNamespace,
  [RequestCode.GET_TOPICS_BY_CLUSTER]: getTopicsByCluster,
  [RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS]: getSystemTopicList,
  [RequestCode.GET_UNIT_TOPIC_LIST]: unitTopics("unit"),
  [RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST]: unitTopics("hasUnitSub"),
  [RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST]: unitTopics("hasUnitSubUnUnit"),
  [RequestCode.UPDATE_NAMESRV_CONFIG]: updateNamesrvConfig,
  [RequestCode.GET_NAMESRV_CONFIG]: getNamesrvConfig,
  [RequestCode.QUERY_DATA_VERSION]: queryDataVersion,
  [RequestCode.ADD_WRITE_PERM_OF_BROKER]: writePerm("add-write-perm", "addTopicCount"),
  [RequestCode.GET_BROKER_MEMBER_GROUP]: getBrokerMemberGroup,
  [RequestCode.BROKER_HEARTBEAT]: brokerHeartbeat,
};
