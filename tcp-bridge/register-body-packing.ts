/**
 * A decoded REGISTER_BROKER body in a form that crosses from a Worker to the event loop cheaply.
 *
 * Structured clone of 100,000 TopicConfig objects costs the receiving thread about as much as
 * decoding them did; as columns (names in one string, numbers in one transferable array) the
 * message is a few buffers, and the objects are built again in slices between which the event loop
 * serves other clients.
 *
 * Topic mappings travel the same way, each as its JSON text, so that a body of 100,000 mappings
 * does not cost the event loop one long structured clone either.
 *
 * The columns hold only topics that are already what the HTTP API's schema makes of a TopicConfig
 * (plainTopicConfig), and the rest is checked as it is rebuilt: a table rebuilt so is marked
 * (holdsCheckedTopicConfigs), and the bridge does not check its 100,000 topics a second time.
 */
import { KeyList, nextTurn, rememberKeys } from "../shared/event-loop-slices";
import { setOwn } from "../shared/json-values";
import { markCheckedTopicConfigs } from "../shared/checked-topic-tables";
import { plainTopicConfig, TOPIC_FILTER_TYPES, type TopicConfigOutput } from "../shared/topic-config";
import type { RegisterBrokerBody, TopicConfig, TopicQueueMappingInfo } from "../shared/model";

/** Strings one after the other in one string, with the length of each. */
export interface TextColumn {
  text: string;
  lengths: Uint32Array<ArrayBuffer>;
}

export interface PackedRegisterBody {
  dataVersion: RegisterBrokerBody["dataVersion"];
  filterServerList: RegisterBrokerBody["filterServerList"];
  /** the mappings' topics, and the JSON text of each mapping */
  mappingTopics: TextColumn;
  mappingJson: TextColumn;
  /** mappings that JSON would not give back exactly (-0, an infinite number), as they are */
  otherMappings: Array<[string, TopicQueueMappingInfo]>;
  /** every packed topic name, one after the other */
  names: string;
  /** length of each packed name */
  nameLengths: Uint32Array;
  /** NUMBERS_PER_TOPIC values per packed topic (see packTopic) */
  numbers: Float64Array;
  /** the non-empty attributes, by index of their packed topic */
  attributes: Array<[number, Record<string, string>]>;
  /** topics whose fields do not fit the columns, as they are */
  others: TopicConfig[];
}

const NUMBERS_PER_TOPIC = 6;

/** Topics rebuilt per slice; between slices the event loop runs (a slice takes a millisecond or two). */
export const UNPACK_SLICE_TOPICS = 1024;

/**
 * Writes `tc` at `index` of `numbers`; false when a field does not fit the columns, or when the
 * HTTP API's schema would make anything else of `tc` than `tc` itself.
 */
function packTopic(tc: TopicConfig, numbers: Float64Array, index: number): boolean {
  const filter = TOPIC_FILTER_TYPES.indexOf(tc.topicFilterType as (typeof TOPIC_FILTER_TYPES)[number]);
  if (filter < 0 || typeof tc.order !== "boolean" || tc.attributes === undefined) return false;
  if (plainTopicConfig(tc) === null) return false;
  const at = index * NUMBERS_PER_TOPIC;
  numbers[at] = tc.readQueueNums;
  numbers[at + 1] = tc.writeQueueNums;
  numbers[at + 2] = tc.perm;
  numbers[at + 3] = tc.topicSysFlag;
  numbers[at + 4] = filter;
  numbers[at + 5] = tc.order ? 1 : 0;
  return true;
}

/** Whether JSON.parse(JSON.stringify(value)) gives `value` back exactly (values decoded from JSON). */
function survivesJson(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== "object" || value === null) return true;
  if (Array.isArray(value)) return value.every(survivesJson);
  for (const key in value) if (Object.hasOwn(value, key) && !survivesJson((value as Record<string, unknown>)[key])) return false;
  return true;
}

function textColumn(texts: string[]): TextColumn {
  return { text: texts.join(""), lengths: Uint32Array.from(texts, (t) => t.length) };
}

function packMappings(mappings: RegisterBrokerBody["topicQueueMappingInfoMap"]) {
  const topics: string[] = [];
  const json: string[] = [];
  const others: Array<[string, TopicQueueMappingInfo]> = [];
  for (const [topic, info] of Object.entries(mappings ?? {})) {
    if (!survivesJson(info)) {
      others.push([topic, info]);
      continue;
    }
    topics.push(topic);
    json.push(JSON.stringify(info));
  }
  return { mappingTopics: textColumn(topics), mappingJson: textColumn(json), otherMappings: others };
}

function hasEntries(record: Record<string, string>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

/** The packed body and the buffers to transfer with it. */
export function packRegisterBody(body: RegisterBrokerBody): { packed: PackedRegisterBody; transfer: ArrayBuffer[] } {
  const topics = Object.values(body.topicConfigTable);
  const names: string[] = [];
  const nameLengths = new Uint32Array(topics.length);
  const numbers = new Float64Array(topics.length * NUMBERS_PER_TOPIC);
  const attributes: Array<[number, Record<string, string>]> = [];
  const others: TopicConfig[] = [];
  let packed = 0;
  for (const tc of topics) {
    if (!packTopic(tc, numbers, packed)) {
      others.push(tc);
      continue;
    }
    names.push(tc.topicName);
    nameLengths[packed] = tc.topicName.length;
    if (hasEntries(tc.attributes!)) attributes.push([packed, tc.attributes!]);
    packed++;
  }
  const lengths = nameLengths.subarray(0, packed).slice();
  const values = numbers.subarray(0, packed * NUMBERS_PER_TOPIC).slice();
  const mappings = packMappings(body.topicQueueMappingInfoMap);
  return {
    packed: {
      dataVersion: body.dataVersion,
      filterServerList: body.filterServerList,
      ...mappings,
      names: names.join(""),
      nameLengths: lengths,
      numbers: values,
      attributes,
      others,
    },
    transfer: [lengths.buffer, values.buffer, mappings.mappingTopics.lengths.buffer, mappings.mappingJson.lengths.buffer],
  };
}

/** The body again, built UNPACK_SLICE_TOPICS topics per turn of the event loop. */
export async function unpackRegisterBody(packed: PackedRegisterBody): Promise<RegisterBrokerBody> {
  const { names, nameLengths, numbers } = packed;
  const attributes = new Map(packed.attributes);
  const topicConfigTable: Record<string, TopicConfig> = {};
  const keys = new KeyList();
  const put = (topicName: string, tc: TopicConfig) => {
    if (!Object.hasOwn(topicConfigTable, topicName)) keys.add(topicName);
    setOwn(topicConfigTable, topicName, tc);
  };
  let checked = true;
  let offset = 0;
  for (let i = 0; i < nameLengths.length; i++) {
    if (i > 0 && i % UNPACK_SLICE_TOPICS === 0) await nextTurn();
    const topicName = names.slice(offset, offset + nameLengths[i]);
    offset += nameLengths[i];
    const at = i * NUMBERS_PER_TOPIC;
    put(topicName, {
      topicName,
      readQueueNums: numbers[at],
      writeQueueNums: numbers[at + 1],
      perm: numbers[at + 2],
      topicFilterType: TOPIC_FILTER_TYPES[numbers[at + 4]],
      topicSysFlag: numbers[at + 3],
      order: numbers[at + 5] === 1,
      attributes: attributes.get(i) ?? {},
    });
  }
  for (let i = 0; i < packed.others.length; i++) {
    if (i > 0 && i % UNPACK_SLICE_TOPICS === 0) await nextTurn();
    const tc = packed.others[i];
    const plain = checked ? plainTopicConfig(tc) : null;
    if (plain === null) checked = false;
    put(tc.topicName, plain ?? tc);
  }
  // later steps walk the table's keys in slices instead of listing 100,000 of them at once
  rememberKeys(topicConfigTable, keys.keys());
  if (checked) markCheckedTopicConfigs(topicConfigTable);
  return {
    dataVersion: packed.dataVersion,
    topicConfigTable,
    topicQueueMappingInfoMap: await unpackMappings(packed),
    filterServerList: packed.filterServerList,
  };
}

async function unpackMappings(packed: PackedRegisterBody): Promise<Record<string, TopicQueueMappingInfo>> {
  const mappings: Record<string, TopicQueueMappingInfo> = {};
  const keys = new KeyList();
  const put = (topic: string, info: TopicQueueMappingInfo) => {
    if (!Object.hasOwn(mappings, topic)) keys.add(topic);
    setOwn(mappings, topic, info);
  };
  const { mappingTopics, mappingJson } = packed;
  let topicAt = 0;
  let jsonAt = 0;
  for (let i = 0; i < mappingTopics.lengths.length; i++) {
    if (i > 0 && i % UNPACK_SLICE_TOPICS === 0) await nextTurn();
    const topic = mappingTopics.text.slice(topicAt, (topicAt += mappingTopics.lengths[i]));
    put(topic, JSON.parse(mappingJson.text.slice(jsonAt, (jsonAt += mappingJson.lengths[i]))));
  }
  for (const [topic, info] of packed.otherMappings) put(topic, info);
  rememberKeys(mappings, keys.keys());
  return mappings;
}
