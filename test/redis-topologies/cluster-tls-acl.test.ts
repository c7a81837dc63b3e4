/**
 * A Redis Cluster that speaks TLS only to clients and admits the NameServer as an ACL user:
 * REDIS_TLS, REDIS_TLS_CA_FILE, REDIS_USERNAME and REDIS_PASSWORD, seeded with a node that does not
 * own the slot. A wrong password or a missing CA fails within the call bound with a clear error.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { reg } from "../store/store-conformance";
import { StoreRpcProcess } from "../support/redis/store-rpc";
import { useRedisTlsFiles } from "../support/redis-tls-files";
import { useRedisCluster } from "../support/redis-cluster";

const files = useRedisTlsFiles();
const { certFile, keyFile } = files;
const USER = { name: "namesrv", password: "s3cret-pw" };

const cluster = useRedisCluster(() => {
  files.write();
  return { replicas: 0, tls: { certFile, keyFile }, aclUser: USER };
});
let seed = "";

beforeAll(async () => {
  seed = (await cluster.current.nonOwnerOf("{tls}")).addr;
});

const env = (extra: Record<string, string> = {}) => ({
  REDIS_CLUSTER_NODES: seed,
  REDIS_TLS: "true",
  REDIS_TLS_CA_FILE: certFile,
  REDIS_USERNAME: USER.name,
  REDIS_PASSWORD: USER.password,
  ...extra,
});

describe("a Redis Cluster over TLS with an ACL user", () => {
  it("serves the store through TLS as the ACL user, following redirections", async () => {
    const rpc = await StoreRpcProcess.start(env());
    try {
      const store = await rpc.open({ prefix: "tls" });
      await store.registerBroker(reg({ now: Date.now() }));
      expect((await store.getTopicRoute("TopicA"))?.brokerDatas[0].brokerAddrs).toEqual({ "0": "10.0.0.1:10911" });
      await store.putKVConfig("ns", "k", "v");
      expect(await store.getKVConfig("ns", "k")).toBe("v");
      // the connections are the ACL user's
      const { master } = await cluster.current.ownerOf("{tls}");
      const clients = String(await cluster.current.command(master, ["CLIENT", "LIST"]));
      expect(clients).toMatch(/name=edge-namesrv .*user=namesrv/);
    } finally {
      await rpc.stop();
    }
  });

  for (const [what, extra, pattern] of [
    ["a wrong password", { REDIS_PASSWORD: "wrong" }, /no connection to Redis within 2000 ms: .*(WRONGPASS|invalid username-password)/],
    ["no TLS", { REDIS_TLS: "false" }, /no connection to Redis within 2000 ms: /],
    ["a CA that did not sign the server's certificate", { REDIS_TLS_CA_FILE: "" }, /no connection to Redis within 2000 ms: /],
  ] as const) {
    it(`${what}: calls fail within the bound, saying why`, async () => {
      const started = Date.now();
      // StoreRpcProcess.start PINGs through the store's transport
      const error = await StoreRpcProcess.startError(env(extra));
      expect(error?.message).toMatch(pattern);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  }
});
