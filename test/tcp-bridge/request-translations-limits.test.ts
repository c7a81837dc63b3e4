import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { RequestCode, ResponseCode } from "../../shared/codes";
import { brokerBodyCrc32 } from "../../shared/crc32";
import type { RegisterBrokerBody } from "../../shared/model";
import { encodeRegisterBrokerBody, REGISTER_BODY_ERROR_PREFIX } from "../../shared/register-body";
import type { RemotingCommand } from "../../shared/remoting-command";
import { defaultNamesrvConfig } from "../../edge/config/namesrv-config";
import type { CallInfo } from "../../edge/port/call";
import { loadRegisterBody, OPERATIONS, type NamesrvPort, type Operation, type RegisterBrokerInput } from "../../edge/port/namesrv-port";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { inProcessNamesrv } from "../support/in-process-namesrv";
import { BodyDecoder } from "../../tcp-bridge/body-decoder";
import { DEFAULT_BODY_LIMITS } from "../../tcp-bridge/register-body-job";
import { REQUEST_TRANSLATIONS } from "../../tcp-bridge/request-translations";
import { deflateBomb } from "../shared/deflate-bomb";

/**
 * A port that records every call and answers each as the NameServer would for a plain success; a
 * registration loads its body (as a full registration does) and is recorded as "registered".
 */
function recordingPort() {
  const calls: string[] = [];
  const answers: Partial<Record<Operation, (input: never) => unknown>> = {
    registerBroker: async (input: RegisterBrokerInput) => {
      await loadRegisterBody(input.body);
      calls.push("registered");
      return { orderTopicConfig: null };
    },
    refreshBrokerRegistration: () => null,
    wipeWritePermOfBroker: () => 0,
    addWritePermOfBroker: () => 0,
    queryDataVersion: () => ({ changed: false, dataVersion: null }),
    getKVConfig: () => "v",
    getKVListByNamespace: () => ({}),
    getBrokerMemberGroup: () => ({ cluster: "c", brokerName: "b", brokerAddrs: {} }),
    getTopicsByCluster: () => ({ topicList: [] }),
    getRouteInfoByTopic: () => new Uint8Array([123, 125]),
  };
  const port = Object.fromEntries(
    OPERATIONS.map((operation) => [
      operation,
      async (input: never) => {
        calls.push(operation);
        return answers[operation]?.(input);
      },
    ]),
  ) as unknown as NamesrvPort;
  return { port, calls };
}

/** The real NameServer behind the port (its rules decide), on a fresh embedded store. */
const realPort = () => inProcessNamesrv(new EmbeddedStore({ kvConfigPath: null }), defaultNamesrvConfig("/tmp/namesrv-home")).port;

const call: CallInfo = { transport: "remoting", peer: "127.0.0.1:1", principal: null, connection: "c-1" };

function request(code: number, extFields: Record<string, string>, body: Uint8Array | null = null, version = 479): RemotingCommand {
  return { code, language: "JAVA", version, opaque: 7, flag: 0, remark: null, extFields, body, serializeType: "JSON" };
}

async function translate(req: RemotingCommand, bodies = new BodyDecoder(DEFAULT_BODY_LIMITS, null)) {
  const { port, calls } = recordingPort();
  const response = await REQUEST_TRANSLATIONS[req.code](req, { port, call, bodies });
  return { response, calls };
}

/** The answer of the real NameServer (whose rules refuse names). */
async function answerOf(req: RemotingCommand) {
  return REQUEST_TRANSLATIONS[req.code](req, { port: realPort(), call, bodies: new BodyDecoder(DEFAULT_BODY_LIMITS, null) });
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
    it(`request code ${code}: a clear SYSTEM_ERROR for each name field`, async () => {
      const fine = await answerOf(request(code, ext, body ?? null));
      expect(fine.code, "the well-formed request goes through").not.toBe(ResponseCode.SYSTEM_ERROR);
      for (const [header, field] of Object.entries(fields)) {
        for (const bad of ["x\ud800", "\udc00y"]) {
          const response = await answerOf(request(code, { ...ext, [header]: bad }, body ?? null));
          expect(response.code, `${code} ${header}`).toBe(ResponseCode.SYSTEM_ERROR);
          expect(response.remark).toBe(`${field} contains an unpaired UTF-16 surrogate`);
        }
      }
    });
  }

  it("REGISTER_TOPIC_IN_NAMESRV: a queue's broker name in the body too", async () => {
    const body = enc.encode('{"queueDatas":[{"brokerName":"b\\ud800","perm":6,"readQueueNums":1,"writeQueueNums":1}]}');
    const response = await answerOf(request(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: "T" }, body));
    expect(response).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: "brokerName contains an unpaired UTF-16 surrogate" });
  });

  it("REGISTER_BROKER: a topic name in the body too", async () => {
    const body = enc.encode('{"topicConfigSerializeWrapper":{"topicConfigTable":{"x":{"topicName":"\\ud800","perm":6,"readQueueNums":1,"writeQueueNums":1}}}}');
    const { response, calls } = await translate(request(RequestCode.REGISTER_BROKER, { ...broker, bodyCrc32: String(brokerBodyCrc32(body)) }, body));
    expect(response).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: `${REGISTER_BODY_ERROR_PREFIX}: topic contains an unpaired UTF-16 surrogate`, extFields: {} });
    expect(calls).toEqual(["registerBroker"]); // the body failed to decode when the port asked for it
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
  const registered = (calls: string[]) => calls.includes("registered");

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
