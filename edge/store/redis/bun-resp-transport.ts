/**
 * RedisTransport over RESP with Bun's built-in client (`REDIS_URL` on the Bun bridge). Import this
 * module only under Bun.
 *
 * Bun's client speaks RESP3; the store's scripts return one string (or nil), which RESP2 and RESP3
 * deliver alike, so no HELLO 2 is needed for them. Plain commands (`command`) return RESP3 shapes
 * (HGETALL → object). Commands are pipelined over one connection; scripts are atomic on the
 * server, so no MULTI is needed. The offline queue is off: while Redis is unreachable a call fails
 * at once (after one bounded connection attempt) instead of queueing; when the client has given up
 * reconnecting, the next call builds a fresh one.
 */
import { RedisClient } from "bun";
import { DEFAULT_REPLICA_ACK, type ReplicaAck } from "../store-selection";
import { confirmOnReplicas } from "./replica-acknowledgement";
import {
  DEFAULT_REDIS_TIMEOUT_MS,
  RedisReplyError,
  RedisTransportError,
  describeCommand,
  evalWithFallback,
  withTimeout,
  type RedisConnectionEvents,
  type RedisScript,
  type RedisTransport,
} from "./redis-transport";

export interface BunRespTransportOptions {
  /** redis://[user:password@]host:port[/db] or rediss://... */
  url: string;
  /** Bound of one call including (re)connecting; default 2000 ms. */
  timeoutMs?: number;
  /** When replicated scripts are acknowledged (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS). */
  replicaAck?: ReplicaAck;
  events?: RedisConnectionEvents;
}

export class BunRespTransport implements RedisTransport {
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly replicaAck: ReplicaAck;
  private readonly events: RedisConnectionEvents | undefined;
  private client: RedisClient | null = null;
  private closed = false;

  constructor(options: BunRespTransportOptions) {
    this.url = options.url;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.replicaAck = options.replicaAck ?? DEFAULT_REPLICA_ACK;
    this.events = options.events;
  }

  eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    const what = describeCommand([], script);
    return this.bounded(what, async () => {
      const reply = await evalWithFallback((cmd) => this.raw(cmd), script, keys, args);
      // one client is one connection: WAIT there counts the write just made
      if (script.replicated) await confirmOnReplicas((cmd) => this.raw(cmd), this.replicaAck, what, this.events);
      return reply;
    });
  }

  command(args: string[]): Promise<unknown> {
    return this.bounded(describeCommand(args), () => this.raw(args));
  }

  private async bounded(what: string, run: () => Promise<unknown>): Promise<unknown> {
    if (this.closed) throw new RedisTransportError(`${what}: transport closed`);
    try {
      return await withTimeout(run(), this.timeoutMs, what);
    } catch (err) {
      throw translateError(err, what);
    }
  }

  private async raw(args: string[]): Promise<unknown> {
    const client = await this.connected();
    return client.send(args[0], args.slice(1));
  }

  private async connected(): Promise<RedisClient> {
    let client = this.client;
    if (!client) {
      client = new RedisClient(this.url, {
        connectionTimeout: Math.max(100, this.timeoutMs - 200),
        enableOfflineQueue: false,
        autoReconnect: true,
        maxRetries: 5,
      });
      const mine = client;
      // after the client gives up reconnecting it stays closed: drop it, the next call makes a new one
      client.onconnect = () => this.events?.ready(endpointOf(this.url));
      client.onclose = (err) => {
        this.events?.lost(err?.message ?? "connection closed");
        if (this.client === mine && !mine.connected) this.client = null;
      };
      this.client = client;
    }
    if (!client.connected) await client.connect();
    return client;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    client?.close();
  }
}

function translateError(err: unknown, what: string): Error {
  if (err instanceof RedisTransportError || err instanceof RedisReplyError) return err;
  const e = err as { message?: string; code?: string; name?: string };
  const message = e?.message ?? String(err);
  if (/^(MOVED|ASK) \d+ /.test(message)) {
    return new RedisTransportError(`${what}: REDIS_URL names one node of a Redis Cluster that does not hold the store's keys (${message}); set REDIS_CLUSTER_NODES instead`);
  }
  if (e?.code === "ERR_REDIS_SERVER_ERROR") return new RedisReplyError(message);
  return new RedisTransportError(`${what}: Redis connection failed: ${message}`);
}

/** host:port of a redis:// URL, without its credentials. */
function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "6379"}`;
  } catch {
    return "redis";
  }
}
