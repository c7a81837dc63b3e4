/**
 * A private Sentinel group for one test file: a primary, one replica and three sentinels on free
 * loopback ports, monitoring the primary as "mymaster" with a 1 s down-after, so that a killed
 * primary is replaced within seconds. Stopped after the file. Needs redis-server (run with
 * --sentinel; scripts/install-redis.sh).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useForFile } from "./use-for-file";
import type { RespValue } from "./redis/node-resp-transport";
import { freePort } from "./ports";
import { commandOnce, startRedisServer, type RedisServer } from "./redis-server";
import { waitFor } from "./wait-for";

export const SENTINEL_MASTER = "mymaster";

export interface RedisSentinelGroup {
  /** the data nodes: [initial primary, initial replica] */
  servers: RedisServer[];
  sentinels: RedisServer[];
  /** REDIS_SENTINELS for the bridge */
  sentinelList: string;
  /** The data node the sentinels currently name as primary. */
  primary(): Promise<RedisServer>;
  command(server: RedisServer, args: string[]): Promise<RespValue>;
  stop(): Promise<void>;
}

function command(server: RedisServer, args: string[]): Promise<RespValue> {
  return commandOnce(server.url, args);
}

export interface RedisSentinelOptions {
  /** requirepass of the primary and the replica (and masterauth, auth-pass for the sentinels) */
  password?: string;
  /** requirepass of the sentinels themselves */
  sentinelPassword?: string;
  /**
   * TLS for clients, replication and the sentinels with this certificate (also the only CA trusted;
   * clients need none). Everything then announces its TLS port; plain ports stay open for the tests.
   */
  tls?: { certFile: string; keyFile: string };
}

export async function startRedisSentinelGroup(options: RedisSentinelOptions = {}): Promise<RedisSentinelGroup> {
  const auth = options.password ? ["--masterauth", options.password] : [];
  const dir = mkdtempSync(join(tmpdir(), "rmq-redis-sentinel-"));
  const servers: RedisServer[] = [];
  const sentinels: RedisServer[] = [];
  const stop = async () => {
    await Promise.all([...sentinels, ...servers].map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  const tls = options.tls;
  // each server: the port others reach it on (its TLS port with TLS)
  const announced = new Map<RedisServer, number>();
  const tlsArgs = async (): Promise<{ args: string[]; port: number | null }> => {
    if (!tls) return { args: [], port: null };
    const port = await freePort();
    return {
      args: ["--tls-port", String(port), "--tls-cert-file", tls.certFile, "--tls-key-file", tls.keyFile, "--tls-ca-cert-file", tls.certFile,
        "--tls-auth-clients", "no", "--tls-replication", "yes"],
      port,
    };
  };
  const start = async (extra: string[], more: { port?: number; configFile?: string; password?: string } = {}): Promise<RedisServer> => {
    const t = await tlsArgs();
    const server = await startRedisServer({ ...more, extraArgs: [...extra, ...t.args] });
    announced.set(server, t.port ?? server.port);
    return server;
  };
  try {
    const primary = await start(["--dir", dir, ...auth], { password: options.password });
    servers.push(primary);
    servers.push(await start(["--dir", dir, ...auth, "--replicaof", "127.0.0.1", String(announced.get(primary))], { password: options.password }));
    await waitFor(
      async () => /master_link_status:up/.test(String(await command(servers[1], ["INFO", "replication"]))),
      "the replica to sync with the primary",
      15_000,
      50,
    );
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // a sentinel rewrites its configuration file: each gets its own
      const configFile = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        configFile,
        [
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${announced.get(primary)} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 10000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
          ...(options.password ? [`sentinel auth-pass ${SENTINEL_MASTER} ${options.password}`] : []),
          // the sentinels talk to each other with their own password
          ...(options.sentinelPassword ? [`sentinel sentinel-pass ${options.sentinelPassword}`] : []),
          "",
        ].join("\n"),
      );
      sentinels.push(await start(["--sentinel"], { port, configFile, password: options.sentinelPassword }));
    }
    // a failover needs each sentinel to know the replica and the other sentinels
    await waitFor(
      async () => {
        for (const s of sentinels) {
          const replicas = (await command(s, ["SENTINEL", "REPLICAS", SENTINEL_MASTER])) as RespValue[];
          const peers = (await command(s, ["SENTINEL", "SENTINELS", SENTINEL_MASTER])) as RespValue[];
          if (!Array.isArray(replicas) || replicas.length < 1 || !Array.isArray(peers) || peers.length < 2) return false;
        }
        return true;
      },
      "every sentinel to know the replica and the two other sentinels",
      30_000,
      100,
    );
    return {
      servers,
      sentinels,
      sentinelList: sentinels.map((s) => `127.0.0.1:${announced.get(s)}`).join(","),
      async primary() {
        for (const s of sentinels) {
          try {
            const addr = (await command(s, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", SENTINEL_MASTER])) as RespValue[];
            const server = servers.find((d) => announced.get(d) === Number(addr[1]));
            if (server) return server;
          } catch {
            // try the next sentinel
          }
        }
        throw new Error("no sentinel names a primary");
      },
      command,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Starts a Sentinel group before the file's tests and stops it after; read `.current` in tests. */
export function useRedisSentinelGroup(options: RedisSentinelOptions | (() => RedisSentinelOptions) = {}): { readonly current: RedisSentinelGroup } {
  return useForFile("Sentinel group", () => startRedisSentinelGroup(typeof options === "function" ? options() : options), 60_000);
}
