/**
 * What the edge entries (Workers, Deno) share: reading their environment into a store selection and
 * a NameServer config, and the answer they give when that environment is unusable. No runtime APIs
 * here, and no import of the embedded store (it reads files; a Worker bundle must not pull it in).
 */
import { ResponseCode } from "../../shared/codes";
import { readEdgeDeployment, type DeploymentConfig } from "../config/deployment-config";
import { CONFIG_ENV_PREFIX } from "../config/load-config";
import { ConfigError } from "../config/namesrv-config";
import { NamesrvError } from "../port/namesrv-error";
import { StoreSelectionError } from "../store/store-selection";

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

/** The deployment read from `env`; with `requireRedis`, anything but Upstash REST is refused. */
export function edgeDeployment(env: Record<string, string>, requireRedis: boolean): DeploymentConfig {
  const deployment = readEdgeDeployment(env);
  if (requireRedis && deployment.store.kind !== "redis-rest") {
    throw new EdgeStartupError(
      "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set: this runtime keeps no state in " +
        "memory, so it needs Redis over the Upstash REST protocol (set both; NAMESRV_REDIS_PREFIX optionally)",
    );
  }
  return deployment;
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

