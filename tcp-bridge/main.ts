/**
 * The NameServer on Bun: the remoting listener (9876) and the HTTP API (8080) over one Hono app,
 * or, with NAMESRV_EDGE_URL, a bridge alone in front of a remote deployment of that app.
 * Reads configuration, assembles the parts, and nothing else.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { createApp } from "../edge/app";
import { ConfigError, type NamesrvConfig } from "../edge/config/namesrv-config";
import { loadNamesrvConfig } from "../edge/config/load-config";
import { createServices } from "../edge/services";
import { EmbeddedStore } from "../edge/store/embedded-store";
import { createBunRespRedisStore } from "../edge/store/redis/bun-resp-transport";
import { createUpstashRedisStore } from "../edge/store/redis/upstash-transport";
import type { Store } from "../edge/store/store";
import { selectStore, StoreSelectionError, type StoreSelection } from "../edge/store/store-selection";
import { ApiClient, type LocalRoutes } from "./api-client";
import { AdmissionControl, Lane } from "./admission-control";
import { BodyDecoder } from "./body-decoder";
import { startTcpServer, type ServerLimits } from "./bun-tcp-server";
import { startExpiryTimer } from "./expiry-timer";
import { createLogger, type LogLevel } from "./logger";
import { RemotingRequestHandler } from "./remoting-request-handler";
import { RetryQueue } from "./retry-queue";
import { inProcessUpstream, remoteUpstream, type Upstream } from "./upstream";

const log = createLogger((process.env.NAMESRV_LOG_LEVEL as LogLevel | undefined) ?? "info");

interface Backend {
  upstream: Upstream;
  localRoutes?: LocalRoutes;
  describe: Record<string, unknown>;
  stop(): Promise<void>;
}

/** The app in this process, over the selected store, with its HTTP listener. */
async function localBackend(config: NamesrvConfig, extra: Record<string, string>): Promise<Backend> {
  const selection = selectStore(process.env);
  const store = await openStore(selection, config.kvConfigPath);
  const services = createServices(store, config, extra);
  const app = createApp(services, { log: (entry) => log.error(entry) });
  const http = Bun.serve({
    hostname: config.bindAddress,
    port: config.httpPort,
    fetch: app.fetch,
    // the app answers 413 past maxHttpBodyBytes; Bun closes anything far beyond it
    maxRequestBodySize: config.maxHttpBodyBytes + 1024,
  });
  return {
    upstream: inProcessUpstream(app),
    localRoutes: services.routes,
    describe: {
      http: `http://${config.bindAddress}:${http.port}`,
      store: selection.kind,
      ...(selection.kind === "embedded" ? { kvConfigPath: config.kvConfigPath } : { redisPrefix: selection.prefix }),
    },
    async stop() {
      http.stop(true);
      await store.close();
    },
  };
}

function openStore(selection: StoreSelection, kvConfigPath: string): Promise<Store> | Store {
  switch (selection.kind) {
    case "embedded":
      return EmbeddedStore.open({ kvConfigPath });
    case "redis-resp":
      return createBunRespRedisStore({ url: selection.url, prefix: selection.prefix });
    case "redis-rest":
      return createUpstashRedisStore({ url: selection.url, token: selection.token, prefix: selection.prefix });
  }
}

/** The listener's and each connection's limits from the configuration. */
function serverLimits(config: NamesrvConfig): ServerLimits {
  return {
    maxFrameBytes: config.serverSocketMaxFrameBytes,
    maxJsonDepth: config.maxJsonDepth,
    maxInFlight: config.maxInFlightPerConnection,
    pendingWritePauseBytes: config.serverPendingWritePauseBytes,
    maxPendingWriteBytes: config.serverMaxPendingWriteBytes,
    maxConnections: config.maxConnections,
    maxConnectionsPerPeer: config.maxConnectionsPerPeer,
    frameDeadlineSeconds: config.serverFrameDeadlineSeconds,
    partialFrameBudgetBytes: config.serverPartialFrameBudgetBytes,
    pendingWriteBudgetBytes: config.serverPendingWriteBudgetBytes,
  };
}

async function main(): Promise<void> {
  const { config, extra } = await loadNamesrvConfig({
    argv: process.argv.slice(2),
    env: process.env,
    home: homedir(),
    readFile: (path) => readFile(path),
  });
  const edgeUrl = process.env.NAMESRV_EDGE_URL;
  const backend: Backend = edgeUrl
    ? { upstream: remoteUpstream(edgeUrl), describe: { edge: edgeUrl }, stop: async () => {} }
    : await localBackend(config, extra);
  const api = new ApiClient(backend.upstream, {
    localRoutes: backend.localRoutes,
    onUnexpectedError: (err) => log.error({ msg: "request failed", error: String(err) }),
  });

  const retries = new RetryQueue({ capacity: config.unRegisterBrokerQueueCapacity, maxAgeMs: config.unregisterRetryMaxMillis, log });
  const handler = new AdmissionControl(new RemotingRequestHandler(api, log, new BodyDecoder(config), retries), {
    routes: new Lane(config.clientRequestThreadPoolQueueCapacity),
    others: new Lane(config.defaultThreadPoolQueueCapacity, config.defaultThreadPoolNums),
  });
  const tcp = startTcpServer({
    hostname: config.bindAddress,
    port: config.listenPort,
    handler,
    log,
    idleTimeoutSeconds: config.serverChannelMaxIdleTimeSeconds,
    instanceId: crypto.randomUUID().slice(0, 8),
    limits: serverLimits(config),
  });
  const expiry = startExpiryTimer(api, config.scanNotActiveBrokerInterval, log);

  log.info({
    msg: "The Name Server boot success. serializeType=JSON",
    address: `${config.bindAddress}:${tcp.port}`,
    ...backend.describe,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ msg: "shutting down", signal });
    expiry.stop();
    retries.stop();
    await tcp.stop();
    await backend.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // A bug must cost one request, never the process and every connection with it.
  process.on("unhandledRejection", (reason) => log.error({ msg: "unhandled rejection", error: String(reason) }));
  process.on("uncaughtException", (err) => log.error({ msg: "uncaught exception", error: String(err), stack: err.stack }));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof StoreSelectionError) {
    log.error({ msg: "invalid configuration", error: err.message });
  } else {
    log.error({ msg: "start-up failed", error: String(err), stack: (err as Error)?.stack });
  }
  process.exit(1);
});
