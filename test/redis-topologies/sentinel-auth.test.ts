/**
 * A Sentinel group where the Redis nodes and the sentinels each require a password: the store
 * logs in to the sentinels with REDIS_SENTINEL_PASSWORD and to the primary with REDIS_PASSWORD; a
 * wrong one fails within the call bound, saying why.
 */
import { describe, expect, it } from "vitest";
import { reg } from "../store/store-conformance";
import { StoreRpcProcess } from "../support/redis/store-rpc";
import { SENTINEL_MASTER, useRedisSentinelGroup } from "../support/redis-sentinel";

const PASSWORD = "data-pw";
const SENTINEL_PASSWORD = "sentinel-pw";
const group = useRedisSentinelGroup({ password: PASSWORD, sentinelPassword: SENTINEL_PASSWORD });

const env = (extra: Record<string, string> = {}) => ({
  REDIS_SENTINELS: group.current.sentinelList,
  REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
  REDIS_PASSWORD: PASSWORD,
  REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
  ...extra,
});

describe("Sentinel with passwords", () => {
  it("serves the store with REDIS_PASSWORD for the primary and REDIS_SENTINEL_PASSWORD for the sentinels", async () => {
    const rpc = await StoreRpcProcess.start(env());
    try {
      const store = await rpc.open({ prefix: "auth" });
      await store.registerBroker(reg({ now: Date.now() }));
      expect((await store.getTopicRoute("TopicA"))?.brokerDatas[0].brokerName).toBe("broker-a");
      await store.putKVConfig("ns", "k", "v");
      expect(await store.getKVConfig("ns", "k")).toBe("v");
    } finally {
      await rpc.stop();
    }
  });

  for (const [what, extra, cause] of [
    ["a wrong password for the primary", { REDIS_PASSWORD: "wrong" }, /WRONGPASS/],
    ["no password for the sentinels", { REDIS_SENTINEL_PASSWORD: "" }, /All sentinels are unreachable.*NOAUTH/],
  ] as const) {
    it(`${what}: calls fail within the bound, saying why`, async () => {
      const started = Date.now();
      const error = await StoreRpcProcess.startError(env(extra));
      expect(error?.message).toMatch(/no connection to Redis within 2000 ms: /);
      expect(error?.message).toMatch(cause);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  }
});
