import { z } from "zod";
import { isObject } from "../shared/body-codec";
import { DataVersionSchema, plainTopicConfig, QueueDataSchema, RegisterBrokerBodySchema, type TopicConfigOutput } from "../shared/body-schemas";

/** Request bodies and parameters of the HTTP API, validated at the edge of every handler. */

const name = z.string().min(1);

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
  /** a digest of the wire body, for later refresh-registration calls */
  bodyDigest: z.string().min(1).nullish(),
  ...RegisterBrokerBodySchema.shape,
});

const registerBrokerWithoutTopics = registerBrokerSchema.omit({ topicConfigTable: true });

/**
 * registerBrokerSchema's output, reached faster when every topic of the table is a plain
 * TopicConfig (see plainTopicConfig): only the rest of the request goes through zod. null when
 * the schema itself has to decide.
 */
export function plainRegisterBrokerRequest(raw: unknown): RegisterBrokerRequest | null {
  if (!isObject(raw)) return null;
  const table = raw.topicConfigTable;
  if (!isObject(table) || Object.hasOwn(table, "__proto__")) return null;
  const topicConfigTable: Record<string, TopicConfigOutput> = {};
  for (const key in table) {
    if (!Object.hasOwn(table, key)) continue;
    const config = plainTopicConfig(table[key]);
    if (config === null) return null;
    topicConfigTable[key] = config;
  }
  const rest = registerBrokerWithoutTopics.safeParse({ ...raw, topicConfigTable: undefined });
  return rest.success ? { ...rest.data, topicConfigTable } : null;
}

/** A re-registration announced by its body's digest only. */
export const refreshRegistrationSchema = registerBrokerSchema
  .pick({
    clusterName: true,
    brokerAddr: true,
    brokerName: true,
    brokerId: true,
    haServerAddr: true,
    zoneName: true,
    heartbeatTimeoutMillis: true,
    enableActingMaster: true,
    channel: true,
  })
  .extend({ bodyDigest: z.string().min(1) });
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
  dataVersion: DataVersionSchema.nullish(),
});

export const registerTopicSchema = z.object({ queueDatas: z.array(QueueDataSchema).default([]) });

export const putKVSchema = z.object({ value: z.string() });

export const configUpdateSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/**
 * configUpdateSchema's output without zod when every value is a string, number or boolean: an
 * update may carry any number of keys, most of which the config manager then ignores.
 */
export function plainConfigUpdate(raw: unknown): z.infer<typeof configUpdateSchema> | null {
  if (!isObject(raw)) return null;
  for (const key in raw) {
    const type = typeof raw[key];
    if (type !== "string" && type !== "number" && type !== "boolean") return null;
  }
  return raw as z.infer<typeof configUpdateSchema>;
}

export const unitTopicKindSchema = z.enum(["unit", "hasUnitSub", "hasUnitSubUnUnit"]);

export const bodyFormatSchema = z.enum(["json", "legacy"]).default("json");
