import { z } from "zod";

/** Request bodies and parameters of the HTTP API, validated at the edge of every handler. */

const name = z.string().min(1);

export const dataVersionSchema = z.object({
  stateVersion: z.number().int().default(0),
  timestamp: z.number().int(),
  counter: z.number().int(),
});

export const queueDataSchema = z.object({
  brokerName: name,
  readQueueNums: z.number().int(),
  writeQueueNums: z.number().int(),
  perm: z.number().int(),
  topicSysFlag: z.number().int().default(0),
});

export const topicConfigSchema = z.object({
  topicName: name,
  readQueueNums: z.number().int().default(16),
  writeQueueNums: z.number().int().default(16),
  perm: z.number().int().default(6),
  topicFilterType: z.string().optional(),
  topicSysFlag: z.number().int().default(0),
  order: z.boolean().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});

const topicQueueMappingInfoSchema = z.looseObject({
  topic: z.string().optional(),
  bname: z.string().optional(),
});

const brokerIdentity = {
  clusterName: name,
  brokerAddr: name,
  brokerName: name,
};

export const registerBrokerSchema = z.object({
  ...brokerIdentity,
  brokerId: z.number().int().min(0),
  haServerAddr: z.string().nullish(),
  zoneName: z.string().nullish(),
  heartbeatTimeoutMillis: z.number().int().positive().nullish(),
  enableActingMaster: z.boolean().nullish(),
  /** the connection that carried the registration (set by the tcp-bridge) */
  channel: z.string().nullish(),
  dataVersion: dataVersionSchema.nullish(),
  topicConfigTable: z.record(z.string(), topicConfigSchema).default({}),
  topicQueueMappingInfoMap: z.record(z.string(), topicQueueMappingInfoSchema).default({}),
  /** null leaves the filter-server table untouched (brokers older than 3.0.11) */
  filterServerList: z.array(z.string()).nullable().default([]),
});
export type RegisterBrokerRequest = z.infer<typeof registerBrokerSchema>;

export const unregisterBrokerSchema = z.object({ ...brokerIdentity, brokerId: z.number().int().min(0) });

export const brokerHeartbeatSchema = z.object({
  clusterName: name,
  brokerAddr: name,
  brokerName: z.string().nullish(),
});

export const queryDataVersionSchema = z.object({
  clusterName: name,
  brokerAddr: name,
  brokerName: z.string().nullish(),
  brokerId: z.number().int().nullish(),
  dataVersion: dataVersionSchema.nullish(),
});

export const registerTopicSchema = z.object({ queueDatas: z.array(queueDataSchema).default([]) });

export const putKVSchema = z.object({ value: z.string() });

export const configUpdateSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const unitTopicKindSchema = z.enum(["unit", "hasUnitSub", "hasUnitSubUnUnit"]);

export const bodyFormatSchema = z.enum(["json", "legacy"]).default("json");
