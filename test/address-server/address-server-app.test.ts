/** The address server's routes and the instance list, in process over one embedded store. */
import { describe, expect, it } from "vitest";
import { defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import { createApp } from "../../edge/http/app";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { inProcessNamesrv } from "../support/in-process-namesrv";

async function setUp(now: { value: number }, overrides: Partial<NamesrvConfig> = {}) {
  const store = await EmbeddedStore.open({ kvConfigPath: null });
  const config = { ...defaultNamesrvConfig("/tmp/rmq-home"), ...overrides };
  const ns = inProcessNamesrv(store, config, { clock: () => now.value });
  await ns.ready;
  const app = createApp(ns.port, { config: ns.services.config, addressList: () => ns.services.instances.addressList() });
  return { app, ns, config };
}

describe("address server", () => {
  it("answers the live instances as host:port;host:port in plain text, on every form Java clients ask", async () => {
    const now = { value: 1_700_000_000_000 };
    const { app, ns } = await setUp(now);
    expect(await (await app.request("/rocketmq/nsaddr")).text()).toBe("");
    await ns.services.instances.register("10.0.0.2:9876");
    await ns.services.instances.register("10.0.0.1:9876");
    for (const path of ["/rocketmq/nsaddr", "/rocketmq/nsaddr-unitA?nofix=1", "/rocketmq/nsaddr-brokers"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/plain/);
      expect(await res.text(), path).toBe("10.0.0.1:9876;10.0.0.2:9876");
    }
    expect((await app.request("/rocketmq/other")).status).toBe(404);
  });

  it("drops an instance that stopped refreshing once namesrvInstanceTtlSeconds passed", async () => {
    const now = { value: 1_700_000_000_000 };
    const { app, ns, config } = await setUp(now);
    await ns.services.instances.register("10.0.0.1:9876");
    now.value += 5_000;
    await ns.services.instances.register("10.0.0.2:9876");
    now.value += config.namesrvInstanceTtlSeconds * 1000 - 1_000;
    expect(await (await app.request("/rocketmq/nsaddr")).text()).toBe("10.0.0.2:9876");
  });

  it("GET /api/v1/namesrv-instances lists them with lastSeen, through the port", async () => {
    const now = { value: 1_700_000_000_000 };
    const { app, ns } = await setUp(now);
    await ns.services.instances.register("10.0.0.1:9876");
    const res = await app.request("/api/v1/namesrv-instances");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ instances: [{ addr: "10.0.0.1:9876", lastSeen: 1_700_000_000_000 }] });
    expect(await ns.port.listNamesrvInstances({})).toEqual({ instances: [{ addr: "10.0.0.1:9876", lastSeen: 1_700_000_000_000 }] });
  });

  it("with authentication on, the address list stays anonymous while the instance list needs an admin-read account", async () => {
    const now = { value: 1_700_000_000_000 };
    const { app, ns } = await setUp(now, {
      authenticationEnabled: true,
      initAuthenticationUser: JSON.stringify({ username: "admin", password: "admin-secret-1" }),
    });
    await ns.services.instances.register("10.0.0.1:9876");
    expect(await (await app.request("/rocketmq/nsaddr")).text()).toBe("10.0.0.1:9876");
    expect((await app.request("/api/v1/namesrv-instances")).status).toBe(401);
    const basic = `Basic ${btoa("admin:admin-secret-1")}`;
    const res = await app.request("/api/v1/namesrv-instances", { headers: { authorization: basic } });
    expect(res.status).toBe(200);
    expect((await res.json()).instances).toHaveLength(1);
  });

  it("is not served by an app that was given no address list", async () => {
    const now = { value: 1_700_000_000_000 };
    const { ns } = await setUp(now);
    const bare = createApp(ns.port, { config: ns.services.config });
    expect((await bare.request("/rocketmq/nsaddr")).status).toBe(404);
  });
});
