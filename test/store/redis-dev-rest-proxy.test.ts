/**
 * The development REST proxy (tools/dev-rest-proxy.ts) speaks the Upstash REST protocol
 * the way @upstash/redis expects it: checked with raw HTTP and through the client itself.
 */
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevRestProxy, type DevRestProxy } from "../../tools/dev-rest-proxy";
import { useRedisServer } from "../support/redis-server";

const TOKEN = "proxy-token";
const redis = useRedisServer();
let proxy: DevRestProxy;

beforeAll(async () => {
  proxy = await startDevRestProxy({ redisUrl: redis.current.url, token: TOKEN });
});

afterAll(async () => {
  await proxy?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${proxy.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

describe("dev REST proxy: raw protocol", () => {
  it("rejects a missing or wrong token with 401", async () => {
    const res = await fetch(proxy.url, { method: "POST", body: '["PING"]' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "Unauthorized" });
    expect((await post("/", ["PING"], { Authorization: "Bearer nope" })).status).toBe(401);
  });

  it("single command: result, nil, integer, error", async () => {
    expect(await post("/", ["SET", "proxy:k", "v"])).toEqual({ status: 200, json: { result: "OK" } });
    expect(await post("/", ["GET", "proxy:k"])).toEqual({ status: 200, json: { result: "v" } });
    expect(await post("/", ["GET", "proxy:none"])).toEqual({ status: 200, json: { result: null } });
    expect(await post("/", ["INCR", "proxy:n"])).toEqual({ status: 200, json: { result: 1 } });
    const bad = await post("/", ["INCR", "proxy:k"]);
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: expect.stringMatching(/not an integer/) });
    expect((await post("/", { not: "a command" })).status).toBe(400);
    expect((await post("/nope", ["PING"])).status).toBe(404);
  });

  it("base64 encoding of every string, nested ones too, UTF-8 included", async () => {
    await post("/", ["HSET", "proxy:h", "clé", "中文 \"q\""]);
    expect(await post("/", ["HGETALL", "proxy:h"], { "Upstash-Encoding": "base64" })).toEqual({
      status: 200,
      json: { result: [b64("clé"), b64("中文 \"q\"")] },
    });
    expect(await post("/", ["HLEN", "proxy:h"], { "Upstash-Encoding": "base64" })).toEqual({ status: 200, json: { result: 1 } });
  });

  it("pipeline: in order, errors per command", async () => {
    const res = await post("/pipeline", [["SET", "proxy:p", "1"], ["INCR", "proxy:h"], ["GET", "proxy:p"]]);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{ result: "OK" }, { error: expect.stringMatching(/WRONGTYPE/) }, { result: "1" }]);
  });

  it("multi-exec: one transaction, not interleaved with concurrent commands", async () => {
    await post("/", ["DEL", "proxy:list"]);
    const block = Array.from({ length: 50 }, (_, i) => ["RPUSH", "proxy:list", `tx-${i}`]);
    const [tx] = await Promise.all([
      post("/multi-exec", block),
      ...Array.from({ length: 20 }, (_, i) => post("/", ["RPUSH", "proxy:list", `solo-${i}`])),
    ]);
    expect(tx.status).toBe(200);
    expect((tx.json as unknown[]).length).toBe(50);
    const list = (await post("/", ["LRANGE", "proxy:list", "0", "-1"])).json as { result: string[] };
    const first = list.result.indexOf("tx-0");
    expect(list.result.slice(first, first + 50)).toEqual(block.map((c) => c[2]));
    // a command that fails at queue time aborts the whole transaction
    const aborted = await post("/multi-exec", [["SET", "proxy:never", "1"], ["NOSUCHCOMMAND"]]);
    expect(aborted.status).toBe(400);
    expect((await post("/", ["EXISTS", "proxy:never"])).json).toEqual({ result: 0 });
  });
});

describe("dev REST proxy: through @upstash/redis", () => {
  it("commands, pipelines, transactions and scripts with exact strings", async () => {
    const client = new Redis({ url: proxy.url, token: TOKEN, automaticDeserialization: false, enableTelemetry: false });
    await client.set("proxy:exact", "1700000000000");
    expect(await client.get("proxy:exact")).toBe("1700000000000");
    await client.hset("proxy:json", { v: '{"a":1}', u: "é中" });
    expect(await client.hgetall("proxy:json")).toEqual(expect.arrayContaining(["v", '{"a":1}', "u", "é中"]));
    const p = client.pipeline();
    p.set("proxy:x", "OK");
    p.get("proxy:x");
    expect(await p.exec()).toEqual(["OK", "OK"]);
    const m = client.multi();
    m.incr("proxy:cnt");
    m.incr("proxy:cnt");
    expect(await m.exec()).toEqual([1, 2]);
    const script = client.createScript<string>("return ARGV[1] .. KEYS[1]");
    expect(await script.exec(["k"], ["v-"])).toBe("v-k");
    expect(await script.exec(["k2"], ["v-"])).toBe("v-k2");
  });
});
