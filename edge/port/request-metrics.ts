import { AccessDenied } from "../auth/access-denied";
import { requestCodeLabel, responseCodeLabel, type NamesrvMetrics } from "../metrics/namesrv-metrics";
import type { PortCall } from "./call";
import { observer, type Middleware } from "./middleware";

/**
 * Request metrics: Java's rocketmq_rpc_latency histogram for every call from a client (remoting or
 * HTTP; the process's own timer calls are left out), and the calls access control refused. It sits
 * before access control in the chain, so refused calls are timed and counted as well.
 */
export function requestMetrics(metrics: NamesrvMetrics): Middleware {
  // series by request (code, or operation), response code and transport: found by three lookups
  // of small keys instead of building label values for every call
  type Series = ReturnType<typeof metrics.rpcLatency.bind>;
  const known = new Map<number | string, Map<number, Map<string, Series>>>();
  const seriesOf = (call: PortCall, code: number): Series => {
    const request = call.requestCode ?? call.operation;
    let byCode = known.get(request);
    if (byCode === undefined) known.set(request, (byCode = new Map()));
    let byTransport = byCode.get(code);
    if (byTransport === undefined) byCode.set(code, (byTransport = new Map()));
    let series = byTransport.get(call.transport);
    if (series === undefined) {
      series = metrics.rpcLatency.bind([requestCodeLabel(call.requestCode, call.operation), responseCodeLabel(code), call.transport]);
      byTransport.set(call.transport, series);
    }
    return series;
  };
  return observer(function measureRequest(call) {
    const outcome = call.outcome!;
    if (call.transport !== "internal") seriesOf(call, outcome.code).observe(outcome.durationMs);
    if (outcome.error instanceof AccessDenied) metrics.accessDenied.inc([outcome.error.stage]);
  });
}
