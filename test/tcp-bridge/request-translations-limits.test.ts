import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { RequestCode, ResponseCode } from "../../shared/codes";
import { brokerBodyCrc32 } from "../../shared/crc32";
import type { RegisterBrokerBody } from "../../shared/model";
import { encodeRegisterBrokerBody, REGISTER_BODY_ERROR_PREFIX } from "../../shared/register-body";
import type { RemotingCommand } from "../../shared/remoting-command";
import { ApiClient } from "../../tcp-bridge/api-client";
import { BodyDecoder } from "../../tcp-bridge/body-decoder";
import { DEFAULT_BODY_LIMITS } from "../../tcp-bridge/register-body-job";
import { silentLogger } from "../../tcp-bridge/logger";
import type { ConnectionContext } from "../../tcp-bridge/remoting-connection";
import { REQUEST_TRANSLATIONS } from "../../tcp-bridge/request-translations";
import { deflateBomb } from "../shared/deflate-bomb";

/** An API that records every call and answers each as its handler would for a plain success. */
function recordingApi() {
  const calls: string[] = [];
  const api = new ApiClient(async (request) => {
    const url = new URL(request.url);
    calls.push(`${request.method} ${url.pathname}`);
    if (url.pathname.endsWith("/refresh-registration")) return Response.json({ error: { code: 1, message: "full registration needed" } }, { status: 409 });
    if (url.pathname.endsWith("-write-perm")) return Response.json({ wipeTopicCount: 0, addTopicCount: 0 });
    if (url.pathname.endsWith("/query-data-version")) return Response.json({ changed: false, dataVersion: null });
    if (url.pathname.startsWith("/api/v1/kv/") && request.method === "GET") return Response.json({ value: "v", table: {} });
    return Response.json({});
  });
  return { api, calls };
}

const context: ConnectionContext = { channelId: "c-1", remoteAddress: "127.0.0.1:1", isClosed: false, registeredBroker: false };

function request(code: number, extFields: Record<string, string>, body: Uint8Array | null = null, version = 479): RemotingCommand {
  return { code, language: "JAVA", version, opaque: 7, flag: 0, remark: null, extFields, body, serializeType: "JSON" };
}

async function translate(req: RemotingCommand, bodies = new BodyDecoder(DEFAULT_BODY_LIMITS, null)) {
  const { api, calls } = recordingApi();
  const response = await REQUEST_TRANSLATIONS[req.code](req, { api, context, log: silentLogger, bodies });
  return { response, calls };
}

const enc = new TextEncoder();
const broker = { brokerName: "broker-a", brokerAddr: "127.0.0.1:10911", clusterName: "DefaultCluster", brokerId: "0" };
const routeBody = enc.encode('{"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"writeQueueNums":4,"topicSysFlag":0}]}');

/** Every request code that takes a name, with a well-formed request and the fields (header key → remark name) it names things by. */
const NAMED_REQUESTS: Array<{ code: number; ext: Record<string, string>; fields: Record<string, string>; body?: Uint8Array }> = [
  { code: RequestCode.PUT_KV_CONFIG, ext: { namespace: "ns", key: "k", value: "v" }, fields: { namespace: "namespace", key: "key", value: "value" } },
  { code: RequestCode.GET_KV_CONFIG, ext: { namespace: "ns", key: "k" }, fields: { namespace: "namespace", key: "key" } },
  { code: RequestCode.DELETE_KV_CONFIG, ext: { namespace: "ns", key: "k" }, fields: { namespace: "namespace", key: "key" } },
  { code: RequestCode.GET_KVLIST_BY_NAMESPACE, ext: { namespace: "ns" }, fields: { namespace: "namespace" } },
  {
    code: RequestCode.REGISTER_BROKER,
    ext: { ...broker, haServerAddr: "127.0.0.1:10912", __ZONE_NAME: "zone-1" },
    fields: { brokerName: "brokerName", brokerAddr: "brokerAddr", clusterName: "clusterName", haServerAddr: "haServerAddr", __ZONE_NAME: "zoneName" },
  },
  { code: RequestCode.UNREGISTER_BROKER, ext: broker, fields: { brokerName: "brokerName", brokerAddr: "brokerAddr", clusterName: "clusterName" } },
  { code: RequestCode.BROKER_HEARTBEAT, ext: broker, fields: { brokerName: "brokerName", brokerAddr: "brokerAddr", clusterName: "clusterName" } },
  { code: RequestCode.QUERY_DATA_VERSION, ext: broker, fields: { brokerName: "brokerName", brokerAddr: "brokerAddr", clusterName: "clusterName" } },
  { code: RequestCode.GET_ROUTEINFO_BY_TOPIC, ext: { topic: "T", __ZONE_MODE: "true", __ZONE_NAME: "zone-1" }, fields: { topic: "topic", __ZONE_NAME: "zoneName" } },
  { code: RequestCode.DELETE_TOPIC_IN_NAMESRV, ext: { topic: "T", clusterName: "c" }, fields: { topic: "topic", clusterName: "clusterName" } },
  { code: RequestCode.REGISTER_TOPIC_IN_NAMESRV, ext: { topic: "T" }, fields: { topic: "topic" }, body: routeBody },
  { code: RequestCode.GET_TOPICS_BY_CLUSTER, ext: { cluster: "c" }, fields: { cluster: "cluster" } },
  { code: RequestCode.WIPE_WRITE_PERM_OF_BROKER, ext: { brokerName: "b" }, fields: { brokerName: "brokerName" } },
  { code: RequestCode.ADD_WRITE_PERM_OF_BROKER, ext: { brokerName: "b" }, fields: { brokerName: "brokerName" } },
  { code: RequestCode.GET_BROKER_MEMBER_GROUP, ext: { clusterName: "c", brokerName: "b" }, fields: { clusterName: "clusterName", brokerName: "brokerName" } },
];

describe("names with an unpaired UTF-16 surrogate", () => {
  for (const { code, ext, fields, body } of NAMED_REQUESTS) {
    it(`request code ${code}: a clear SYSTEM_ERROR for each name field, and no API call`, async () => {
      const fine = await translate(request(code, ext, body ?? null));
      expect(fine.response.code, "the well-formed request goes through").not.toBe(ResponseCode.SYSTEM_ERROR);
      expect(fine.calls.length).toBeGreaterThan(0);
      for (const [header, field] of Object.entries(fields)) {
        for (const bad of ["x\ud800", "\udc00y"]) {
          const { response, calls } = await translate(request(code, { ...ext, [header]: bad }, body ?? null));
          expect(response.code, `${code} ${header}`).toBe(ResponseCode.SYSTEM_ERROR);
          expect(response.remark).toBe(`${field} contains an unpaired UTF-16 surrogate`);
          expect(calls).toEqual([]);
        }
      }
    });
  }

  it("REGISTER_TOPIC_IN_NAMESRV: a queue's broker name in the body too", async () => {
    const body = enc.encode('{"queueDatas":[{"brokerName":"b\\ud800","perm":6,"readQueueNums":1,"writeQueueNums":1}]}');
    const { response, calls } = await translate(request(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: "T" }, body));
    expect(response).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: "brokerName contains an unpaired UTF-16 surrogate" });
    expect(calls).toEqual([]);
  });

  it("REGISTER_BROKER: a topic name in the body too", async () => {
    const body = enc.encode('{"topicConfigSerializeWrapper":{"topicConfigTable":{"x":{"topicName":"\\ud800","perm":6,"readQueueNums":1,"writeQueueNums":1}}}}');
    const { response, calls } = await translate(request(RequestCode.REGISTER_BROKER, { ...broker, bodyCrc32: String(brokerBodyCrc32(body)) }, body));
    expect(response).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: `${REGISTER_BODY_ERROR_PREFIX}: topic contains an unpaired UTF-16 surrogate`, extFields: {} });
    expect(calls).toEqual(["POST /api/v1/brokers/refresh-registration"]); // asked only whether the same body was registered before
  });
});

function topicsBody(n: number): RegisterBrokerBody {
  const topicConfigTable: RegisterBrokerBody["topicConfigTable"] = {};
  for (let i = 0; i < n; i++) {
    topicConfigTable[`T${i}`] = { topicName: `T${i}`, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0, topicFilterType: "SINGLE_TAG", order: false, attributes: {} };
  }
  return { dataVersion: { stateVersion: 0, timestamp: 5, counter: 1 }, topicConfigTable, topicQueueMappingInfoMap: {}, filterServerList: [] };
}

function registerRequest(body: Uint8Array, compressed = false): RemotingCommand {
  return request(RequestCode.REGISTER_BROKER, { ...broker, compressed: String(compressed), bodyCrc32: String(brokerBodyCrc32(body)) }, body);
}

const deepJsonForm = (levels: number) =>
  enc.encode(`{"topicConfigSerializeWrapper":{"topicConfigTable":{},"topicQueueMappingInfoMap":{"T":{"topic":"T","x":${"[".repeat(levels)}${"]".repeat(levels)}}}}}`);

describe("request bodies beyond the limits", () => {
  const registered = (calls: string[]) => calls.includes("POST /api/v1/brokers/register");

  it("REGISTER_BROKER nested 30,000 and 100,000 levels: SYSTEM_ERROR naming the limit, nothing registered", async () => {
    for (const levels of [30_000, 100_000]) {
      const { response, calls } = await translate(registerRequest(deepJsonForm(levels)));
      expect(response).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, extFields: {} });
      expect(response.remark).toBe(`${REGISTER_BODY_ERROR_PREFIX}: JSON nested deeper than 512 levels (maxJsonDepth)`);
      expect(registered(calls)).toBe(false);
    }
    expect(registered((await translate(registerRequest(deepJsonForm(500)))).calls)).toBe(true);
  });

  it("REGISTER_BROKER that inflates past the limit: SYSTEM_ERROR naming it, nothing registered", async () => {
    const { response, calls } = await translate(registerRequest(deflateBomb(1024 ** 3), true));
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toContain("inflates to more than 33554432 bytes (maxRegisterBodyInflatedBytes)");
    expect(registered(calls)).toBe(false);
  });

  it("REGISTER_BROKER with more topics than the configured limit: SYSTEM_ERROR, nothing registered", async () => {
    const bodies = new BodyDecoder({ ...DEFAULT_BODY_LIMITS, maxTopicsPerRegistration: 5 }, null);
    for (const compressed of [false, true]) {
      const wire = (n: number) => encodeRegisterBrokerBody(topicsBody(n), { compressed, version: 479, deflate: (b) => new Uint8Array(deflateSync(b)) });
      const over = await translate(registerRequest(wire(6), compressed), bodies);
      expect(over.response.remark).toBe(`${REGISTER_BODY_ERROR_PREFIX}: more than 5 topics in one registration (maxTopicsPerRegistration)`);
      expect(registered(over.calls)).toBe(false);
      expect(registered((await translate(registerRequest(wire(5), compressed), bodies)).calls)).toBe(true);
    }
  });

  it("the configured depth limit reaches every body decoder", async () => {
    const bodies = new BodyDecoder({ ...DEFAULT_BODY_LIMITS, maxJsonDepth: 16 }, null);
    const register = await translate(registerRequest(deepJsonForm(13)), bodies);
    expect(register.response.remark).toContain("deeper than 16 levels");
    const topic = await translate(request(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: "T" }, enc.encode(`{"queueDatas":[],"x":${"[".repeat(16)}${"]".repeat(16)}}`)), bodies);
    expect(topic.response.remark).toContain("deeper than 16 levels");
  });

  it("REGISTER_TOPIC_IN_NAMESRV nested too deep: SYSTEM_ERROR (an otherwise undecodable body is still ignored, as Java does)", async () => {
    const deep = enc.encode(`{"queueDatas":[{"brokerName":"b","perm":6,"x":${"{a:".repeat(30_000)}1${"}".repeat(30_000)}}]}`);
    const refused = await translate(request(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: "T" }, deep));
    expect(refused.response).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: "Failed to decode TopicRouteData: JSON nested deeper than 512 levels (maxJsonDepth)" });
    expect(refused.calls).toEqual([]);
    const ignored = await translate(request(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: "T" }, enc.encode('{"queueDatas":[')));
    expect(ignored.response.code).toBe(ResponseCode.SUCCESS);
    expect(ignored.calls).toEqual([]);
  });

  it("QUERY_DATA_VERSION nested too deep: SYSTEM_ERROR with the response header, no query", async () => {
    const deep = enc.encode(`{"counter":1,"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    const { response, calls } = await translate(request(RequestCode.QUERY_DATA_VERSION, broker, deep));
    expect(response).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, extFields: {}, remark: "Failed to decode DataVersion: JSON nested deeper than 512 levels (maxJsonDepth)" });
    expect(calls).toEqual([]);
  });
});
