/**
 * The store on a real Redis Cluster (3 masters, 3 replicas) over ioredis in Bun, as the bridge runs it
 * with REDIS_CLUSTER_NODES: the conformance suite unchanged, seeded with a master that does not own
 * the store's slot; acknowledged writes wait for the owner's replica; a killed owner is replaced by
 * its replica without losing an acknowledged write.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeStoreConformance, reg } from "../store/store-conformance";
import { StoreRpcProcess } from "../support/redis/store-rpc";
import { useRedisCluster } from "../support/redis-cluster";
import { waitFor } from "../support/wait-for";

const cluster = useRedisCluster();
let rpc: StoreRpcProcess;
let n = 0;

beforeAll(async () => {
  // every store's prefix gets its own slot; the seed owns at most a third of them
  rpc = await StoreRpcProcess.start({ REDIS_CLUSTER_NODES: cluster.current.nodes[0].addr });
});

afterAll(async () => {
  await rpc?.stop();
});

describeStoreConformance("RedisStore on a Redis Cluster (ioredis)", async () => rpc.open({ prefix: `cluster-${++n}` }));

describe("Redis Cluster set-ups", () => {
  it("seeded only with a master that does not own the store's slot, every call follows the redirection", async () => {
    const seed = await cluster.current.nonOwnerOf("{elsewhere}");
    const other = await StoreRpcProcess.start({ REDIS_CLUSTER_NODES: seed.addr });
    try {
      const store = await other.open({ prefix: "elsewhere" });
      await store.registerBroker(reg({ now: Date.now() }));
      expect((await store.getTopicRoute("TopicA"))?.brokerDatas[0].brokerName).toBe("broker-a");
      await store.putKVConfig("ns", "k", "v");
      expect(await store.getKVConfig("ns", "k")).toBe("v");
      // and the keys are on the owner, readable there with redis-cli
      const { master } = await cluster.current.ownerOf("{elsewhere}");
      expect(await cluster.current.command(master, ["HGET", "{elsewhere}:kvConfig:ns", "k"])).toBe("v");
    } finally {
      await other.stop();
    }
  });

  it("REDIS_URL naming a node that does not own the slot fails with a message that says to use REDIS_CLUSTER_NODES", async () => {
    const seed = await cluster.current.nonOwnerOf("{by-url}");
    const single = await StoreRpcProcess.start(seed.server.url);
    try {
      const store = await single.open({ prefix: "by-url" });
      await expect(store.getTopicRoute("TopicA")).rejects.toThrow(/REDIS_CLUSTER_NODES/);
    } finally {
      await single.stop();
    }
  });
});

describe("acknowledged writes on a Redis Cluster", () => {
  it("a KV write waits for the owner's replica: refused while the replica is frozen, accepted again after; registrations do not wait", async () => {
    const { replicas } = await cluster.current.ownerOf("{acked}");
    expect(replicas.length).toBe(1);
    const store = await rpc.open({ prefix: "acked" });
    await store.putKVConfig("ns", "before", "1");
    replicas[0].server.kill("SIGSTOP");
    try {
      const started = Date.now();
      await expect(store.putKVConfig("ns", "frozen", "1")).rejects.toThrow(/confirmed by 0 of 1 replica/);
      expect(Date.now() - started).toBeLessThan(3000);
      await store.registerBroker(reg({ now: Date.now() }));
      // REDIS_WAIT_REPLICAS=0 acknowledges on the primary alone
      const unsafe = await StoreRpcProcess.start({ REDIS_CLUSTER_NODES: cluster.current.nodes[0].addr, REDIS_WAIT_REPLICAS: "0" });
      try {
        await (await unsafe.open({ prefix: "acked" })).putKVConfig("ns", "unsafe", "1");
      } finally {
        await unsafe.stop();
      }
    } finally {
      replicas[0].server.kill("SIGCONT");
    }
    await waitFor(async () => store.putKVConfig("ns", "after", "1").then(() => true, () => false), "a KV write to be acknowledged again", 10_000, 100);
    expect(await store.getKVConfig("ns", "before")).toBe("1");
  });
});

describe("failover of the owning master", () => {
  it("SYSTEM_ERROR-style failures within the bound while it is down, then the promoted replica serves every acknowledged write", async () => {
    const store = await rpc.open({ prefix: "failover" });
    await store.registerBroker(reg({ now: Date.now() }));
    for (let i = 0; i < 20; i++) await store.putKVConfig("ns", `k${i}`, `v${i}`);
    const { master, replicas } = await cluster.current.ownerOf("{failover}");
    master.server.kill("SIGKILL");
    await master.server.exited();
    const started = Date.now();
    const during = await store.getKVConfig("ns", "k0").then(() => "answered", (err: Error) => err.message);
    expect(Date.now() - started).toBeLessThan(3000);
    if (during !== "answered") expect(during).toMatch(/Redis/);
    await waitFor(async () => store.getKVConfig("ns", "k0").then(() => true, () => false), "the replica to take over the slot", 30_000, 200);
    const owner = await cluster.current.ownerOf("{failover}");
    expect(owner.master).toBe(replicas[0]);
    for (let i = 0; i < 20; i++) expect(await store.getKVConfig("ns", `k${i}`)).toBe(`v${i}`);
    expect((await store.getTopicRoute("TopicA"))?.brokerDatas[0].brokerName).toBe("broker-a");
  });
});
