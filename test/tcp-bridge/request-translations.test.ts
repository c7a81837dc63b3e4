/**
 * Every request code, RemotingCommand in and RemotingCommand out, through the RemotingRequestHandler
 * over the in-process NameServer (no socket, no process): the code, remark, response header and body
 * a Java client gets.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { defaultNamesrvConfig } from "../../edge/config/namesrv-config";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { RequestCode, ResponseCode } from "../../shared/codes";
import { createLogger } from "../../shared/logger";
import type { RemotingCommand } from "../../shared/remoting-command";
import { BodyDecoder } from "../../tcp-bridge/body-decoder";
import { RemotingRequestHandler } from "../../tcp-bridge/remoting-request-handler";
import { registerRequest } from "../support/broker-registration";
import { inProcessNamesrv } from "../support/in-process-namesrv";

const enc = new TextEncoder();
const dec = new TextDecoder();
const FAQ = "\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.";

let opaque = 0;
function request(code: number, extFields: Record<string, string> | null = null, body: Uint8Array | string | null = null, version = 479): RemotingCommand {
  return {
    code,
    language: "JAVA",
    version,
    opaque: ++opaque,
    flag: 0,
    remark: null,
    extFields,
    body: typeof body === "string" ? enc.encode(body) : body,
    serializeType: "JSON",
  };
}

const context = { channelId: "ch-1", remoteAddress: "127.0.0.1:5000", isClosed: false, registeredBroker: false, clientCertificateSubject: null };
const handler = new RemotingRequestHandler(
  inProcessNamesrv(new EmbeddedStore({ kvConfigPath: null }), defaultNamesrvConfig("/tmp/namesrv-home")).port,
  createLogger("error", () => {}),
  new BodyDecoder(undefined, null),
);

async function ask(req: RemotingCommand) {
  const response = (await handler.handle(req, context))!;
  return { code: response.code, remark: response.remark, extFields: response.extFields, body: response.body ? dec.decode(response.body) : null };
}

const broker = { clusterName: "DefaultCluster", brokerAddr: "127.0.0.1:10911", brokerName: "broker-a" };

beforeAll(async () => {
  const reg = registerRequest({ topics: ["Base", "TopicTest"] });
  const answer = await ask(request(RequestCode.REGISTER_BROKER, reg.extFields, reg.body, reg.version));
  expect(answer).toMatchObject({ code: ResponseCode.SUCCESS, remark: null, extFields: {} });
});

/** The registered topics, in any order (Java lists them in hash order). */
const BOTH_TOPICS = expect.stringMatching(/^\{"topicList":\["(Base","TopicTest|TopicTest","Base)"\]\}$/);

type Row = [name: string, req: () => RemotingCommand, expected: Partial<Awaited<ReturnType<typeof ask>>>];

const TABLE: Row[] = [
  ["105 route, standard JSON for a 4.9.4+ client", () => request(105, { topic: "TopicTest" }), { code: 0, remark: null, extFields: null }],
  ["105 route, legacy dialect for an old client", () => request(105, { topic: "TopicTest" }, null, 317), { code: 0 }],
  ["105 unknown topic", () => request(105, { topic: "Nope" }), { code: 17, remark: `No topic route info in name server for the topic: Nope${FAQ}`, body: null }],
  ["105 no topic", () => request(105, {}), { code: 17, remark: `No topic route info in name server for the topic: null${FAQ}` }],
  ["106 cluster info", () => request(106), { code: 0, body: '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}' }],
  ["206 all topics", () => request(206), { code: 0, body: BOTH_TOPICS }],
  ["224 topics of a cluster", () => request(224, { cluster: "DefaultCluster" }), { code: 0, body: BOTH_TOPICS }],
  ["224 no cluster", () => request(224), { code: 0, body: '{"topicList":[]}' }],
  ["304 system topics", () => request(304), { code: 0, body: '{"brokerAddr":"127.0.0.1:10911","topicList":["DefaultCluster","broker-a"]}' }],
  ["311 unit topics", () => request(311), { code: 0, body: '{"topicList":[]}' }],
  ["901 member group", () => request(901, { clusterName: "DefaultCluster", brokerName: "broker-a" }), { code: 0, remark: "not set any response code", body: '{"brokerMemberGroup":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}}' }],
  ["322 same data version", () => request(322, { ...broker, brokerId: "0" }, '{"counter":1,"stateVersion":0,"timestamp":1700000000000}'), { code: 0, extFields: { changed: "false" } }],
  ["322 unknown broker", () => request(322, { ...broker, brokerAddr: "10.9.9.9:1", brokerId: "0" }), { code: 0, extFields: { changed: "true" }, body: null }],
  ["904 heartbeat", () => request(904, broker), { code: 0, remark: null }],
  ["100 put KV", () => request(100, { namespace: "ns", key: "k", value: "v" }), { code: 0 }],
  ["101 get KV", () => request(101, { namespace: "ns", key: "k" }), { code: 0, extFields: { value: "v" } }],
  ["101 get KV missing", () => request(101, { namespace: "ns", key: "none" }), { code: 22, remark: "No config item, Namespace: ns Key: none", extFields: {} }],
  ["100 put KV without a key", () => request(100, { namespace: "ns", value: "v" }), { code: 1, remark: "namespace or key is null", extFields: null }],
  ["219 KV list", () => request(219, { namespace: "ns" }), { code: 0, body: '{"table":{"k":"v"}}' }],
  ["219 KV list of an unknown namespace", () => request(219, { namespace: "nope" }), { code: 22, remark: "No config item, Namespace: nope" }],
  ["102 delete KV without names", () => request(102, {}), { code: 0 }],
  ["205 wipe write perm", () => request(205, { brokerName: "broker-a" }), { code: 0, extFields: { wipeTopicCount: "2" } }],
  ["327 add write perm", () => request(327, { brokerName: "broker-a" }), { code: 0, extFields: { addTopicCount: "2" } }],
  ["205 no broker", () => request(205, {}), { code: 0, extFields: { wipeTopicCount: "0" } }],
  ["216 delete no topic", () => request(216, {}), { code: 0 }],
  ["217 register topic with an undecodable body", () => request(217, { topic: "T" }, "{"), { code: 0 }],
  ["319 config dump", () => request(319), { code: 0 }],
  ["318 black-listed key", () => request(318, null, "kvConfigPath=/tmp/x"), { code: 16, remark: "Can not update config in black list." }],
  ["104 unregister without a brokerId", () => request(104, broker), { code: 1 }],
  ["103 wrong CRC", () => request(103, { ...broker, brokerId: "0", bodyCrc32: "1" }, "{}"), { code: 1, remark: "crc32 not match", extFields: {} }],
  ["99999 unknown code", () => request(99999), { code: 3, remark: " request type 99999 not supported" }],
];

describe("request translations, RemotingCommand in and out", () => {
  for (const [name, req, expected] of TABLE) {
    it(name, async () => {
      expect(await ask(req())).toMatchObject(expected);
    });
  }

  it("105 in both dialects carries the same route", async () => {
    const standard = JSON.parse((await ask(request(105, { topic: "TopicTest" }))).body!);
    const legacy = (await ask(request(105, { topic: "TopicTest" }, null, 317))).body!;
    expect(standard.brokerDatas[0].brokerAddrs).toEqual({ "0": "127.0.0.1:10911" });
    expect(legacy).toContain('"brokerAddrs":{0:"127.0.0.1:10911"}');
  });
});
