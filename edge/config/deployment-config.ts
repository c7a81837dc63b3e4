/**
 * A deployment's configuration, read once at start-up by one function per runtime: the NameServer
 * keys (defaults, a properties file on Bun, the environment), the store, the log level and, for a
 * bridge in front of a remote deployment, its URL. DEPLOYMENT_VARIABLES lists every environment
 * variable any runtime reads; README's "Configuration" table is written from it (a test keeps
 * them equal).
 */
import { z } from "zod";
import { LOG_LEVELS, type LogLevel } from "../../shared/logger";
import { selectStore, type StoreSelection } from "../store/store-selection";
import { applyEnvironment, CONFIG_ENV_PREFIX, ENV_KEYS, loadNamesrvConfig, readLogLevel, type ConfigSources } from "./load-config";
import { ConfigError, defaultNamesrvConfig, type NamesrvConfig } from "./namesrv-config";
import { parseAdvertisedAddress } from "./advertised-address";

export interface DeploymentConfig {
  namesrv: NamesrvConfig;
  /** keys of the properties file that are not configuration keys (kept, as Java does) */
  extra: Record<string, string>;
  configFile: string | null;
  store: StoreSelection;
  logLevel: LogLevel;
  /** NAMESRV_EDGE_URL: the bridge forwards every request to that deployment (Bun only) */
  edgeUrl: string | null;
  /** NAMESRV_EDGE_TOKEN: the bridge's relay token for that deployment */
  edgeToken: string | null;
  /** NAMESRV_ADVERTISED_ADDR: the address the address server lists for this server (Bun only) */
  advertisedAddr: string | null;
}

/** Every environment variable a runtime reads: name, what it sets, its default, where it is read. */
export const DEPLOYMENT_VARIABLES: ReadonlyArray<{ name: string; sets: string; default: string; runtimes: string }> = [
  ...Object.entries(ENV_KEYS).map(([name, key]) => ({
    name,
    sets: `\`${key}\``,
    default: defaultText(defaultNamesrvConfig("~")[key as keyof NamesrvConfig]),
    runtimes: "all",
  })),
  { name: `${CONFIG_ENV_PREFIX}<key>`, sets: "any configuration key", default: "the key's default", runtimes: "all" },
  { name: "NAMESRV_LOG_LEVEL", sets: `log level (${LOG_LEVELS.join(", ")}); \`debug\` logs every request`, default: "`info`", runtimes: "all" },
  { name: "REDIS_URL", sets: "one Redis over RESP (`redis://[user:password@]host:port[/db]` or `rediss://`)", default: "none: embedded store", runtimes: "Bun" },
  { name: "REDIS_CLUSTER_NODES", sets: "a Redis Cluster: `host:port,…` seed nodes, any of them (README: On a Redis Cluster)", default: "none", runtimes: "Bun" },
  { name: "REDIS_SENTINELS", sets: "a primary found through Sentinel: `host:port,…` of the sentinels, with `REDIS_SENTINEL_MASTER` (README: Behind Sentinel)", default: "none", runtimes: "Bun" },
  { name: "REDIS_SENTINEL_MASTER", sets: "the name the sentinels monitor the primary by", default: "none (required with `REDIS_SENTINELS`)", runtimes: "Bun" },
  { name: "REDIS_SENTINEL_PASSWORD", sets: "the sentinels' own password, when they have one", default: "none", runtimes: "Bun" },
  { name: "REDIS_USERNAME", sets: "ACL user for the Cluster's or the Sentinel group's Redis nodes (`REDIS_URL` carries its own)", default: "none: the default user", runtimes: "Bun" },
  { name: "REDIS_PASSWORD", sets: "password for the Cluster's or the Sentinel group's Redis nodes", default: "none", runtimes: "Bun" },
  { name: "REDIS_TLS", sets: "`true`: TLS to the Cluster's nodes, or to the sentinels and the primary", default: "`false`", runtimes: "Bun" },
  { name: "REDIS_TLS_CA_FILE", sets: "PEM file of CA certificates trusted for `REDIS_TLS` (a private CA) besides the system's", default: "none", runtimes: "Bun" },
  { name: "REDIS_WAIT_REPLICAS", sets: "replicas that must confirm a KV, configuration or access-control write before it is acknowledged (at most as many as are online; 0 = off) (README: Acknowledged writes and failover)", default: "`1`", runtimes: "Bun" },
  { name: "REDIS_WAIT_TIMEOUT_MS", sets: "how long such a write waits for them before it is answered SYSTEM_ERROR", default: "`1000`", runtimes: "Bun" },
  { name: "REDIS_TIMEOUT_MS", sets: "bound of one store call over RESP, waiting for a (re)connection included; keep it under the clients' 3 s request timeout", default: "`2000`", runtimes: "Bun" },
  { name: "UPSTASH_REDIS_REST_URL", sets: "Redis over the Upstash REST protocol (with the token)", default: "none: embedded store (Workers refuse to start)", runtimes: "all" },
  { name: "UPSTASH_REDIS_REST_TOKEN", sets: "the REST token", default: "none", runtimes: "all" },
  { name: "NAMESRV_REDIS_PREFIX", sets: "key namespace `{<prefix>}:…`, so deployments can share a Redis", default: "`rmq`", runtimes: "all" },
  { name: "NAMESRV_EDGE_URL", sets: "forward every request to that deployment of the app (the bridge runs no logic of its own)", default: "none", runtimes: "Bun" },
  { name: "NAMESRV_EDGE_TOKEN", sets: "the token (of an account granted `relay`) the bridge presents to NAMESRV_EDGE_URL; with it, the bridge verifies its clients' signatures and the deployment authorizes the client", default: "none", runtimes: "Bun" },
  { name: "NAMESRV_ADVERTISED_ADDR", sets: "the remoting address (`host:port`) the address server lists for this server (README: Address server)", default: "bind address and port; `0.0.0.0`: the first non-loopback IPv4 address", runtimes: "Bun" },
  { name: "NAMESRV_WORKERS", sets: "bridge processes serving the remoting port (1 to 64, or `auto`: one per core); more than 1 needs a shared store (README: One bridge per core)", default: "`1`", runtimes: "Bun" },
  { name: "NAMESRV_ALLOW_ANONYMOUS_WRITES", sets: "`true`: the Worker accepts writes with authentication off (a warning header on every response)", default: "none: refused", runtimes: "Workers" },
];

const edgeUrlSchema = z.url({ protocol: /^https?$/, error: "NAMESRV_EDGE_URL must be an http:// or https:// URL" });

function edgeUrlOf(env: Record<string, string | undefined>): string | null {
  const value = env.NAMESRV_EDGE_URL;
  if (value === undefined || value === "") return null;
  const parsed = edgeUrlSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(`${parsed.error.issues[0].message} (got ${JSON.stringify(value)})`);
  return parsed.data;
}

/** The Bun server's deployment: `-c` properties file and the environment (tcp-bridge/main.ts). */
export async function readBunDeployment(sources: ConfigSources): Promise<DeploymentConfig> {
  const logLevel = readLogLevel(sources.env);
  const { config, extra, configFile } = await loadNamesrvConfig(sources);
  const edgeToken = sources.env.NAMESRV_EDGE_TOKEN || null;
  const advertisedAddr = parseAdvertisedAddress(sources.env.NAMESRV_ADVERTISED_ADDR);
  return { namesrv: config, extra, configFile, store: selectStore(sources.env), logLevel, edgeUrl: edgeUrlOf(sources.env), edgeToken, advertisedAddr };
}

/**
 * An edge runtime's deployment (Workers, Deno): the environment only. No REDIS_URL there (no RESP
 * client), and no bridge to forward.
 */
export function readEdgeDeployment(env: Record<string, string>, home = "~"): DeploymentConfig {
  const logLevel = readLogLevel(env);
  const namesrv = applyEnvironment(defaultNamesrvConfig(home), env);
  return { namesrv, extra: {}, configFile: null, store: selectStore({ ...env, REDIS_URL: undefined }), logLevel, edgeUrl: null, edgeToken: null, advertisedAddr: null };
}

function defaultText(value: unknown): string {
  return value === undefined || value === null || value === "" ? "none" : `\`${String(value)}\``;
}
