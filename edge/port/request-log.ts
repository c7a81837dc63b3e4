import type { Logger } from "../../shared/logger";
import { NamesrvError } from "./namesrv-error";
import type { PortCall } from "./call";
import type { Middleware } from "./middleware";

/**
 * The request log: one debug line per call (operation, request code, transport, peer, connection,
 * outcome, duration), and an error line for every call that failed for a reason other than a NameServer
 * answer (a store outage, a bug), at any level.
 */
export function requestLog(log: Logger): Middleware {
  const write = (call: PortCall): void => {
    const outcome = call.outcome!;
    const unexpected = outcome.error !== null && !(outcome.error instanceof NamesrvError);
    if (!unexpected && !log.enabled("debug")) return;
    const entry = {
      msg: unexpected ? "request failed" : "request",
      operation: call.operation,
      code: call.requestCode,
      transport: call.transport,
      peer: call.peer,
      connection: call.connection,
      outcome: outcome.code,
      durationMs: Math.round(outcome.durationMs * 1000) / 1000,
      ...(outcome.error !== null ? { error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) } : {}),
    };
    if (unexpected) log.error(entry);
    else log.debug(entry);
  };
  return function logRequest(call, next) {
    return next().then(() => write(call));
  };
}
