import type { ApiClient } from "./api-client";
import type { Logger } from "./logger";

/** Runs the liveness sweep every `intervalMs` (scanNotActiveBrokerInterval), first after one interval. */
export function startExpiryTimer(api: ApiClient, intervalMs: number, log: Logger): { stop(): void } {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const reply = await api.call("POST", "/expiry/scan");
      if (!reply.ok) log.warn({ msg: "expiry scan failed", code: reply.code, remark: reply.remark });
      else {
        const { expired } = reply.json<{ expired: { brokerName: string; brokerAddr: string }[] }>();
        for (const b of expired) log.info({ msg: "broker expired", brokerName: b.brokerName, brokerAddr: b.brokerAddr });
      }
    } catch (err) {
      log.error({ msg: "expiry scan failed", error: String(err) });
    } finally {
      running = false;
    }
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
