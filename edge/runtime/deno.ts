/**
 * The NameServer's HTTP API on Deno (`deno serve`), over Redis through the Upstash REST protocol
 * (UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN, NAMESRV_REDIS_PREFIX), or — for a local try
 * without Redis — over the embedded store in memory (one process only; nothing is kept on disk).
 * The liveness sweep runs every scanNotActiveBrokerInterval ms.
 *
 *   DENO_NO_UPDATE_CHECK=1 npx deno serve --port 8080 --host 127.0.0.1 \
 *     --allow-net --allow-env --allow-read edge/runtime/deno.ts
 *
 * Assembly only.
 */
import { createApp } from "../http/app";
import { createLogger } from "../../shared/logger";
import { startExpiryTimer } from "../expiry-timer";
import { NamesrvMetrics } from "../metrics/namesrv-metrics";
import { createNamesrv } from "../namesrv";
import { Readiness } from "../readiness";
import { EmbeddedStore } from "../store/embedded-store";
import { createUpstashRedisStore } from "../store/redis/upstash-transport";
import type { Store } from "../store/store";
import { edgeDeployment } from "./edge-env";

declare const Deno: { env: { toObject(): Record<string, string> }; unrefTimer(id: number): void };

const env = Deno.env.toObject();
const deployment = edgeDeployment(env, false);
const config = deployment.namesrv;
const selection = deployment.store;
const store: Store =
  selection.kind === "redis-rest"
    ? createUpstashRedisStore({ url: selection.url, token: selection.token, prefix: selection.prefix })
    : await EmbeddedStore.open({ kvConfigPath: null });
const log = createLogger(deployment.logLevel);
const metrics = new NamesrvMetrics({ perIsolate: false });
const { services, port, ready } = createNamesrv(store, config, { log, auditLine: (line) => console.log(line), metrics });
await ready;
const readiness = new Readiness(store, services);
const app = createApp(port, { config: services.config, log, metrics: metrics.registry, readiness: () => readiness.check() });

const sweep = startExpiryTimer(port, config.scanNotActiveBrokerInterval, log);
// the timer alone must not keep the process alive: `deno serve` exits on SIGTERM once the server stops
Deno.unrefTimer(sweep.timer as number);

log.info({
  msg: "NameServer HTTP API on Deno",
  store: selection.kind,
  ...(selection.kind === "redis-rest" ? { redisPrefix: selection.prefix } : { note: "in memory, this process only" }),
});

export default { fetch: app.fetch };
