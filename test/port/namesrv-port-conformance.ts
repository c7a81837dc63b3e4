/**
 * What every implementation of the NameServer port answers, in process or over HTTP (and, from
 * test/workers, the Worker in workerd). Names are fresh per test, so the suite also runs against a
 * deployment whose state outlives it. No node: imports: the suite runs inside workerd too.
 */
import { describe, expect, it } from "vitest";
import type { NamesrvPort, RegisterBrokerInput } from "../../edge/port/namesrv-port";
import { ResponseCode } from "../../shared/codes";
import type { RegisterBrokerBody, TopicRouteData } from "../../shared/model";

export interface PortUnderTest {
  port: NamesrvPort;
  /** whether the clock can be moved (scanNotActiveBroker is then checked to expire a silent broker) */
  advanceClock?: (ms: number) => void;
}

const decoder = new TextDecoder();
let sequence = 0;

/** Names no other test (or earlier run against the same deployment) uses. */
function fresh() {
  const id = `${Date.now().toString(36)}${(++sequence).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return { cluster: `C-${id}`, broker: `b-${id}`, addr: `10.1.${sequence % 250}.1:${10_000 + (sequence % 50_000)}-${id}`, topic: `T-${id}`, ns: `ns-${id}`, channel: `ch-${id}` };
}

function body(topics: string[], counter = 1): RegisterBrokerBody {
  const topicConfigTable: RegisterBrokerBody["topicConfigTable"] = {};
  for (const t of topics) topicConfigTable[t] = { topicName: t, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 };
  return { dataVersion: { stateVersion: 0, timestamp: 1_700_000_000_000, counter }, topicConfigTable, topicQueueMappingInfoMap: {}, filterServerList: [] };
}

function registration(n: ReturnType<typeof fresh>, overrides: Partial<RegisterBrokerInput> = {}): RegisterBrokerInput {
  return {
    clusterName: n.cluster,
    brokerAddr: n.addr,
    brokerName: n.broker,
    brokerId: 0,
    haServerAddr: null,
    zoneName: null,
    heartbeatTimeoutMillis: null,
    enableActingMaster: null,
    channel: n.channel,
    bodyDigest: null,
    // two topics: a broker's first registration of exactly one topic is refused, as Java refuses it
    body: body([n.topic, `${n.topic}-x`]),
    ...overrides,
  };
}

async function route(port: NamesrvPort, topic: string, dialect: "standard" | "legacy" = "standard", zoneName: string | null = null) {
  return decoder.decode(await port.getRouteInfoByTopic({ topic, zoneName, dialect }));
}

export function describeNamesrvPortConformance(name: string, make: () => Promise<PortUnderTest> | PortUnderTest): void {
  describe(`NameServer port conformance: ${name}`, () => {
    it("registers a broker and answers its route in both dialects and with a zone", async () => {
      const { port } = await make();
      const n = fresh();
      expect(await port.registerBroker(registration(n, { zoneName: "z1" }))).toHaveProperty("orderTopicConfig");
      const standard = JSON.parse(await route(port, n.topic)) as TopicRouteData;
      expect(standard.queueDatas).toEqual([{ brokerName: n.broker, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }]);
      expect(standard.brokerDatas[0]).toMatchObject({ cluster: n.cluster, brokerName: n.broker, brokerAddrs: { "0": n.addr } });
      expect(await route(port, n.topic, "legacy")).toContain(`{0:"${n.addr}"}`);
      expect(await route(port, n.topic, "standard", "other-zone")).toContain('"queueDatas":[]');
      expect(await route(port, n.topic, "standard", "z1")).toContain(n.addr);
    });

    it("answers TOPIC_NOT_EXIST for an unknown topic and for none", async () => {
      const { port } = await make();
      for (const topic of [fresh().topic, null]) {
        await expect(port.getRouteInfoByTopic({ topic, zoneName: null, dialect: "standard" })).rejects.toMatchObject({ code: ResponseCode.TOPIC_NOT_EXIST });
      }
    });

    it("takes an unchanged re-registration by digest without its body, and loads the body only when needed", async () => {
      const { port } = await make();
      const n = fresh();
      let loads = 0;
      const lazy = (topics: string[]) => async () => {
        loads++;
        return body(topics);
      };
      await port.registerBroker(registration(n, { bodyDigest: "digest-1", body: lazy([n.topic, `${n.topic}-x`]) }));
      expect(loads).toBe(1);
      const identity = { ...registration(n), body: undefined, bodyDigest: undefined };
      delete identity.body;
      delete identity.bodyDigest;
      expect(await port.refreshBrokerRegistration({ ...identity, bodyDigest: "digest-1" })).toHaveProperty("orderTopicConfig");
      expect(await port.refreshBrokerRegistration({ ...identity, bodyDigest: "digest-2" })).toBeNull();
      await port.registerBroker(registration(n, { bodyDigest: "digest-1", body: lazy([n.topic, `${n.topic}-x`]) }));
      expect(loads).toBe(1);
      await port.registerBroker(registration(n, { bodyDigest: "digest-2", body: lazy([n.topic, `${n.topic}-2`]) }));
      expect(loads).toBe(2);
      expect(await route(port, `${n.topic}-2`)).toContain(n.broker);
    });

    it("refuses a registration without a name or with a bad topic config, and stores nothing", async () => {
      const { port } = await make();
      const n = fresh();
      await expect(port.registerBroker(registration(n, { clusterName: null }))).rejects.toMatchObject({ code: ResponseCode.SYSTEM_ERROR });
      const bad = body([n.topic, `${n.topic}-x`]);
      (bad.topicConfigTable[n.topic] as unknown as Record<string, unknown>).perm = 1.5;
      await expect(port.registerBroker(registration(n, { body: bad }))).rejects.toMatchObject({
        code: ResponseCode.SYSTEM_ERROR,
        message: `invalid body: topicConfigTable.${n.topic}.perm: Invalid input: expected int, received number`,
      });
      await expect(port.getRouteInfoByTopic({ topic: n.topic, zoneName: null, dialect: "standard" })).rejects.toMatchObject({ code: ResponseCode.TOPIC_NOT_EXIST });
    });

    it("answers cluster info, topic lists and the member group; a missing name is Java's answer, not an error", async () => {
      const { port } = await make();
      const n = fresh();
      await port.registerBroker(registration(n));
      const info = await port.getBrokerClusterInfo({});
      expect(info.clusterAddrTable[n.cluster]).toEqual([n.broker]);
      expect((await port.getAllTopicListFromNameserver({})).topicList).toContain(n.topic);
      expect((await port.getTopicsByCluster({ cluster: n.cluster })).topicList.sort()).toEqual([n.topic, `${n.topic}-x`]);
      expect((await port.getTopicsByCluster({ cluster: null })).topicList).toEqual([]);
      const system = (await port.getSystemTopicListFromNs({})).topicList;
      expect(system).toEqual(expect.arrayContaining([n.cluster, n.broker]));
      for (const list of [port.getUnitTopicList({}), port.getHasUnitSubTopicList({}), port.getHasUnitSubUnUnitTopicList({})]) {
        expect((await list).topicList).not.toContain(n.topic);
      }
      expect(await port.getBrokerMemberGroup({ clusterName: n.cluster, brokerName: n.broker })).toMatchObject({ brokerAddrs: { "0": n.addr } });
      expect((await port.getBrokerMemberGroup({ clusterName: n.cluster, brokerName: null })).brokerAddrs).toEqual({});
    });

    it("wipes and adds write permission, counting topics (none for no broker)", async () => {
      const { port } = await make();
      const n = fresh();
      await port.registerBroker(registration(n));
      expect(await port.wipeWritePermOfBroker({ brokerName: n.broker })).toBe(2);
      expect(JSON.parse(await route(port, n.topic)).queueDatas[0].perm).toBe(4);
      expect(await port.addWritePermOfBroker({ brokerName: n.broker })).toBe(2);
      expect(JSON.parse(await route(port, n.topic)).queueDatas[0].perm).toBe(6);
      expect(await port.wipeWritePermOfBroker({ brokerName: null })).toBe(0);
    });

    it("registers and deletes topics; no topic is a no-op", async () => {
      const { port } = await make();
      const n = fresh();
      await port.registerBroker(registration(n)); // topics are registered for known brokers only
      const topic = `${n.topic}-single`;
      const queue = { brokerName: n.broker, readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 };
      await port.registerTopicInNamesrv({ topic, queueDatas: [queue] });
      expect(JSON.parse(await route(port, topic)).queueDatas).toEqual([queue]);
      await port.registerTopicInNamesrv({ topic: null, queueDatas: [queue] });
      await port.registerTopicInNamesrv({ topic, queueDatas: [] });
      expect(JSON.parse(await route(port, topic)).queueDatas).toEqual([queue]);
      await port.deleteTopicInNamesrv({ topic: `${topic}-none`, clusterName: "  " });
      await port.deleteTopicInNamesrv({ topic, clusterName: "no-such-cluster" });
      expect(JSON.parse(await route(port, topic)).queueDatas).toEqual([queue]);
      await port.deleteTopicInNamesrv({ topic: null, clusterName: null });
      await port.deleteTopicInNamesrv({ topic, clusterName: " " }); // blank: the whole topic, as Java
      await expect(port.getRouteInfoByTopic({ topic, zoneName: null, dialect: "standard" })).rejects.toMatchObject({ code: ResponseCode.TOPIC_NOT_EXIST });
    });

    it("keeps KV entries with Java's answers for missing names", async () => {
      const { port } = await make();
      const { ns } = fresh();
      await port.putKVConfig({ namespace: ns, key: "k", value: "v" });
      expect(await port.getKVConfig({ namespace: ns, key: "k" })).toBe("v");
      expect(await port.getKVListByNamespace({ namespace: ns })).toEqual({ k: "v" });
      await port.putKVConfig({ namespace: ns, key: "k", value: null });
      await expect(port.getKVConfig({ namespace: ns, key: "k" })).rejects.toMatchObject({ code: ResponseCode.QUERY_NOT_FOUND });
      await expect(port.putKVConfig({ namespace: null, key: "k", value: "v" })).rejects.toMatchObject({ code: ResponseCode.SYSTEM_ERROR, message: "namespace or key is null" });
      await expect(port.getKVConfig({ namespace: ns, key: null })).rejects.toMatchObject({ code: ResponseCode.QUERY_NOT_FOUND });
      await expect(port.getKVListByNamespace({ namespace: null })).rejects.toMatchObject({ code: ResponseCode.QUERY_NOT_FOUND });
      await port.deleteKVConfig({ namespace: null, key: null });
      await port.putKVConfig({ namespace: ns, key: "k2", value: "v2" });
      await port.deleteKVConfig({ namespace: ns, key: "k2" });
      await expect(port.getKVConfig({ namespace: ns, key: "k2" })).rejects.toMatchObject({ code: ResponseCode.QUERY_NOT_FOUND });
      await expect(port.getKVConfig({ namespace: `${ns}\ud800`, key: "k" })).rejects.toMatchObject({
        code: ResponseCode.SYSTEM_ERROR,
        message: "namespace contains an unpaired UTF-16 surrogate",
      });
    });

    it("answers QUERY_DATA_VERSION, heartbeats and unregistrations", async () => {
      const { port } = await make();
      const n = fresh();
      await port.registerBroker(registration(n));
      const same = { clusterName: n.cluster, brokerAddr: n.addr, brokerName: n.broker, brokerId: 0 };
      expect(await port.queryDataVersion({ ...same, dataVersion: { stateVersion: 0, timestamp: 1_700_000_000_000, counter: 1 } })).toMatchObject({ changed: false });
      expect(await port.queryDataVersion({ ...same, dataVersion: null })).toMatchObject({ changed: true });
      expect(await port.queryDataVersion({ ...same, clusterName: null, dataVersion: null })).toEqual({ changed: true, dataVersion: null });
      await port.brokerHeartbeat({ clusterName: n.cluster, brokerAddr: n.addr, brokerName: n.broker });
      await port.brokerHeartbeat({ clusterName: null, brokerAddr: null, brokerName: null });
      await expect(port.unregisterBroker({ ...same, brokerId: null })).rejects.toMatchObject({ code: ResponseCode.SYSTEM_ERROR });
      await port.unregisterBroker(same);
      await expect(port.getRouteInfoByTopic({ topic: n.topic, zoneName: null, dialect: "standard" })).rejects.toMatchObject({ code: ResponseCode.TOPIC_NOT_EXIST });
    });

    it("unregisters on a channel close only the registrations that channel carried", async () => {
      const { port } = await make();
      const n = fresh();
      await port.registerBroker(registration(n, { channel: `${n.channel}-old` }));
      await port.registerBroker(registration(n, { channel: `${n.channel}-new` }));
      expect(await port.closeChannel({ channel: `${n.channel}-old` })).toEqual([]);
      expect(await route(port, n.topic)).toContain(n.broker);
      expect(await port.closeChannel({ channel: `${n.channel}-new` })).toMatchObject([{ brokerName: n.broker, brokerAddr: n.addr }]);
    });

    it("expires silent brokers on a scan", async () => {
      const { port, advanceClock } = await make();
      const n = fresh();
      await port.registerBroker(registration(n, { heartbeatTimeoutMillis: 1000 }));
      const early = await port.scanNotActiveBroker({});
      expect(early.map((b) => b.brokerAddr)).not.toContain(n.addr);
      if (!advanceClock) return; // a deployment's clock cannot be moved: the answer's shape was checked
      advanceClock(1500);
      expect((await port.scanNotActiveBroker({})).map((b) => b.brokerAddr)).toContain(n.addr);
    });

    it("reads and updates the configuration; black-listed keys are refused", async () => {
      const { port } = await make();
      const before = await port.getNamesrvConfig({});
      expect(before.listenPort).toMatch(/^\d+$/);
      await port.updateNamesrvConfig({ properties: { orderMessageEnable: before.orderMessageEnable } });
      await expect(port.updateNamesrvConfig({ properties: { kvConfigPath: "/tmp/elsewhere" } })).rejects.toMatchObject({ code: 16 });
      expect((await port.getNamesrvConfig({})).kvConfigPath).toBe(before.kvConfigPath);
    });
  });
}
