import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { registerRequest } from "../support/broker-registration";
import { waitFor } from "../support/wait-for";
import { useRedisServer } from "../support/redis-server";
import { startNamesrv } from "../support/namesrv-process";
import { RemotingTestClient } from "../support/remoting-client";
import { describeBridgeEndToEnd, routeStatus } from "./bridge-e2e-suite";

const redis = useRedisServer();

describeBridgeEndToEnd("embedded store", () => ({}));
describeBridgeEndToEnd("Redis store over RESP", () => ({ REDIS_URL: redis.current.url, NAMESRV_REDIS_PREFIX: `e2e-${Date.now()}` }));

describe("tcp-bridge liveness and configuration", () => {
  it("expires a silent broker within one scan interval after its timeout", async () => {
    const ns = await startNamesrv({}, []);
    const dir = ns.dir;
    await ns.stop();
    const props = join(dir + "-props.properties");
    writeFileSync(props, "scanNotActiveBrokerInterval=100\nlistenPort=1\n");
    const fast = await startNamesrv({}, ["-c", props]);
    const broker = await RemotingTestClient.connect(fast.port);
    const client = await RemotingTestClient.connect(fast.port);
    try {
      const req = registerRequest({ topics: ["ExpiringTopic", "Base"], extra: { heartbeatTimeoutMillis: "600" } });
      expect((await broker.request(103, req)).code).toBe(0);
      expect(await routeStatus(client, "ExpiringTopic")).toBe(0);
      const registeredAt = Date.now();
      await waitFor(async () => (await routeStatus(client, "ExpiringTopic")) === 17, "expiry", 5000, 20);
      expect(Date.now() - registeredAt).toBeGreaterThanOrEqual(500);
    } finally {
      broker.close();
      client.close();
      await fast.stop();
    }
  });

  it("closes a connection idle past serverChannelMaxIdleTimeSeconds and unregisters its broker", async () => {
    const probe = await startNamesrv();
    const props = join(probe.dir + "-idle.properties");
    await probe.stop();
    writeFileSync(props, "serverChannelMaxIdleTimeSeconds=1\n");
    const ns = await startNamesrv({}, ["-c", props]);
    const broker = await RemotingTestClient.connect(ns.port);
    try {
      expect((await broker.request(103, registerRequest({ topics: ["IdleTopic", "Base"] }))).code).toBe(0);
      const since = Date.now();
      await broker.closed;
      expect(Date.now() - since).toBeGreaterThanOrEqual(900);
      const client = await RemotingTestClient.connect(ns.port);
      try {
        expect(await routeStatus(client, "IdleTopic")).toBe(17);
      } finally {
        client.close();
      }
    } finally {
      broker.close();
      await ns.stop();
    }
  });

  it("stops at start-up with a clear message on a bad configuration value", () => {
    const root = resolve(__dirname, "../..");
    const result = spawnSync(join(root, "node_modules/.bin/bun"), ["tcp-bridge/main.ts"], {
      cwd: root,
      env: { ...process.env, NAMESRV_PORT: "not-a-port" },
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("listenPort");
    expect(result.stderr).toContain("invalid configuration");
  });
});
