import { Hono } from "hono";
import type { Logger } from "../../../shared/logger";
import { CONTENT_TYPE, type MetricsRegistry } from "../../metrics/registry";

/**
 * GET /metrics: the Prometheus text exposition. Outside /api/v1 and the port's middleware chain, as
 * /health is: a scraper holds no NameServer credentials, and the series carry counts, never topic,
 * broker or client names.
 */
export function metricsRoute(registry: Pick<MetricsRegistry, "expose">, log?: Logger): Hono {
  const route = new Hono();
  route.get("/metrics", async (c) => {
    const text = await registry.expose((err) =>
      log?.warn({ msg: "metrics: a collector failed, its series keep their last values", error: err instanceof Error ? err.message : String(err) }),
    );
    return c.body(text, 200, { "content-type": CONTENT_TYPE });
  });
  return route;
}
