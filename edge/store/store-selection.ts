import { z } from "zod";
import { DEFAULT_REDIS_TIMEOUT_MS } from "./redis/redis-transport";

/**
 * Which store a deployment uses, from its environment (README, "Redis"):
 * - `REDIS_URL`: one Redis over RESP (the Bun bridge);
 * - `REDIS_CLUSTER_NODES=host:port,…`: a Redis Cluster, any of its nodes as seeds (the Bun bridge);
 * - `REDIS_SENTINELS=host:port,…` + `REDIS_SENTINEL_MASTER`: a primary found through Sentinel, followed
 *   across failovers (the Bun bridge);
 * - `UPSTASH_REDIS_REST_URL` + `UPSTASH_REDIS_REST_TOKEN`: Redis over the Upstash REST protocol (any runtime);
 * - none of them: the embedded in-process store.
 */
export type StoreSelection =
  | { kind: "embedded" }
  | { kind: "redis-resp"; url: string; prefix: string; replicaAck: ReplicaAck; timeoutMs: number }
  | { kind: "redis-cluster"; nodes: HostPort[]; prefix: string; connection: RedisConnectionOptions; replicaAck: ReplicaAck; timeoutMs: number }
  | {
      kind: "redis-sentinel";
      sentinels: HostPort[];
      masterName: string;
      prefix: string;
      connection: RedisConnectionOptions;
      sentinelPassword: string | null;
      replicaAck: ReplicaAck;
      timeoutMs: number;
    }
  | { kind: "redis-rest"; url: string; token: string; prefix: string };

export interface HostPort {
  host: string;
  port: number;
}

/** How the bridge logs in to the Redis nodes of a Cluster or a Sentinel group (a URL carries its own). */
export interface RedisConnectionOptions {
  /** REDIS_USERNAME: an ACL user; null = the default user */
  username: string | null;
  /** REDIS_PASSWORD */
  password: string | null;
  /** REDIS_TLS=true: TLS to every node (and to the sentinels) */
  tls: boolean;
  /** REDIS_TLS_CA_FILE: PEM certificates trusted besides the system's, for a private CA */
  tlsCaFile: string | null;
}

/**
 * When a write the store marks as replicated (KV, configuration, access control) is acknowledged:
 * after the primary confirmed (WAIT) that `replicas` of its connected replicas, at most as many as
 * it has, hold it, within `timeoutMs`. replicas = 0 turns this off.
 */
export interface ReplicaAck {
  replicas: number;
  timeoutMs: number;
}

export const DEFAULT_REPLICA_ACK: ReplicaAck = { replicas: 1, timeoutMs: 1000 };


const prefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "NAMESRV_REDIS_PREFIX: 1-64 letters, digits or _ . : -")
  .default("rmq");

export class StoreSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreSelectionError";
  }
}

export function selectStore(env: Record<string, string | undefined>): StoreSelection {
  const prefix = prefixSchema.safeParse(env.NAMESRV_REDIS_PREFIX || undefined);
  if (!prefix.success) throw new StoreSelectionError(prefix.error.issues[0].message);
  const restUrl = env.UPSTASH_REDIS_REST_URL;
  const restToken = env.UPSTASH_REDIS_REST_TOKEN;
  const resp = (["REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_SENTINELS"] as const).filter((name) => env[name]);
  if (resp.length > 1) throw new StoreSelectionError(`set only one of ${resp.join(", ")}: each selects a different kind of Redis`);
  if (env.REDIS_SENTINEL_MASTER && !env.REDIS_SENTINELS) throw new StoreSelectionError("REDIS_SENTINEL_MASTER needs REDIS_SENTINELS");
  if (env.REDIS_URL) {
    if (!/^rediss?:\/\//.test(env.REDIS_URL)) {
      throw new StoreSelectionError(`REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(env.REDIS_URL)}`);
    }
    return { kind: "redis-resp", url: env.REDIS_URL, prefix: prefix.data, replicaAck: replicaAckOf(env), timeoutMs: callTimeoutOf(env) };
  }
  if (env.REDIS_CLUSTER_NODES) {
    const nodes = hostPorts("REDIS_CLUSTER_NODES", env.REDIS_CLUSTER_NODES);
    return { kind: "redis-cluster", nodes, prefix: prefix.data, connection: connectionOf(env), replicaAck: replicaAckOf(env), timeoutMs: callTimeoutOf(env) };
  }
  if (env.REDIS_SENTINELS) {
    const sentinels = hostPorts("REDIS_SENTINELS", env.REDIS_SENTINELS);
    const masterName = env.REDIS_SENTINEL_MASTER;
    if (!masterName) throw new StoreSelectionError("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER: the name the sentinels monitor the primary by");
    return {
      kind: "redis-sentinel",
      sentinels,
      masterName,
      prefix: prefix.data,
      connection: connectionOf(env),
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD || null,
      replicaAck: replicaAckOf(env),
      timeoutMs: callTimeoutOf(env),
    };
  }
  if (restUrl || restToken) {
    if (!restUrl || !restToken) {
      throw new StoreSelectionError("UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together");
    }
    return { kind: "redis-rest", url: restUrl, token: restToken, prefix: prefix.data };
  }
  return { kind: "embedded" };
}

/** "host:port,host:port" (IPv6 as [addr]:port); at least one, every port 1-65535. */
function hostPorts(name: string, value: string): HostPort[] {
  const out: HostPort[] = [];
  for (const item of value.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(item);
    const port = m ? Number(m[3]) : 0;
    if (!m || port < 1 || port > 65535) throw new StoreSelectionError(`${name}: ${JSON.stringify(item)} is not host:port`);
    out.push({ host: m[1] ?? m[2], port });
  }
  if (out.length === 0) throw new StoreSelectionError(`${name}: no host:port given`);
  return out;
}

function connectionOf(env: Record<string, string | undefined>): RedisConnectionOptions {
  const tls = (env.REDIS_TLS ?? "false").toLowerCase();
  if (tls !== "true" && tls !== "false") throw new StoreSelectionError(`REDIS_TLS must be true or false, got ${JSON.stringify(env.REDIS_TLS)}`);
  return {
    username: env.REDIS_USERNAME || null,
    password: env.REDIS_PASSWORD || null,
    tls: tls === "true",
    tlsCaFile: env.REDIS_TLS_CA_FILE || null,
  };
}

function replicaAckOf(env: Record<string, string | undefined>): ReplicaAck {
  return {
    replicas: integerOf(env, "REDIS_WAIT_REPLICAS", DEFAULT_REPLICA_ACK.replicas, 0, 16),
    timeoutMs: integerOf(env, "REDIS_WAIT_TIMEOUT_MS", DEFAULT_REPLICA_ACK.timeoutMs, 1, 60_000),
  };
}

function callTimeoutOf(env: Record<string, string | undefined>): number {
  // REDIS_TIMEOUT_MS: the bound of one store call over RESP, (re)connecting included
  return integerOf(env, "REDIS_TIMEOUT_MS", DEFAULT_REDIS_TIMEOUT_MS, 100, 60_000);
}

function integerOf(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new StoreSelectionError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}
