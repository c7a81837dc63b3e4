/**
 * Process series of the Bun server: resident memory (the name Prometheus' own client libraries use,
 * so existing RSS alerts apply) and event-loop lag, the delay of a timer past its due time: a high
 * value means requests wait for the CPU (large decodes, a busy machine).
 */
import type { MetricsRegistry } from "../edge/metrics/registry";

const LAG_SAMPLE_MS = 500;

export function startProcessMetrics(registry: MetricsRegistry): { stop(): void } {
  const rss = registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes");
  const lag = registry.gauge(
    "rocketmq_namesrv_event_loop_lag_seconds",
    `Largest delay of a ${LAG_SAMPLE_MS} ms timer past its due time since the previous scrape, in seconds`,
  );
  let worst = 0;
  let due = performance.now() + LAG_SAMPLE_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - due);
    due = now + LAG_SAMPLE_MS;
  }, LAG_SAMPLE_MS);
  (timer as { unref?: () => void }).unref?.();
  registry.onCollect(() => {
    rss.set([], process.memoryUsage().rss);
    lag.set([], Math.max(0, worst) / 1000);
    worst = 0;
  });
  return { stop: () => clearInterval(timer) };
}
