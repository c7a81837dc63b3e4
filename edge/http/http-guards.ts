import type { Context, MiddlewareHandler } from "hono";
import { ResponseCode } from "../../shared/codes";
import type { NamesrvConfig } from "../config/namesrv-config";
import { NamesrvError } from "../port/namesrv-error";
import { bodyTooLarge } from "./http-helpers";

/**
 * What every HTTP request passes before its handler: the size it announces, and the rules that keep
 * a web page from changing the NameServer's state through a visitor's browser (cross-site request
 * forgery). Browsers send any page's POST with a simple content type (`text/plain`, forms) and no
 * preflight, and always name the page's origin; so a state-changing request
 *  - with a body must say `application/json` (415 otherwise), which no simple request can;
 *  - from a browser page (an `Origin` header) is refused (403) unless that origin is listed in
 *    httpCorsAllowOrigins (`;`-separated, `*` for any) or is the API's own.
 * Preflights (OPTIONS) are answered for listed origins only; no `Access-Control-Allow-Origin` is
 * ever sent to another origin. Requests without an `Origin` (servers, curl, the tcp-bridge) are
 * not affected.
 */

type GuardLimits = Pick<NamesrvConfig, "maxHttpBodyBytes" | "httpCorsAllowOrigins">;

/** Where the guards read the settings in force. */
export interface GuardConfigSource {
  current(): Promise<GuardLimits>;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE";
const ALLOWED_HEADERS = "content-type";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

export function requestGuards(config: GuardConfigSource): MiddlewareHandler {
  // parsed once per configuration object (ConfigManager keeps it while the overrides are unchanged)
  let parsedFor: GuardLimits | undefined;
  let allowList: { any: boolean; origins: Set<string> } = { any: false, origins: new Set() };
  const allowListOf = (limits: GuardLimits) => {
    if (limits !== parsedFor) {
      allowList = parseAllowList(limits.httpCorsAllowOrigins);
      parsedFor = limits;
    }
    return allowList;
  };

  return async function guardRequest(c, next) {
    const method = c.req.method;
    const origin = c.req.header("origin");
    // the hot case: a read without a browser in sight needs no configuration at all
    if (origin === undefined && SAFE_METHODS.has(method)) return next();
    const limits = await config.current();

    if (!SAFE_METHODS.has(method)) {
      const declared = c.req.header("content-length");
      if (declared !== undefined && Number(declared) > limits.maxHttpBodyBytes) throw bodyTooLarge(limits.maxHttpBodyBytes);
      if (hasBody(c.req.raw, declared) && !isJson(c.req.header("content-type"))) {
        throw new NamesrvError(ResponseCode.SYSTEM_ERROR, `${method} with a body needs content-type application/json`, 415);
      }
    }
    if (origin === undefined) return next();

    const allowed = isAllowedOrigin(origin, allowListOf(limits), c);
    if (method === "OPTIONS") {
      if (!allowed) throw forbiddenOrigin(origin);
      return c.body(null, 204, {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": ALLOWED_METHODS,
        "access-control-allow-headers": ALLOWED_HEADERS,
        "access-control-max-age": PREFLIGHT_MAX_AGE_SECONDS,
        vary: "Origin",
      });
    }
    if (!allowed) {
      if (SAFE_METHODS.has(method)) return next(); // answered, but the page may not read it
      throw forbiddenOrigin(origin);
    }
    await next();
    c.res.headers.set("access-control-allow-origin", origin);
    c.res.headers.append("vary", "Origin");
  };
}

function parseAllowList(setting: string): { any: boolean; origins: Set<string> } {
  const origins = new Set(
    setting
      .split(";")
      .map((o) => o.trim().replace(/\/+$/, ""))
      .filter((o) => o.length > 0),
  );
  return { any: origins.has("*"), origins };
}

function isAllowedOrigin(origin: string, allowList: { any: boolean; origins: Set<string> }, c: Context): boolean {
  if (origin === "null") return false; // sandboxed pages and files: never trusted
  if (allowList.any || allowList.origins.has(origin)) return true;
  return origin === new URL(c.req.url).origin;
}

function forbiddenOrigin(origin: string): NamesrvError {
  return new NamesrvError(
    ResponseCode.NO_PERMISSION,
    `cross-origin request from ${origin} refused: the origin is not in httpCorsAllowOrigins`,
    403,
  );
}

/** Whether a request carries a body (an empty one does not count). */
function hasBody(request: Request, declaredLength: string | undefined): boolean {
  if (declaredLength !== undefined) return declaredLength.trim() !== "0";
  return request.body !== null;
}

/** `application/json`, with or without parameters such as a charset. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(";");
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return mediaType === "application/json";
}
