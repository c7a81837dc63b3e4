/**
 * A minimal RocketMQ remoting client (JSON headers), used only to poll the NameServer quickly
 * (a mqadmin JVM takes ~5 s per call). Assertions that matter are made with mqadmin and the real
 * clients; this probe only decides when to look.
 */
import { parseFastjson as parseFastjsonText } from "../../../shared/fastjson-reader.js";
import type { ClusterInfo, TopicRouteData } from "../../../shared/model.js";
import { signedExtFields } from "../../../shared/request-signature.js";
import type { Credentials } from "./credentials.js";
import { RemotingTestClient, text } from "../../support/remoting-client.js";
import { waitFor } from "../../support/wait-for.js";

export type { ClusterInfo, TopicRouteData };

export interface RemotingResponse {
  code: number;
  remark?: string;
  extFields?: Record<string, string>;
  body: string;
}

/**
 * One request on a fresh connection (the project's remoting test client), answered or rejected in
 * `timeoutMs`; signed as AclClientRPCHook signs when `credentials` are given.
 */
export async function remotingCall(
  addr: string,
  code: number,
  extFields: Record<string, string> = {},
  timeoutMs = 3_000,
  credentials?: Credentials,
): Promise<RemotingResponse> {
  const [host, portText] = addr.split(":");
  const fields = credentials ? await signedExtFields(credentials, extFields) : extFields;
  const client = await RemotingTestClient.connect(Number(portText), host);
  try {
    const response = await client.request(code, { extFields: fields }, timeoutMs);
    return {
      code: response.code,
      remark: response.remark ?? undefined,
      extFields: response.extFields ?? undefined,
      body: text(response) ?? "",
    };
  } finally {
    client.close();
  }
}

/** Parses fastjson output, which may use bare numeric object keys (`{0:"127.0.0.1:10911"}`). */
export function parseFastjson<T = any>(text: string): T {
  return parseFastjsonText(text) as T;
}

/** GET_BROKER_CLUSTER_INFO (106). */
export async function getClusterInfo(namesrv: string, credentials?: Credentials): Promise<ClusterInfo> {
  const response = await remotingCall(namesrv, 106, {}, undefined, credentials);
  if (response.code !== 0) throw new Error(`GET_BROKER_CLUSTER_INFO → ${response.code} ${response.remark ?? ""}`);
  return parseFastjson<ClusterInfo>(response.body);
}

/** GET_ROUTEINFO_BY_TOPIC (105); undefined when the NameServer answers TOPIC_NOT_EXIST (17). */
export async function getRoute(namesrv: string, topic: string, credentials?: Credentials): Promise<TopicRouteData | undefined> {
  const response = await remotingCall(namesrv, 105, { topic }, undefined, credentials);
  if (response.code === 17) return undefined;
  if (response.code !== 0) throw new Error(`GET_ROUTEINFO_BY_TOPIC(${topic}) → ${response.code} ${response.remark ?? ""}`);
  return parseFastjson<TopicRouteData>(response.body);
}

/** The address the NameServer lists for (brokerName, brokerId), if any. */
export async function registeredAddr(
  namesrv: string,
  brokerName: string,
  brokerId: number,
  credentials?: Credentials,
): Promise<string | undefined> {
  const info = await getClusterInfo(namesrv, credentials);
  return info.brokerAddrTable?.[brokerName]?.brokerAddrs?.[String(brokerId)];
}

/** Polls GET_ROUTEINFO_BY_TOPIC until `accept` holds (use `(r) => r === undefined` to wait for removal). */
export function waitForRoute(
  namesrv: string,
  topic: string,
  accept: (route: TopicRouteData | undefined) => boolean,
  timeoutMs = 30_000,
  credentials?: Credentials,
): Promise<true> {
  return waitFor(async () => accept(await getRoute(namesrv, topic, credentials)), `route of ${topic} at ${namesrv}`, timeoutMs, 250);
}

/**
 * UPDATE_AND_CREATE_TOPIC (17) straight to a broker (what `mqadmin updateTopic -b` sends, without a
 * JVM's start-up time). The broker registers the new topic with its NameServers before it answers.
 */
export async function createTopicOnBroker(brokerAddr: string, topic: string, queues = 4, credentials?: Credentials): Promise<void> {
  const response = await remotingCall(
    brokerAddr,
    17,
    {
      topic,
      defaultTopic: "TBW102",
      readQueueNums: String(queues),
      writeQueueNums: String(queues),
      perm: "6",
      topicFilterType: "SINGLE_TAG",
      topicSysFlag: "0",
      order: "false",
    },
    15_000,
    credentials,
  );
  if (response.code !== 0) throw new Error(`UPDATE_AND_CREATE_TOPIC(${topic}) at ${brokerAddr} → ${response.code} ${response.remark ?? ""}`);
}
