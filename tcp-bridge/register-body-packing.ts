/**
 * A decoded REGISTER_BROKER body in a form that crosses from a Worker to the event loop cheaply.
 *
 * Structured clone of 100,000 TopicConfig objects costs the receiving thread about as much as
 * decoding them did; as columns (names in one string, numbers in one transferable array) the
 * message is a few buffers, and the objects are built again in slices between which the event loop
 * serves other clients.
 *
 * The columns hold only topics that are already what the HTTP API's schema makes of a TopicConfig
 * (plainTopicConfig), and the rest is checked as it is rebuilt: a table rebuilt so is marked
 * (holdsCheckedTopicConfigs), and the bridge does not check its 100,000 topics a second time.
 */
import { KeyList, rememberKeys } from "../edge/event-loop-slices";
import { setOwn } from "../shared/body-codec";
import { plainTopicConfig, type TopicConfigOutput } from "../shared/body-schemas";
import type { RegisterBrokerBody, TopicConfig } from "../shared/model";

export interface PackedRegisterBody {
  dataVersion: RegisterBrokerBody["dataVersion"];
  filterServerList: RegisterBrokerBody["filterServerList"];
  topicQueueMappingInfoMap: RegisterBrokerBody["topicQueueMappingInfoMap"];
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

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const FILTER_TYPES = ["SINGLE_TAG", "MULTI_TAG"] as const;

/** Topics rebuilt per slice; between slices the event loop runs (a slice takes a millisecond or two). */
export const UNPACK_SLICE_TOPICS = 1024;

/**
 * Writes `tc` at `index` of `numbers`; false when a field does not fit the columns, or when the
 * HTTP API's schema would make anything else of `tc` than `tc` itself.
 */
function packTopic(tc: TopicConfig, numbers: Float64Array, index: number): boolean {
  const filter = FILTER_TYPES.indexOf(tc.topicFilterType as (typeof FILTER_TYPES)[number]);
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
  return {
    packed: {
      dataVersion: body.dataVersion,
      filterServerList: body.filterServerList,
      topicQueueMappingInfoMap: body.topicQueueMappingInfoMap,
      names: names.join(""),
      nameLengths: lengths,
      numbers: values,
      attributes,
      others,
    },
    transfer: [lengths.buffer, values.buffer],
  };
}

/** Topic tables whose every value is a TopicConfigOutput (what unpackRegisterBody checked). */
const checkedTables = new WeakSet<object>();

/**
 * Whether `table` is a topic table rebuilt by unpackRegisterBody whose every value is exactly what
 * the HTTP API's schema (TopicConfigSchema) makes of it, as long as nobody changed it since.
 */
export function holdsCheckedTopicConfigs(table: unknown): table is Record<string, TopicConfigOutput> {
  return typeof table === "object" && table !== null && checkedTables.has(table);
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
      topicFilterType: FILTER_TYPES[numbers[at + 4]],
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
  if (checked) checkedTables.add(topicConfigTable);
  return {
    dataVersion: packed.dataVersion,
    topicConfigTable,
    topicQueueMappingInfoMap: packed.topicQueueMappingInfoMap,
    filterServerList: packed.filterServerList,
  };
}
