import { describe, expect, it } from "vitest";
import { NamesrvMetrics } from "../../edge/metrics/namesrv-metrics";
import { redisConnectionReport } from "../../tcp-bridge/redis-connection-report";
import type { Logger } from "../../shared/logger";

function recordingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = {
    debug: (l: Record<string, unknown>) => lines.push({ level: "debug", ...l }),
    info: (l: Record<string, unknown>) => lines.push({ level: "info", ...l }),
    warn: (l: Record<string, unknown>) => lines.push({ level: "warn", ...l }),
    error: (l: Record<string, unknown>) => lines.push({ level: "error", ...l }),
  } as unknown as Logger;
  return { log, lines };
}

describe("the bridge's report of its Redis connection", () => {
  it("logs each change once and counts losses, not reconnection attempts", async () => {
    const { log, lines } = recordingLog();
    const metrics = new NamesrvMetrics();
    const report = redisConnectionReport(log, metrics);
    report.ready("10.0.0.1:6379");
    report.ready("10.0.0.1:6379");
    report.lost("ECONNRESET");
    report.lost("ECONNREFUSED");
    report.lost("ECONNREFUSED");
    expect((await metrics.registry.expose())).toMatch(/^rocketmq_namesrv_redis_connection_up 0$/m);
    report.ready("10.0.0.2:6379");
    report.unconfirmed("script putKVConfig");
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ["info", "Redis connection ready"],
      ["warn", "Redis connection lost: store calls answer SYSTEM_ERROR until it is back"],
      ["info", "Redis connection back, on another node (failover)"],
      ["warn", "a write was not confirmed by a Redis replica in time (REDIS_WAIT_TIMEOUT_MS): answered SYSTEM_ERROR"],
    ]);
    expect(lines[1]).toMatchObject({ endpoint: "10.0.0.1:6379", reason: "ECONNRESET" });
    expect(lines[2]).toMatchObject({ endpoint: "10.0.0.2:6379", previous: "10.0.0.1:6379" });
    const text = (await metrics.registry.expose());
    expect(text).toMatch(/^rocketmq_namesrv_redis_connection_up 1$/m);
    expect(text).toMatch(/^rocketmq_namesrv_redis_connection_losses_total 1$/m);
    expect(text).toMatch(/^rocketmq_namesrv_redis_unconfirmed_writes_total 1$/m);
  });
});
