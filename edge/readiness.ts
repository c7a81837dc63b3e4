import type { NamesrvServices } from "./service/services";
import type { Store } from "./store/store";

/** What `GET /ready` answers: ready, or each reason it is not. */
export interface ReadinessReport {
  ready: boolean;
  /** why not, in words an operator reads in `kubectl describe`; empty when ready */
  reasons: string[];
}

/**
 * Whether this instance should get traffic (a Kubernetes readiness probe): its store answers, the
 * start-up wait for service (needWaitForService / waitSecondsForService) is over, and it is not
 * shutting down. Liveness is `GET /health`, which answers as long as the process does.
 */
export class Readiness {
  private shuttingDown = false;

  constructor(
    private readonly store: Store,
    private readonly services: NamesrvServices,
  ) {}

  /** The graceful-shutdown wait has begun: not ready again, whatever else says. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  async check(): Promise<ReadinessReport> {
    const reasons: string[] = [];
    if (this.shuttingDown) reasons.push("shutting down");
    try {
      // a read that always reaches the store (the configuration may be served from a cache)
      await this.store.getConfigOverrides();
      const waitLeft = this.services.routes.serviceWaitLeftMillis(await this.services.config.current());
      if (waitLeft > 0) reasons.push(`waiting for service (needWaitForService): ${Math.ceil(waitLeft / 1000)} s left`);
    } catch (err) {
      reasons.push(`store unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { ready: reasons.length === 0, reasons };
  }
}
