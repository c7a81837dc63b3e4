import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LINE, lineTag } from "./support/lines.js";
import { parseTopicRoute } from "./support/mqadmin-output.js";
import { startNameServer, type NameServer } from "./support/namesrv.js";
import { createTopicOnBroker, getRoute, parseFastjson, waitForRoute, type TopicRouteData } from "./support/remoting.js";
import { fileDir, line, unique } from "./support/suite.js";
import { mqadmin } from "./support/java.js";
import { RemotingTestClient, text } from "../support/remoting-client.js";
import { topicNotExistRemark } from "../../shared/remarks.js";

// clusterTest mode side by side: Apache's 5.3.3 NamesrvStartup and ours, both with clusterTest=true,
// productEnvName set and NAMESRV_ADDR naming the "product environment", which is the suite's
// NameServer (ours or Apache's, per INTEROP_NAMESRV) with the line's real 5.3.3 broker registered.
// A topic created on that broker exists only in the product environment.
//
// Only route queries (105) are compared. Java installs ClusterTestRequestProcessor as the default
// processor, and it answers every request code as a route query, so nothing can register with it
// and its own route table stays empty: every route it serves is a miss fetched from the product
// environment. Ours serves the other codes as usual and answers local routes first (README); that,
// and Java's address-server lookup when NAMESRV_ADDR is unset (jmenv, not supported by ours), are
// not compared. Java also reads -Drocketmq.namesrv.addr; NAMESRV_ADDR is the form both share.
// Both also run with needWaitForService=true and an hour's wait: Java's clusterTest processor never
// checks it, so every answer below also shows that neither makes a route query wait for service.
describe("clusterTest mode answers route queries as Apache's NameServer does", () => {
  const version = DEFAULT_LINE;
  const tag = lineTag(version);
  const product = line(version);
  const topic = unique("InteropClusterTest");
  const config = { clusterTest: "true", productEnvName: "interop_center", needWaitForService: "true", waitSecondsForService: "3600" };
  let java: NameServer;
  let ours: NameServer;
  let productRoute: TopicRouteData;

  async function routeQuery(ns: NameServer, extFields: Record<string, string>, requestVersion: number) {
    const client = await RemotingTestClient.connect(ns.port, "127.0.0.1");
    try {
      return await client.request(105, { extFields, version: requestVersion }, 15_000);
    } finally {
      client.close();
    }
  }

  /** The same query to both; what each answered, Java's first. */
  async function bothAnswer(extFields: Record<string, string>, requestVersion = 479) {
    const [j, o] = await Promise.all([routeQuery(java, extFields, requestVersion), routeQuery(ours, extFields, requestVersion)]);
    return [j, o].map((r) => ({ code: r.code, remark: r.remark ?? null, body: text(r) }));
  }

  beforeAll(async () => {
    await createTopicOnBroker(product.shared.addr, topic, 3);
    await waitForRoute(product.namesrv, topic, (r) => r !== undefined);
    productRoute = (await getRoute(product.namesrv, topic))!;
    const options = { config, namesrvAddr: product.namesrv };
    [java, ours] = await Promise.all([
      startNameServer("java", fileDir(`cluster-test-java-${tag}`), { ...options, version, label: "clusterTest" }),
      startNameServer("ours", fileDir(`cluster-test-ours-${tag}`), { ...options, label: "clusterTest" }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([java?.proc.stop("SIGTERM"), ours?.proc.stop("SIGTERM")]);
  });

  // 479 is a 5.3.3 client (standard JSON from a NameServer in normal mode), 317 one from before 4.9.4.
  it.each([479, 317])("a miss is answered with the product environment's route, in the legacy dialect (client version %i)", async (requestVersion) => {
    const [j, o] = await bothAnswer({ topic }, requestVersion);
    expect(j).toMatchObject({ code: 0, remark: null });
    expect(o).toEqual(j);
    // fastjson's defaults: the broker-id map keys are bare numbers.
    expect(j.body).toContain(`{0:"${product.shared.addr}"}`);
    const route = parseFastjson<TopicRouteData>(j.body!);
    expect(route.brokerDatas).toEqual(productRoute.brokerDatas);
    expect(route.queueDatas).toEqual(productRoute.queueDatas);
    expect(route.queueDatas).toEqual([expect.objectContaining({ brokerName: product.shared.name, readQueueNums: 3, writeQueueNums: 3, perm: 6 })]);
  });

  it("a zone-mode query filters the fetched route by the client's zone", async () => {
    // The broker registered no zone, so another zone's client gets a route without it.
    const [j, o] = await bothAnswer({ topic, __ZONE_MODE: "true", __ZONE_NAME: "interop-other-zone" });
    expect(j.code).toBe(0);
    expect(o).toEqual(j);
    expect(parseFastjson<TopicRouteData>(j.body!)).toMatchObject({ brokerDatas: [], queueDatas: [] });
  });

  it("a topic neither has is TOPIC_NOT_EXIST (17) with the same remark", async () => {
    const missing = unique("InteropClusterTestNowhere");
    const [j, o] = await bothAnswer({ topic: missing });
    expect(j).toEqual({ code: 17, remark: topicNotExistRemark(missing), body: null });
    expect(o).toEqual(j);
  });

  it("mqadmin topicRoute reads the same route from both", async () => {
    const [j, o] = await Promise.all(
      [java, ours].map((ns) => mqadmin(ns.addr, fileDir(`cluster-test-mqadmin-${ns.kind}-${tag}`), version)("topicRoute", "-t", topic)),
    );
    const route = parseTopicRoute(j);
    expect(route.queueDatas).toEqual(productRoute.queueDatas);
    expect(parseTopicRoute(o)).toEqual(route);
  });
});
