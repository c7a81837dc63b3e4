/**
 * What a REGISTER_BROKER body must be before it reaches the store, whoever sends it (a broker
 * through the tcp-bridge, an HTTP client): RegisterBrokerBodySchema's rule. A large body is checked
 * a few topics at a time, so that the event loop serves other requests in between; the result and
 * the issues are exactly those of RegisterBrokerBodySchema.safeParse.
 */
import type { z } from "zod";
import { RegisterBrokerBodySchema, TopicQueueMappingInfoSchema } from "../../shared/body-schemas";
import { isObject, setOwn } from "../../shared/json-values";
import { plainTopicConfig, TopicConfigSchema, type TopicConfigOutput } from "../../shared/topic-config";
import { holdsCheckedTopicConfigs } from "../../shared/checked-topic-tables";
import { KeyList, keysOf, rememberKeys, type Slices } from "../../shared/event-loop-slices";
import type { RegisterBrokerBody } from "../../shared/model";
import { invalidInput } from "../port/namesrv-error";

export type RegisterBodyParse = { success: true; data: RegisterBrokerBody } | { success: false; issues: z.core.$ZodIssue[] };

const bodyWithoutTables = RegisterBrokerBodySchema.omit({ topicConfigTable: true, topicQueueMappingInfoMap: true });

/** The body as RegisterBrokerBodySchema makes it; throws its issues as a 400 / SYSTEM_ERROR. */
export async function validRegisterBody(body: unknown, slices: Slices): Promise<RegisterBrokerBody> {
  const parsed = await parseRegisterBody(body, slices);
  if (!parsed.success) throw invalidInput(parsed.issues, "body");
  return parsed.data;
}

/** RegisterBrokerBodySchema.safeParse, in slices. */
export async function parseRegisterBody(body: unknown, slices: Slices): Promise<RegisterBodyParse> {
  if (!isObject(body)) return RegisterBrokerBodySchema.safeParse(body) as RegisterBodyParse;
  const { topicConfigTable, topicQueueMappingInfoMap, ...head } = body;
  const parsedHead = bodyWithoutTables.safeParse(head);
  const headIssues = parsedHead.success ? [] : parsedHead.error.issues;
  // a checked table is taken as it is, unless it holds a "__proto__" topic (which the schema leaves out)
  const topics =
    holdsCheckedTopicConfigs(topicConfigTable) && !Object.hasOwn(topicConfigTable, "__proto__")
    ? { values: topicConfigTable, issues: [] }
    : await parseRecordInSlices("topicConfigTable", topicConfigTable, parseTopicConfig, slices);
  const mappings = await parseRecordInSlices("topicQueueMappingInfoMap", topicQueueMappingInfoMap, parseMappingInfo, slices);
  // in the order of the schema's fields (filterServerList comes after the tables)
  const isLast = (issue: z.core.$ZodIssue) => issue.path[0] === "filterServerList";
  const issues = [...headIssues.filter((i) => !isLast(i)), ...topics.issues, ...mappings.issues, ...headIssues.filter(isLast)];
  if (!parsedHead.success || issues.length > 0) return { success: false, issues };
  const data: RegisterBrokerBody = {
    dataVersion: parsedHead.data.dataVersion ?? null,
    topicConfigTable: topics.values,
    topicQueueMappingInfoMap: mappings.values,
    filterServerList: parsedHead.data.filterServerList,
  };
  return { success: true, data };
}

type ValueParse<T> = { success: true; data: T } | { success: false; error: z.ZodError };

/** TopicConfigSchema.safeParse, without zod for a plain TopicConfig. */
function parseTopicConfig(value: unknown): ValueParse<TopicConfigOutput> {
  const plain = plainTopicConfig(value);
  return plain ? { success: true, data: plain } : TopicConfigSchema.safeParse(value);
}

const parseMappingInfo = (value: unknown) => TopicQueueMappingInfoSchema.safeParse(value);

/**
 * A `z.record(z.string(), schema).default({})` field of RegisterBrokerBodySchema checked value by
 * value (`parse`), yielding to the event loop as `slices` says. As zod does, a `__proto__` key is
 * left out.
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
    const whole = RegisterBrokerBodySchema.shape[field].safeParse(record);
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
