/**
 * A private Redis Cluster for one test file: 3 masters with one replica each on free loopback
 * ports (client and cluster-bus ports both picked free), formed with `redis-cli --cluster create`,
 * stopped after the file. Needs redis-server and redis-cli (scripts/install-redis.sh).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useForFile } from "./use-for-file";
import type { RespValue } from "./redis/node-resp-transport";
import { freePort } from "./ports";
import { commandOnce, startRedisServer, type RedisServer } from "./redis-server";
import { waitFor } from "./wait-for";

export interface RedisClusterNode {
  server: RedisServer;
  /** "127.0.0.1:port" as the cluster announces it to clients (the TLS port when TLS is on) */
  addr: string;
}

export interface RedisClusterOptions {
  /** replicas per master; default 1 */
  replicas?: number;
  /**
   * TLS for clients, replication and the cluster bus with this certificate (it is also the only CA
   * trusted; clients need no certificate). Plain ports stay open for the tests' own commands.
   */
  tls?: { certFile: string; keyFile: string };
  /** an ACL user with all permissions besides the default user */
  aclUser?: { name: string; password: string };
}

export interface RedisCluster {
  nodes: RedisClusterNode[];
  /** The master that owns `key`'s hash slot, and its replicas. */
  ownerOf(key: string): Promise<{ master: RedisClusterNode; replicas: RedisClusterNode[] }>;
  /** A master that does not own `key`'s slot: a seed node a client must be redirected from. */
  nonOwnerOf(key: string): Promise<RedisClusterNode>;
  /** One command to one node. */
  command(node: RedisClusterNode, args: string[]): Promise<RespValue>;
  stop(): Promise<void>;
}

const NODE_TIMEOUT_MS = 1000;

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const replicas = options.replicas ?? 1;
  const tls = options.tls;
  const dir = mkdtempSync(join(tmpdir(), "rmq-redis-cluster-"));
  const nodes: RedisClusterNode[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => n.server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3 * (1 + replicas); i++) {
      const port = await freePort();
      const busPort = await freePort();
      const tlsPort = tls ? await freePort() : 0;
      const tlsArgs = tls
        ? ["--tls-port", String(tlsPort), "--tls-cert-file", tls.certFile, "--tls-key-file", tls.keyFile, "--tls-ca-cert-file", tls.certFile,
           "--tls-auth-clients", "no", "--tls-cluster", "yes", "--tls-replication", "yes"]
        : [];
      const user = options.aclUser;
      const aclArgs = user ? ["--user", user.name, "on", `>${user.password}`, "~*", "&*", "+@all"] : [];
      const server = await startRedisServer({
        port,
        extraArgs: [
          "--cluster-enabled", "yes",
          "--cluster-port", String(busPort),
          "--cluster-config-file", join(dir, `nodes-${port}.conf`),
          "--cluster-node-timeout", String(NODE_TIMEOUT_MS),
          "--dir", dir,
          ...tlsArgs,
          ...aclArgs,
        ],
      });
      nodes.push({ server, addr: `127.0.0.1:${tls ? tlsPort : port}` });
    }
    const tlsCli = tls ? ["--tls", "--cacert", tls.certFile] : [];
    const created = spawnSync("redis-cli", [...tlsCli, "--cluster", "create", ...nodes.map((n) => n.addr), "--cluster-replicas", String(replicas), "--cluster-yes"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}${created.error ?? ""}`);
    const command = (node: RedisClusterNode, args: string[]) => commandOnce(node.server.url, args);
    // every node agrees that all slots are served, and every replica is in sync with its master
    await waitFor(
      async () => {
        for (const node of nodes) {
          if (!/cluster_state:ok/.test(String(await command(node, ["CLUSTER", "INFO"])))) return false;
          const info = String(await command(node, ["INFO", "replication"]));
          if (/role:slave/.test(info) && !/master_link_status:up/.test(info)) return false;
        }
        return true;
      },
      "the Redis Cluster to be ok with every replica linked",
      30_000,
      100,
    );
    const byAddr = (addr: string) => {
      // the test's plain connections are told plain ports; TLS clients the TLS ports
      const node = nodes.find((n) => n.addr === addr || `127.0.0.1:${n.server.port}` === addr);
      if (!node) throw new Error(`unknown cluster node ${addr}`);
      return node;
    };
    // the cluster's view from any node still running (tests kill some)
    const anyNode = async (args: string[]) => {
      let last: unknown = null;
      for (const node of nodes) {
        try {
          return await command(node, args);
        } catch (err) {
          last = err;
        }
      }
      throw last;
    };
    const ownerOf = async (key: string) => {
      const slot = Number(await anyNode(["CLUSTER", "KEYSLOT", key]));
      const ranges = (await anyNode(["CLUSTER", "SLOTS"])) as RespValue[][];
      for (const range of ranges) {
        if (slot >= Number(range[0]) && slot <= Number(range[1])) {
          const [master, ...replicas] = range.slice(2).map((n) => {
            const [host, port] = n as RespValue[];
            return byAddr(`${String(host)}:${Number(port)}`);
          });
          return { master, replicas };
        }
      }
      throw new Error(`no node serves slot ${slot}`);
    };
    return {
      nodes,
      ownerOf,
      async nonOwnerOf(key) {
        const { master, replicas } = await ownerOf(key);
        const others = nodes.filter((n) => n !== master && !replicas.includes(n));
        for (const node of others) {
          if (/role:master/.test(String(await command(node, ["INFO", "replication"])))) return node;
        }
        throw new Error(`no other master than the owner of ${key}`);
      },
      command,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Starts a Redis Cluster before the file's tests and stops it after; read `.current` in tests. */
export function useRedisCluster(options: RedisClusterOptions | (() => RedisClusterOptions) = {}): { readonly current: RedisCluster } {
  return useForFile("Redis Cluster", () => startRedisCluster(typeof options === "function" ? options() : options), 60_000);
}
