/**
 * The bridge's end-to-end suite: one NameServer process (tcp-bridge/main.ts) started with the
 * environment given, exercised over the remoting protocol. Run against every store set-up the
 * bridge supports (the embedded store, one Redis, a Redis Cluster).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRequest } from "../support/broker-registration";
import { waitFor } from "../support/wait-for";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { RemotingTestClient, text } from "../support/remoting-client";

const FAQ = "\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.";

export async function routeStatus(client: RemotingTestClient, topic: string): Promise<number> {
  return (await client.request(105, { extFields: { topic } })).code;
}

export function describeBridgeEndToEnd(storeName: string, env: () => Record<string, string>) {
  describe(`tcp-bridge end to end (${storeName})`, () => {
    let ns: NamesrvProcess;
    let client: RemotingTestClient;

    beforeAll(async () => {
      // debug: the request log shows each call, closes included (one test waits for one)
      ns = await startNamesrv({ ...env(), NAMESRV_LOG_LEVEL: "debug" });
      client = await RemotingTestClient.connect(ns.port);
    });
    afterAll(async () => {
      client?.close();
      await ns?.stop();
    });

    it("answers an unknown topic with TOPIC_NOT_EXIST in a Java-shaped JSON header", async () => {
      const res = await client.request(105, { extFields: { topic: "Nope" }, opaque: 3 });
      expect(res).toMatchObject({ code: 17, flag: 1, opaque: 3, language: "JAVA", version: 479, serializeType: "JSON" });
      expect(res.remark).toBe(`No topic route info in name server for the topic: Nope${FAQ}`);
      expect(res.body).toBeNull();
    });

    it("answers a ROCKETMQ-encoded request in JSON, echoing a negative opaque", async () => {
      const res = await client.request(105, { extFields: { topic: "Nope" }, serializeType: "ROCKETMQ", opaque: -5 });
      expect(res.serializeType).toBe("JSON");
      expect(res.opaque).toBe(-5);
      expect(res.code).toBe(17);
    });

    it("registers a broker and serves its route in the dialect each client version gets", async () => {
      const broker = await RemotingTestClient.connect(ns.port);
      try {
        const reg = await broker.request(103, registerRequest({ topics: ["TopicTest", "Other"] }));
        expect(reg.code).toBe(0);
        expect(reg.extFields).toEqual({});
        expect(reg.remark).toBeNull();

        const modern = await client.request(105, { extFields: { topic: "TopicTest" }, version: 479 });
        expect(modern.code).toBe(0);
        expect(text(modern)).toBe(
          '{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
        );
        const old = await client.request(105, { extFields: { topic: "TopicTest" }, version: 317, language: "GO" });
        expect(text(old)).toContain('"brokerAddrs":{0:"127.0.0.1:10911"}');
        const asked = await client.request(105, { extFields: { topic: "TopicTest", acceptStandardJsonOnly: "true" }, version: 317 });
        expect(text(asked)).toContain('"brokerAddrs":{"0":"127.0.0.1:10911"}');

        const cluster = await client.request(106);
        expect(text(cluster)).toBe(
          '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}',
        );
        const topics = JSON.parse(text(await client.request(206))!);
        expect(topics.topicList.sort()).toEqual(["Other", "TopicTest"]);
        const byCluster = JSON.parse(text(await client.request(224, { extFields: { cluster: "DefaultCluster" } }))!);
        expect(byCluster.topicList.sort()).toEqual(["Other", "TopicTest"]);
        const system = JSON.parse(text(await client.request(304))!);
        expect(system).toEqual({ brokerAddr: "127.0.0.1:10911", topicList: expect.arrayContaining(["DefaultCluster", "broker-a"]) });
        const members = await client.request(901, { extFields: { clusterName: "DefaultCluster", brokerName: "broker-a" } });
        expect(members.remark).toBe("not set any response code");
        expect(text(members)).toBe('{"brokerMemberGroup":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}}');

        // the HTTP API shows the same state
        const http = await (await ns.http("/api/v1/topics/TopicTest/route")).text();
        expect(http).toBe(text(modern));
      } finally {
        broker.close();
      }
      // the broker's connection closed: it is unregistered at once
      await waitFor(async () => (await routeStatus(client, "TopicTest")) === 17, "route removal after close", 5000);
    });

    it("refuses a register body with a wrong CRC and stores nothing of it", async () => {
      const broker = await RemotingTestClient.connect(ns.port);
      try {
        const res = await broker.request(103, registerRequest({ brokerName: "broker-crc", topics: ["CrcTopic", "Base"], crc: 12345 }));
        expect(res.code).toBe(1);
        expect(res.remark).toBe("crc32 not match");
        expect(res.extFields).toEqual({});
        expect(await routeStatus(client, "CrcTopic")).toBe(17);
      } finally {
        broker.close();
      }
    });

    it("refuses a broker's first registration carrying a single topic (incremental before full)", async () => {
      const broker = await RemotingTestClient.connect(ns.port);
      try {
        const res = await broker.request(103, registerRequest({ brokerName: "broker-one", brokerAddr: "127.0.0.1:60911", topics: ["Lonely"] }));
        expect(res).toMatchObject({ code: 1, remark: "register broker failed" });
        expect(await routeStatus(client, "Lonely")).toBe(17);
      } finally {
        broker.close();
      }
    });

    it("refuses an undecodable register body with the Java remark", async () => {
      const broker = await RemotingTestClient.connect(ns.port);
      try {
        const body = new TextEncoder().encode("{not json");
        const req = registerRequest({ brokerName: "broker-bad" });
        const res = await broker.request(103, { ...req, body, extFields: { ...req.extFields, bodyCrc32: "0" } });
        expect(res.code).toBe(1);
        expect(res.remark).toMatch(/^org\.apache\.rocketmq\.remoting\.exception\.RemotingCommandException: Failed to decode RegisterBrokerBody/);
      } finally {
        broker.close();
      }
    });

    it("accepts the zlib-compressed body and the pre-3.0.11 bare wrapper", async () => {
      const broker = await RemotingTestClient.connect(ns.port);
      try {
        const zipped = await broker.request(103, registerRequest({ brokerName: "broker-z", topics: ["Zipped", "Base"], compressed: true, version: 413 }));
        expect(zipped.code).toBe(0);
        const old = await broker.request(103, registerRequest({ brokerName: "broker-old", brokerAddr: "127.0.0.1:20911", topics: ["Ancient", "Base"], version: 30 }));
        expect(old.code).toBe(0);
        expect(await routeStatus(client, "Zipped")).toBe(0);
        expect(await routeStatus(client, "Ancient")).toBe(0);
      } finally {
        broker.close();
      }
    });

    it("keeps a newer registration when an older connection of the same broker closes", async () => {
      const first = await RemotingTestClient.connect(ns.port);
      const second = await RemotingTestClient.connect(ns.port);
      try {
        const logged = (operation: string) =>
          ns.output().split("\n").filter((line) => line.includes(`"operation":"${operation}"`)).map((line) => JSON.parse(line) as { connection: string });
        const registeredBefore = logged("registerBroker").length;
        expect((await first.request(103, registerRequest({ brokerName: "broker-r", topics: ["RaceTopic", "Base"] }))).code).toBe(0);
        const firstChannel = logged("registerBroker")[registeredBefore].connection;
        expect((await second.request(103, registerRequest({ brokerName: "broker-r", topics: ["RaceTopic", "Base"] }))).code).toBe(0);
        first.close();
        await first.closed;
        // the request log's line for that connection's close: the bridge has handled it
        await waitFor(() => logged("closeChannel").some((c) => c.connection === firstChannel), "the close of the older connection to be handled", 5000);
        expect(await routeStatus(client, "RaceTopic")).toBe(0);
        second.close();
        await waitFor(async () => (await routeStatus(client, "RaceTopic")) === 17, "route removal after the current close", 5000);
      } finally {
        first.close();
        second.close();
      }
    });

    it("gives the slave its master's addresses and answers member group and data-version queries", async () => {
      const master = await RemotingTestClient.connect(ns.port);
      const slave = await RemotingTestClient.connect(ns.port);
      try {
        await master.request(103, registerRequest({ brokerName: "broker-ms", brokerAddr: "127.0.0.1:30911", topics: ["MsTopic", "Base"] }));
        const res = await slave.request(103, registerRequest({ brokerName: "broker-ms", brokerAddr: "127.0.0.1:30921", brokerId: 1, topics: ["MsTopic", "Base"] }));
        expect(res.extFields).toEqual({ haServerAddr: "127.0.0.1:10912", masterAddr: "127.0.0.1:30911" });
        const route = JSON.parse(text(await client.request(105, { extFields: { topic: "MsTopic" } }))!);
        expect(route.brokerDatas[0].brokerAddrs).toEqual({ 0: "127.0.0.1:30911", 1: "127.0.0.1:30921" });

        const dv = JSON.stringify({ counter: 1, stateVersion: 0, timestamp: 1700000000000 });
        const header = { brokerName: "broker-ms", brokerAddr: "127.0.0.1:30911", clusterName: "DefaultCluster", brokerId: "0" };
        const same = await master.request(322, { extFields: header, body: dv });
        expect(same.extFields).toEqual({ changed: "false" });
        expect(JSON.parse(text(same)!)).toEqual({ counter: 1, stateVersion: 0, timestamp: 1700000000000 });
        const other = await master.request(322, { extFields: header, body: dv.replace('"counter":1', '"counter":2') });
        expect(other.extFields).toEqual({ changed: "true" });
        const unknown = await master.request(322, { extFields: { ...header, brokerAddr: "9.9.9.9:1" } });
        expect(unknown.extFields).toEqual({ changed: "true" });
        expect(unknown.body).toBeNull();
      } finally {
        master.close();
        slave.close();
      }
    });

    it("wipes and adds write permission with counts in the response header", async () => {
      const broker = await RemotingTestClient.connect(ns.port);
      try {
        await broker.request(103, registerRequest({ brokerName: "broker-p", brokerAddr: "127.0.0.1:40911", topics: ["P1", "P2"] }));
        const wipe = await client.request(205, { extFields: { brokerName: "broker-p" } });
        expect(wipe).toMatchObject({ code: 0, extFields: { wipeTopicCount: "2" } });
        let route = JSON.parse(text(await client.request(105, { extFields: { topic: "P1" } }))!);
        expect(route.queueDatas[0].perm).toBe(4);
        // an unchanged re-registration keeps the wiped permission
        await broker.request(103, registerRequest({ brokerName: "broker-p", brokerAddr: "127.0.0.1:40911", topics: ["P1", "P2"] }));
        route = JSON.parse(text(await client.request(105, { extFields: { topic: "P1" } }))!);
        expect(route.queueDatas[0].perm).toBe(4);
        const add = await client.request(327, { extFields: { brokerName: "broker-p" } });
        expect(add.extFields).toEqual({ addTopicCount: "2" });
        route = JSON.parse(text(await client.request(105, { extFields: { topic: "P1" } }))!);
        expect(route.queueDatas[0].perm).toBe(6);
        // delete the topic in the NameServer only
        expect(await client.request(216, { extFields: { topic: "P2" } })).toMatchObject({ code: 0, body: null, remark: null });
        expect(await routeStatus(client, "P2")).toBe(17);
        // the broker still has it: its next (unchanged) registration puts it back, as in Java
        await broker.request(103, registerRequest({ brokerName: "broker-p", brokerAddr: "127.0.0.1:40911", topics: ["P1", "P2"] }));
        expect(await routeStatus(client, "P2")).toBe(0);
      } finally {
        broker.close();
      }
    });

    it("serves KV configuration and returns the order config to registering brokers", async () => {
      const put = await client.request(100, { extFields: { namespace: "ORDER_TOPIC_CONFIG", key: "OrderTopic", value: "broker-kv:4" } });
      expect(put).toMatchObject({ code: 0, body: null, remark: null, extFields: null });
      const get = await client.request(101, { extFields: { namespace: "ORDER_TOPIC_CONFIG", key: "OrderTopic" } });
      expect(get).toMatchObject({ code: 0, extFields: { value: "broker-kv:4" } });
      const list = await client.request(219, { extFields: { namespace: "ORDER_TOPIC_CONFIG" } });
      expect(text(list)).toBe('{"table":{"OrderTopic":"broker-kv:4"}}');
      const broker = await RemotingTestClient.connect(ns.port);
      try {
        const reg = await broker.request(103, registerRequest({ brokerName: "broker-kv", brokerAddr: "127.0.0.1:50911" }));
        expect(text(reg)).toBe('{"table":{"OrderTopic":"broker-kv:4"}}');
      } finally {
        broker.close();
      }
      expect((await client.request(102, { extFields: { namespace: "ORDER_TOPIC_CONFIG", key: "OrderTopic" } })).code).toBe(0);
      const gone = await client.request(101, { extFields: { namespace: "ORDER_TOPIC_CONFIG", key: "OrderTopic" } });
      expect(gone).toMatchObject({ code: 22, remark: "No config item, Namespace: ORDER_TOPIC_CONFIG Key: OrderTopic", extFields: {} });
      const noNs = await client.request(219, { extFields: { namespace: "NeverSeen" } });
      expect(noNs).toMatchObject({ code: 22, remark: "No config item, Namespace: NeverSeen" });
      const nullKey = await client.request(100, { extFields: { namespace: "x" } });
      expect(nullKey).toMatchObject({ code: 1, remark: "namespace or key is null" });
    });

    it("updates and dumps the NameServer config; refuses black-listed keys", async () => {
      expect((await client.request(318, { body: "enableTopicList=false\n" })).code).toBe(0);
      const dump = text(await client.request(319))!;
      const lines = dump.split("\n").filter(Boolean);
      expect(lines).toEqual([...lines].sort());
      expect(dump).toContain("enableTopicList=false\n");
      expect(dump).toContain(`listenPort=${ns.port}\n`);
      expect((await client.request(224, { extFields: { cluster: "DefaultCluster" } }))).toMatchObject({ code: 1, remark: "disable" });
      expect((await client.request(318, { body: "enableTopicList=true" })).code).toBe(0);
      const refused = await client.request(318, { body: "kvConfigPath=/tmp/elsewhere" });
      expect(refused).toMatchObject({ code: 16, remark: "Can not update config in black list." });
      expect(text(await client.request(319))).toContain(`kvConfigPath=${ns.kvPath}\n`);
    });

    it("answers requests missing a header field as the Java NameServer does", async () => {
      // no cluster: an empty list; no broker: the names echoed with no addresses; no topic: nothing deleted
      const noCluster = await client.request(224);
      expect(noCluster).toMatchObject({ code: 0 });
      expect(text(noCluster)).toBe('{"topicList":[]}');
      const noBroker = await client.request(901, { extFields: { clusterName: "c" } });
      expect(noBroker).toMatchObject({ code: 0 });
      expect(text(noBroker)).toBe('{"brokerMemberGroup":{"brokerAddrs":{},"cluster":"c"}}');
      expect(await client.request(216)).toMatchObject({ code: 0 });
      const noTopic = await client.request(105);
      expect(noTopic.code).toBe(17);
      expect(noTopic.remark).toContain("topic: null");
      const badUnregister = await client.request(104, { extFields: { brokerName: "b", brokerAddr: "a", clusterName: "c" } });
      expect(badUnregister.code).toBe(1);
      expect(badUnregister.remark).toContain("brokerId");
    });

    it("answers unknown codes with REQUEST_CODE_NOT_SUPPORTED and never answers oneway requests", async () => {
      const res = await client.request(99999);
      expect(res).toMatchObject({ code: 3, remark: " request type 99999 not supported" });
      const { bytes } = client.encode(904, { oneway: true, extFields: { clusterName: "c", brokerAddr: "a", brokerName: "b" } });
      const before = client.received.length;
      client.writeRaw(bytes);
      const after = await client.request(106);
      expect(after.code).toBe(0);
      expect(client.received.length).toBe(before + 1);
    });

    it("closes only the offending connection on a garbled or oversized frame", async () => {
      for (const bad of [
        new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
        new Uint8Array([0, 0, 0, 6, 0x09, 0, 0, 2, 0x7b, 0x7d]),
        new Uint8Array([0, 0, 0, 8, 0, 0, 0, 4, 0x7b, 0x22, 0x63, 0x3a]),
      ]) {
        const victim = await RemotingTestClient.connect(ns.port);
        victim.writeRaw(bad);
        await victim.closed;
      }
      expect((await client.request(106)).code).toBe(0);
    });
  });

}
