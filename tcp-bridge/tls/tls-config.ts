/**
 * The remoting and HTTP listeners' TLS settings, under the Java NameServer's keys
 * (TlsSystemConfig): from the `-c` properties file, then `NAMESRV_CONFIG_tls.*` in the environment,
 * then the file `tls.config.file` names, which overrides every key but `tls.server.mode` as
 * Java's TlsHelper does. A bad value is a start-up error.
 */
import { z } from "zod";
import { parseJavaProperties } from "../../shared/properties";
import { ConfigError } from "../../edge/config/namesrv-config";
import { CONFIG_ENV_PREFIX } from "../../edge/config/load-config";

export type TlsMode = "disabled" | "permissive" | "enforcing";
export type ClientAuth = "none" | "optional" | "require";

export interface TlsConfig {
  /** tls.server.mode: disabled closes TLS connections, enforcing closes plain ones. */
  mode: TlsMode;
  /** tls.test.mode.enable: with no certificate configured, present a self-signed one. */
  testMode: boolean;
  /** tls.server.need.client.auth */
  needClientAuth: ClientAuth;
  /** tls.server.keyPath: PKCS#8 PEM, possibly encrypted */
  keyPath: string | null;
  /** tls.server.keyPassword */
  keyPassword: string | null;
  /** tls.server.certPath: PEM chain */
  certPath: string | null;
  /** tls.server.authClient: verify client certificates against trustCertPath (else accept any) */
  authClient: boolean;
  /** tls.server.trustCertPath */
  trustCertPath: string | null;
  /** tls.server.reloadIntervalMillis: how often the files are checked for a change (Java: 500 ms) */
  reloadIntervalMillis: number;
  /** the tls.config.file that was read, if it existed */
  configFile: string | null;
}

/** Java's FileWatchService polls every 500 ms. */
export const DEFAULT_RELOAD_INTERVAL_MS = 500;
export const DEFAULT_TLS_CONFIG_FILE = "/etc/rocketmq/tls.properties";

const KEYS = {
  mode: "tls.server.mode",
  testMode: "tls.test.mode.enable",
  needClientAuth: "tls.server.need.client.auth",
  keyPath: "tls.server.keyPath",
  keyPassword: "tls.server.keyPassword",
  certPath: "tls.server.certPath",
  authClient: "tls.server.authClient",
  trustCertPath: "tls.server.trustCertPath",
  reloadIntervalMillis: "tls.server.reloadIntervalMillis",
} as const;
const CONFIG_FILE_KEY = "tls.config.file";

const bool = z.string().trim().regex(/^(true|false)$/i, "expected true or false").transform((v) => v.toLowerCase() === "true");
/** Java treats an empty path as none. */
const path = z.string().trim().transform((v) => (v === "" ? null : v));
const SCHEMA = z.object({
  [KEYS.mode]: z.enum(["disabled", "permissive", "enforcing"]).default("permissive"),
  [KEYS.testMode]: bool.default(true),
  [KEYS.needClientAuth]: z.enum(["none", "optional", "require"]).default("none"),
  [KEYS.keyPath]: path.default(null),
  [KEYS.keyPassword]: z.string().transform((v) => (v === "" ? null : v)).default(null),
  [KEYS.certPath]: path.default(null),
  [KEYS.authClient]: bool.default(false),
  [KEYS.trustCertPath]: path.default(null),
  [KEYS.reloadIntervalMillis]: z.string().trim().regex(/^\d+$/, "expected a whole number of milliseconds").transform(Number)
    .pipe(z.number().int().min(10).max(3_600_000)).default(DEFAULT_RELOAD_INTERVAL_MS),
});

export interface TlsConfigSources {
  /** keys of the `-c` properties file that are not NameServer keys */
  extra: Record<string, string>;
  env: Record<string, string | undefined>;
  /** the file's content, or null when it does not exist */
  readOptionalFile: (path: string) => Promise<Uint8Array | null>;
}

/** The `tls.*` entries of a key/value map. */
function tlsEntries(entries: Record<string, string | undefined>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) if (key.startsWith("tls.") && value !== undefined) picked[key] = value;
  return picked;
}

/** `NAMESRV_CONFIG_tls.*` variables, by key. */
export function tlsEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const fromEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(`${CONFIG_ENV_PREFIX}tls.`) && value !== undefined) fromEnv[name.slice(CONFIG_ENV_PREFIX.length)] = value;
  }
  return fromEnv;
}

export async function readTlsConfig(sources: TlsConfigSources): Promise<TlsConfig> {
  const entries = { ...tlsEntries(sources.extra), ...tlsEnvironment(sources.env) };
  const file = (entries[CONFIG_FILE_KEY] ?? DEFAULT_TLS_CONFIG_FILE).trim();
  const bytes = file === "" ? null : await sources.readOptionalFile(file);
  if (bytes !== null) {
    for (const [key, value] of Object.entries(tlsEntries(parseJavaProperties(bytes)))) {
      if (key !== KEYS.mode) entries[key] = value;
    }
  }
  delete entries[CONFIG_FILE_KEY];
  const known = new Set<string>(Object.values(KEYS));
  const unknown = Object.keys(entries).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new ConfigError(`unknown TLS key(s): ${unknown.join(", ")}`);
  const parsed = SCHEMA.safeParse(entries);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0]);
    throw new ConfigError(`${key}: ${issue.message} (got ${JSON.stringify(entries[key])})`);
  }
  const v = parsed.data;
  const config: TlsConfig = {
    mode: v[KEYS.mode],
    testMode: v[KEYS.testMode],
    needClientAuth: v[KEYS.needClientAuth],
    keyPath: v[KEYS.keyPath],
    keyPassword: v[KEYS.keyPassword],
    certPath: v[KEYS.certPath],
    authClient: v[KEYS.authClient],
    trustCertPath: v[KEYS.trustCertPath],
    reloadIntervalMillis: v[KEYS.reloadIntervalMillis],
    configFile: bytes === null ? null : file,
  };
  if (config.authClient && config.trustCertPath === null) {
    throw new ConfigError(`${KEYS.authClient}=true needs ${KEYS.trustCertPath} (the CA client certificates are verified against)`);
  }
  if ((config.certPath === null) !== (config.keyPath === null)) {
    throw new ConfigError(`${KEYS.certPath} and ${KEYS.keyPath} go together (got only ${config.certPath === null ? KEYS.keyPath : KEYS.certPath})`);
  }
  if (!config.testMode && config.mode !== "disabled" && (config.certPath === null || config.keyPath === null)) {
    throw new ConfigError(`${KEYS.mode}=${config.mode} with ${KEYS.testMode}=false needs ${KEYS.certPath} and ${KEYS.keyPath}`);
  }
  return config;
}

/** Whether a certificate of the operator's is used (else the test mode's self-signed one). */
export function hasConfiguredCertificate(config: TlsConfig): boolean {
  return config.certPath !== null && config.keyPath !== null;
}
