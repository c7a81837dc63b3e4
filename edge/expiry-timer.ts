import type { Logger } from "../shared/logger";
import type { NamesrvPort } from "./port/namesrv-port";

/**
 * Runs the liveness sweep every `intervalMs` (scanNotActiveBrokerInterval), first after one
 * interval; a sweep still running when the next is due is not overlapped. Used by the runtimes that
 * keep a process (Bun, Deno); Workers sweep on a cron trigger. `timer` is the interval's handle, for
 * a runtime that must not be kept alive by it.
 */
export function startExpiryTimer(port: NamesrvPort, intervalMs: number, log: Logger): { stop(): void; timer: unknown } {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      // each expiry is logged by the services (edge/service/broker-lifecycle-log.ts)
      await port.scanNotActiveBroker({});
    } catch (err) {
      log.warn({ msg: "expiry scan failed", error: err instanceof Error ? err.message : String(err) });
    } finally {
      running = false;
    }
  }, intervalMs);
  return { stop: () => clearInterval(timer), timer };
}
