/**
 * zod schemas of the NameServer's bodies in their plain (standard JSON) form: what the HTTP API
 * accepts and returns, and what the OpenAPI document describes. The wire decoders in
 * body-codec.ts and register-body.ts are more lenient, as fastjson is (numbers as strings, bare keys).
 */
import { z } from "zod";
import { isObject } from "./json-values";

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

export const TopicConfigSchema = z.object({
  topicName: name,
  readQueueNums: int.default(16),
  writeQueueNums: int.default(16),
  perm: int.default(6),
  topicFilterType: z.enum(["SINGLE_TAG", "MULTI_TAG"]).optional(),
  topicSysFlag: int.default(0),
  order: z.boolean().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});

export type TopicConfigOutput = z.output<typeof TopicConfigSchema>;

const TOPIC_FILTER_TYPES: ReadonlySet<unknown> = new Set(TopicConfigSchema.shape.topicFilterType.unwrap().options);

/**
 * TopicConfigSchema's output for a value whose every field already has its JSON type (brokers and
 * the tcp-bridge send them so, thousands per registration), checked without zod; null when the
 * schema has to decide (defaults to fill, or an error to report).
 */
export function plainTopicConfig(v: unknown): TopicConfigOutput | null {
  if (!isObject(v)) return null;
  const { topicName, readQueueNums, writeQueueNums, perm, topicFilterType, topicSysFlag, order, attributes } = v;
  if (typeof topicName !== "string" || topicName.length === 0) return null;
  if (!Number.isSafeInteger(readQueueNums) || !Number.isSafeInteger(writeQueueNums) || !Number.isSafeInteger(perm)) return null;
  if (!Number.isSafeInteger(topicSysFlag)) return null;
  if (topicFilterType !== undefined && !TOPIC_FILTER_TYPES.has(topicFilterType)) return null;
  if (order !== undefined && typeof order !== "boolean") return null;
  const out: TopicConfigOutput = {
    topicName,
    readQueueNums: readQueueNums as number,
    writeQueueNums: writeQueueNums as number,
    perm: perm as number,
    topicSysFlag: topicSysFlag as number,
  };
  if (topicFilterType !== undefined) out.topicFilterType = topicFilterType as TopicConfigOutput["topicFilterType"];
  if (order !== undefined) out.order = order;
  if (attributes !== undefined) {
    if (!isObject(attributes) || Object.hasOwn(attributes, "__proto__")) return null;
    const copy: Record<string, string> = {};
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key)) continue;
      const value = attributes[key];
      if (typeof value !== "string") return null;
      copy[key] = value;
    }
    out.attributes = copy;
  }
  return out;
}

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
