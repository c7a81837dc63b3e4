/**
 * zod schemas of the NameServer's bodies in their plain (standard JSON) form: what the HTTP API
 * accepts and returns, and what the OpenAPI document describes. The wire decoders in
 * body-codec.ts and register-body.ts are more lenient, as fastjson is (numbers as strings, bare keys).
 * TopicConfig's schema is in topic-config.ts, beside its other forms.
 */
import { z } from "zod";
import { TopicConfigSchema } from "./topic-config";

const int = z.number().int();
const name = z.string().min(1);
/** Maps keyed by a broker id or queue id: decimal keys. */
const idKey = z.string().regex(/^-?\d+$/, "expected a decimal id");

export const DataVersionSchema = z.object({
  stateVersion: int.default(0),
  timestamp: int,
  counter: int,
});

export const QueueDataSchema = z.object({
  brokerName: name,
  readQueueNums: int,
  writeQueueNums: int,
  perm: int,
  topicSysFlag: int.default(0),
});

export const BrokerDataSchema = z.object({
  cluster: z.string(),
  brokerName: name,
  brokerAddrs: z.record(idKey, z.string()),
  enableActingMaster: z.boolean().default(false),
  zoneName: z.string().optional(),
});

export const TopicQueueMappingInfoSchema = z.looseObject({
  topic: z.string().optional(),
  scope: z.string().optional(),
  totalQueues: int.optional(),
  bname: z.string().optional(),
  epoch: int.optional(),
  dirty: z.boolean().optional(),
  currIdMap: z.record(idKey, int).optional(),
});

export const TopicRouteDataSchema = z.object({
  orderTopicConf: z.string().optional(),
  queueDatas: z.array(QueueDataSchema),
  brokerDatas: z.array(BrokerDataSchema),
  filterServerTable: z.record(z.string(), z.array(z.string())),
  topicQueueMappingByBroker: z.record(z.string(), TopicQueueMappingInfoSchema).optional(),
});

/** The topic part of REGISTER_BROKER, whichever wire form it came in. */
export const RegisterBrokerBodySchema = z.object({
  dataVersion: DataVersionSchema.nullish(),
  topicConfigTable: z.record(z.string(), TopicConfigSchema).default({}),
  topicQueueMappingInfoMap: z.record(z.string(), TopicQueueMappingInfoSchema).default({}),
  /** null leaves the filter-server table untouched (brokers older than 3.0.11) */
  filterServerList: z.array(z.string()).nullable().default([]),
});

export const ClusterInfoSchema = z.object({
  brokerAddrTable: z.record(z.string(), BrokerDataSchema),
  clusterAddrTable: z.record(z.string(), z.array(z.string())),
});

export const TopicListSchema = z.object({
  topicList: z.array(z.string()),
  brokerAddr: z.string().optional(),
});

export const KVTableSchema = z.object({ table: z.record(z.string(), z.string()) });

export const BrokerMemberGroupBodySchema = z.object({
  brokerMemberGroup: z.object({
    cluster: z.string().optional(),
    brokerName: z.string().optional(),
    brokerAddrs: z.record(idKey, z.string()),
  }),
});
