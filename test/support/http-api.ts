import type { RegisterBrokerInput } from "../../edge/port/namesrv-port";
import type { RegisterBrokerBody } from "../../shared/model";

/** Test helpers for the HTTP API and the services behind it: requests and registrations. */

export const JSON_HEADERS = { "content-type": "application/json" };

/** `app.request` options for a JSON body. */
export const jsonRequest = (body: unknown, method = "POST", headers: Record<string, string> = {}) => ({
  method,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(body),
});

/** A plain TopicConfig as the HTTP API takes it. */
export const topicConfig = (topicName: string, queues = 4) => ({
  topicName,
  readQueueNums: queues,
  writeQueueNums: queues,
  perm: 6,
  topicSysFlag: 0,
});

/** A `POST /brokers/register` body of broker-a with topics TopicTest and Other. */
export function httpRegistration(overrides: Record<string, unknown> = {}) {
  return {
    clusterName: "DefaultCluster",
    brokerAddr: "127.0.0.1:10911",
    brokerName: "broker-a",
    brokerId: 0,
    channel: "c-1",
    dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter: 1 },
    topicConfigTable: { TopicTest: topicConfig("TopicTest"), Other: topicConfig("Other", 2) },
    filterServerList: [],
    ...overrides,
  };
}

/** The same registration as the tcp-bridge hands the route manager directly. */
export function registrationInput(overrides: Partial<RegisterBrokerInput> = {}): RegisterBrokerInput & { body: RegisterBrokerBody } {
  return {
    bodyDigest: null,
    clusterName: "DefaultCluster",
    brokerAddr: "127.0.0.1:10911",
    brokerName: "broker-a",
    brokerId: 0,
    haServerAddr: null,
    zoneName: null,
    heartbeatTimeoutMillis: null,
    enableActingMaster: false,
    channel: "c-1",
    body: {
      dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter: 1 },
      topicConfigTable: { TopicTest: topicConfig("TopicTest"), Other: topicConfig("Other", 2) },
      topicQueueMappingInfoMap: {},
      filterServerList: [],
    },
    ...overrides,
  } as RegisterBrokerInput & { body: RegisterBrokerBody };
}
