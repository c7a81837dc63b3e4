/**
 * RedisTransport over ioredis, for the set-ups Bun's built-in client does not follow: a Redis
 * Cluster (MOVED and ASK redirections, slot-map refreshes when a replica is promoted) and a
 * primary found through Sentinel (asked again after every lost connection, so the client lands on
 * the new primary after a failover). Used by the Bun bridge with REDIS_CLUSTER_NODES or
 * REDIS_SENTINELS.
 *
 * Every key of a deployment shares one hash tag, so each script runs on the one node that owns
 * that slot; Cluster gives high availability here, not sharding.
 *
 * Nothing is queued while Redis is unreachable: a call waits for the connection at most until its
 * bound and then fails, so that a failover shows as SYSTEM_ERROR answers within the client's
 * timeout, and service resumes by itself once the new primary is up. A command caught in flight by
 * a lost connection is never sent again by the client (the caller decides whether to retry).
 */
import { readFileSync } from "node:fs";
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { confirmOnReplicas, type SameConnection } from "./replica-acknowledgement";
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
import type { HostPort, RedisConnectionOptions, ReplicaAck } from "../store-selection";

export type IoRedisTopology =
  | { kind: "cluster"; nodes: HostPort[] }
  | { kind: "sentinel"; sentinels: HostPort[]; masterName: string; sentinelPassword: string | null };

export interface IoRedisTransportOptions {
  topology: IoRedisTopology;
  connection: RedisConnectionOptions;
  replicaAck: ReplicaAck;
  /** Bound of one call including waiting for a connection; default 2000 ms. */
  timeoutMs?: number;
  events?: RedisConnectionEvents;
}

/** The longest pause between two attempts to reach Redis again. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** The pause before starting a client again that gave up for good. */
const RESTART_AFTER_END_MS = 100;

export class IoRedisTransport implements RedisTransport {
  private readonly client: Redis | Cluster;
  private readonly timeoutMs: number;
  private readonly replicaAck: ReplicaAck;
  private readonly events: RedisConnectionEvents | undefined;
  private readyWait: Promise<void> | null = null;
  private lastConnectionError: Error | null = null;
  private restart: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(options: IoRedisTransportOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.replicaAck = options.replicaAck;
    this.events = options.events;
    this.client = openClient(options, this.timeoutMs);
    // without a listener ioredis would print each reconnection failure; the latest one explains
    // the calls that time out waiting for a connection
    this.client.on("error", (err: Error & { lastNodeError?: Error }) => {
      // a Cluster's "Failed to refresh slots cache" carries the node's own error
      this.lastConnectionError = err.lastNodeError ? new Error(`${err.message} ${err.lastNodeError.message}`) : err;
    });
    this.client.on("ready", () => {
      this.lastConnectionError = null;
      this.events?.ready(this.endpoint());
    });
    this.client.on("close", () => this.events?.lost(this.lastConnectionError?.message ?? "connection closed"));
    // ioredis stops reconnecting for good ("end") when its connect attempt fails as a whole; with
    // Sentinel that happens when a +switch-master closes the connector while it is asking a
    // sentinel for the primary, which a failover under load makes likely. A bridge must never be
    // left without Redis: start the client again.
    this.client.on("end", () => {
      if (this.closed || this.restart) return;
      this.restart = setTimeout(() => {
        this.restart = null;
        if (!this.closed) this.client.connect().catch(() => {});
      }, RESTART_AFTER_END_MS);
    });
  }

  eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    const what = describeCommand([], script);
    return this.bounded(what, async () => {
      const reply = await evalWithFallback((cmd) => this.send(cmd), script, keys, args);
      if (script.replicated) await confirmOnReplicas(this.sameConnectionAs(keys[0]), this.replicaAck, what, this.events);
      return reply;
    });
  }

  command(args: string[]): Promise<unknown> {
    return this.bounded(describeCommand(args), () => this.send(args));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restart) clearTimeout(this.restart);
    this.client.disconnect();
  }

  private async bounded(what: string, run: () => Promise<unknown>): Promise<unknown> {
    if (this.closed) throw new RedisTransportError(`${what}: transport closed`);
    try {
      return await withTimeout(this.ready().then(run), this.timeoutMs, what);
    } catch (err) {
      const cause = this.client.status === "ready" ? null : this.lastConnectionError;
      if (cause && err instanceof RedisTransportError) {
        throw new RedisTransportError(`${what}: no connection to Redis within ${this.timeoutMs} ms: ${cause.message}`);
      }
      throw translateError(err, what);
    }
  }

  private send(args: string[]): Promise<unknown> {
    return this.client.call(args[0], args.slice(1));
  }

  /**
   * Commands that reach the connection a write with `key` went over: on a single primary there is
   * only one; in a Cluster, a pipeline goes to the node of its first key.
   */
  private sameConnectionAs(key: string | undefined): SameConnection {
    const client = this.client;
    if (!(client instanceof Cluster) || key === undefined) return (cmd) => this.send(cmd);
    return async (cmd) => {
      const results = await client.pipeline().exists(key).call(cmd[0], ...cmd.slice(1)).exec();
      const [err, reply] = results?.[1] ?? [new Error("no reply"), null];
      if (err) throw err;
      return reply;
    };
  }

  /** The node this client is connected to: for Sentinel the primary, for a Cluster its masters. */
  private endpoint(): string {
    const client = this.client;
    if (client instanceof Cluster) return `cluster of ${client.nodes("master").length} masters`;
    const stream = (client as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
    return stream?.remoteAddress ? `${stream.remoteAddress}:${stream.remotePort}` : "unknown";
  }

  /** Resolves when the client can take commands; it keeps reconnecting by itself meanwhile. */
  private ready(): Promise<void> {
    if (this.client.status === "ready") return Promise.resolve();
    if (!this.readyWait) {
      this.readyWait = new Promise<void>((resolve) => {
        this.client.once("ready", () => {
          this.readyWait = null;
          resolve();
        });
      });
    }
    return this.readyWait;
  }
}

function openClient(options: IoRedisTransportOptions, timeoutMs: number): Redis | Cluster {
  const { topology, connection } = options;
  const tls = connection.tls ? { ...(connection.tlsCaFile ? { ca: readFileSync(connection.tlsCaFile, "utf8") } : {}) } : undefined;
  const node: RedisOptions = {
    username: connection.username ?? undefined,
    password: connection.password ?? undefined,
    tls,
    connectionName: "edge-namesrv",
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(50 * times, MAX_RECONNECT_DELAY_MS),
    // a primary demoted to replica answers writes with READONLY: look for the new one
    reconnectOnError: (err) => /READONLY/.test(err.message),
  };
  if (topology.kind === "cluster") {
    const clusterOptions: ClusterOptions = {
      redisOptions: node,
      enableOfflineQueue: false,
      clusterRetryStrategy: (times) => Math.min(100 * times, MAX_RECONNECT_DELAY_MS),
      // ioredis gives a lost node up and waits for MOVED; keep trying it so a restarted node rejoins
      clusterNodeRetryStrategy: (times) => Math.min(100 * times, MAX_RECONNECT_DELAY_MS),
      slotsRefreshTimeout: Math.min(1000, timeoutMs),
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      maxRedirections: 16,
    };
    return new Cluster(topology.nodes, clusterOptions);
  }
  return new Redis({
    ...node,
    sentinels: topology.sentinels,
    name: topology.masterName,
    role: "master",
    sentinelPassword: topology.sentinelPassword ?? undefined,
    enableTLSForSentinelMode: connection.tls,
    sentinelTLS: tls,
    sentinelCommandTimeout: Math.min(1000, timeoutMs),
    sentinelRetryStrategy: (times) => Math.min(50 * times, MAX_RECONNECT_DELAY_MS),
    // promptly follows a failover the sentinels announce (+switch-master), even before the old
    // primary's connection breaks
    failoverDetector: true,
  });
}

function translateError(err: unknown, what: string): Error {
  if (err instanceof RedisTransportError || err instanceof RedisReplyError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // an error reply of the server (ioredis' ReplyError); everything else did not get an answer
  if ((err as { name?: string })?.name === "ReplyError" && !/^(READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)/.test(message)) {
    return new RedisReplyError(message);
  }
  return new RedisTransportError(`${what}: Redis unavailable: ${message}`);
}
