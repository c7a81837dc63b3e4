import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { RequestCode, ResponseCode, Version } from "../shared/codes";
import {
  BodyTooDeepError,
  encodeBrokerMemberGroupBody,
  encodeClusterInfo,
  encodeDataVersion,
  encodeKVTable,
  encodeTopicList,
} from "../shared/body-codec";
import { brokerBodyCrc32 } from "../shared/crc32";
import { BodyDecodeError } from "../shared/errors";
import type { DataVersion, TopicList } from "../shared/model";
import { parseJavaProperties, renderNamesrvConfig } from "../shared/properties";
import { createResponse, type RemotingCommand } from "../shared/remoting-command";
import { Remark } from "../shared/remarks";
import * as headers from "../shared/request-headers";
import type { CallInfo } from "../edge/port/call";
import { asNamesrvError, NamesrvError } from "../edge/port/namesrv-error";
import type { NamesrvPort, RegisterBrokerOutcome } from "../edge/port/namesrv-port";
import type { BodyDecoder } from "./body-decoder";

export interface TranslationContext {
  port: NamesrvPort;
  /** who asks, for the port's middleware chain */
  call: CallInfo;
  /** decodes request bodies under the bridge's limits */
  bodies: BodyDecoder;
}

/**
 * Turns one remoting request into a call of the NameServer port and its answer into the remoting
 * response. A translation owns only what is the wire's: header and body decoding, CRC, the body
 * digest, the JSON dialect a client gets, and the quirks of Java's responses; every rule about what
 * the request means is the port's.
 */
export type Translation = (request: RemotingCommand, ctx: TranslationContext) => Promise<RemotingCommand>;

const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text);

const success = (request: RemotingCommand, extFields: Record<string, string> | null = null, body: Uint8Array | null = null) =>
  createResponse(request, ResponseCode.SUCCESS, null, extFields, body);

/**
 * The port's answer, or its failure as the response code and remark it carries. Java builds some
 * responses from a header class; those always carry `extFields` (possibly `{}`), error responses
 * included: `withHeader` marks them.
 */
async function answer(
  request: RemotingCommand,
  call: () => Promise<RemotingCommand>,
  withHeader = false,
): Promise<RemotingCommand> {
  try {
    return await call();
  } catch (err) {
    const failure = asNamesrvError(err);
    return createResponse(request, failure.code, failure.message, withHeader ? {} : null, null);
  }
}

const systemError = (request: RemotingCommand, remark: string, withHeader = false) =>
  createResponse(request, ResponseCode.SYSTEM_ERROR, remark, withHeader ? {} : null, null);

const ext = (request: RemotingCommand) => request.extFields ?? {};

/** A body encoded in the legacy fastjson dialect (what remoting clients of every version read). */
const legacyBody = (request: RemotingCommand, json: string) => success(request, null, utf8(json));

// --- routes ---------------------------------------------------------------------------------------

const getRouteInfoByTopic: Translation = (request, { port, call }) =>
  answer(request, async () => {
    const h = headers.decodeGetRouteInfoRequestHeader(ext(request));
    const zoneName = h.zoneMode && h.zoneName && h.zoneName.trim() ? h.zoneName : null;
    // Standard JSON for clients from 4.9.4 on (or that ask for it); zone-filtered routes are
    // re-encoded in the default dialect whatever the client's version, as the Java server does.
    const standard = !zoneName && (request.version >= Version.V4_9_4 || h.acceptStandardJsonOnly === true);
    const route = await port.getRouteInfoByTopic({ topic: h.topic, zoneName, dialect: standard ? "standard" : "legacy" }, call);
    return success(request, null, route);
  });

const getBrokerClusterInfo: Translation = (request, { port, call }) =>
  answer(request, async () => legacyBody(request, encodeClusterInfo(await port.getBrokerClusterInfo({}, call), "legacy")));

const topicList =
  (list: (port: NamesrvPort, call: CallInfo) => Promise<TopicList>): Translation =>
  (request, { port, call }) =>
    answer(request, async () => legacyBody(request, encodeTopicList(await list(port, call), "legacy")));

const getTopicsByCluster: Translation = (request, ctx) =>
  topicList((port, call) => port.getTopicsByCluster({ cluster: headers.decodeGetTopicsByClusterRequestHeader(ext(request)).cluster }, call))(request, ctx);

const deleteTopicInNamesrv: Translation = (request, { port, call }) =>
  answer(request, async () => {
    const h = headers.decodeDeleteTopicRequestHeader(ext(request));
    await port.deleteTopicInNamesrv({ topic: h.topic, clusterName: h.clusterName }, call);
    return success(request);
  });

const registerTopicInNamesrv: Translation = (request, { port, call, bodies }) =>
  answer(request, async () => {
    const h = headers.decodeRegisterTopicRequestHeader(ext(request));
    if (request.body == null) return success(request);
    let queueDatas;
    try {
      queueDatas = bodies.topicRouteData(request.body).queueDatas;
    } catch (err) {
      if (err instanceof BodyTooDeepError) return systemError(request, err.message);
      return success(request); // the Java server ignores an undecodable body here
    }
    await port.registerTopicInNamesrv({ topic: h.topic, queueDatas }, call);
    return success(request);
  });

// --- brokers --------------------------------------------------------------------------------------

/** Identifies a register body: the same digest means the same bytes, read the same way. */
function registerBodyDigest(request: RemotingCommand, compressed: boolean): string | null {
  if (!request.body) return null;
  const hash = createHash("sha1").update(request.body).digest("hex");
  return `${request.version}:${compressed ? "z" : "j"}:${request.body.length}:${hash}`;
}

/** The reply to a broker: its master's addresses for a slave, the order config as the body. */
function registerReply(request: RemotingCommand, outcome: RegisterBrokerOutcome): RemotingCommand {
  const extFields: Record<string, string> = {};
  if (outcome.haServerAddr != null) extFields.haServerAddr = outcome.haServerAddr;
  if (outcome.masterAddr != null) extFields.masterAddr = outcome.masterAddr;
  const kvBody = outcome.orderTopicConfig ? utf8(encodeKVTable({ table: outcome.orderTopicConfig }, "legacy")) : null;
  return success(request, extFields, kvBody);
}

const registerBroker: Translation = (request, { port, call, bodies }) =>
  answer(
    request,
    async () => {
      const h = headers.decodeRegisterBrokerRequestHeader(ext(request));
      if (h.bodyCrc32 !== 0 && brokerBodyCrc32(request.body, crc32) !== h.bodyCrc32) {
        return systemError(request, Remark.CRC32_NOT_MATCH, true);
      }
      // decoded only when the port needs it: an unchanged re-registration goes by the digest alone
      const body = async () => {
        try {
          return await bodies.registerBrokerBody(request.body, request.version, h.compressed);
        } catch (err) {
          throw new NamesrvError(ResponseCode.SYSTEM_ERROR, err instanceof BodyDecodeError ? err.message : String(err));
        }
      };
      const outcome = await port.registerBroker(
        {
          clusterName: h.clusterName,
          brokerAddr: h.brokerAddr,
          brokerName: h.brokerName,
          brokerId: h.brokerId,
          haServerAddr: h.haServerAddr,
          zoneName: h.zoneName,
          heartbeatTimeoutMillis: h.heartbeatTimeoutMillis,
          enableActingMaster: h.enableActingMaster,
          channel: call.connection,
          bodyDigest: registerBodyDigest(request, h.compressed),
          body,
        },
        call,
      );
      return registerReply(request, outcome);
    },
    true,
  );

const unregisterBroker: Translation = (request, { port, call }) =>
  answer(request, async () => {
    await port.unregisterBroker(headers.decodeUnRegisterBrokerRequestHeader(ext(request)), call);
    return success(request);
  });

const brokerHeartbeat: Translation = (request, { port, call }) =>
  answer(request, async () => {
    await port.brokerHeartbeat(headers.decodeBrokerHeartbeatRequestHeader(ext(request)), call);
    return success(request);
  });

const queryDataVersion: Translation = (request, { port, call, bodies }) =>
  answer(
    request,
    async () => {
      const h = headers.decodeQueryDataVersionRequestHeader(ext(request));
      let dataVersion: DataVersion | null = null;
      if (request.body) {
        try {
          dataVersion = bodies.dataVersion(request.body);
        } catch (err) {
          return systemError(request, String(err instanceof Error ? err.message : err), true);
        }
      }
      const result = await port.queryDataVersion({ ...h, dataVersion }, call);
      const body = result.dataVersion ? utf8(encodeDataVersion(result.dataVersion, "legacy")) : null;
      return success(request, { changed: String(result.changed) }, body);
    },
    true,
  );

const writePerm =
  (operation: "wipeWritePermOfBroker" | "addWritePermOfBroker", countField: "wipeTopicCount" | "addTopicCount"): Translation =>
  (request, { port, call }) =>
    answer(
      request,
      async () => {
        const { brokerName } = headers.decodeBrokerPermRequestHeader(ext(request));
        return success(request, { [countField]: String(await port[operation]({ brokerName }, call)) });
      },
      true,
    );

const getBrokerMemberGroup: Translation = (request, { port, call }) =>
  answer(request, async () => {
    const h = headers.decodeGetBrokerMemberGroupRequestHeader(ext(request));
    const group = await port.getBrokerMemberGroup({ clusterName: h.clusterName, brokerName: h.brokerName }, call);
    const body = utf8(encodeBrokerMemberGroupBody(group, "legacy"));
    // The Java server never clears the placeholder remark of this response; clients see it.
    return createResponse(request, ResponseCode.SUCCESS, Remark.NOT_SET, null, body);
  });

// --- KV config ------------------------------------------------------------------------------------

const putKVConfig: Translation = (request, { port, call }) =>
  answer(request, async () => {
    const h = headers.decodeKVConfigRequestHeader(ext(request));
    await port.putKVConfig({ namespace: h.namespace, key: h.key, value: h.value }, call);
    return success(request);
  });

const getKVConfig: Translation = (request, { port, call }) =>
  answer(
    request,
    async () => {
      const h = headers.decodeKVConfigRequestHeader(ext(request));
      return success(request, { value: await port.getKVConfig({ namespace: h.namespace, key: h.key }, call) });
    },
    true,
  );

const deleteKVConfig: Translation = (request, { port, call }) =>
  answer(request, async () => {
    const h = headers.decodeKVConfigRequestHeader(ext(request));
    await port.deleteKVConfig({ namespace: h.namespace, key: h.key }, call);
    return success(request);
  });

const getKVListByNamespace: Translation = (request, { port, call }) =>
  answer(request, async () => {
    const { namespace } = headers.decodeKVConfigRequestHeader(ext(request));
    return legacyBody(request, encodeKVTable({ table: await port.getKVListByNamespace({ namespace }, call) }, "legacy"));
  });

// --- NameServer config ----------------------------------------------------------------------------

const updateNamesrvConfig: Translation = (request, { port, call }) =>
  answer(request, async () => {
    if (!request.body) return success(request);
    let properties: Record<string, string>;
    try {
      properties = parseJavaProperties(request.body);
    } catch {
      return systemError(request, Remark.PROPERTIES_ERROR);
    }
    await port.updateNamesrvConfig({ properties }, call);
    return success(request);
  });

const getNamesrvConfig: Translation = (request, { port, call }) =>
  answer(request, async () => success(request, null, utf8(renderNamesrvConfig(await port.getNamesrvConfig({}, call)))));

/** Every request code the NameServer serves; anything else is REQUEST_CODE_NOT_SUPPORTED. */
export const REQUEST_TRANSLATIONS: Record<number, Translation> = {
  [RequestCode.PUT_KV_CONFIG]: putKVConfig,
  [RequestCode.GET_KV_CONFIG]: getKVConfig,
  [RequestCode.DELETE_KV_CONFIG]: deleteKVConfig,
  [RequestCode.REGISTER_BROKER]: registerBroker,
  [RequestCode.UNREGISTER_BROKER]: unregisterBroker,
  [RequestCode.GET_ROUTEINFO_BY_TOPIC]: getRouteInfoByTopic,
  [RequestCode.GET_BROKER_CLUSTER_INFO]: getBrokerClusterInfo,
  [RequestCode.WIPE_WRITE_PERM_OF_BROKER]: writePerm("wipeWritePermOfBroker", "wipeTopicCount"),
  [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER]: topicList((port, call) => port.getAllTopicListFromNameserver({}, call)),
  [RequestCode.DELETE_TOPIC_IN_NAMESRV]: deleteTopicInNamesrv,
  [RequestCode.REGISTER_TOPIC_IN_NAMESRV]: registerTopicInNamesrv,
  [RequestCode.GET_KVLIST_BY_NAMESPACE]: getKVListByNamespace,
  [RequestCode.GET_TOPICS_BY_CLUSTER]: getTopicsByCluster,
  [RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS]: topicList((port, call) => port.getSystemTopicListFromNs({}, call)),
  [RequestCode.GET_UNIT_TOPIC_LIST]: topicList((port, call) => port.getUnitTopicList({}, call)),
  [RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST]: topicList((port, call) => port.getHasUnitSubTopicList({}, call)),
  [RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST]: topicList((port, call) => port.getHasUnitSubUnUnitTopicList({}, call)),
  [RequestCode.UPDATE_NAMESRV_CONFIG]: updateNamesrvConfig,
  [RequestCode.GET_NAMESRV_CONFIG]: getNamesrvConfig,
  [RequestCode.QUERY_DATA_VERSION]: queryDataVersion,
  [RequestCode.ADD_WRITE_PERM_OF_BROKER]: writePerm("addWritePermOfBroker", "addTopicCount"),
  [RequestCode.GET_BROKER_MEMBER_GROUP]: getBrokerMemberGroup,
  [RequestCode.BROKER_HEARTBEAT]: brokerHeartbeat,
};
