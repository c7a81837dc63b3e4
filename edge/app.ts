import { Hono } from "hono";
import { ResponseCode } from "../shared/codes";
import { asNamesrvError, NamesrvError } from "./errors";
import { requestGuards } from "./http-guards";
import { openApiDocument } from "./openapi";
import type { NamesrvServices } from "./services";
import { brokerRoutes } from "./routes/broker-routes";
import { clusterRoutes } from "./routes/cluster-routes";
import { configRoutes } from "./routes/config-routes";
import { kvRoutes } from "./routes/kv-routes";
import { topicRoutes } from "./routes/topic-routes";

export interface AppOptions {
  /** Structured log sink for unexpected errors; defaults to one JSON line on stderr. */
  log?: (entry: Record<string, unknown>) => void;
}

const defaultLog = (entry: Record<string, unknown>) => console.error(JSON.stringify(entry));

/** The NameServer as a Hono app: the HTTP API that every runtime and the tcp-bridge serve. */
export function createApp(services: NamesrvServices, options: AppOptions = {}): Hono {
  const log = options.log ?? defaultLog;
  const app = new Hono();

  app.use("*", requestGuards(services.config));
  app.get("/health", (c) => c.json({ status: "UP" }));
  app.get("/openapi.json", (c) => c.json(openApiDocument));

  const api = new Hono();
  api.route("/", topicRoutes(services));
  api.route("/", clusterRoutes(services));
  api.route("/", brokerRoutes(services));
  api.route("/", kvRoutes(services));
  api.route("/", configRoutes(services));
  app.route("/api/v1", api);

  app.notFound((c) =>
    c.json(new NamesrvError(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, `no such operation: ${c.req.method} ${c.req.path}`, 404).toJSON(), 404),
  );

  app.onError((err, c) => {
    if (!(err instanceof NamesrvError)) {
      log({ level: "error", msg: "request failed", method: c.req.method, path: c.req.path, error: String(err) });
    }
    const failure = asNamesrvError(err);
    return c.json(failure.toJSON(), failure.status as 500);
  });

  return app;
}
