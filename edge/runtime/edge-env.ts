/**
 * What the edge entries (Workers, Deno) share: reading their environment into a store selection and
 * a NameServer config, and the answer they give when that environment is unusable. No runtime APIs
 * here, and no import of the embedded store (it reads files; a Worker bundle must not pull it in).
 */
import { ResponseCode } from "../../shared/codes";
import { CONFIG_ENV_PREFIX, readLogLevel } from "../config/load-config";
import { applyConfigEntries, ConfigError, defaultNamesrvConfig, type NamesrvConfig } from "../config/namesrv-config";
import { NamesrvError } from "../port/namesrv-error";
import { selectStore, StoreSelectionError, type StoreSelection } from "../store/store-selection";

/**
 * `NAMESRV_CONFIG_<key>` variables override NameServer config keys, e.g.
 * `NAMESRV_CONFIG_orderMessageEnable=true`. Values are validated like a properties file; an
 * unknown key is an error (a typo must not be silently ignored).
 */
export { CONFIG_ENV_PREFIX };

/** Raised when the environment cannot run the NameServer; its message says what to set. */
export class EdgeStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EdgeStartupError";
  }
}

/** Only the string-valued entries (Workers bindings may also hold objects). */
export function stringEntries(env: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (typeof v === "string") out[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
  }
  return out;
}

/** Defaults plus validated `NAMESRV_CONFIG_<key>` overrides. */
export function edgeConfig(env: Record<string, string>, home = "~"): NamesrvConfig {
  const entries: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(CONFIG_ENV_PREFIX)) entries[name.slice(CONFIG_ENV_PREFIX.length)] = value;
  }
  const { config, extra } = applyConfigEntries(defaultNamesrvConfig(home), entries);
  const unknown = Object.keys(extra);
  if (unknown.length > 0) {
    throw new ConfigError(`unknown NameServer config key(s): ${unknown.map((k) => CONFIG_ENV_PREFIX + k).join(", ")}`);
  }
  return config;
}

/** The store selection; with `requireRedis`, anything but Upstash REST is refused. */
export function edgeStoreSelection(env: Record<string, string>, requireRedis: boolean): StoreSelection {
  const selection = selectStore({ ...env, REDIS_URL: undefined });
  if (requireRedis && selection.kind !== "redis-rest") {
    throw new EdgeStartupError(
      "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set: this runtime keeps no state in " +
        "memory, so it needs Redis over the Upstash REST protocol (set both; NAMESRV_REDIS_PREFIX optionally)",
    );
  }
  return selection;
}

/** The answer to every request when the environment is unusable: 500 with the reason. */
export function startupFailureResponse(err: unknown): Response {
  const known = err instanceof EdgeStartupError || err instanceof ConfigError || err instanceof StoreSelectionError;
  const message = known
    ? `NameServer not configured: ${(err as Error).message}`
    : `NameServer failed to start: ${err instanceof Error ? err.message : String(err)}`;
  return new Response(JSON.stringify(new NamesrvError(ResponseCode.SYSTEM_ERROR, message).toJSON()), {
    status: 500,
    headers: { "content-type": "application/json" },
  });
}

/** NAMESRV_LOG_LEVEL; an invalid level is a configuration error. */
export const logLevel = (env: Record<string, string>) => readLogLevel(env);
