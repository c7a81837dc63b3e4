import { describe, expect, it } from "vitest";
import { defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import { createServices } from "../../edge/service/services";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { registrationInput, topicConfig } from "../support/http-api";

function services(overrides: Partial<NamesrvConfig> = {}) {
  const store = new EmbeddedStore({ kvConfigPath: null });
  return { store, ...createServices(store, { ...defaultNamesrvConfig("/tmp/namesrv-home"), ...overrides }) };
}

async function registerHotTopic(s: ReturnType<typeof services>): Promise<void> {
  const input = registrationInput();
  const topicConfigTable = { Hot: topicConfig("Hot"), Other: topicConfig("Other") };
  await s.routes.registerBroker({ ...input, body: { ...input.body, topicConfigTable } });
}

describe("route byte cache", () => {
  it("stays within routeCacheMaxBytes over 1,000,000 lookups of distinct absent topics, and a hot topic keeps hitting", async () => {
    const s = services();
    const budget = (await s.config.current()).routeCacheMaxBytes;
    await registerHotTopic(s);
    const hot = await s.routes.getEncodedRoute("Hot", null, "standard");
    let absent = 0;
    let largest = 0;
    for (let i = 0; i < 1_000_000; i++) {
      await s.routes.getEncodedRoute(`absent-topic-${i}`, null, "standard").catch((err) => {
        if (err.code === 17) absent++;
      });
      if (i % 10_000 === 0) {
        // served from the cache: the very bytes encoded the first time
        expect(await s.routes.getEncodedRoute("Hot", null, "standard")).toBe(hot);
        largest = Math.max(largest, s.routes.routeCacheStats().bytes);
      }
    }
    expect(absent).toBe(1_000_000);
    const stats = s.routes.routeCacheStats();
    expect(Math.max(largest, stats.bytes)).toBeLessThanOrEqual(budget);
    expect(stats.entries).toBeLessThan(1_000_000);
    expect(stats.entries).toBeGreaterThan(1000);
    expect(await s.routes.getEncodedRoute("Hot", null, "standard")).toBe(hot);
  }, 120_000);

  it("drops the least recently used route first", async () => {
    const s = services({ routeCacheMaxBytes: 20_000 });
    await registerHotTopic(s);
    const hot = await s.routes.getEncodedRoute("Hot", null, "legacy");
    for (let i = 0; i < 200; i++) {
      await s.routes.getEncodedRoute(`absent-${i}`, null, "standard").catch(() => {});
      expect(await s.routes.getEncodedRoute("Hot", null, "legacy")).toBe(hot);
    }
    expect(s.routes.routeCacheStats().bytes).toBeLessThanOrEqual(20_000);
    // unused for a while: pushed out, encoded afresh (equal bytes, a new array)
    for (let i = 200; i < 400; i++) await s.routes.getEncodedRoute(`absent-${i}`, null, "standard").catch(() => {});
    const again = await s.routes.getEncodedRoute("Hot", null, "legacy");
    expect(again).not.toBe(hot);
    expect(again).toEqual(hot);
  });

  it("keeps nothing with a budget of 0 and still answers", async () => {
    const s = services({ routeCacheMaxBytes: 0 });
    await registerHotTopic(s);
    const first = await s.routes.getEncodedRoute("Hot", null, "standard");
    expect(await s.routes.getEncodedRoute("Hot", null, "standard")).toEqual(first);
    expect(s.routes.routeCacheStats()).toEqual({ entries: 0, bytes: 0 });
  });
});
