import type { Logger, LogLevel } from "../../shared/logger";
import { NamesrvError } from "./namesrv-error";
import type { PortCall } from "./call";
import { observer, type Middleware } from "./middleware";

export interface AccessLogOptions {
  /** the level of the line per call (accessLogLevel); `off`: none */
  level?: LogLevel | "off";
  /** the share of calls that get a line (accessLogSampleRate), 0 to 1 */
  sampleRate?: number;
  /** [0, 1): replaceable so that sampling can be tested */
  random?: () => number;
}

/**
 * The access log: one JSON line per call (operation, request code, transport, peer, principal,
 * connection, response code, duration, bytes where known) at the configured level for a sampled
 * share of calls, and an error line for every call that failed for a reason other than a NameServer
 * answer (a store outage, a bug), whatever the level and the sample say. The principal is read
 * after the call, once authentication (further down the chain) has named it.
 */
export function requestLog(log: Logger, options: AccessLogOptions = {}): Middleware {
  const level = options.level ?? "debug";
  const sampleRate = options.sampleRate ?? 1;
  const random = options.random ?? Math.random;
  const write = (call: PortCall): void => {
    const outcome = call.outcome!;
    const unexpected = outcome.error !== null && !(outcome.error instanceof NamesrvError);
    if (!unexpected) {
      if (level === "off" || !log.enabled(level)) return;
      // `random() < 1` is always true, so a rate of 1 logs every call without asking
      if (sampleRate < 1 && !(random() < sampleRate)) return;
    }
    const entry = {
      msg: unexpected ? "request failed" : "request",
      operation: call.operation,
      code: call.requestCode,
      transport: call.transport,
      peer: call.peer,
      principal: call.principal,
      connection: call.connection,
      responseCode: outcome.code,
      durationMs: Math.round(outcome.durationMs * 1000) / 1000,
      ...(call.requestBytes != null ? { requestBytes: call.requestBytes } : {}),
      ...(outcome.responseBytes != null ? { responseBytes: outcome.responseBytes } : {}),
      ...(outcome.error !== null ? { error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) } : {}),
    };
    if (unexpected) log.error(entry);
    else log[level as LogLevel](entry);
  };
  return observer(write);
}
