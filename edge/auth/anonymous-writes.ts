/**
 * A public deployment's rule (the Cloudflare Worker): with authentication off, every write is
 * refused, unless the operator opted out with NAMESRV_ALLOW_ANONYMOUS_WRITES=true. Reads stay open,
 * as on Apache's NameServer.
 */
import type { Middleware } from "../port/middleware";
import { AccessDenied } from "./access-denied";
import { WRITE_OPERATIONS } from "./request-classes";
import type { Operation } from "../port/namesrv-port";

export const ANONYMOUS_WRITES_REFUSED =
  "anonymous writes are refused on this public deployment: enable authentication (authenticationEnabled, initAuthenticationUser) or set NAMESRV_ALLOW_ANONYMOUS_WRITES=true";

/** The warning a deployment that allows anonymous writes gives with every response. */
export const ANONYMOUS_WRITES_WARNING = "anonymous writes are allowed (NAMESRV_ALLOW_ANONYMOUS_WRITES=true): anyone who reaches this deployment can change routes";

export function refuseAnonymousWrites(): Middleware {
  return async function refuseAnonymousWrite(call, next) {
    if (call.transport !== "internal" && WRITE_OPERATIONS.has(call.operation as Operation)) throw new AccessDenied("authentication", ANONYMOUS_WRITES_REFUSED);
    return next();
  };
}
