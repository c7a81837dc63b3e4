import { z } from "zod";
import { isObject, setOwn } from "../shared/json-values";
import { DataVersionSchema, QueueDataSchema, RegisterBrokerBodySchema, TopicQueueMappingInfoSchema } from "../shared/body-schemas";
import { plainTopicConfig, TopicConfigSchema, type TopicConfigOutput } from "../shared/topic-config";
import { KeyList, keysOf, rememberKeys, type Slices } from "./event-loop-slices";

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
  const keys = new KeyList();
  for (const key in table) {
    if (!Object.hasOwn(table, key)) continue;
    const config = plainTopicConfig(table[key]);
    if (config === null) return null;
    topicConfigTable[key] = config;
    keys.add(key);
  }
  const rest = registerBrokerWithoutTopics.safeParse({ ...raw, topicConfigTable: undefined });
  if (!rest.success) return null;
  // later steps take the keys from here instead of listing them again
  rememberKeys(topicConfigTable, keys.keys());
  return { ...rest.data, topicConfigTable };
}

const registerBrokerWithoutTables = registerBrokerSchema.omit({ topicConfigTable: true, topicQueueMappingInfoMap: true });

export type RegisterBrokerParse = { success: true; data: RegisterBrokerRequest } | { success: false; issues: z.core.$ZodIssue[] };

/**
 * registerBrokerSchema.safeParse for a registration of many topics, in slices: the same output and
 * the same issues, but the topic configs and mappings are checked a few at a time with `slices`,
 * so that the event loop serves other requests in between. `topicsChecked`: the topic table's
 * values are TopicConfigOutput already (see the bridge's register-body-packing) and are taken as
 * they are.
 */
export async function parseRegisterBrokerRequestInSlices(raw: unknown, slices: Slices, topicsChecked = false): Promise<RegisterBrokerParse> {
  if (!isObject(raw)) return registerBrokerSchema.safeParse(raw) as RegisterBrokerParse;
  const { topicConfigTable, topicQueueMappingInfoMap, ...head } = raw;
  const parsedHead = registerBrokerWithoutTables.safeParse(head);
  const headIssues = parsedHead.success ? [] : parsedHead.error.issues;
  const topics =
    topicsChecked && isObject(topicConfigTable) && !Object.hasOwn(topicConfigTable, "__proto__")
      ? { values: topicConfigTable as Record<string, TopicConfigOutput>, issues: [] }
      : await parseRecordInSlices("topicConfigTable", topicConfigTable, parseTopicConfig, slices);
  const mappings = await parseRecordInSlices("topicQueueMappingInfoMap", topicQueueMappingInfoMap, parseMappingInfo, slices);
  // in the order of the schema's fields (filterServerList comes after the tables)
  const isLast = (issue: z.core.$ZodIssue) => issue.path[0] === "filterServerList";
  const issues = [...headIssues.filter((i) => !isLast(i)), ...topics.issues, ...mappings.issues, ...headIssues.filter(isLast)];
  if (!parsedHead.success || issues.length > 0) return { success: false, issues };
  return { success: true, data: { ...parsedHead.data, topicConfigTable: topics.values, topicQueueMappingInfoMap: mappings.values } };
}

type ValueParse<T> = { success: true; data: T } | { success: false; error: z.ZodError };

/** TopicConfigSchema.safeParse, without zod for a plain TopicConfig. */
function parseTopicConfig(value: unknown): ValueParse<TopicConfigOutput> {
  const plain = plainTopicConfig(value);
  return plain ? { success: true, data: plain } : TopicConfigSchema.safeParse(value);
}

const parseMappingInfo = (value: unknown) => TopicQueueMappingInfoSchema.safeParse(value);

/**
 * A `z.record(z.string(), schema).default({})` field of registerBrokerSchema checked value by value
 * (`parse`), yielding to the event loop as `slices` says. As zod does, a `__proto__` key is left out.
 */
async function parseRecordInSlices<T extends object>(
  field: "topicConfigTable" | "topicQueueMappingInfoMap",
  record: unknown,
  parse: (value: unknown) => ValueParse<T>,
  slices: Slices,
): Promise<{ values: Record<string, T>; issues: z.core.$ZodIssue[] }> {
  const values: Record<string, T> = {};
  const issues: z.core.$ZodIssue[] = [];
  if (record === undefined) return { values, issues };
  if (!isObject(record)) {
    const whole = registerBrokerSchema.shape[field].safeParse(record);
    if (!whole.success) issues.push(...whole.error.issues.map((i) => ({ ...i, path: [field, ...i.path] })));
    return { values, issues };
  }
  const keys = new KeyList();
  for (const key of keysOf(record)) {
    if (key === "__proto__") continue;
    if (slices.due()) await slices.next();
    const parsed = parse(record[key]);
    if (parsed.success) {
      setOwn(values, key, parsed.data);
      keys.add(key);
    } else issues.push(...parsed.error.issues.map((i) => ({ ...i, path: [field, key, ...i.path] })));
  }
  rememberKeys(values, keys.keys());
  return { values, issues };
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
