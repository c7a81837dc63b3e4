import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultNamesrvConfig, NAMESRV_CONFIG_SCHEMA } from "../../edge/config/namesrv-config";
import { inProcessNamesrv } from "../support/in-process-namesrv";
import { EmbeddedStore } from "../../edge/store/embedded-store";

function makeApp(clock: () => number, extra: Record<string, string> = {}) {
  const store = new EmbeddedStore({ kvConfigPath: null });
  return { store, ...inProcessNamesrv(store, defaultNamesrvConfig("/tmp/namesrv-home"), { extra, clock }) };
}

const put = (body: unknown) => ({ method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

function junk(count: number): Record<string, string> {
  const entries: Record<string, string> = {};
  for (let i = 0; i < count; i++) entries[`junkKey${i}`] = "x";
  return entries;
}

describe("UPDATE_NAMESRV_CONFIG", () => {
  afterEach(() => vi.restoreAllMocks());

  it("ignores 500,000 keys that are not configuration keys: neither stored nor answered", async () => {
    let now = 1_000_000;
    const { app, store } = makeApp(() => now);
    const res = await app.request("/api/v1/config", put({ ...junk(500_000), orderMessageEnable: "true" }));
    expect(res.status).toBe(200);
    const answered = (await res.json()) as Record<string, string>;
    expect(answered.orderMessageEnable).toBe("true");
    expect(answered.junkKey0).toBeUndefined();
    expect(Object.keys(answered).length).toBeLessThan(200);
    expect(await store.getConfigOverrides()).toEqual({ orderMessageEnable: "true" });
    now += 5000;
    const dumped = (await (await app.request("/api/v1/config")).json()) as Record<string, string>;
    expect(dumped.junkKey1).toBeUndefined();
    // only junk: nothing to store at all
    expect((await app.request("/api/v1/config", put(junk(10)))).status).toBe(200);
    expect(await store.getConfigOverrides()).toEqual({ orderMessageEnable: "true" });
  }, 60_000);

  it("keeps keys of the start-up properties file updatable, as Java's Configuration does", async () => {
    const { app, store } = makeApp(() => 0, { myFileKey: "a" });
    expect(((await (await app.request("/api/v1/config", put({ myFileKey: "b", notAKey: "c" }))).json()) as Record<string, string>).myFileKey).toBe("b");
    expect(await store.getConfigOverrides()).toEqual({ myFileKey: "b" });
  });

  it("ignores junk and limits already in the store, and does not validate unchanged overrides again", async () => {
    let now = 1_000_000;
    const { app, store, services } = makeApp(() => now);
    // a store filled before unknown keys were ignored (a Redis keeps them across restarts)
    await store.putConfigOverrides({ ...junk(500_000), orderMessageEnable: "true", maxConnections: "1", serverSocketMaxFrameBytes: "1024" });
    const first = await services.config.current();
    expect(first.orderMessageEnable).toBe(true);
    expect(first.maxConnections).toBe(10_000);
    expect(first.serverSocketMaxFrameBytes).toBe(16 * 1024 * 1024);
    expect(((await (await app.request("/api/v1/config")).json()) as Record<string, string>).junkKey7).toBeUndefined();

    const parses = vi.spyOn(NAMESRV_CONFIG_SCHEMA.orderMessageEnable, "safeParse");
    for (let i = 0; i < 5; i++) {
      now += 2000; // past the overrides' time to live: read again
      expect((await app.request("/api/v1/topics/Nope/route")).status).toBe(404);
      expect(await services.config.current()).toBe(first);
    }
    expect(parses).not.toHaveBeenCalled();

    // a real change is seen, and validated
    await store.putConfigOverrides({ orderMessageEnable: "false" });
    now += 2000;
    expect((await services.config.current()).orderMessageEnable).toBe(false);
    expect(parses).toHaveBeenCalled();
  }, 60_000);
});
