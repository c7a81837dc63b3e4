/**
 * The remoting side's series: connections and refusals of the listener, SYSTEM_BUSY answers of the
 * admission lanes (read at scrape time from the counts they keep), and the size and decode time of
 * REGISTER_BROKER bodies.
 */
import type { RegisterBrokerBody } from "../shared/model";
import type { NamesrvMetrics } from "../edge/metrics/namesrv-metrics";
import { setTotal } from "../edge/metrics/namesrv-metrics";
import type { AdmissionLanes } from "./admission-control";
import { BodyDecoder } from "./body-decoder";

export function readListener(metrics: NamesrvMetrics, listener: { readonly connectionCount: number; readonly refusedConnections: number }): void {
  metrics.registry.onCollect(() => {
    metrics.activeConnections.set([], listener.connectionCount);
    setTotal(metrics.refusedConnections, [], listener.refusedConnections);
  });
}

export function readAdmission(metrics: NamesrvMetrics, lanes: AdmissionLanes): void {
  metrics.registry.onCollect(() => {
    setTotal(metrics.admissionRejections, ["routes"], lanes.routes.refused);
    setTotal(metrics.admissionRejections, ["others"], lanes.others.refused);
  });
}

/** A BodyDecoder that records each register body's wire size and how long decoding it took. */
export class MeasuredBodyDecoder extends BodyDecoder {
  constructor(
    private readonly metrics: NamesrvMetrics,
    ...args: ConstructorParameters<typeof BodyDecoder>
  ) {
    super(...args);
  }

  override async registerBrokerBody(body: Uint8Array | null, version: number, compressed: boolean): Promise<RegisterBrokerBody> {
    // measured before the call: a body decoded off-thread has its buffer handed over
    this.metrics.registerBodyBytes.observe([], body?.length ?? 0);
    const started = performance.now();
    try {
      return await super.registerBrokerBody(body, version, compressed);
    } finally {
      this.metrics.registerDecodeLatency.observe([], performance.now() - started);
    }
  }
}
