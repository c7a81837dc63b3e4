/**
 * The NameServer on Bun: the remoting listener (9876) and the HTTP API (8080) over one Hono app,
 * or, with NAMESRV_EDGE_URL, a bridge alone in front of a remote deployment of that app.
 * Reads configuration, assembles the parts, and nothing else.
 */
import type { Server } from "bun";
import type { Context } from "hono";
import { readFile } from "node:fs/promises";
import { availableParallelism, homedir } from "node:os";
import { createApp } from "../edge/http/app";
import { readApiReferenceFiles } from "./api-reference-files";
import { configStoreFilePersister } from "../edge/config/config-store-file";
import { ConfigError, type NamesrvConfig } from "../edge/config/namesrv-config";
import { readBunDeployment } from "../edge/config/deployment-config";
import { createNamesrv } from "../edge/namesrv";
import { httpNamesrv } from "../edge/port/http-namesrv";
import { withMiddleware } from "../edge/port/middleware";
import type { NamesrvPort } from "../edge/port/namesrv-port";
import { requestLog } from "../edge/port/request-log";
import { EmbeddedStore } from "../edge/store/embedded-store";
import { describeRespSelection, openRespTransport } from "../edge/store/redis/open-resp-transport";
import { RedisStore } from "../edge/store/redis/redis-store";
import { redisConnectionReport } from "./redis-connection-report";
import { createUpstashRedisStore } from "../edge/store/redis/upstash-transport";
import type { Store } from "../edge/store/store";
import { StoreSelectionError, type StoreSelection } from "../edge/store/store-selection";
import { AdmissionControl, Lane } from "./admission-control";
import { RemotingBrokerNotifier } from "./broker-notifier";
import { startTcpServer, type ServerLimits } from "./bun-tcp-server";
import { startExpiryTimer } from "../edge/expiry-timer";
import { createLogger, withFields, type Logger } from "../shared/logger";
import { RemotingRequestHandler } from "./remoting-request-handler";
import { RetryQueue } from "./retry-queue";
import { auditLogOf } from "./audit-log";
import { relayAuthentication } from "./relay-authentication";
import { productEnvAddresses, productEnvRouteClient } from "./product-env-route-client";
import type { ProductEnvRouteSource } from "../edge/service/cluster-test-routes";
import { readTlsConfig, type TlsConfig } from "./tls/tls-config";
import { openServerCredentials, type CredentialSource } from "./tls/server-credentials";
import { startHttpListener } from "./tls/https-listener";
import { NamesrvMetrics } from "../edge/metrics/namesrv-metrics";
import { MeasuredBodyDecoder, readAdmission, readListener } from "./bridge-metrics";
import { startProcessMetrics } from "./process-metrics";
import { ShutdownGate } from "./shutdown-gate";
import { Readiness } from "../edge/readiness";
import { advertisedAddress } from "./advertised-address";
import { startInstanceRegistration } from "./instance-registration";
import { readWorkerRole, WORKERS_VARIABLE, type WorkerRole } from "./workers/worker-role";
import { startWorkerSupervisor, type WorkerSupervisor } from "./workers/worker-supervisor";
import { linkToPrimary } from "./workers/primary-link";
import { instanceExposition } from "./workers/worker-expositions";
import type { MetricsRegistry } from "../edge/metrics/registry";

/** The process's log: at info until the configuration says otherwise. */
let log: Logger = createLogger("info");
/** GET /metrics of this process */
const metrics = new NamesrvMetrics();

interface Backend {
  port: NamesrvPort;
  /** records this server for the address server (a local backend only) */
  registerInstance?: (addr: string) => Promise<void>;
  describe: Record<string, unknown>;
  /** the graceful-shutdown wait has begun: `GET /ready` answers 503 */
  beginShutdown(): void;
  stop(): Promise<void>;
}

/**
 * The app in this process, over the selected store, with its HTTP listener serving `exposition` at
 * /metrics; a worker of NAMESRV_WORKERS (null) has no HTTP listener: the primary serves the API.
 */
async function localBackend(config: NamesrvConfig, extra: Record<string, string>, selection: StoreSelection, credentials: CredentialSource | null, exposition: Pick<MetricsRegistry, "expose"> | null): Promise<Backend> {
  const store = await openStore(selection, config.kvConfigPath);
  // As Java, updates are saved to configStorePath; only a `-c` file is read back at start-up. On
  // Redis the updates are kept in Redis and shared, so no instance writes its own copy.
  const persistConfig = selection.kind === "embedded" ? configStoreFilePersister(config.configStorePath, log) : undefined;
  const { services, port, ready } = createNamesrv(store, config, {
    log,
    extra,
    persistConfig,
    productEnvRoutes: productEnv(config),
    brokerNotifier: new RemotingBrokerNotifier(log),
    auditLine: auditLogOf(config.auditLog),
    metrics,
  });
  await ready;
  if (exposition === null) {
    return { port, describe: { store: selection.kind }, beginShutdown: () => {}, stop: () => store.close() };
  }
  const readiness = new Readiness(store, services);
  const app = createApp(port, { config: services.config, log, peerOf: bunPeer, apiReference: readApiReferenceFiles, metrics: exposition, readiness: () => readiness.check(), addressList: () => services.instances.addressList() });
  const serve = (httpPort: number, tls: import("bun").TLSOptions | undefined) =>
    Bun.serve({
      hostname: config.bindAddress,
      port: httpPort,
      tls,
      fetch: (request, server) => app.fetch(request, server),
      // the app answers 413 past maxHttpBodyBytes; Bun closes anything far beyond it
      maxRequestBodySize: config.maxHttpBodyBytes + 1024,
    });
  const http = startHttpListener(serve, config.httpPort, credentials, log);
  return {
    port,
    registerInstance: (addr) => services.instances.register(addr),
    describe: {
      http: `${http.scheme}://${config.bindAddress}:${http.port}`,
      store: selection.kind,
      ...(selection.kind === "embedded"
        ? { kvConfigPath: config.kvConfigPath, configStorePath: config.configStorePath }
        : { redisPrefix: selection.prefix, ...(selection.kind === "redis-rest" ? {} : describeRespSelection(selection)) }),
    },
    beginShutdown: () => readiness.beginShutdown(),
    async stop() {
      http.stop();
      // the embedded store first waits for the KV writes still going to kvConfigPath
      await store.close();
    },
  };
}

/**
 * A bridge in front of a remote deployment. With a relay token it verifies its clients' signatures
 * and tells the deployment who they are; without one its calls reach the deployment as anonymous.
 */
function forwardingBackend(edgeUrl: string, edgeToken: string | null, config: NamesrvConfig): Backend {
  const remote = httpNamesrv(edgeUrl);
  const relay = edgeToken
    ? [relayAuthentication({ remote, relayToken: edgeToken, cacheSeconds: config.authCacheSeconds, cacheMaxEntries: config.authCacheMaxEntries })]
    : [];
  return { port: withMiddleware(remote, [requestLog(log, { level: config.accessLogLevel, sampleRate: config.accessLogSampleRate }), ...relay]), describe: { edge: edgeUrl, relay: edgeToken !== null }, beginShutdown: () => {}, stop: async () => {} };
}

/** clusterTest mode's product environment, fixed at start-up as Java's processor is; undefined otherwise. */
function productEnv(config: NamesrvConfig): ProductEnvRouteSource | undefined {
  if (!config.clusterTest) return undefined;
  const addresses = productEnvAddresses(process.env.NAMESRV_ADDR);
  const describe = { productEnvName: config.productEnvName, productEnvNamesrv: addresses };
  if (addresses.length === 0) log.warn({ msg: "clusterTest without NAMESRV_ADDR: route misses stay TOPIC_NOT_EXIST", ...describe });
  else log.info({ msg: "clusterTest: route misses are asked of the product environment", ...describe });
  return productEnvRouteClient({ addresses, productEnvName: config.productEnvName, log });
}

function openStore(selection: StoreSelection, kvConfigPath: string): Promise<Store> | Store {
  switch (selection.kind) {
    case "embedded":
      return EmbeddedStore.open({ kvConfigPath });
    case "redis-resp":
    case "redis-cluster":
    case "redis-sentinel":
      return openRespTransport(selection, redisConnectionReport(log, metrics)).then(
        (transport) => new RedisStore(transport, { prefix: selection.prefix, closeTransport: true }),
      );
    case "redis-rest":
      return createUpstashRedisStore({ url: selection.url, token: selection.token, prefix: selection.prefix });
  }
}

/** The client's address of an HTTP request, from Bun's server (Hono's `env` on Bun); IPv6 in brackets. */
function bunPeer(c: Context): string | null {
  const address = (c.env as Server<unknown> | undefined)?.requestIP?.(c.req.raw);
  if (!address) return null;
  return address.address.includes(":") ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}

/** Whether `host` is reachable from this machine only. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
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

async function readOptionalFile(path: string): Promise<Uint8Array | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ConfigError(`cannot read tls.config.file ${path}: ${(err as Error).message}`);
  }
}

/** The listeners' certificate (none when tls.server.mode=disabled); one that does not load stops the start. */
async function openCredentials(tlsConfig: TlsConfig): Promise<CredentialSource | null> {
  if (tlsConfig.mode === "disabled") return null;
  try {
    return await openServerCredentials(tlsConfig, log);
  } catch (err) {
    throw new ConfigError(`TLS: ${(err as Error).message}`);
  }
}

/** Beyond the graceful-shutdown wait, how long the primary waits for its workers before SIGKILL. */
const WORKER_STOP_GRACE_MS = 10_000;

/**
 * N processes on one port need SO_REUSEPORT as Linux does it (elsewhere the workers could not bind),
 * and a shared store: the embedded store's state lives in one process, so N would be N NameServers
 * that disagree.
 */
function refuseUnservableWorkers(role: WorkerRole, store: StoreSelection, edgeUrl: string | null): void {
  if (role.count > 1 && process.platform !== "linux") {
    throw new ConfigError(`${WORKERS_VARIABLE}=${role.count} needs Linux (SO_REUSEPORT), this is ${process.platform}: use one process`);
  }
  if (role.count > 1 && edgeUrl === null && store.kind === "embedded") {
    throw new ConfigError(
      `${WORKERS_VARIABLE}=${role.count} needs a shared store: the embedded store's state lives in one process. Set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (or UPSTASH_REDIS_REST_URL), or NAMESRV_EDGE_URL for a forwarding bridge`,
    );
  }
}

/** What GET /metrics serves: this process's registry alone, or with its workers' (null: a worker serves no HTTP). */
function exposition(role: WorkerRole, supervisor: () => WorkerSupervisor | null): Pick<MetricsRegistry, "expose"> | null {
  if (role.count === 1) return metrics.registry;
  return role.index === 0 ? instanceExposition(metrics.registry, supervisor, role.count) : null;
}

async function main(): Promise<void> {
  const deployment = await readBunDeployment({
    argv: process.argv.slice(2),
    env: process.env,
    home: homedir(),
    readFile: (path) => readFile(path),
  });
  const role = readWorkerRole(process.env, availableParallelism());
  log = role.count > 1 ? withFields(createLogger(deployment.logLevel), { worker: role.index }) : createLogger(deployment.logLevel);
  const { namesrv: config, extra, edgeUrl } = deployment;
  refuseUnservableWorkers(role, deployment.store, edgeUrl);
  const isPrimary = role.index === 0;
  let supervisor: WorkerSupervisor | null = null;
  const tlsConfig = await readTlsConfig({ extra, env: process.env, readOptionalFile });
  const credentials = await openCredentials(tlsConfig);
  const backend: Backend = edgeUrl
    ? forwardingBackend(edgeUrl, deployment.edgeToken, config)
    : await localBackend(config, extra, deployment.store, credentials, exposition(role, () => supervisor));

  const retries = new RetryQueue({ capacity: config.unRegisterBrokerQueueCapacity, maxAgeMs: config.unregisterRetryMaxMillis, log });
  const lanes = {
    routes: new Lane(config.clientRequestThreadPoolQueueCapacity),
    others: new Lane(config.defaultThreadPoolQueueCapacity, config.defaultThreadPoolNums),
  };
  const instanceId = crypto.randomUUID().slice(0, 8);
  const handler = new ShutdownGate(new AdmissionControl(new RemotingRequestHandler(backend.port, log, new MeasuredBodyDecoder(metrics, config), retries), lanes), log);
  const tcp = startTcpServer({
    hostname: config.bindAddress,
    port: config.listenPort,
    handler,
    log,
    idleTimeoutSeconds: config.serverChannelMaxIdleTimeSeconds,
    instanceId,
    limits: serverLimits(config),
    tls: {
      mode: tlsConfig.mode,
      needClientAuth: tlsConfig.needClientAuth,
      authClient: tlsConfig.authClient,
      secureContext: () => credentials?.current.secureContext ?? null,
    },
    reusePort: role.count > 1,
  });
  readListener(metrics, tcp);
  readAdmission(metrics, lanes);
  const processMetrics = startProcessMetrics(metrics.registry);
  // workers leave the sweep to the primary: the store is safe with several sweepers, but N sweeps
  // of one Redis every interval would do the same work N times
  const expiry = isPrimary ? startExpiryTimer(backend.port, config.scanNotActiveBrokerInterval, log) : null;
  const advertised = advertisedAddress(deployment.advertisedAddr, config.bindAddress, tcp.port);
  const registration = isPrimary && backend.registerInstance
    ? startInstanceRegistration({ register: backend.registerInstance, addr: advertised, refreshSeconds: config.namesrvInstanceRefreshSeconds, log })
    : null;

  if (!edgeUrl && !config.authenticationEnabled && !isLoopback(config.bindAddress)) {
    log.warn({
      msg: "authentication is off and the NameServer listens beyond this machine: anyone who reaches it can register brokers and change routes (README: Security)",
      bindAddress: config.bindAddress,
    });
  }
  log.info({
    msg: "The Name Server boot success. serializeType=JSON",
    address: `${config.bindAddress}:${tcp.port}`,
    tls: tlsConfig.mode === "disabled" ? "disabled" : `${tlsConfig.mode}${credentials?.current.selfSigned ? " (test mode: self-signed certificate)" : ""}`,
    advertisedAddress: advertised,
    ...(role.count > 1 ? { workers: role.count, instance: instanceId, pid: process.pid } : {}),
    ...backend.describe,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // the workers drain in parallel with this process, each answering GO_AWAY on its own connections
    const workersStopped = supervisor?.stop(signal === "SIGINT" ? "SIGINT" : "SIGTERM", (config.enableShutdownGracefully ? config.shutdownWaitTimeSeconds * 1000 : 0) + WORKER_STOP_GRACE_MS);
    if (config.enableShutdownGracefully) {
      // as Java's NettyRemotingServer#shutdown: answer GO_AWAY for the wait, then stop; unlike it, new
      // connections are refused at once, so that reconnecting clients land on another instance
      log.info({ msg: "shutting down gracefully", signal, shutdownWaitTimeSeconds: config.shutdownWaitTimeSeconds });
      handler.beginShutdown();
      backend.beginShutdown();
      tcp.stopAccepting();
      await new Promise((resolve) => setTimeout(resolve, config.shutdownWaitTimeSeconds * 1000));
    }
    log.info({ msg: "shutting down", signal });
    expiry?.stop();
    processMetrics.stop();
    registration?.stop();
    retries.stop();
    credentials?.stop();
    await tcp.stop();
    await backend.stop();
    await workersStopped;
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  if (!isPrimary) {
    linkToPrimary({
      expose: () => metrics.registry.expose((err) => log.warn({ msg: "metrics: a collector failed", error: String(err) })),
      onPrimaryGone: () => void shutdown("primary gone"),
      log,
    });
  } else if (role.count > 1) {
    // spawned once this process holds the port: a primary that cannot listen leaves no workers behind
    supervisor = startWorkerSupervisor({ count: role.count, log });
  }
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
