/**
 * The RESP transport a selection names (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS): Bun's
 * built-in client for one Redis, ioredis for a Cluster or a Sentinel group (loaded only then, so a
 * server that does not use it does not carry it). Import under Bun only.
 */
import type { StoreSelection } from "../store-selection";
import { BunRespTransport } from "./bun-resp-transport";
import type { RedisConnectionEvents, RedisTransport } from "./redis-transport";

export type RespSelection = Extract<StoreSelection, { kind: "redis-resp" | "redis-cluster" | "redis-sentinel" }>;

export async function openRespTransport(selection: RespSelection, events?: RedisConnectionEvents): Promise<RedisTransport> {
  const timeoutMs = selection.timeoutMs;
  switch (selection.kind) {
    case "redis-resp":
      return new BunRespTransport({ url: selection.url, replicaAck: selection.replicaAck, timeoutMs, events });
    case "redis-cluster":
    case "redis-sentinel": {
      const { IoRedisTransport } = await import("./ioredis-transport");
      const topology =
        selection.kind === "redis-cluster"
          ? { kind: "cluster" as const, nodes: selection.nodes }
          : { kind: "sentinel" as const, sentinels: selection.sentinels, masterName: selection.masterName, sentinelPassword: selection.sentinelPassword };
      return new IoRedisTransport({ topology, connection: selection.connection, replicaAck: selection.replicaAck, timeoutMs, events });
    }
  }
}

/** A short description for the start-up log (no passwords). */
export function describeRespSelection(selection: RespSelection): Record<string, unknown> {
  switch (selection.kind) {
    case "redis-resp":
      return { redis: "single" };
    case "redis-cluster":
      return { redis: "cluster", seedNodes: selection.nodes.map((n) => `${n.host}:${n.port}`).join(",") };
    case "redis-sentinel":
      return { redis: "sentinel", sentinels: selection.sentinels.map((n) => `${n.host}:${n.port}`).join(","), master: selection.masterName };
  }
}
