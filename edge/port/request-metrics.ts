import { AccessDenied } from "../auth/access-denied";
import { requestCodeLabel, responseCodeLabel, type NamesrvMetrics } from "../metrics/namesrv-metrics";
import type { Middleware } from "./middleware";

/**
 * Request metrics: Java's rocketmq_rpc_latency histogram for every call from a client (remoting or
 * HTTP; the process's own timer calls are left out), and the calls access control refused. It sits
 * before access control in the chain, so refused calls are timed and counted as well.
 */
export function requestMetrics(metrics: NamesrvMetrics): Middleware {
  return function measureRequest(call, next) {
    return next().then(() => {
      const outcome = call.outcome!;
      if (call.transport !== "internal") {
        metrics.rpcLatency.observe(
          [requestCodeLabel(call.requestCode, call.operation), responseCodeLabel(outcome.code), call.transport],
          outcome.durationMs,
        );
      }
      if (outcome.error instanceof AccessDenied) metrics.accessDenied.inc([outcome.error.stage]);
    });
  };
}
