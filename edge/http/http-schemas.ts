import { z } from "zod";
import { isObject } from "../../shared/json-values";
import { DataVersionSchema, QueueDataSchema, RegisterBrokerBodySchema } from "../../shared/body-schemas";
import type { RegisterBrokerBody } from "../../shared/model";

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
  /** a digest of the wire body: a later re-registration with the same digest may leave the body out */
  bodyDigest: z.string().min(1).nullish(),
  ...RegisterBrokerBodySchema.shape,
});

/**
 * What `POST /brokers/register` validates itself: who registers. The body's fields (dataVersion,
 * topicConfigTable, topicQueueMappingInfoMap, filterServerList) are checked by the NameServer
 * whoever sends them (edge/service/register-body-rules.ts), so they pass through as they came.
 */
export const registerBrokerHeadSchema = registerBrokerSchema.omit({
  dataVersion: true,
  topicConfigTable: true,
  topicQueueMappingInfoMap: true,
  filterServerList: true,
});

/** registerBrokerHeadSchema keeping the body's fields as they came, for registerBodyOf. */
export const registerBrokerRequestSchema = registerBrokerHeadSchema.loose();

/**
 * The register body's fields of a JSON registration request, unchecked: the NameServer checks them
 * (edge/service/register-body-rules.ts) whoever sends them.
 */
export function registerBodyOf(request: object): RegisterBrokerBody {
  const { dataVersion, topicConfigTable, topicQueueMappingInfoMap, filterServerList } = request as Record<string, never>;
  return { dataVersion, topicConfigTable, topicQueueMappingInfoMap, filterServerList };
}

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
