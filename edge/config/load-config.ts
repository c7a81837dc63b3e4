import { LOG_LEVELS, type LogLevel } from "../../shared/logger";
import { parseJavaProperties } from "../../shared/properties";
import {
  applyConfigEntries,
  ConfigError,
  defaultNamesrvConfig,
  type NamesrvConfig,
} from "./namesrv-config";

/**
 * Prefix of environment variables that set any configuration key, e.g.
 * `NAMESRV_CONFIG_maxConnections=20000` (the same on the Bun server, Workers and Deno).
 */
export const CONFIG_ENV_PREFIX = "NAMESRV_CONFIG_";

/** Environment variables and the config keys they set. */
export const ENV_KEYS: Record<string, string> = {
  NAMESRV_PORT: "listenPort",
  NAMESRV_HTTP_PORT: "httpPort",
  NAMESRV_KV_PATH: "kvConfigPath",
  NAMESRV_BIND_ADDRESS: "bindAddress",
  ROCKETMQ_HOME: "rocketmqHome",
};

export interface ConfigSources {
  argv: string[];
  env: Record<string, string | undefined>;
  home: string;
  readFile: (path: string) => Promise<Uint8Array>;
}

export interface LoadedConfig {
  config: NamesrvConfig;
  /** keys of the properties file that are not configuration keys (kept, as Java does) */
  extra: Record<string, string>;
  configFile: string | null;
}

/** `-c file` / `--configFile file` / `--configFile=file` from the command line. */
export function configFileArgument(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-c" || arg === "--configFile") {
      const file = argv[i + 1];
      if (!file) throw new ConfigError(`${arg} needs a file name`);
      return file;
    }
    if (arg.startsWith("--configFile=")) return arg.slice("--configFile=".length);
  }
  return null;
}

/**
 * The start-up configuration: defaults, then a Java-style properties file (`-c`), then the
 * environment. Any invalid value throws ConfigError naming it.
 */
export async function loadNamesrvConfig(sources: ConfigSources): Promise<LoadedConfig> {
  let config = defaultNamesrvConfig(sources.home);
  let extra: Record<string, string> = {};
  const configFile = configFileArgument(sources.argv);
  if (configFile) {
    let bytes: Uint8Array;
    try {
      bytes = await sources.readFile(configFile);
    } catch (err) {
      throw new ConfigError(`cannot read config file ${configFile}: ${(err as Error).message}`);
    }
    let fromFile: ReturnType<typeof applyConfigEntries>;
    try {
      fromFile = applyConfigEntries(config, parseJavaProperties(bytes));
    } catch (err) {
      // The file may be one an update rewrote (it is configStorePath): say which file to fix.
      throw new ConfigError(`config file ${configFile}: ${(err as Error).message}`);
    }
    // Java's NamesrvStartup: updates are persisted back into the `-c` file.
    config = { ...fromFile.config, configStorePath: configFile };
    extra = fromFile.extra;
  }
  config = applyEnvironment(config, sources.env);
  return { config, extra, configFile };
}

/**
 * `config` with the environment's settings on top: `NAMESRV_CONFIG_<key>` for any key, and the
 * short names of ENV_KEYS. Throws ConfigError for an invalid value or an unknown key.
 */
export function applyEnvironment(config: NamesrvConfig, env: Record<string, string | undefined>): NamesrvConfig {
  const fromEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    // tls.* keys are the Bun listener's, read by tcp-bridge/tls/tls-config.ts
    if (name.startsWith(CONFIG_ENV_PREFIX) && value !== undefined && !name.startsWith(`${CONFIG_ENV_PREFIX}tls.`)) {
      fromEnv[name.slice(CONFIG_ENV_PREFIX.length)] = value;
    }
  }
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== "") fromEnv[key] = value;
  }
  let applied: ReturnType<typeof applyConfigEntries>;
  try {
    applied = applyConfigEntries(config, fromEnv);
  } catch (err) {
    const names = Object.entries(ENV_KEYS).map(([n, k]) => `${n} (${k})`).join(", ");
    throw new ConfigError(`${(err as Error).message} — from the environment: ${names}, ${CONFIG_ENV_PREFIX}<key>`);
  }
  const unknown = Object.keys(applied.extra);
  if (unknown.length > 0) {
    throw new ConfigError(`unknown NameServer config key(s): ${unknown.map((k) => CONFIG_ENV_PREFIX + k).join(", ")}`);
  }
  return applied.config;
}

/** NAMESRV_LOG_LEVEL (debug, info, warn, error; default info), the same on every runtime. */
export function readLogLevel(env: Record<string, string | undefined>): LogLevel {
  const value = env.NAMESRV_LOG_LEVEL;
  if (value === undefined || value === "") return "info";
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError(`NAMESRV_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got ${JSON.stringify(value)})`);
  }
  return value as LogLevel;
}
