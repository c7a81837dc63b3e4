import { describe, expect, it } from "vitest";
import { defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import { inProcessNamesrv } from "../support/in-process-namesrv";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { JSON_HEADERS, httpRegistration, jsonRequest } from "../support/http-api";

function makeApp(overrides: Partial<NamesrvConfig> = {}) {
  const store = new EmbeddedStore({ kvConfigPath: null });
  return { store, ...inProcessNamesrv(store, { ...defaultNamesrvConfig("/tmp/namesrv-home"), ...overrides }) };
}

const json = jsonRequest;
const registration = httpRegistration;

async function errorOf(res: Response): Promise<{ code: number; name: string; message: string }> {
  return ((await res.json()) as { error: { code: number; name: string; message: string } }).error;
}

/** A body delivered in chunks with no content-length, as a chunked upload arrives. */
function streamedBody(chunk: Uint8Array, chunks: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ < chunks) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

describe("HTTP body limit", () => {
  it("answers 413 for a body announced larger than maxHttpBodyBytes, before reading it", async () => {
    const { app, store } = makeApp({ maxHttpBodyBytes: 4096 });
    let pulled = 0;
    const body = new ReadableStream({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const res = await app.request("/api/v1/kv/ns/k", {
      method: "PUT",
      headers: { ...JSON_HEADERS, "content-length": "5000" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: 1, name: "SYSTEM_ERROR", message: "request body is larger than maxHttpBodyBytes (4096 bytes)" });
    expect(pulled).toBeLessThanOrEqual(1);
    expect(await store.getKVListByNamespace("ns")).toBeNull();
  });

  it("stops reading a streamed body as soon as it passes maxHttpBodyBytes", async () => {
    const { app, store } = makeApp({ maxHttpBodyBytes: 64 * 1024 });
    const chunk = new TextEncoder().encode(`{"value":"${"x".repeat(1000)}`);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk);
      },
    });
    const res = await app.request("/api/v1/kv/ns/k", { method: "PUT", headers: JSON_HEADERS, body: endless, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toContain("maxHttpBodyBytes");
    expect(pulled).toBeLessThan(100);
    expect(await store.getKVListByNamespace("ns")).toBeNull();
  });

  it("reads a streamed body within the limit", async () => {
    const { app, services } = makeApp({ maxHttpBodyBytes: 64 * 1024 });
    const text = JSON.stringify({ value: "v".repeat(30_000) });
    const res = await app.request("/api/v1/kv/ns/k", {
      method: "PUT",
      headers: JSON_HEADERS,
      body: streamedBody(new TextEncoder().encode(text), 1),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await services.kv.getKVConfig("ns", "k")).toHaveLength(30_000);
  });

  it("refuses a 64 MiB KV value with 413 under the default limit", async () => {
    const { app, store } = makeApp();
    const res = await app.request("/api/v1/kv/ns/k", {
      method: "PUT",
      headers: JSON_HEADERS,
      body: streamedBody(new Uint8Array(1024 * 1024).fill(0x61), 64),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await store.getKVListByNamespace("ns")).toBeNull();
  });
});

describe("JSON depth of HTTP bodies", () => {
  it("answers 400 to a body nested 100,000 levels deep and changes nothing", async () => {
    const { app, services } = makeApp();
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const bodies: [string, string, string][] = [
      ["POST", "/api/v1/brokers/register", JSON.stringify(registration()).replace('"filterServerList":[]', `"filterServerList":${deep}`)],
      ["POST", "/api/v1/brokers/register", `{"topicQueueMappingInfoMap":{"TopicTest":${"{\"a\":".repeat(100_000)}1${"}".repeat(100_000)}},${JSON.stringify(registration()).slice(1)}`],
      ["PUT", "/api/v1/kv/ns/k", `{"value":"v","x":${deep}}`],
      ["PUT", "/api/v1/config", `{"orderMessageEnable":"true","x":${deep}}`],
      ["PUT", "/api/v1/topics/TopicTest/queues", `{"queueDatas":${deep}}`],
      ["POST", "/api/v1/brokers/heartbeat", deep],
    ];
    for (const [method, path, body] of bodies) {
      const res = await app.request(path, { method, headers: JSON_HEADERS, body });
      expect(res.status, path).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe(1);
      expect(error.message).toBe("request body nests JSON deeper than maxJsonDepth (512 levels)");
    }
    expect((await app.request("/api/v1/topics/TopicTest/route")).status).toBe(404);
    expect(await (await app.request("/api/v1/clusters")).json()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
    expect((await app.request("/api/v1/kv/ns")).status).toBe(404);
    expect((await services.config.current()).orderMessageEnable).toBe(false);
  });

  it("accepts nesting up to maxJsonDepth", async () => {
    const { app } = makeApp({ maxJsonDepth: 16 });
    const ok = await app.request("/api/v1/kv/ns/k", { method: "PUT", headers: JSON_HEADERS, body: `{"value":"v","x":${"[".repeat(15)}${"]".repeat(15)}}` });
    expect(ok.status).toBe(200);
    const deep = await app.request("/api/v1/kv/ns/k2", { method: "PUT", headers: JSON_HEADERS, body: `{"value":"v","x":${"[".repeat(16)}${"]".repeat(16)}}` });
    expect(deep.status).toBe(400);
  });
});

describe("content type and cross-origin requests", () => {
  it("refuses a state-changing body that is not application/json with 415", async () => {
    const { app } = makeApp();
    const forms: Record<string, string>[] = [{ "content-type": "text/plain" }, { "content-type": "application/x-www-form-urlencoded" }, {}];
    for (const headers of forms) {
      const res = await app.request("/api/v1/brokers/register", { method: "POST", headers, body: JSON.stringify(registration()) });
      expect(res.status).toBe(415);
      expect(await errorOf(res)).toMatchObject({ code: 1, message: "POST with a body needs content-type application/json" });
    }
    const put = await app.request("/api/v1/kv/ns/k", { method: "PUT", headers: { "content-type": "text/plain" }, body: '{"value":"v"}' });
    expect(put.status).toBe(415);
    expect(await (await app.request("/api/v1/clusters")).json()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
    expect((await app.request("/api/v1/kv/ns")).status).toBe(404);
    const charset = await app.request("/api/v1/kv/ns/k", { method: "PUT", headers: { "content-type": "Application/JSON; charset=utf-8" }, body: '{"value":"v"}' });
    expect(charset.status).toBe(200);
  });

  it("takes state-changing requests without a body (the tcp-bridge's) without a content type", async () => {
    const { app } = makeApp();
    await app.request("/api/v1/brokers/register", json(registration()));
    const wipe = await app.request("/api/v1/brokers/broker-a/wipe-write-perm", { method: "POST" });
    expect(await wipe.json()).toEqual({ wipeTopicCount: 2 });
    expect((await app.request("/api/v1/kv/ns/k", { method: "DELETE" })).status).toBe(200);
  });

  it("by default refuses preflights and cross-origin state changes, and never allows an origin", async () => {
    const { app } = makeApp();
    await app.request("/api/v1/brokers/register", json(registration()));
    const preflight = await app.request("/api/v1/brokers/broker-a/wipe-write-perm", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-methods")).toBeNull();
    expect((await errorOf(preflight)).code).toBe(16);

    // what a hidden form or a no-cors fetch of a foreign page sends: no preflight at all
    const simple = await app.request("/api/v1/brokers/broker-a/wipe-write-perm", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "text/plain" },
      body: "x",
    });
    expect([403, 415]).toContain(simple.status);
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
    const bodyless = await app.request("/api/v1/brokers/broker-a/wipe-write-perm", { method: "POST", headers: { origin: "https://evil.example" } });
    expect(bodyless.status).toBe(403);
    expect((await errorOf(bodyless)).message).toBe("cross-origin request from https://evil.example refused: the origin is not in httpCorsAllowOrigins");
    const asJson = await app.request("/api/v1/brokers/register", json(registration({ brokerName: "fake" }), "POST", { origin: "https://evil.example" }));
    expect(asJson.status).toBe(403);

    const route = await (await app.request("/api/v1/topics/TopicTest/route")).json();
    expect(route.queueDatas[0].perm).toBe(6);
    expect(route.brokerDatas.map((b: { brokerName: string }) => b.brokerName)).toEqual(["broker-a"]);

    // reads are answered, but without an allow header the foreign page cannot read them
    const read = await app.request("/api/v1/clusters", { headers: { origin: "https://evil.example" } });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows the origins listed in httpCorsAllowOrigins", async () => {
    const { app } = makeApp({ httpCorsAllowOrigins: "https://console.example;https://ops.example" });
    const preflight = await app.request("/api/v1/kv/ns/k", {
      method: "OPTIONS",
      headers: { origin: "https://ops.example", "access-control-request-method": "PUT", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://ops.example");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type");

    const put = await app.request("/api/v1/kv/ns/k", json({ value: "v" }, "PUT", { origin: "https://console.example" }));
    expect(put.status).toBe(200);
    expect(put.headers.get("access-control-allow-origin")).toBe("https://console.example");
    const read = await app.request("/api/v1/kv/ns/k", { headers: { origin: "https://console.example" } });
    expect(read.headers.get("access-control-allow-origin")).toBe("https://console.example");
    expect(read.headers.get("vary")).toContain("Origin");

    const other = await app.request("/api/v1/kv/ns/k", json({ value: "w" }, "PUT", { origin: "https://evil.example" }));
    expect(other.status).toBe(403);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(await (await app.request("/api/v1/kv/ns/k")).json()).toMatchObject({ value: "v" });
  });
});

describe("answers that would not fit a remoting frame", () => {
  it("refuses a legacy topic list larger than the frame limit with SYSTEM_ERROR, JSON stays unbounded", async () => {
    const { app } = makeApp({ serverSocketMaxFrameBytes: 16 * 1024 });
    const topicConfigTable: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) topicConfigTable[`Topic-${i}`] = { topicName: `Topic-${i}`, readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 };
    expect((await app.request("/api/v1/brokers/register", json(registration({ topicConfigTable })))).status).toBe(200);
    const legacy = await app.request("/api/v1/topics?format=legacy");
    expect(legacy.status).toBe(500);
    const error = await errorOf(legacy);
    expect(error.code).toBe(1);
    expect(error.message).toMatch(/^GET_ALL_TOPIC_LIST_FROM_NAMESERVER answer of \d+ bytes exceeds the frame limit \(serverSocketMaxFrameBytes 16384/);
    expect((await app.request("/api/v1/clusters/DefaultCluster/topics?format=legacy")).status).toBe(500);
    const plain = await app.request("/api/v1/topics");
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as { topicList: string[] }).topicList).toHaveLength(2000);
    expect((await app.request("/api/v1/clusters?format=legacy")).status).toBe(200);
  });

  it("refuses a legacy KV list larger than the frame limit", async () => {
    const { app } = makeApp({ serverSocketMaxFrameBytes: 16 * 1024 });
    for (let i = 0; i < 20; i++) await app.request(`/api/v1/kv/ns/k${i}`, json({ value: "v".repeat(1000) }, "PUT"));
    const legacy = await app.request("/api/v1/kv/ns?format=legacy");
    expect(legacy.status).toBe(500);
    expect((await errorOf(legacy)).message).toMatch(/^GET_KVLIST_BY_NAMESPACE answer of \d+ bytes exceeds the frame limit/);
    expect((await app.request("/api/v1/kv/ns")).status).toBe(200);
  });
});
