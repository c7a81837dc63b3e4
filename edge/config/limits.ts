import type { z } from "zod";

/**
 * The NameServer's limits: every bound on what one client can make it hold, wait for or store.
 * Each is a configuration key (properties file, `NAMESRV_CONFIG_<key>`), validated at start-up as
 * an integer within its range, and fixed for the life of the process (UPDATE_NAMESRV_CONFIG
 * refuses them: a remote client must not be able to lift a limit).
 *
 * `what` is the documentation the README's configuration table repeats.
 */
export const LIMITS = {
  // --- the remoting transport ---------------------------------------------------------------
  serverSocketMaxFrameBytes: {
    default: 16 * 1024 * 1024,
    min: 1024,
    max: 0x7fffffff,
    what: "largest remoting frame accepted, length prefix included (Java's 16 MiB); a larger one closes the connection",
  },
  serverPartialFrameBudgetBytes: {
    default: 256 * 1024 * 1024,
    min: 1024,
    max: Number.MAX_SAFE_INTEGER,
    what: "bytes held by incomplete frames of all connections together; a frame that would pass it closes its connection",
  },
  serverFrameDeadlineSeconds: {
    default: 30,
    min: 1,
    max: 86_400,
    what: "a frame must arrive whole within this time of its first byte, or the connection is closed (slow senders)",
  },
  maxConnections: {
    default: 10_000,
    min: 1,
    max: 1_000_000,
    what: "open remoting connections; more are closed at accept",
  },
  maxConnectionsPerPeer: {
    default: 2_048,
    min: 1,
    max: 1_000_000,
    what: "open remoting connections from one peer address; more are closed at accept",
  },
  maxInFlightPerConnection: {
    default: 256,
    min: 1,
    max: 1_000_000,
    what: "requests of one connection being handled at once; beyond it the connection is not read until answers go out",
  },
  serverPendingWritePauseBytes: {
    default: 4 * 1024 * 1024,
    min: 1024,
    max: Number.MAX_SAFE_INTEGER,
    what: "unsent answer bytes of one connection above which it is not read (its peer is slow to read)",
  },
  serverMaxPendingWriteBytes: {
    default: 32 * 1024 * 1024,
    min: 1024,
    max: Number.MAX_SAFE_INTEGER,
    what: "unsent answer bytes of one connection above which it is closed (its peer is not reading)",
  },
  serverPendingWriteBudgetBytes: {
    default: 512 * 1024 * 1024,
    min: 1024,
    max: Number.MAX_SAFE_INTEGER,
    what: "unsent answer bytes of all connections together; past it, a connection that is behind on reading is closed",
  },
  unregisterRetryMaxMillis: {
    default: 300_000,
    min: 0,
    max: 86_400_000,
    what: "how long an unregistration of a closed broker connection that failed (store unavailable) is retried",
  },

  // --- bodies, names and values -------------------------------------------------------------
  maxRegisterBodyInflatedBytes: {
    default: 32 * 1024 * 1024,
    min: 1024,
    max: 0x7fffffff,
    what: "a compressed REGISTER_BROKER body may inflate to at most this many bytes",
  },
  maxTopicsPerRegistration: {
    default: 100_000,
    min: 1,
    max: 10_000_000,
    what: "topics in one broker registration",
  },
  maxNameLength: {
    default: 255,
    min: 1,
    max: 65_535,
    what: "characters in a broker, cluster or zone name and a KV namespace or key (topics: Java's 127)",
  },
  maxKvValueBytes: {
    default: 1024 * 1024,
    min: 1,
    max: 16 * 1024 * 1024,
    what: "UTF-8 bytes of one KV configuration value",
  },
  maxJsonDepth: {
    default: 512,
    min: 8,
    max: 2048,
    what: "nesting of any JSON the server reads (headers, bodies, HTTP), checked before parsing",
  },
  maxHttpBodyBytes: {
    default: 32 * 1024 * 1024,
    min: 1024,
    max: 0x7fffffff,
    what: "bytes of one HTTP request body; a larger one is answered 413",
  },
  maxHeartbeatTimeoutMillis: {
    default: 600_000,
    min: 1_000,
    max: 86_400_000,
    what: "largest heartbeatTimeoutMillis a broker registration may ask for",
  },
  routeCacheMaxBytes: {
    default: 64 * 1024 * 1024,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    what: "encoded routes kept in memory per process (least recently used dropped first)",
  },
  // --- access control and audit (edge/auth) ----------------------------------------------------
  maxAccounts: {
    default: 10_000,
    min: 1,
    max: 1_000_000,
    what: "accounts the store may hold; creating one more is refused",
  },
  maxTokensPerAccount: {
    default: 100,
    min: 1,
    max: 100_000,
    what: "unexpired tokens one account may hold; issuing one more is refused",
  },
  authCacheSeconds: {
    default: 10,
    min: 0,
    max: 3_600,
    what: "how long an instance reuses an account or token it read (a change made through another instance, or a revocation there, takes effect here within this time)",
  },
  authCacheMaxEntries: {
    default: 10_000,
    min: 0,
    max: 1_000_000,
    what: "accounts and tokens kept in that cache per process",
  },
  auditStreamMaxLength: {
    default: 10_000,
    min: 1,
    max: 100_000_000,
    what: "audit records kept in the store (the `audit` stream on Redis, a ring in memory on the embedded store); older ones are dropped",
  },
  // --- metrics (GET /metrics) ------------------------------------------------------------------
  metricsStateCacheMillis: {
    default: 5_000,
    min: 0,
    max: 600_000,
    what: "how long GET /metrics reuses the brokers, groups, clusters and topics it read from the store (one store read per interval, however many scrapers)",
  },
  // --- the address server (part ADDRESS: /rocketmq/nsaddr) ------------------------------------
  namesrvInstanceTtlSeconds: {
    default: 30,
    min: 2,
    max: 86_400,
    what: "how long an instance's advertised address stays listed by the address server after its latest registration",
  },
  namesrvInstanceRefreshSeconds: {
    default: 10,
    min: 1,
    max: 3_600,
    what: "how often each Bun server registers its advertised address again (keep it well under namesrvInstanceTtlSeconds)",
  },
} as const satisfies Record<string, { default: number; min: number; max: number; what: string }>;

export type LimitKey = keyof typeof LIMITS;
export type Limits = { [K in LimitKey]: number };

export const LIMIT_DEFAULTS: Limits = Object.fromEntries(
  Object.entries(LIMITS).map(([key, limit]) => [key, limit.default]),
) as Limits;

/** The zod schema of every limit key, built with the configuration's integer parser. */
export function limitSchema<S extends z.ZodType<number>>(int: (min: number, max: number) => S): { [K in LimitKey]: S } {
  return Object.fromEntries(Object.entries(LIMITS).map(([key, limit]) => [key, int(limit.min, limit.max)])) as {
    [K in LimitKey]: S;
  };
}

export function isLimitKey(key: string): key is LimitKey {
  return Object.hasOwn(LIMITS, key);
}
