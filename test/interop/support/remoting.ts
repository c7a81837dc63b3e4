/**
 * A minimal RocketMQ remoting client (JSON headers), used only to poll the NameServer quickly
 * (a mqadmin JVM takes ~5 s per call). Assertions that matter are made with mqadmin and the real
 * clients; this probe only decides when to look.
 */
import { connect } from "node:net";
import { waitFor } from "./poll.js";

export interface RemotingResponse {
  code: number;
  remark?: string;
  extFields?: Record<string, string>;
  body: string;
}

let nextOpaque = 1;

export function remotingCall(
  addr: string,
  code: number,
  extFields: Record<string, string> = {},
  timeoutMs = 3_000,
): Promise<RemotingResponse> {
  const [host, portText] = addr.split(":");
  const opaque = nextOpaque++;
  const header = Buffer.from(
    JSON.stringify({ code, language: "JAVA", version: 479, opaque, flag: 0, extFields, serializeTypeCurrentRPC: "JSON" }),
  );
  const frame = Buffer.alloc(8 + header.length);
  frame.writeInt32BE(4 + header.length, 0);
  frame.writeInt32BE(header.length, 4); // serialize type 0 (JSON) in the top byte
  header.copy(frame, 8);

  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host, port: Number(portText) });
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${addr} to code ${code} within ${timeoutMs} ms`)));
    socket.once("error", fail);
    socket.on("connect", () => socket.write(frame));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const length = received.readInt32BE(0);
      if (received.length < 4 + length) return;
      socket.destroy();
      const headerLength = received.readInt32BE(4) & 0xffffff;
      const headerJson = JSON.parse(received.subarray(8, 8 + headerLength).toString("utf8"));
      resolvePromise({
        code: headerJson.code,
        remark: headerJson.remark,
        extFields: headerJson.extFields,
        body: received.subarray(8 + headerLength, 4 + length).toString("utf8"),
      });
    });
  });
}

/** Parses fastjson output, which may use bare numeric object keys (`{0:"127.0.0.1:10911"}`). */
export function parseFastjson<T = any>(text: string): T {
  return JSON.parse(text.replace(/([{,]\s*)(-?\d+)(\s*):/g, '$1"$2"$3:')) as T;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  brokerAddrs: Record<string, string>;
}

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
}

export interface ClusterInfo {
  brokerAddrTable: Record<string, BrokerData>;
  clusterAddrTable: Record<string, string[]>;
}

/** GET_BROKER_CLUSTER_INFO (106). */
export async function getClusterInfo(namesrv: string): Promise<ClusterInfo> {
  const response = await remotingCall(namesrv, 106);
  if (response.code !== 0) throw new Error(`GET_BROKER_CLUSTER_INFO → ${response.code} ${response.remark ?? ""}`);
  return parseFastjson<ClusterInfo>(response.body);
}

/** GET_ROUTEINFO_BY_TOPIC (105); undefined when the NameServer answers TOPIC_NOT_EXIST (17). */
export async function getRoute(namesrv: string, topic: string): Promise<TopicRouteData | undefined> {
  const response = await remotingCall(namesrv, 105, { topic });
  if (response.code === 17) return undefined;
  if (response.code !== 0) throw new Error(`GET_ROUTEINFO_BY_TOPIC(${topic}) → ${response.code} ${response.remark ?? ""}`);
  return parseFastjson<TopicRouteData>(response.body);
}

/** The address the NameServer lists for (brokerName, brokerId), if any. */
export async function registeredAddr(namesrv: string, brokerName: string, brokerId: number): Promise<string | undefined> {
  const info = await getClusterInfo(namesrv);
  return info.brokerAddrTable?.[brokerName]?.brokerAddrs?.[String(brokerId)];
}

/** Polls GET_ROUTEINFO_BY_TOPIC until `accept` holds (use `(r) => r === undefined` to wait for removal). */
export function waitForRoute(
  namesrv: string,
  topic: string,
  accept: (route: TopicRouteData | undefined) => boolean,
  timeoutMs = 30_000,
): Promise<true> {
  return waitFor(`route of ${topic} at ${namesrv}`, async () => accept(await getRoute(namesrv, topic)), { timeoutMs });
}
