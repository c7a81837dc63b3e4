import { Hono } from "hono";
import { ResponseCode } from "../../shared/codes";
import type { Logger } from "../../shared/logger";
import type { MetricsRegistry } from "../metrics/registry";
import { asNamesrvError, NamesrvError } from "../port/namesrv-error";
import type { NamesrvPort } from "../port/namesrv-port";
import { apiReferenceRoutes, type ApiReferenceSource } from "./console/api-reference-routes";
import { consoleRoutes } from "./console/console-routes";
import type { PeerOf } from "./http-call";
import { requestGuards, type GuardConfigSource } from "./http-guards";
import type { LimitSource } from "./http-helpers";
import { openApiDocument } from "./openapi";
import { accessRoutes } from "./routes/access-routes";
import { addressServerRoutes, type AddressListSource } from "./routes/address-server-routes";
import { brokerRoutes } from "./routes/broker-routes";
import { clusterRoutes } from "./routes/cluster-routes";
import { configRoutes } from "./routes/config-routes";
import { instanceRoutes } from "./routes/instance-routes";
import { internalRoutes } from "./routes/internal-routes";
import { kvRoutes } from "./routes/kv-routes";
import { metricsRoute } from "./routes/metrics-route";
import { topicRoutes } from "./routes/topic-routes";

export interface AppOptions {
  /** Where the limits and HTTP settings in force are read (the ConfigManager). */
  config: LimitSource & GuardConfigSource;
  /** Told about failures that reached the error handler without a NameServer answer (a bug in a handler). */
  log?: Logger;
  /** The client's address, from the runtime's connection info. */
  peerOf?: PeerOf;
  /** Swagger UI's files for `GET /api-docs`, where the runtime can load them (absent: that page says so). */
  apiReference?: ApiReferenceSource;
  /** served at GET /metrics (part METRICS); none: no such route */
  metrics?: Pick<MetricsRegistry, "expose">;
  /** `GET /ready`: whether this instance should get traffic (edge/readiness.ts); none: the path is not served */
  readiness?: () => Promise<{ ready: boolean; reasons: string[] }>;
  /** The address server's list (`GET /rocketmq/nsaddr`); absent: not served. */
  addressList?: AddressListSource;
}

/**
 * The NameServer's HTTP API: the port's HTTP adapter. Every handler turns a request into one call of
 * `port` (with its middleware chain) and the answer into JSON, or into the fastjson dialect asked for.
 */
export function createApp(port: NamesrvPort, options: AppOptions): Hono {
  const app = new Hono();
  const context = { port, limits: options.config, peerOf: options.peerOf };

  app.use("*", requestGuards(options.config));
  app.get("/health", (c) => c.json({ status: "UP" }));
  const readiness = options.readiness;
  if (readiness) {
    app.get("/ready", async (c) => {
      const report = await readiness();
      return report.ready ? c.json({ status: "READY", reasons: [] }) : c.json({ status: "NOT_READY", reasons: report.reasons }, 503);
    });
  }
  app.get("/openapi.json", (c) => c.json(openApiDocument));
  app.route("/", consoleRoutes());
  app.route("/", apiReferenceRoutes(options.apiReference));
  if (options.metrics) app.route("/", metricsRoute(options.metrics, options.log));

  const api = new Hono();
  api.route("/", topicRoutes(context));
  api.route("/", clusterRoutes(context));
  api.route("/", brokerRoutes(context));
  api.route("/", kvRoutes(context));
  api.route("/", configRoutes(context));
  api.route("/", accessRoutes(context));
  api.route("/", instanceRoutes(context));
  app.route("/api/v1", api);
  if (options.addressList) app.route("/", addressServerRoutes(options.addressList));
  app.route("/internal/v1", internalRoutes(context));

  app.notFound((c) =>
    c.json(new NamesrvError(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, `no such operation: ${c.req.method} ${c.req.path}`, 404).toJSON(), 404),
  );

  app.onError((err, c) => {
    // the port's request log has seen failures of calls; this is a failure around them
    if (!(err instanceof NamesrvError)) options.log?.error({ msg: "HTTP request failed", method: c.req.method, path: c.req.path, error: String(err) });
    const failure = asNamesrvError(err);
    return c.json(failure.toJSON(), failure.status as 500);
  });

  return app;
}
