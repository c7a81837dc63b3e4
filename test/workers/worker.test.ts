/**
 * The Worker entry inside workerd, against a real Redis (through the development REST proxy that
 * global-setup.ts starts): the HTTP API, the cron sweep, and the refusals when misconfigured.
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import worker from "../../edge/runtime/worker";
import { httpRegistration, topicConfig } from "../support/http-api";
import { waitFor } from "../support/wait-for";

const prefix = inject("redisPrefix");
const key = (rest: string) => `{${prefix}}:${rest}`;

async function call(path: string, init?: RequestInit, bindings: Record<string, unknown> = env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://namesrv.test${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** One Redis command straight to the REST proxy (no base64), to look at the stored state. */
async function redis(...command: string[]): Promise<unknown> {
  const res = await fetch(inject("redisRestUrl"), {
    method: "POST",
    headers: { authorization: `Bearer ${inject("redisRestToken")}` },
    body: JSON.stringify(command),
  });
  const body = (await res.json()) as { result?: unknown; error?: string };
  if (!res.ok) throw new Error(`redis ${command.join(" ")}: ${body.error}`);
  return body.result;
}

function registration(brokerName: string, brokerAddr: string, topics: string[], extra: Record<string, unknown> = {}) {
  return httpRegistration({
    clusterName: "WorkerCluster",
    brokerAddr,
    brokerName,
    haServerAddr: brokerAddr,
    topicConfigTable: Object.fromEntries(topics.map((t) => [t, topicConfig(t)])),
    ...extra,
  });
}

describe("the Worker on Redis (workerd)", () => {
  it("runs inside workerd", () => {
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
  });

  it("answers /health and an unknown topic with TOPIC_NOT_EXIST", async () => {
    expect(await (await call("/health")).json()).toEqual({ status: "UP" });
    const res = await call("/api/v1/topics/NoSuchTopic/route");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 17, name: "TOPIC_NOT_EXIST" } });
  });

  it("registers a broker and serves its route, stored under the configured prefix", async () => {
    const reg = await call("/api/v1/brokers/register", json(registration("broker-w", "10.0.0.1:10911", ["WTopic", "WBase"])));
    expect(reg.status).toBe(200);
    const route = await call("/api/v1/topics/WTopic/route");
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(
      '{"brokerDatas":[{"brokerAddrs":{"0":"10.0.0.1:10911"},"brokerName":"broker-w","cluster":"WorkerCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-w","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
    // the state is in Redis, readable by an operator
    expect(await redis("SMEMBERS", key("clusterAddrTable:WorkerCluster"))).toEqual(["broker-w"]);
    const brokerData = (await redis("HGETALL", key("brokerAddrTable:broker-w"))) as string[];
    expect(brokerData[brokerData.indexOf("brokerAddrs") + 1]).toBe('{"0":"10.0.0.1:10911"}');
    const topics = (await (await call("/api/v1/topics")).json()) as { topicList: string[] };
    expect(topics.topicList).toEqual(expect.arrayContaining(["WTopic", "WBase"]));
  });

  it("serves GET /metrics: this isolate's counters (said in HELP) and the brokers read from Redis", async () => {
    const res = await call("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toContain('rocketmq_namesrv_up{node_type="namesrv"} 1\n');
    expect(text).toMatch(/# HELP rocketmq_rpc_latency .*this Worker isolate/);
    expect(text).toMatch(/rocketmq_rpc_latency_count\{request_code="register_broker",response_code="success",transport="http"\} [1-9]/);
    expect(text).toMatch(/\nrocketmq_namesrv_active_brokers [1-9]/);
    expect(text).toContain("rocketmq_namesrv_state_readable 1\n");
    expect(text).not.toContain("process_resident_memory_bytes");
  });

  it("answers GET /ready when Redis answers, 503 with the reason when it does not", async () => {
    const ready = await call("/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "READY", reasons: [] });
    const wrongToken = await call("/ready", undefined, { ...env, UPSTASH_REDIS_REST_TOKEN: "wrong" });
    expect(wrongToken.status).toBe(503);
    expect(((await wrongToken.json()) as { reasons: string[] }).reasons[0]).toMatch(/store unreachable/);
  });

  it("puts, reads, lists and deletes KV config", async () => {
    const put = await call("/api/v1/kv/ORDER_TOPIC_CONFIG/WTopic", { ...json({ value: "broker-w:4" }), method: "PUT" });
    expect(put.status).toBe(200);
    expect(await (await call("/api/v1/kv/ORDER_TOPIC_CONFIG/WTopic")).json()).toEqual({
      namespace: "ORDER_TOPIC_CONFIG",
      key: "WTopic",
      value: "broker-w:4",
    });
    expect(await (await call("/api/v1/kv/ORDER_TOPIC_CONFIG")).text()).toBe('{"table":{"WTopic":"broker-w:4"}}');
    expect(await redis("HGET", key("kvConfig:ORDER_TOPIC_CONFIG"), "WTopic")).toBe("broker-w:4");
    expect((await call("/api/v1/kv/ORDER_TOPIC_CONFIG/WTopic", { method: "DELETE" })).status).toBe(200);
    expect(await redis("HGET", key("kvConfig:ORDER_TOPIC_CONFIG"), "WTopic")).toBeNull();
  });

  it("keeps run-time config changes in Redis", async () => {
    const put = await call("/api/v1/config", { ...json({ enableTopicList: "false" }), method: "PUT" });
    expect(put.status).toBe(200);
    expect(await redis("HGET", key("namesrvConfig"), "enableTopicList")).toBe("false");
    const restore = await call("/api/v1/config", { ...json({ enableTopicList: "true" }), method: "PUT" });
    expect(restore.status).toBe(200);
  });

  it("leaves an expired broker out of routes at once, and the scheduled sweep removes its entries", async () => {
    const reg = await call(
      "/api/v1/brokers/register",
      json(registration("broker-exp", "10.0.0.9:10911", ["ExpTopic", "ExpBase"], { heartbeatTimeoutMillis: 300 })),
    );
    expect(reg.status).toBe(200);
    const member = "WorkerCluster:10.0.0.9:10911";
    const deadline = Number(await redis("ZSCORE", key("brokerLiveTable"), member));
    expect(deadline).toBeGreaterThan(0);
    // past its deadline the route leaves it out, before any sweep
    await waitFor(async () => (await call("/api/v1/topics/ExpTopic/route")).status === 404, "the route to drop the expired broker", 10_000);
    expect(await redis("ZSCORE", key("brokerLiveTable"), member)).not.toBeNull();

    await worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), env);

    expect(await redis("ZSCORE", key("brokerLiveTable"), member)).toBeNull();
    expect(await redis("EXISTS", key("brokerAddrTable:broker-exp"))).toBe(0);
    expect(await redis("EXISTS", key("topicQueueTable:ExpTopic"))).toBe(0);
    // the broker registered earlier (default timeout) is untouched
    expect((await call("/api/v1/topics/WTopic/route")).status).toBe(200);
  });

  it("reports a Redis failure as SYSTEM_ERROR with the reason", async () => {
    const res = await call("/api/v1/topics/WTopic/route", undefined, { ...env, UPSTASH_REDIS_REST_TOKEN: "wrong-token" });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(1);
    expect(body.error.message).toMatch(/unauthorized|token/i);
  });

  it("refuses to serve without the Upstash bindings, saying what to set", async () => {
    const { UPSTASH_REDIS_REST_URL: _u, UPSTASH_REDIS_REST_TOKEN: _t, ...rest } = env;
    const res = await call("/health", undefined, rest);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: number; name: string; message: string } };
    expect(body.error).toMatchObject({ code: 1, name: "SYSTEM_ERROR" });
    expect(body.error.message).toContain("UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN");
    const half = await call("/health", undefined, { ...env, UPSTASH_REDIS_REST_TOKEN: "" });
    expect(((await half.json()) as { error: { message: string } }).error.message).toContain("must be set together");
  });

  it("validates NAMESRV_CONFIG_<key> overrides and applies them", async () => {
    const bad = await call("/health", undefined, { ...env, NAMESRV_CONFIG_orderMessageEnable: "maybe" });
    expect(bad.status).toBe(500);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("orderMessageEnable");
    const typo = await call("/health", undefined, { ...env, NAMESRV_CONFIG_orderMessageEnabled: "true" });
    expect(((await typo.json()) as { error: { message: string } }).error.message).toContain("NAMESRV_CONFIG_orderMessageEnabled");
    const good = await call("/api/v1/config", undefined, { ...env, NAMESRV_CONFIG_productEnvName: "edge-test" });
    expect(good.status).toBe(200);
    expect(await good.text()).toContain("edge-test");
  });
});

describe("the Worker is public: anonymous writes", () => {
  const { NAMESRV_ALLOW_ANONYMOUS_WRITES: _allowed, ...strict } = env as Record<string, unknown>;

  it("are refused with authentication off, and change nothing; reads stay open", async () => {
    const res = await call("/api/v1/kv/worker-ns/anonymous", { ...json({ value: "v" }), method: "PUT" }, strict);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(16);
    expect(body.error.message).toContain("NAMESRV_ALLOW_ANONYMOUS_WRITES");
    expect(await redis("HGET", key("kvConfig:worker-ns"), "anonymous")).toBeNull();
    const register = await call("/api/v1/brokers/register", json(registration("anon-broker", "10.9.9.9:10911", ["AnonTopic"])), strict);
    expect(register.status).toBe(401);
    expect(await redis("EXISTS", key("brokerAddrTable:anon-broker"))).toBe(0);
    expect((await call("/api/v1/topics/AnonTopic/route", undefined, strict)).status).toBe(404);
    expect(res.headers.get("x-namesrv-warning")).toBeNull();
  });

  it("leave an audit record in the shared Redis stream", async () => {
    await call("/api/v1/kv/worker-ns/audited", { ...json({ value: "v" }), method: "PUT" }, strict);
    const entries = (await redis("XREVRANGE", key("audit"), "+", "-", "COUNT", "20")) as [string, string[]][];
    const fields = entries.map(([, flat]) => Object.fromEntries(flat.reduce<[string, string][]>((acc, v, i) => (i % 2 ? acc : [...acc, [v, flat[i + 1]]]), [])));
    expect(fields.find((f) => f.operation === "putKVConfig" && f.resource?.includes("audited"))).toMatchObject({ outcome: "denied", responseCode: "16", transport: "http" });
  });

  it("with NAMESRV_ALLOW_ANONYMOUS_WRITES=true are accepted, with a warning on every response", async () => {
    const res = await call("/api/v1/kv/worker-ns/allowed", { ...json({ value: "v" }), method: "PUT" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-namesrv-warning")).toMatch(/anonymous writes are allowed/);
    expect((await call("/health")).headers.get("x-namesrv-warning")).toMatch(/anonymous writes are allowed/);
  });

  it("with authentication on are refused, and an account's token is accepted", async () => {
    const secured = { ...strict, NAMESRV_CONFIG_authenticationEnabled: "true", NAMESRV_CONFIG_initAuthenticationUser: JSON.stringify({ username: "worker-admin", password: "worker-secret-1" }) };
    const anonymous = await call("/api/v1/kv/worker-ns/secured", { ...json({ value: "v" }), method: "PUT" }, secured);
    expect(anonymous.status).toBe(401);
    const basic = { authorization: `Basic ${btoa("worker-admin:worker-secret-1")}` };
    const issued = await call("/api/v1/accounts/worker-admin/tokens", { method: "POST", headers: { ...basic, "content-type": "application/json" }, body: "{}" }, secured);
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    const withToken = await call("/api/v1/kv/worker-ns/secured", { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ value: "v" }) }, secured);
    expect(withToken.status).toBe(200);
    expect(await redis("HGET", key("kvConfig:worker-ns"), "secured")).toBe("v");
  });
});
