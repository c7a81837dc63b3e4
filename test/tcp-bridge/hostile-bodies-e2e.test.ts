/**
 * Hostile headers and bodies against a live bridge: nested JSON, decompression bombs, too many
 * topics, names with unpaired surrogates, and a large registration that must not hold up route
 * queries. Each case checks the answer, that the state is unchanged and that others are served.
 */
import { readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokerBodyCrc32 } from "../../shared/crc32";
import type { RegisterBrokerBody } from "../../shared/model";
import { encodeRegisterBrokerBody, REGISTER_BODY_ERROR_PREFIX } from "../../shared/register-body";
import { deflateBomb } from "../shared/deflate-bomb";
import { rawFrame } from "../shared/helpers";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { useRedisServer } from "../support/redis-server";
import { RemotingTestClient, text } from "../support/remoting-client";

const enc = new TextEncoder();
const deflate = (b: Uint8Array) => new Uint8Array(deflateSync(b));

function topicsBody(names: string[], counter = 1): RegisterBrokerBody {
  const topicConfigTable: RegisterBrokerBody["topicConfigTable"] = {};
  for (const name of names) {
    topicConfigTable[name] = { topicName: name, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0, topicFilterType: "SINGLE_TAG", order: false, attributes: {} };
  }
  return { dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter }, topicConfigTable, topicQueueMappingInfoMap: {}, filterServerList: [] };
}

function registration(brokerName: string, body: Uint8Array, compressed = false) {
  return {
    version: 479,
    body,
    extFields: {
      brokerName,
      brokerAddr: `127.0.0.1:${10000 + (brokerName.length * 97 + brokerName.charCodeAt(brokerName.length - 1)) % 5000}`,
      clusterName: "DefaultCluster",
      brokerId: "0",
      compressed: String(compressed),
      bodyCrc32: String(brokerBodyCrc32(body)),
    },
  };
}

/**
 * The JSON form of a registration whose topic mapping brings the body to `depth` levels (two
 * topics: a broker's first registration with a single one is refused, as Java does).
 */
function mappedBody(topic: string, depth: number, lenient = false): Uint8Array {
  const levels = depth - 4; // body, wrapper, mapping table, mapping
  const deep = lenient ? "{a:".repeat(levels) + "1" + "}".repeat(levels) : "[".repeat(levels) + "1" + "]".repeat(levels);
  return enc.encode(
    `{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"stateVersion":0,"timestamp":5},` +
      `"topicConfigTable":{"${topic}":{"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"${topic}","topicSysFlag":0,"writeQueueNums":4},` +
      `"${topic}-2":{"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"${topic}-2","topicSysFlag":0,"writeQueueNums":4}},` +
      `"topicQueueMappingInfoMap":{"${topic}":{"bname":"b","deep":${deep},"epoch":1,"topic":"${topic}","totalQueues":4}}}}`,
  );
}

/** A request frame whose JSON header is `header` as written (escapes and nesting included). */
function frameWithHeader(header: string, body?: Uint8Array): Uint8Array {
  return rawFrame(0, enc.encode(header), body);
}

/** Peak resident memory of a process so far (Linux), in bytes. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"))!;
  return Number(line.replace(/\D+/g, "")) * 1024;
}

const redis = useRedisServer();

describeHostileInput("embedded store", () => ({}));
describeHostileInput("Redis store over RESP", () => ({ REDIS_URL: redis.current.url, NAMESRV_REDIS_PREFIX: `hostile-${Date.now()}` }));

function describeHostileInput(storeName: string, env: () => Record<string, string>) {
  describe(`hostile headers and bodies (${storeName})`, () => {
    let ns: NamesrvProcess;
    let client: RemotingTestClient;
    let broker: RemotingTestClient;
    const route = (topic: string) => client.request(105, { extFields: { topic } });
    const clusterInfo = async () => text(await client.request(106))!;

    beforeAll(async () => {
      ns = await startNamesrv(env());
      client = await RemotingTestClient.connect(ns.port);
      broker = await RemotingTestClient.connect(ns.port);
      // a healthy broker serving its own topic: its routes must answer whatever else happens
      const reg = await broker.request(103, registration("broker-healthy", encodeRegisterBrokerBody(topicsBody(["Healthy", "Healthy-2"]), { compressed: false, version: 479 })));
      expect(reg.code).toBe(0);
    });
    afterAll(async () => {
      client?.close();
      broker?.close();
      await ns?.stop();
    });

    it("closes the connection of a JSON header nested past the limit (100,000 levels too); others are answered", async () => {
      for (const levels of [512, 100_000]) {
        const attacker = await RemotingTestClient.connect(ns.port);
        attacker.writeRaw(frameWithHeader(`{"code":105,"extFields":{"topic":"Healthy"},"flag":0,"opaque":1,"remark":${"[".repeat(levels)}${"]".repeat(levels)},"version":479}`));
        await attacker.closed;
        expect(attacker.received).toEqual([]);
        expect((await route("Healthy")).code).toBe(0);
      }
      const fine = await RemotingTestClient.connect(ns.port);
      try {
        const answer = await fine.expect(9, 5000, () =>
          fine.writeRaw(frameWithHeader(`{"code":105,"extFields":{"topic":"Healthy"},"flag":0,"opaque":9,"remark":${"[".repeat(511)}${"]".repeat(511)},"version":479}`)),
        );
        expect(answer.code).toBe(0);
      } finally {
        fine.close();
      }
    });

    it("accepts a mapping just within the depth limit; its route and other brokers' routes answer", async () => {
      const reg = await broker.request(103, registration("broker-mapped", mappedBody("Mapped", 512)));
      expect(reg.code).toBe(0);
      const mapped = await route("Mapped");
      expect(mapped.code).toBe(0);
      expect(text(mapped)).toContain('"topicQueueMappingByBroker"');
      expect(text(mapped)).toContain("[[[[");
      expect((await route("Healthy")).code).toBe(0);
      expect(await clusterInfo()).toContain("broker-mapped");
    });

    it("refuses a mapping one level deeper, 30,000 and 100,000 levels: SYSTEM_ERROR, broker absent from routes and cluster info", async () => {
      const before = await clusterInfo();
      for (const [depth, lenient] of [[513, false], [30_000, false], [100_000, false], [100_000, true]] as const) {
        const reg = await broker.request(103, registration("broker-poison", mappedBody("Poison", depth, lenient)));
        expect(reg.code).toBe(1);
        expect(reg.remark).toBe(`${REGISTER_BODY_ERROR_PREFIX}: JSON nested deeper than 512 levels (maxJsonDepth)`);
        expect((await route("Poison")).code).toBe(17);
        expect((await route("Healthy")).code).toBe(0);
        expect(await clusterInfo()).toBe(before);
      }
      expect(before).not.toContain("broker-poison");
    });

    it("refuses a ~1 MB body that inflates to 1 GiB without the server's memory jumping; state unchanged", async () => {
      const bomb = deflateBomb(1024 ** 3);
      const before = await clusterInfo();
      const peakBefore = peakRss(ns.process.pid!);
      const reg = await broker.request(103, registration("broker-bomb", bomb, true), 30_000);
      expect(reg.code).toBe(1);
      expect(reg.remark).toBe(`${REGISTER_BODY_ERROR_PREFIX}: compressed body inflates to more than 33554432 bytes (maxRegisterBodyInflatedBytes)`);
      expect(peakRss(ns.process.pid!) - peakBefore).toBeLessThan(256 * 1024 * 1024);
      expect(await clusterInfo()).toBe(before);
      expect((await route("Healthy")).code).toBe(0);
    });

    it("refuses REGISTER_TOPIC and QUERY_DATA_VERSION bodies nested too deep", async () => {
      const deepRoute = `{"queueDatas":[{"brokerName":"broker-healthy","perm":6,"readQueueNums":1,"writeQueueNums":1,"x":${"[".repeat(30_000)}${"]".repeat(30_000)}}]}`;
      const topic = await broker.request(217, { extFields: { topic: "DeepTopic" }, body: deepRoute });
      expect(topic).toMatchObject({ code: 1, remark: "Failed to decode TopicRouteData: JSON nested deeper than 512 levels (maxJsonDepth)" });
      expect((await route("DeepTopic")).code).toBe(17);
      const version = await broker.request(322, {
        extFields: { brokerName: "broker-healthy", brokerAddr: "127.0.0.1:10000", clusterName: "DefaultCluster", brokerId: "0" },
        body: `{"counter":1,"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
      });
      expect(version).toMatchObject({ code: 1, remark: "Failed to decode DataVersion: JSON nested deeper than 512 levels (maxJsonDepth)" });
    });

    it("answers names with an unpaired surrogate (JSON \\ud800 escapes) with a clear SYSTEM_ERROR and keeps the connection", async () => {
      const asked = [
        { code: 105, ext: '"topic":"T\\ud800"', field: "topic" },
        { code: 100, ext: '"namespace":"ns\\udc00","key":"k","value":"v"', field: "namespace" },
        { code: 101, ext: '"namespace":"ns","key":"\\ud800"', field: "key" },
        { code: 216, ext: '"topic":"\\ud800x"', field: "topic" },
        { code: 224, ext: '"cluster":"c\\ud800"', field: "cluster" },
        { code: 205, ext: '"brokerName":"\\ud800"', field: "brokerName" },
        { code: 901, ext: '"clusterName":"c","brokerName":"b\\udfff"', field: "brokerName" },
        { code: 103, ext: '"brokerName":"b\\ud800","brokerAddr":"127.0.0.1:1","clusterName":"c","brokerId":"0"', field: "brokerName" },
      ];
      for (const [i, { code, ext, field }] of asked.entries()) {
        const opaque = 1000 + i;
        const answer = await client.expect(opaque, 5000, () =>
          client.writeRaw(frameWithHeader(`{"code":${code},"extFields":{${ext}},"flag":0,"opaque":${opaque},"version":479}`)),
        );
        expect(answer.code, `code ${code}`).toBe(1);
        expect(answer.remark).toBe(`${field} contains an unpaired UTF-16 surrogate`);
      }
      expect((await route("Healthy")).code).toBe(0);
      expect(ns.output()).not.toContain("URIError");
    });
  });
}

describe("limits from the configuration reach the bridge", () => {
  let ns: NamesrvProcess;
  let broker: RemotingTestClient;
  beforeAll(async () => {
    ns = await startNamesrv({
      NAMESRV_CONFIG_maxTopicsPerRegistration: "100",
      NAMESRV_CONFIG_maxJsonDepth: "32",
      NAMESRV_CONFIG_maxRegisterBodyInflatedBytes: "65536",
    });
    broker = await RemotingTestClient.connect(ns.port);
  });
  afterAll(async () => {
    broker?.close();
    await ns?.stop();
  });

  it("maxTopicsPerRegistration, maxJsonDepth and maxRegisterBodyInflatedBytes", async () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `T${i}`);
    const plain = (n: number) => encodeRegisterBrokerBody(topicsBody(names(n)), { compressed: false, version: 479 });
    expect((await broker.request(103, registration("broker-a", plain(100)))).code).toBe(0);
    expect(text(await broker.request(105, { extFields: { topic: "T99" } }))).toContain("broker-a");
    const many = await broker.request(103, registration("broker-b", plain(101)));
    expect(many.remark).toBe(`${REGISTER_BODY_ERROR_PREFIX}: more than 100 topics in one registration (maxTopicsPerRegistration)`);
    expect((await broker.request(103, registration("broker-c", mappedBody("M", 32)))).code).toBe(0);
    expect((await broker.request(105, { extFields: { topic: "M" } })).code).toBe(0);
    const deep = await broker.request(103, registration("broker-d", mappedBody("N", 33)));
    expect(deep.remark).toBe(`${REGISTER_BODY_ERROR_PREFIX}: JSON nested deeper than 32 levels (maxJsonDepth)`);
    const inflated = await broker.request(103, registration("broker-e", deflateBomb(1_000_000), true));
    expect(inflated.remark).toBe(`${REGISTER_BODY_ERROR_PREFIX}: compressed body inflates to more than 65536 bytes (maxRegisterBodyInflatedBytes)`);
    const cluster = text(await broker.request(106))!;
    for (const refused of ["broker-b", "broker-d", "broker-e"]) expect(cluster).not.toContain(refused);
  });
});

describe("a large registration does not hold up route queries (embedded store)", () => {
  let ns: NamesrvProcess;
  beforeAll(async () => {
    ns = await startNamesrv();
  });
  afterAll(async () => {
    await ns?.stop();
  });

  it("answers route queries sent just after a 100,000-topic registration before the registration", async () => {
    const broker = await RemotingTestClient.connect(ns.port);
    const client = await RemotingTestClient.connect(ns.port);
    try {
      const names = Array.from({ length: 100_000 }, (_, i) => `Large-${i}`);
      const body = encodeRegisterBrokerBody(topicsBody(names), { compressed: true, version: 479, deflate });
      const { opaque, bytes } = broker.encode(103, registration("broker-large", body, true));
      // all but the last byte first, read by the server while other requests go round
      broker.writeRaw(bytes.subarray(0, bytes.length - 1));
      for (let i = 0; i < 20; i++) expect((await client.request(105, { extFields: { topic: "Nope" } })).code).toBe(17);

      // the route query right after the last byte, and another once it is answered: the second
      // surely reaches the server while the registration is being decoded
      const order: string[] = [];
      const registered = broker.expect(opaque, 60_000, () => broker.writeRaw(bytes.subarray(bytes.length - 1)));
      registered.then(() => order.push("registration"), () => {});
      for (let i = 0; i < 2; i++) {
        expect((await client.request(105, { extFields: { topic: "Nope" } }, 60_000)).code).toBe(17);
        order.push("route");
      }
      expect((await registered).code).toBe(0);
      expect(order).toEqual(["route", "route", "registration"]);
      expect((await client.request(105, { extFields: { topic: "Large-99999" } })).code).toBe(0);
    } finally {
      broker.close();
      client.close();
    }
  });
});
