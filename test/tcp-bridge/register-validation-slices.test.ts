/**
 * Validation of large registrations without holding the event loop: the NameServer's sliced check
 * of a register body answers exactly what RegisterBrokerBodySchema answers, and a topic table
 * rebuilt from the register-body Worker's columns is already what the schema makes of it, so it is
 * not checked again.
 */
import { describe, expect, it } from "vitest";
import { defaultNamesrvConfig } from "../../edge/config/namesrv-config";
import { checkRegisteredTopics } from "../../edge/service/name-rules";
import { parseRegisterBody } from "../../edge/service/register-body-rules";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import type { BrokerRegistration } from "../../edge/store/store";
import { RegisterBrokerBodySchema } from "../../shared/body-schemas";
import { holdsCheckedTopicConfigs } from "../../shared/checked-topic-tables";
import { ResponseCode } from "../../shared/codes";
import { keysOf, rememberKeys, Slices } from "../../shared/event-loop-slices";
import { decodeRegisterBrokerBody } from "../../shared/register-body";
import { boundedInflate } from "../../tcp-bridge/register-body-job";
import { packRegisterBody, unpackRegisterBody } from "../../tcp-bridge/register-body-packing";
import { inProcessNamesrv } from "../support/in-process-namesrv";
import { seededRandom } from "../support/seeded-random";

const ABSENT = Symbol("absent");
const pick = <T,>(next: () => number, values: readonly T[]): T => values[Math.floor(next() * values.length)];

/** Sets `key` as an own property, "__proto__" included. */
function put(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Fields drawn mostly from plain values, sometimes from odd ones (one or two per value). */
function value(next: () => number, plain: Record<string, unknown>, odd: Record<string, readonly unknown[]>): unknown {
  const out: Record<string, unknown> = { ...plain };
  const changes = next() < 0.6 ? 0 : 1 + Math.floor(next() * 2);
  for (let i = 0; i < changes; i++) {
    const field = pick(next, Object.keys(odd));
    const v = pick(next, odd[field]);
    if (v === ABSENT) delete out[field];
    else out[field] = v;
  }
  return out;
}

const INTS = [0, 8, -1, 2 ** 53, 1.5, "8", null, ABSENT] as const;
const ODD_TOPIC_FIELDS = {
  topicName: ["TopicA", "", 7, ABSENT],
  readQueueNums: INTS,
  perm: INTS,
  topicSysFlag: INTS,
  topicFilterType: ["MULTI_TAG", "OTHER", null, ABSENT],
  order: [true, "true", null, ABSENT],
  attributes: [{ "+a": "1" }, { a: 1 }, [], null, ABSENT],
};
const ODD_MAPPING_FIELDS = {
  topic: ["T", 1, ABSENT],
  bname: ["broker-b", null, ABSENT],
  epoch: [1, 1.5, "1", ABSENT],
  currIdMap: [{ "0": 1 }, { x: 1 }, { "1": "a" }, ABSENT],
  dirty: [true, "no", ABSENT],
};

function table(next: () => number, size: number, make: (key: string) => unknown): unknown {
  const roll = next();
  if (roll < 0.04) return pick(next, [null, [], "x", 5]);
  if (roll < 0.08) return undefined;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    const key = pick(next, [`T${i}`, String(i), "__proto__", `%RETRY%g${i}`]);
    put(out, key, make(key));
  }
  return out;
}

/** A register body as the bridge or an HTTP client could send it. */
function request(next: () => number): Record<string, unknown> {
  const size = Math.floor(next() * 6);
  const out: Record<string, unknown> = {
    clusterName: next() < 0.05 ? "" : "DefaultCluster",
    brokerAddr: "10.0.0.1:10911",
    brokerName: "broker-a",
    brokerId: next() < 0.05 ? -1 : 0,
    haServerAddr: null,
    zoneName: next() < 0.1 ? "z" : null,
    heartbeatTimeoutMillis: next() < 0.05 ? 1.5 : null,
    enableActingMaster: false,
    channel: "c-1",
    bodyDigest: next() < 0.05 ? "" : "d",
    dataVersion: next() < 0.9 ? { stateVersion: 0, timestamp: 1, counter: 2 } : { timestamp: "x" },
    topicConfigTable: table(next, size, (key) =>
      value(next, { topicName: key, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0, topicFilterType: "SINGLE_TAG", order: false, attributes: {} }, ODD_TOPIC_FIELDS),
    ),
    topicQueueMappingInfoMap: next() < 0.5 ? {} : table(next, 3, () => value(next, { topic: "T", bname: "broker-a", epoch: 1, currIdMap: { "0": 0 } }, ODD_MAPPING_FIELDS)),
    filterServerList: next() < 0.9 ? [] : pick(next, [null, [1], "x"]),
    unknownField: 1,
  };
  if (next() < 0.05) delete out.brokerName;
  return out;
}

const parsedAsSchema = (raw: unknown) => {
  const parsed = RegisterBrokerBodySchema.safeParse(raw);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, issues: parsed.error.issues };
};

describe("parseRegisterBody", () => {
  it("answers exactly what RegisterBrokerBodySchema answers, output and issues (random bodies)", async () => {
    const next = seededRandom(20261125);
    const outcomes = { valid: 0, invalid: 0 };
    for (let i = 0; i < 1500; i++) {
      const raw = request(next);
      const sliced = await parseRegisterBody(raw, new Slices(next() < 0.5 ? 0 : 2));
      const expected = parsedAsSchema(raw);
      expect(sliced, JSON.stringify(raw)).toStrictEqual(expected);
      outcomes[sliced.success ? "valid" : "invalid"]++;
      // the keys remembered for later steps are the tables' own keys, in their order
      if (sliced.success) {
        expect(keysOf(sliced.data.topicConfigTable)).toEqual(Object.keys(sliced.data.topicConfigTable));
        expect(keysOf(sliced.data.topicQueueMappingInfoMap)).toEqual(Object.keys(sliced.data.topicQueueMappingInfoMap));
      }
    }
    expect(outcomes.valid).toBeGreaterThan(300);
    expect(outcomes.invalid).toBeGreaterThan(300);
  });

  it("lets the event loop run between slices of a large table", async () => {
    const topicConfigTable: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) topicConfigTable[`T${i}`] = { topicName: `T${i}`, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 };
    const raw = { topicConfigTable };
    const events: string[] = [];
    const parsing = parseRegisterBody(raw, new Slices(0)).then((parsed) => {
      events.push("parsed");
      return parsed;
    });
    setImmediate(() => events.push("other request"));
    expect((await parsing).success).toBe(true);
    expect(events).toEqual(["other request", "parsed"]);
  });
});

/** A REGISTER_BROKER body in its JSON form with `topics` as written (odd values included). */
function wireBody(topics: Array<[string, string]>): Uint8Array {
  const table = topics.map(([name, fields]) => `${JSON.stringify(name)}:{${fields}}`).join(",");
  return new TextEncoder().encode(
    `{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"stateVersion":0,"timestamp":5},"topicConfigTable":{${table}}}}`,
  );
}

const WIRE_ODD_FIELDS: Record<string, readonly string[]> = {
  readQueueNums: ['"readQueueNums":"8"', '"readQueueNums":99999999999999999999', '"readQueueNums":1.5', '"readQueueNums":null', ""],
  perm: ['"perm":"6"', '"perm":-7', ""],
  topicSysFlag: ['"topicSysFlag":true', ""],
  topicFilterType: ['"topicFilterType":"MULTI_TAG"', '"topicFilterType":"NOPE"', '"topicFilterType":3', ""],
  order: ['"order":"true"', '"order":1', '"order":null', ""],
  attributes: ['"attributes":{"+a":"1"}', '"attributes":{"a":1,"b":{"c":2}}', '"attributes":{"__proto__":"x"}', '"attributes":[]', ""],
};
const WIRE_PLAIN_FIELDS: Record<string, string> = {
  readQueueNums: '"readQueueNums":4',
  writeQueueNums: '"writeQueueNums":4',
  perm: '"perm":6',
  topicSysFlag: '"topicSysFlag":0',
  topicFilterType: '"topicFilterType":"SINGLE_TAG"',
  order: '"order":false',
  attributes: '"attributes":{}',
};

describe("topic tables rebuilt from the register-body Worker's columns", () => {
  it("are marked checked only when the schema would make the same of them; the sliced parser then answers as the schema (random bodies)", async () => {
    const next = seededRandom(77);
    let checked = 0;
    let unchecked = 0;
    for (let i = 0; i < 300; i++) {
      const topics: Array<[string, string]> = [];
      const count = 1 + Math.floor(next() * 8);
      for (let j = 0; j < count; j++) {
        const name = pick(next, [`T${j}`, `${j}`, "__proto__", "", `%DLQ%g${j}`, `T${j}`]);
        const fields = { ...WIRE_PLAIN_FIELDS };
        if (next() < 0.3) {
          const field = pick(next, Object.keys(WIRE_ODD_FIELDS));
          fields[field] = pick(next, WIRE_ODD_FIELDS[field]);
        }
        const written = Object.values(fields).filter((f) => f !== "");
        topics.push([name, [`"topicName":${JSON.stringify(name)}`, ...written].join(",")]);
      }
      let decoded;
      try {
        decoded = decodeRegisterBrokerBody(wireBody(topics), { version: 479, compressed: false, inflate: boundedInflate, now: 1, maxJsonDepth: 64, maxInflatedBytes: 1 << 20, maxTopics: 100 });
      } catch {
        continue; // refused by the decoder: never reaches validation
      }
      const body = await unpackRegisterBody(structuredClone(packRegisterBody(decoded).packed));
      const table = body.topicConfigTable;
      expect(keysOf(table)).toEqual(Object.keys(table));
      const raw = body;
      const marked = holdsCheckedTopicConfigs(table);
      if (marked) {
        checked++;
        for (const key of Object.keys(table)) {
          const parsed = RegisterBrokerBodySchema.shape.topicConfigTable.safeParse({ [key]: table[key] });
          expect(parsed.success, JSON.stringify(topics)).toBe(true);
          if (key !== "__proto__") expect(parsed.data![key], JSON.stringify(topics)).toStrictEqual(table[key]);
        }
      } else {
        unchecked++;
      }
      const sliced = await parseRegisterBody(raw, new Slices());
      expect(sliced, JSON.stringify(topics)).toStrictEqual(parsedAsSchema(raw));
    }
    expect(checked).toBeGreaterThan(50);
    expect(unchecked).toBeGreaterThan(10);
  });
});

describe("checkRegisteredTopics in slices", () => {
  it("lets the event loop run and still finds a bad topic at the end", async () => {
    const topicConfigTable: Record<string, never> = {};
    for (let i = 0; i < 3000; i++) topicConfigTable[`T${i}`] = { topicName: `T${i}` } as never;
    topicConfigTable["x".repeat(1000)] = { topicName: "x" } as never;
    const events: string[] = [];
    const checking = checkRegisteredTopics(
      { dataVersion: null, topicConfigTable, topicQueueMappingInfoMap: {}, filterServerList: [] },
      { maxNameLength: 255, maxTopicsPerRegistration: 100_000 },
      new Slices(0),
    ).catch((err: Error) => events.push(`refused: ${err.message.slice(0, 22)}`));
    setImmediate(() => events.push("other request"));
    await checking;
    expect(events).toEqual(["other request", "refused: topic of 1000 characte"]);
  });
});

describe("the port with large registrations", () => {
  /** The port over an embedded store that keeps what reached it. */
  function namesrv() {
    const registered: BrokerRegistration[] = [];
    const store = new EmbeddedStore({ kvConfigPath: null });
    const registerBroker = store.registerBroker.bind(store);
    store.registerBroker = (registration) => {
      registered.push(registration);
      return registerBroker(registration);
    };
    return { port: inProcessNamesrv(store, defaultNamesrvConfig("/tmp/namesrv-home")).port, registered };
  }

  const identity = {
    clusterName: "DefaultCluster",
    brokerAddr: "127.0.0.1:10911",
    brokerName: "broker-a",
    brokerId: 0,
    haServerAddr: null,
    zoneName: null,
    heartbeatTimeoutMillis: null,
    enableActingMaster: null,
    channel: "c-1",
    bodyDigest: null,
  };
  const body = (topicConfigTable: Record<string, unknown>) =>
    ({ dataVersion: null, topicConfigTable, topicQueueMappingInfoMap: {}, filterServerList: [] }) as unknown as Parameters<typeof packRegisterBody>[0];
  /** A large table as the body decoder rebuilds it from the Worker's columns, its topics not checked. */
  const rebuiltTable = (count: number, change: (table: Record<string, Record<string, unknown>>) => void) => {
    const table: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < count; i++) table[`T${i}`] = { topicName: `T${i}`, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 };
    change(table);
    rememberKeys(table, Object.keys(table));
    return table;
  };

  it("answers a large registration the schema refuses with the schema's error, and stores nothing", async () => {
    const { port, registered } = namesrv();
    const topicConfigTable = rebuiltTable(3000, (table) => (table.T2999.perm = 1.5));
    await expect(port.registerBroker({ ...identity, body: body(topicConfigTable) })).rejects.toMatchObject({
      status: 400,
      code: ResponseCode.SYSTEM_ERROR,
      message: "invalid body: topicConfigTable.T2999.perm: Invalid input: expected int, received number",
    });
    expect(registered).toEqual([]);
  });

  it("registers a large registration with what the schema makes of it", async () => {
    const { port, registered } = namesrv();
    // T5's defaults are filled in by the schema
    const raw = body(rebuiltTable(3000, (table) => (table.T5 = { topicName: "T5" })));
    await port.registerBroker({ ...identity, body: raw });
    expect(registered).toHaveLength(1);
    expect(registered[0].body).toStrictEqual(RegisterBrokerBodySchema.parse(raw));
  });

  it("takes a table rebuilt from the Worker's columns as it is", async () => {
    const { port, registered } = namesrv();
    const decoded = body({});
    for (let i = 0; i < 3000; i++) {
      decoded.topicConfigTable[`T${i}`] = { topicName: `T${i}`, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0, topicFilterType: "SINGLE_TAG", order: false, attributes: {} };
    }
    const rebuilt = await unpackRegisterBody(structuredClone(packRegisterBody(decoded).packed));
    expect(holdsCheckedTopicConfigs(rebuilt.topicConfigTable)).toBe(true);
    await port.registerBroker({ ...identity, body: rebuilt });
    expect(registered).toHaveLength(1);
    expect(registered[0].body.topicConfigTable).toBe(rebuilt.topicConfigTable);
  });
});
