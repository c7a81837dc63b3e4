/**
 * A Sentinel group that speaks TLS only to its clients (sentinels, primary and replica announce their
 * TLS ports): REDIS_TLS and REDIS_TLS_CA_FILE reach the sentinels and the primary, and the store
 * follows a failover over TLS.
 */
import { describe, expect, it } from "vitest";
import { reg } from "../store/store-conformance";
import { StoreRpcProcess } from "../support/redis/store-rpc";
import { useRedisTlsFiles } from "../support/redis-tls-files";
import { SENTINEL_MASTER, useRedisSentinelGroup } from "../support/redis-sentinel";
import { waitFor } from "../support/wait-for";

const files = useRedisTlsFiles();
const { certFile, keyFile } = files;

const group = useRedisSentinelGroup(() => {
  files.write();
  return { tls: { certFile, keyFile } };
});

describe("Sentinel over TLS", () => {
  it("serves the store through TLS sentinels and primary, and after a SIGKILL of the primary through the promoted replica", async () => {
    const rpc = await StoreRpcProcess.start({
      REDIS_SENTINELS: group.current.sentinelList,
      REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
      REDIS_TLS: "true",
      REDIS_TLS_CA_FILE: certFile,
    });
    try {
      const store = await rpc.open({ prefix: "tls" });
      await store.registerBroker(reg({ now: Date.now() }));
      for (let i = 0; i < 10; i++) await store.putKVConfig("ns", `k${i}`, `v${i}`);
      const old = await group.current.primary();
      old.kill("SIGKILL");
      await old.exited();
      await waitFor(async () => (await group.current.primary()) !== old && (await store.getKVConfig("ns", "k0").then(() => true, () => false)), "the store to reach the promoted replica over TLS", 30_000, 200);
      for (let i = 0; i < 10; i++) expect(await store.getKVConfig("ns", `k${i}`)).toBe(`v${i}`);
      expect((await store.getTopicRoute("TopicA"))?.brokerDatas[0].brokerName).toBe("broker-a");
    } finally {
      await rpc.stop();
    }
  }, 60_000);

  it("without REDIS_TLS the sentinels cannot be reached, and the error says so within the bound", async () => {
    const error = await StoreRpcProcess.startError({ REDIS_SENTINELS: group.current.sentinelList, REDIS_SENTINEL_MASTER: SENTINEL_MASTER });
    expect(error?.message).toMatch(/no connection to Redis within 2000 ms: .*sentinels/i);
  });
});
