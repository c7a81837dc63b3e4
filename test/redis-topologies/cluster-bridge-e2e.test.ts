/**
 * The bridge's end-to-end suite with REDIS_CLUSTER_NODES naming only a master that does not own the
 * deployment's hash slot: every call must follow the Cluster's redirection.
 */
import { beforeAll } from "vitest";
import { describeBridgeEndToEnd } from "../tcp-bridge/bridge-e2e-suite";
import { useRedisCluster } from "../support/redis-cluster";

const cluster = useRedisCluster();
const prefix = `e2e-cluster-${Date.now()}`;
let seed = "";

beforeAll(async () => {
  seed = (await cluster.current.nonOwnerOf(`{${prefix}}`)).addr;
});

describeBridgeEndToEnd("Redis Cluster, seeded with a master that does not own the slot", () => ({ REDIS_CLUSTER_NODES: seed, NAMESRV_REDIS_PREFIX: prefix }));
