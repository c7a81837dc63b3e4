import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFastjson } from "../../shared/fastjson-reader";
import { topicNotExistRemark } from "../../shared/remarks";
import { registerRequest } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { freePort } from "../support/ports";
import { RemotingTestClient, text } from "../support/remoting-client";

// Java's clusterTest mode (ClusterTestRequestProcessor): a route this NameServer does not have is
// asked of the product environment's NameServer (found through NAMESRV_ADDR) and answered, encoded
// with fastjson's defaults (the legacy dialect). Two of ours stand in for the two environments;
// the Java NameServer is not run here, because in clusterTest mode it answers every request code as
// a route query, so no broker can register with it (see README).
describe("clusterTest mode: route misses answered from the product environment", () => {
  let product: NamesrvProcess;
  let test: NamesrvProcess;
  let plain: NamesrvProcess;
  let unreachable: NamesrvProcess;
  let waiting: NamesrvProcess;
  let productBroker: RemotingTestClient;

  async function route(ns: NamesrvProcess, topic: string, version = 479, zone: Record<string, string> = {}) {
    const client = await RemotingTestClient.connect(ns.port);
    try {
      return await client.request(105, { extFields: { topic, ...zone }, version });
    } finally {
      client.close();
    }
  }

  beforeAll(async () => {
    product = await startNamesrv();
    // the broker's connection stays open: closing it unregisters the broker
    productBroker = await RemotingTestClient.connect(product.port);
    const registered = await productBroker.request(
      103,
      registerRequest({ brokerName: "product-broker", topics: ["ProductTopic", "Base"], extra: { __ZONE_NAME: "zone-a" } }),
    );
    expect(registered.code).toBe(0);
    const clusterTest = { NAMESRV_CONFIG_clusterTest: "true", NAMESRV_CONFIG_productEnvName: "center" };
    test = await startNamesrv({ ...clusterTest, NAMESRV_ADDR: `127.0.0.1:${product.port}` });
    plain = await startNamesrv({ NAMESRV_ADDR: `127.0.0.1:${product.port}` });
    unreachable = await startNamesrv({ ...clusterTest, NAMESRV_ADDR: `127.0.0.1:${await freePort()}` });
    waiting = await startNamesrv({
      ...clusterTest,
      NAMESRV_CONFIG_needWaitForService: "true",
      NAMESRV_CONFIG_waitSecondsForService: "3600",
      NAMESRV_ADDR: `127.0.0.1:${product.port}`,
    });
  }, 60_000);
  afterAll(async () => {
    productBroker?.close();
    for (const ns of [product, test, plain, unreachable, waiting]) await ns?.stop();
  });

  it("answers the product environment's route, in the legacy dialect whatever the client's version", async () => {
    const legacyAtProduct = await route(product, "ProductTopic", 317);
    expect(legacyAtProduct.code).toBe(0);
    for (const version of [479, 317]) {
      const answer = await route(test, "ProductTopic", version);
      expect(answer).toMatchObject({ code: 0, remark: null });
      expect(text(answer)).toBe(text(legacyAtProduct));
    }
    expect(text(await route(test, "ProductTopic"))).toContain('"brokerName":"product-broker"');
  });

  it("filters the product environment's route by the client's zone, as Java's zone hook does", async () => {
    const zoneMode = (zoneName: string) => ({ __ZONE_MODE: "true", __ZONE_NAME: zoneName });
    const sameZone = await route(test, "ProductTopic", 479, zoneMode("ZONE-A"));
    expect(sameZone.code).toBe(0);
    expect(text(sameZone)).toBe(text(await route(product, "ProductTopic", 317)));
    const otherZone = await route(test, "ProductTopic", 479, zoneMode("zone-b"));
    expect(otherZone.code).toBe(0);
    expect(parseFastjson(text(otherZone)!)).toMatchObject({ brokerDatas: [], queueDatas: [] });
  });

  it("answers TOPIC_NOT_EXIST when the product environment has no route either", async () => {
    expect(await route(test, "NowhereTopic")).toMatchObject({ code: 17, remark: topicNotExistRemark("NowhereTopic") });
  });

  it("answers TOPIC_NOT_EXIST when the product environment cannot be reached", async () => {
    expect(await route(unreachable, "ProductTopic")).toMatchObject({ code: 17, remark: topicNotExistRemark("ProductTopic") });
  });

  it("does not wait for service: Java's clusterTest processor has no needWaitForService check", async () => {
    expect(await route(waiting, "ProductTopic")).toMatchObject({ code: 0, remark: null });
    expect(text(await route(waiting, "ProductTopic"))).toBe(text(await route(product, "ProductTopic", 317)));
    expect(await route(waiting, "NowhereTopic")).toMatchObject({ code: 17, remark: topicNotExistRemark("NowhereTopic") });
  });

  it("prefers a route of its own", async () => {
    const broker = await RemotingTestClient.connect(test.port);
    try {
      const registered = await broker.request(103, registerRequest({ brokerName: "test-broker", brokerAddr: "127.0.0.1:20911", topics: ["ProductTopic", "Base"] }));
      expect(registered.code).toBe(0);
      const own = text(await route(test, "ProductTopic"))!;
      expect(own).toContain('"brokerName":"test-broker"');
      expect(own).not.toContain("product-broker");
    } finally {
      broker.close();
    }
  });

  it("is off by default: NAMESRV_ADDR alone changes nothing", async () => {
    expect(await route(plain, "ProductTopic")).toMatchObject({ code: 17, remark: topicNotExistRemark("ProductTopic") });
  });
});
