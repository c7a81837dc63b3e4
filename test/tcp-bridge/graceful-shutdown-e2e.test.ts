import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { RequestCode, ResponseCode, Version } from "../../shared/codes";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { startRedisServer } from "../support/redis-server";
import { RemotingTestClient } from "../support/remoting-client";
import { waitFor } from "../support/wait-for";

const started: NamesrvProcess[] = [];
const clients: RemotingTestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(started.splice(0).map((ns) => ns.stop()));
});

async function namesrv(env: Record<string, string>): Promise<NamesrvProcess> {
  const ns = await startNamesrv(env);
  started.push(ns);
  return ns;
}
async function client(ns: NamesrvProcess): Promise<RemotingTestClient> {
  const c = await RemotingTestClient.connect(ns.port);
  clients.push(c);
  return c;
}
const putKV = (c: RemotingTestClient, version: number, key: string) =>
  c.request(RequestCode.PUT_KV_CONFIG, { version, extFields: { namespace: "ROLL", key, value: `${key}-value` } });
const routeQuery = (c: RemotingTestClient, version: number) => c.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { version, extFields: { topic: "AnyTopic" } });
const exited = (ns: NamesrvProcess) => ns.process.exitCode !== null || ns.process.signalCode !== null;

async function ready(ns: NamesrvProcess): Promise<{ status: number; body: { status: string; reasons: string[] } }> {
  const response = await ns.http("/ready");
  return { status: response.status, body: (await response.json()) as { status: string; reasons: string[] } };
}

describe("graceful shutdown (enableShutdownGracefully=true)", () => {
  it("answers GO_AWAY to clients newer than V5_3_1, serves older ones, is not ready, then exits 0 with KV writes on disk", async () => {
    const ns = await namesrv({ NAMESRV_CONFIG_enableShutdownGracefully: "true", NAMESRV_CONFIG_shutdownWaitTimeSeconds: "3" });
    const newer = await client(ns);
    const older = await client(ns);
    expect(await ready(ns)).toEqual({ status: 200, body: { status: "READY", reasons: [] } });
    expect((await putKV(newer, Version.V5_3_3, "before")).code).toBe(ResponseCode.SUCCESS);

    ns.process.kill("SIGTERM");
    await waitFor(async () => (await ready(ns)).status === 503, "/ready to answer 503");
    expect((await ready(ns)).body).toEqual({ status: "NOT_READY", reasons: ["shutting down"] });

    const goAway = await routeQuery(newer, Version.V5_3_3);
    expect([goAway.code, goAway.remark]).toEqual([ResponseCode.GO_AWAY, "please go away"]);
    expect((await putKV(newer, Version.V5_3_3, "refused")).code).toBe(ResponseCode.GO_AWAY);
    // a request code the NameServer does not handle stays REQUEST_CODE_NOT_SUPPORTED, as in Java
    expect((await newer.request(9999, { version: Version.V5_3_3 })).code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);

    expect((await putKV(older, Version.V5_3_1, "during")).code).toBe(ResponseCode.SUCCESS);
    const notReady = await routeQuery(older, Version.V5_3_1);
    expect([notReady.code, notReady.remark]).toEqual([ResponseCode.SYSTEM_ERROR, "name server not ready"]);
    await expect(RemotingTestClient.connect(ns.port)).rejects.toThrow();
    expect(exited(ns)).toBe(false);
    expect(ns.output()).toContain('"msg":"shutting down: GO_AWAY","code":105,"version":479');

    await waitFor(() => exited(ns), "the process to exit after shutdownWaitTimeSeconds", 15_000);
    expect(ns.process.exitCode).toBe(0);
    const kv = JSON.parse(readFileSync(ns.kvPath, "utf8")) as { configTable: Record<string, Record<string, string>> };
    expect(kv.configTable.ROLL).toEqual({ before: "before-value", during: "during-value" });
  });
});

describe("shutdown without enableShutdownGracefully (the default)", () => {
  it("exits at once, as before", async () => {
    const ns = await namesrv({});
    const c = await client(ns);
    expect((await routeQuery(c, Version.V5_3_3)).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    const signalled = Date.now();
    ns.process.kill("SIGTERM");
    await waitFor(() => exited(ns), "the process to exit", 10_000);
    expect(ns.process.exitCode).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(3000);
  });
});

describe("GET /ready", () => {
  it("is 503 until the wait for service (needWaitForService) is over, while /health is 200", async () => {
    const ns = await namesrv({ NAMESRV_CONFIG_needWaitForService: "true", NAMESRV_CONFIG_waitSecondsForService: "2" });
    const early = await ready(ns);
    expect(early.status).toBe(503);
    expect(early.body.reasons).toEqual([expect.stringMatching(/^waiting for service \(needWaitForService\)/)]);
    expect((await ns.http("/health")).status).toBe(200);
    await waitFor(async () => (await ready(ns)).status === 200, "/ready to answer 200", 10_000);
  });

  it("is 503 naming the store while Redis does not answer", async () => {
    const redis = await startRedisServer();
    try {
      const ns = await namesrv({ REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: `ready-${Date.now()}` });
      expect((await ready(ns)).status).toBe(200);
      await redis.stop();
      await waitFor(async () => (await ready(ns)).status === 503, "/ready to answer 503", 15_000);
      expect((await ready(ns)).body.reasons).toEqual([expect.stringMatching(/^store unreachable: /)]);
    } finally {
      await redis.stop();
    }
  });
});
