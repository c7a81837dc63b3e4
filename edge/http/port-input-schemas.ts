/**
 * The input of each port operation as JSON, for `/internal/v1/ops/{operation}`: the port's types
 * checked at the HTTP edge (nulls kept: what a missing field means is the NameServer's to decide).
 */
import { z } from "zod";
import { policySchema } from "../auth/policy";
import type { Operation } from "../port/namesrv-port";

const text = z.string().nullable();
export const accountName = z.string().min(1).max(64);
/** a token lives at most a year */
export const expiresInSeconds = z.number().int().min(1).max(366 * 86_400);
export const auditLimit = z.number().int().min(1).max(10_000);
const none = z.object({}).strict();
const brokerAddress = { clusterName: text, brokerAddr: text, brokerName: text };
const brokerIdentity = {
  clusterName: z.string(),
  brokerAddr: z.string(),
  brokerName: z.string(),
  brokerId: z.number().int(),
  haServerAddr: text,
  zoneName: text,
  heartbeatTimeoutMillis: z.number().int().nullable(),
  enableActingMaster: z.boolean().nullable(),
  channel: text,
};

/** Every operation but registerBroker (whose body has its own rules) and getRouteInfoByTopic (answered as bytes). */
export const PORT_INPUT_SCHEMAS: Partial<Record<Operation, z.ZodType>> = {
  putKVConfig: z.object({ namespace: text, key: text, value: text }),
  getKVConfig: z.object({ namespace: text, key: text }),
  deleteKVConfig: z.object({ namespace: text, key: text }),
  refreshBrokerRegistration: z.object({ ...brokerIdentity, bodyDigest: z.string().min(1) }),
  unregisterBroker: z.object({ ...brokerAddress, brokerId: z.number().int().nullable() }),
  getBrokerClusterInfo: none,
  wipeWritePermOfBroker: z.object({ brokerName: text }),
  getAllTopicListFromNameserver: none,
  deleteTopicInNamesrv: z.object({ topic: text, clusterName: text }),
  registerTopicInNamesrv: z.object({ topic: text, queueDatas: z.array(z.unknown()) }),
  getKVListByNamespace: z.object({ namespace: text }),
  getTopicsByCluster: z.object({ cluster: text }),
  getSystemTopicListFromNs: none,
  getUnitTopicList: none,
  getHasUnitSubTopicList: none,
  getHasUnitSubUnUnitTopicList: none,
  updateNamesrvConfig: z.object({ properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) }),
  getNamesrvConfig: none,
  queryDataVersion: z.object({
    ...brokerAddress,
    brokerId: z.number().int().nullable(),
    dataVersion: z.object({ stateVersion: z.number().int().default(0), timestamp: z.number().int(), counter: z.number().int() }).nullable(),
  }),
  addWritePermOfBroker: z.object({ brokerName: text }),
  getBrokerMemberGroup: z.object({ clusterName: text, brokerName: text }),
  brokerHeartbeat: z.object(brokerAddress),
  closeChannel: z.object({ channel: z.string().min(1) }),
  scanNotActiveBroker: none,
  listNamesrvInstances: none,
  getBrokerLiveInfo: none,
  createAccount: z.object({ name: accountName, secretKey: z.string().max(256).nullable() }),
  getAccount: z.object({ name: accountName }),
  listAccounts: none,
  deleteAccount: z.object({ name: accountName }),
  putPolicy: z.object({ name: accountName, policy: policySchema }),
  issueToken: z.object({ name: accountName, expiresInSeconds: expiresInSeconds.nullable() }),
  listTokens: z.object({ name: accountName }),
  revokeToken: z.object({ name: accountName, id: z.string().min(1).max(64) }),
  readAudit: z.object({ limit: auditLimit }),
  relayedAccount: z.object({ name: accountName }),
};

export const routeQuerySchema = z.object({ topic: text, zoneName: text, dialect: z.enum(["standard", "legacy"]) });

export const registerBrokerOpSchema = z.object({ ...brokerIdentity, bodyDigest: text }).loose();
