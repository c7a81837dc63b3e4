import { describe, expect, it } from "vitest";
import { createApp } from "../../edge/app";
import { defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import { createServices } from "../../edge/services";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import type { Store } from "../../edge/store/store";
import { ResponseCode } from "../../shared/codes";
import { ApiClient, type ApiReply } from "../../tcp-bridge/api-client";
import { inProcessUpstream } from "../../tcp-bridge/upstream";

/** One app, reached two ways: over its HTTP API only, and with its route reader for route queries. */
function clients(overrides: Partial<NamesrvConfig> = {}, store: Store = new EmbeddedStore({ kvConfigPath: null })) {
  const config = { ...defaultNamesrvConfig("/tmp/namesrv-home"), ...overrides };
  const services = createServices(store, config, {});
  const app = createApp(services, { log: () => {} });
  const unexpected: unknown[] = [];
  return {
    app,
    overHttp: new ApiClient(inProcessUpstream(app)),
    local: new ApiClient(inProcessUpstream(app), { localRoutes: services.routes, onUnexpectedError: (e) => unexpected.push(e) }),
    unexpected,
  };
}

async function register(app: ReturnType<typeof createApp>, zoneName: string | null = null) {
  const res = await app.request("/api/v1/brokers/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      clusterName: "DefaultCluster",
      brokerAddr: "127.0.0.1:10911",
      brokerName: "broker-a",
      brokerId: 0,
      haServerAddr: "127.0.0.1:10912",
      zoneName,
      channel: "c-1",
      dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter: 1 },
      topicConfigTable: {
        TopicTest: { topicName: "TopicTest", readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
        "%RETRY%a/b ü": { topicName: "%RETRY%a/b ü", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 },
      },
      filterServerList: [],
    }),
  });
  expect(res.status).toBe(200);
}

const text = (reply: ApiReply) => (reply.ok ? new TextDecoder().decode(reply.bytes) : reply);

describe("ApiClient route queries", () => {
  it("answer the same bytes from the local route reader as over the HTTP API, in both formats and with a zone", async () => {
    const { app, overHttp, local } = clients();
    await register(app, "zone-1");
    for (const topic of ["TopicTest", "%RETRY%a/b ü"]) {
      for (const format of ["json", "legacy"] as const) {
        for (const zone of [null, "zone-1", "zone-2"]) {
          const viaHttp = await overHttp.route(topic, zone, format);
          const viaLocal = await local.route(topic, zone, format);
          expect(viaHttp.ok).toBe(true);
          expect(text(viaLocal)).toEqual(text(viaHttp));
        }
      }
    }
    const route = JSON.parse(text(await local.route("TopicTest", null, "json")) as string);
    expect(route.queueDatas).toEqual([{ brokerName: "broker-a", perm: 6, readQueueNums: 4, topicSysFlag: 0, writeQueueNums: 4 }]);
  });

  it("answer the same NameServer errors both ways", async () => {
    const { app, overHttp, local, unexpected } = clients();
    await register(app);
    const missing = await local.route("nope", null, "json");
    expect(missing).toEqual(await overHttp.route("nope", null, "json"));
    expect(missing).toMatchObject({ ok: false, status: 404, code: ResponseCode.TOPIC_NOT_EXIST });

    const waiting = clients({ needWaitForService: true, waitSecondsForService: 60 });
    const notReady = await waiting.local.route("TopicTest", null, "legacy");
    expect(notReady).toEqual(await waiting.overHttp.route("TopicTest", null, "legacy"));
    expect(notReady).toMatchObject({ ok: false, code: ResponseCode.SYSTEM_ERROR });
    expect(unexpected).toEqual([]);
  });

  it("turn a store failure into SYSTEM_ERROR with its message and report it", async () => {
    const broken = new EmbeddedStore({ kvConfigPath: null });
    broken.getTopicRouteIfChanged = async () => {
      throw new Error("store unreachable");
    };
    const { overHttp, local, unexpected } = clients({}, broken);
    const failure = await local.route("TopicTest", null, "json");
    expect(failure).toEqual({ ok: false, status: 500, code: ResponseCode.SYSTEM_ERROR, remark: "store unreachable" });
    expect(await overHttp.route("TopicTest", null, "json")).toEqual(failure);
    expect(unexpected).toHaveLength(1);
  });
});

describe("ApiClient registrations", () => {
  const request = (overrides: Record<string, unknown> = {}) => ({
    clusterName: "DefaultCluster",
    brokerAddr: "127.0.0.1:10911",
    brokerName: "broker-a",
    brokerId: 0,
    haServerAddr: "127.0.0.1:10912",
    zoneName: null,
    heartbeatTimeoutMillis: null,
    enableActingMaster: false,
    channel: "c-1",
    bodyDigest: "d1",
    dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter: 1 },
    topicConfigTable: {
      TopicTest: { topicName: "TopicTest", readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: "SINGLE_TAG", topicSysFlag: 0, order: false, attributes: {} },
      Other: { topicName: "Other", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicFilterType: "SINGLE_TAG", topicSysFlag: 0, order: false, attributes: { "+k": "v" } },
    },
    topicQueueMappingInfoMap: {},
    filterServerList: [],
    ...overrides,
  });

  it("register the same way through the local route manager as over the HTTP API", async () => {
    const cases = [
      request(),
      // a TopicConfig that needs the schema's defaults: the local path hands it to the API
      request({ topicConfigTable: { TopicTest: { topicName: "TopicTest" }, Other: { topicName: "Other", perm: 4 } } }),
      // a single topic before the broker's first full registration: refused the same way
      request({ topicConfigTable: { TopicTest: { topicName: "TopicTest", readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 } } }),
      request({ brokerId: 1, brokerAddr: "127.0.0.1:10921", zoneName: "z", filterServerList: ["127.0.0.1:1"] }),
    ];
    let registered = 0;
    for (const body of cases) {
      const a = clients({ orderMessageEnable: true });
      const b = clients({ orderMessageEnable: true });
      for (const { app } of [a, b]) {
        await app.request("/api/v1/kv/ORDER_TOPIC_CONFIG/TopicTest", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "broker-a:4" }) });
      }
      const viaHttp = await a.overHttp.registerBroker(body);
      const viaLocal = await b.local.registerBroker(body);
      if (!viaHttp.ok || !viaLocal.ok) {
        expect(viaLocal).toEqual(viaHttp);
        continue;
      }
      registered++;
      expect(viaLocal.json()).toEqual(viaHttp.json());
      expect(text(await b.local.route("TopicTest", null, "json"))).toEqual(text(await a.overHttp.route("TopicTest", null, "json")));
      expect(await (await b.app.request("/api/v1/clusters")).text()).toEqual(await (await a.app.request("/api/v1/clusters")).text());
    }
    expect(registered).toBe(3);
  });

  it("answer an invalid registration with the API's error both ways", async () => {
    const { overHttp, local, unexpected } = clients();
    for (const body of [request({ brokerId: -1 }), request({ clusterName: "" }), request({ topicConfigTable: { T: { topicName: "T", perm: "x" } } })]) {
      const viaLocal = await local.registerBroker(body);
      expect(viaLocal).toMatchObject({ ok: false, status: 400, code: ResponseCode.SYSTEM_ERROR });
      expect(viaLocal).toEqual(await overHttp.registerBroker(body));
    }
    expect(unexpected).toEqual([]);
  });
});
