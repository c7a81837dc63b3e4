/**
 * What the bridge makes of its Redis connection's events: the rocketmq_namesrv_redis_* series and
 * one log line per change (ready, lost, back, on another primary), not one per reconnection attempt.
 */
import type { NamesrvMetrics } from "../edge/metrics/namesrv-metrics";
import type { RedisConnectionEvents } from "../edge/store/redis/redis-transport";
import type { Logger } from "../shared/logger";

export function redisConnectionReport(log: Logger, metrics: NamesrvMetrics): RedisConnectionEvents {
  let up: boolean | null = null;
  let endpoint: string | null = null;
  return {
    ready(now) {
      metrics.redisConnectionUp.set([], 1);
      if (up !== true || now !== endpoint) {
        const moved = endpoint !== null && now !== endpoint;
        log.info({
          msg: up === false ? (moved ? "Redis connection back, on another node (failover)" : "Redis connection back") : "Redis connection ready",
          endpoint: now,
          ...(moved ? { previous: endpoint } : {}),
        });
      }
      up = true;
      endpoint = now;
    },
    lost(reason) {
      metrics.redisConnectionUp.set([], 0);
      if (up === true) {
        metrics.redisConnectionLosses.inc();
        log.warn({ msg: "Redis connection lost: store calls answer SYSTEM_ERROR until it is back", endpoint, reason });
      }
      up = false;
    },
    unconfirmed(what) {
      metrics.redisUnconfirmedWrites.inc();
      log.warn({ msg: "a write was not confirmed by a Redis replica in time (REDIS_WAIT_TIMEOUT_MS): answered SYSTEM_ERROR", operation: what });
    },
  };
}
