import { RequestCode, ResponseCode } from "../../shared/codes";
import type { RouteManagerCounts } from "../service/route-manager";
import { Counter, MetricsRegistry, type Gauge, type Histogram } from "./registry";

/** Java's buckets of rocketmq_rpc_latency (RemotingMetricsManager), in ms. */
export const RPC_LATENCY_BUCKETS_MS = [1, 3, 5, 7, 10, 100, 1000, 2000, 3000] as const;
/** Store round trips: sub-millisecond in memory, a few ms to Redis, more to a remote REST endpoint. */
export const STORE_LATENCY_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, 5000] as const;
/** Register bodies: a few KiB for a small broker, MiBs with tens of thousands of topics. */
export const BODY_BYTES_BUCKETS = [1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216] as const;
/** Decoding a register body (remoting): fast for small ones, long for huge or compressed ones. */
export const DECODE_LATENCY_BUCKETS_MS = [0.5, 1, 5, 10, 50, 100, 500, 1000, 5000] as const;

const lowerCaseNames = (codes: Record<string, number>): Map<number, string> =>
  new Map(Object.entries(codes).map(([name, code]) => [code, name.toLowerCase()]));
const REQUEST_NAMES = lowerCaseNames(RequestCode);
const RESPONSE_NAMES = lowerCaseNames(ResponseCode);

/** Java's label value of a request code: the lower-case RequestCode constant name. */
export function requestCodeLabel(code: number | null, operation: string): string {
  if (code !== null) return REQUEST_NAMES.get(code) ?? `code_${code}`;
  // the operations no remoting client sends (access control, over HTTP): their snake_case name
  return operation.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Java's label value of a response code: the lower-case ResponseCode constant name. */
export function responseCodeLabel(code: number): string {
  return RESPONSE_NAMES.get(code) ?? `code_${code}`;
}

export interface NamesrvMetricsOptions {
  /** a Cloudflare Worker: counters and histograms are this isolate's alone, and the HELP texts say so */
  perIsolate?: boolean;
}

/**
 * The NameServer's series (README "Metrics"). Counters and histograms count what this process (or
 * Worker isolate) saw since it started; gauges of the registered state are read from the store at
 * scrape time, so every instance over one Redis reports the same state.
 */
export class NamesrvMetrics {
  readonly registry = new MetricsRegistry();
  readonly up: Gauge;
  readonly rpcLatency: Histogram;
  readonly registrations: Counter;
  readonly registerBodyBytes: Histogram;
  readonly registerDecodeLatency: Histogram;
  readonly activeBrokers: Gauge;
  readonly brokerGroups: Gauge;
  readonly clusters: Gauge;
  readonly topics: Gauge;
  readonly stateReadable: Gauge;
  readonly activeConnections: Gauge;
  readonly refusedConnections: Counter;
  readonly expirySweeps: Counter;
  readonly brokersExpired: Counter;
  readonly brokersUnregisteredOnClose: Counter;
  readonly routeCacheEvents: Counter;
  readonly routeCacheEntries: Gauge;
  readonly routeCacheBytes: Gauge;
  readonly storeLatency: Histogram;
  readonly storeErrors: Counter;
  readonly admissionRejections: Counter;
  readonly accessDenied: Counter;
  readonly redisConnectionUp: Gauge;
  readonly redisConnectionLosses: Counter;
  readonly redisUnconfirmedWrites: Counter;

  constructor(options: NamesrvMetricsOptions = {}) {
    const r = this.registry;
    const since = options.perIsolate
      ? " (counted by this Worker isolate since it started; other isolates count their own, so sum over them is partial)"
      : " (since this process started)";
    this.up = r.gauge("rocketmq_namesrv_up", "1 while this NameServer answers", ["node_type"]);
    this.up.set(["namesrv"], 1);
    this.rpcLatency = r.histogram(
      "rocketmq_rpc_latency",
      `Time to answer a request in ms, as Java's remoting histogram${since}`,
      ["request_code", "response_code", "transport"],
      RPC_LATENCY_BUCKETS_MS,
    );
    this.registrations = r.counter(
      "rocketmq_namesrv_broker_registrations_total",
      `Broker registrations applied: kind=full with the body, kind=unchanged by the body's digest alone${since}`,
      ["kind"],
    );
    this.registerBodyBytes = r.histogram(
      "rocketmq_namesrv_registration_body_bytes",
      `Wire size of REGISTER_BROKER bodies received over remoting${since}`,
      [],
      BODY_BYTES_BUCKETS,
    );
    this.registerDecodeLatency = r.histogram(
      "rocketmq_namesrv_registration_decode_latency",
      `Time to decode a REGISTER_BROKER body in ms (full registrations over remoting)${since}`,
      [],
      DECODE_LATENCY_BUCKETS_MS,
    );
    this.activeBrokers = r.gauge("rocketmq_namesrv_active_brokers", "Registered broker addresses, read from the store");
    this.brokerGroups = r.gauge("rocketmq_namesrv_broker_groups", "Registered broker groups (broker names), read from the store");
    this.clusters = r.gauge("rocketmq_namesrv_clusters", "Clusters with a registered broker, read from the store");
    this.topics = r.gauge("rocketmq_namesrv_topics", "Topics with a route, read from the store");
    this.stateReadable = r.gauge(
      "rocketmq_namesrv_state_readable",
      "1 when the last scrape read the registered state from the store, 0 when the store failed (the state gauges are then stale)",
    );
    this.activeConnections = r.gauge("rocketmq_namesrv_active_connections", "Open remoting connections of this process");
    this.refusedConnections = r.counter(
      "rocketmq_namesrv_connections_refused_total",
      `Remoting connections closed at accept for passing maxConnections or maxConnectionsPerPeer${since}`,
    );
    this.expirySweeps = r.counter("rocketmq_namesrv_expiry_sweeps_total", `Liveness sweeps run${since}`);
    this.brokersExpired = r.counter("rocketmq_namesrv_brokers_expired_total", `Brokers unregistered by a liveness sweep${since}`);
    this.brokersUnregisteredOnClose = r.counter(
      "rocketmq_namesrv_brokers_unregistered_on_close_total",
      `Brokers unregistered because the connection that registered them closed${since}`,
    );
    this.routeCacheEvents = r.counter(
      "rocketmq_namesrv_route_cache_events_total",
      `Route queries answered from the route cache (result=hit) or read from the store (result=miss)${since}`,
      ["result"],
    );
    this.routeCacheEntries = r.gauge("rocketmq_namesrv_route_cache_entries", "Topics in this process's route cache");
    this.routeCacheBytes = r.gauge("rocketmq_namesrv_route_cache_bytes", "Bytes this process's route cache counts against routeCacheMaxBytes");
    this.storeLatency = r.histogram(
      "rocketmq_namesrv_store_latency",
      `Store calls in ms by operation (a Redis round trip, or memory for the embedded store)${since}`,
      ["operation"],
      STORE_LATENCY_BUCKETS_MS,
    );
    this.storeErrors = r.counter("rocketmq_namesrv_store_errors_total", `Store calls that failed, by operation${since}`, ["operation"]);
    this.admissionRejections = r.counter(
      "rocketmq_namesrv_admission_rejections_total",
      `Remoting requests answered SYSTEM_BUSY because their lane was full (lane=routes or others)${since}`,
      ["lane"],
    );
    this.accessDenied = r.counter(
      "rocketmq_namesrv_access_denied_total",
      `Calls refused by access control, by stage (authentication or authorization)${since}`,
      ["stage"],
    );
    this.redisConnectionUp = r.gauge(
      "rocketmq_namesrv_redis_connection_up",
      "1 while this process's connection to the store's Redis (over RESP) takes commands, 0 while it reconnects",
    );
    this.redisConnectionLosses = r.counter("rocketmq_namesrv_redis_connection_losses_total", `Connections to Redis lost (a failover, a restart, the network)${since}`);
    this.redisUnconfirmedWrites = r.counter(
      "rocketmq_namesrv_redis_unconfirmed_writes_total",
      `KV, configuration or access-control writes answered SYSTEM_ERROR because no replica confirmed them within REDIS_WAIT_TIMEOUT_MS${since}`,
    );
  }

  /** Brings the counters kept by the route manager up to date (at scrape time). */
  readRouteManager(counts: Readonly<RouteManagerCounts>, cache: { entries: number; bytes: number }): void {
    setTotal(this.registrations, ["full"], counts.fullRegistrations);
    setTotal(this.registrations, ["unchanged"], counts.unchangedRegistrations);
    setTotal(this.routeCacheEvents, ["hit"], counts.routeCacheHits);
    setTotal(this.routeCacheEvents, ["miss"], counts.routeCacheMisses);
    setTotal(this.expirySweeps, [], counts.expirySweeps);
    setTotal(this.brokersExpired, [], counts.brokersExpired);
    setTotal(this.brokersUnregisteredOnClose, [], counts.brokersUnregisteredOnClose);
    this.routeCacheEntries.set([], cache.entries);
    this.routeCacheBytes.set([], cache.bytes);
  }
}

/** Raises `counter` to `total`, a count kept elsewhere since start (it never goes down). */
export function setTotal(counter: Counter, values: readonly string[], total: number): void {
  const delta = total - counter.get(values);
  if (delta > 0 || (delta === 0 && total === 0)) counter.inc(values, delta);
}
