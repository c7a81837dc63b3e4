/**
 * The NameServer on Cloudflare Workers: the Hono app over Redis through the Upstash REST protocol,
 * and the liveness sweep on a cron trigger (wrangler.toml). A Worker keeps no state between
 * requests, so without UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN it refuses to serve. It is
 * public: with authentication off it refuses every write (NAMESRV_ALLOW_ANONYMOUS_WRITES=true opts out).
 * Assembly only: everything else is the same code the bridge runs.
 */
import type { Hono } from "hono";
import { createApp } from "../http/app";
import { createLogger, type Logger } from "../../shared/logger";
import { ANONYMOUS_WRITES_WARNING } from "../auth/anonymous-writes";
import { createNamesrv } from "../namesrv";
import { NamesrvMetrics } from "../metrics/namesrv-metrics";
import { Readiness } from "../readiness";
import type { NamesrvPort } from "../port/namesrv-port";
import { createUpstashRedisStore } from "../store/redis/upstash-transport";
import { edgeDeployment, startupFailureResponse, stringEntries } from "./edge-env";
import { workerApiReferenceFiles } from "./worker-api-reference";

/** The client's address as Cloudflare names it. */
const cloudflarePeer = (c: { req: { header(name: string): string | undefined } }) => c.req.header("cf-connecting-ip") ?? null;

/** Bindings the Worker reads: UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN (a secret), NAMESRV_REDIS_PREFIX, NAMESRV_CONFIG_<key>, NAMESRV_ALLOW_ANONYMOUS_WRITES. */
export type WorkerEnv = Record<string, unknown>;

/** The parts of the Workers runtime types used here (no @cloudflare/workers-types needed). */
export interface WorkerExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}
export interface WorkerScheduledController {
  readonly cron: string;
  readonly scheduledTime: number;
}

interface Assembled {
  app: Hono;
  port: NamesrvPort;
  log: Logger;
  ready: Promise<void>;
  /** NAMESRV_ALLOW_ANONYMOUS_WRITES=true with authentication off: said in every response */
  warning: string | null;
}

// once per isolate; rebuilt only if the bindings differ (they do not, in one deployment)
let cached: { key: string; assembled: Assembled } | null = null;

function assemble(bindings: WorkerEnv): Assembled {
  const env = stringEntries(bindings);
  const key = JSON.stringify(env);
  if (cached?.key === key) return cached.assembled;
  const deployment = edgeDeployment(env, true);
  const selection = deployment.store;
  if (selection.kind !== "redis-rest") throw new Error("unreachable");
  const store = createUpstashRedisStore({ url: selection.url, token: selection.token, prefix: selection.prefix });
  const log = createLogger(deployment.logLevel, (line) => console.log(line));
  // counters are this isolate's (HELP says so); the state gauges come from Redis and hold for every isolate
  const metrics = new NamesrvMetrics({ perIsolate: true });
  const anonymousWrites = !deployment.namesrv.authenticationEnabled && env.NAMESRV_ALLOW_ANONYMOUS_WRITES === "true";
  const { services, port, ready } = createNamesrv(store, deployment.namesrv, {
    log,
    // a public deployment: writes need an authenticated caller unless the operator opted out
    refuseAnonymousWrites: !anonymousWrites,
    auditLine: (line) => console.log(line),
    metrics,
  });
  const warning = anonymousWrites ? ANONYMOUS_WRITES_WARNING : null;
  if (warning) log.warn({ msg: warning });
  const readiness = new Readiness(store, services);
  const app = createApp(port, {
    config: services.config,
    log,
    peerOf: cloudflarePeer,
    apiReference: workerApiReferenceFiles,
    metrics: metrics.registry,
    readiness: () => readiness.check(),
  });
  const assembled = { app, port, log, ready, warning };
  cached = { key, assembled };
  return assembled;
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: WorkerExecutionContext): Promise<Response> {
    let assembled: Assembled;
    try {
      assembled = assemble(env);
    } catch (err) {
      return startupFailureResponse(err);
    }
    try {
      await assembled.ready;
    } catch (err) {
      // the bootstrap is tried again with the next request (Redis may be back by then)
      cached = null;
      return startupFailureResponse(err);
    }
    const response = await assembled.app.fetch(request, env, ctx as never);
    if (assembled.warning === null) return response;
    const warned = new Response(response.body, response);
    warned.headers.set("x-namesrv-warning", assembled.warning);
    return warned;
  },

  async scheduled(controller: WorkerScheduledController, env: WorkerEnv): Promise<void> {
    const { port, log } = assemble(env);
    const expired = await port.scanNotActiveBroker({});
    log.info({ msg: "expiry sweep", cron: controller.cron, expired: expired.length });
  },
};
