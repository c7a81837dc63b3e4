import { z } from "zod";
import { DataVersionSchema, QueueDataSchema, RegisterBrokerBodySchema } from "../shared/body-schemas";

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

export const unitTopicKindSchema = z.enum(["unit", "hasUnitSub", "hasUnitSubUnUnit"]);

export const bodyFormatSchema = z.enum(["json", "legacy"]).default("json");
