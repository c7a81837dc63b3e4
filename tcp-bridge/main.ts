/**
 * The NameServer on Bun: the remoting listener (9876) and the HTTP API (8080) over one Hono app.
 * Reads configuration, assembles the parts, and nothing else.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { createApp } from "../edge/app";
import { ConfigError } from "../edge/config/namesrv-config";
import { loadNamesrvConfig } from "../edge/config/load-config";
import { createServices } from "../edge/services";
import { EmbeddedStore } from "../edge/store/embedded-store";
import { startTcpServer } from "./bun-tcp-server";
import { ApiClient } from "./api-client";
import { startExpiryTimer } from "./expiry-timer";
import { createLogger, type LogLevel } from "./logger";
import { RemotingRequestHandler } from "./remoting-request-handler";
import { inProcessUpstream } from "./upstream";

const log = createLogger((process.env.NAMESRV_LOG_LEVEL as LogLevel | undefined) ?? "info");

async function main(): Promise<void> {
  const { config, extra } = await loadNamesrvConfig({
    argv: process.argv.slice(2),
    env: process.env,
    home: homedir(),
    readFile: (path) => readFile(path),
  });
  const store = await EmbeddedStore.open({ kvConfigPath: config.kvConfigPath });
  const services = createServices(store, config, extra);
  const app = createApp(services, { log: (entry) => log.error(entry) });
  const api = new ApiClient(inProcessUpstream(app));

  const tcp = startTcpServer({
    hostname: config.bindAddress,
    port: config.listenPort,
    handler: new RemotingRequestHandler(api, log),
    log,
    idleTimeoutSeconds: config.serverChannelMaxIdleTimeSeconds,
    instanceId: crypto.randomUUID().slice(0, 8),
  });
  const http = Bun.serve({ hostname: config.bindAddress, port: config.httpPort, fetch: app.fetch });
  const expiry = startExpiryTimer(api, config.scanNotActiveBrokerInterval, log);

  log.info({
    msg: "The Name Server boot success. serializeType=JSON",
    address: `${config.bindAddress}:${tcp.port}`,
    http: `http://${config.bindAddress}:${http.port}`,
    store: "embedded",
    kvConfigPath: config.kvConfigPath,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ msg: "shutting down", signal });
    expiry.stop();
    await tcp.stop();
    http.stop(true);
    await store.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err) => {
  if (err instanceof ConfigError) log.error({ msg: "invalid configuration", error: err.message });
  else log.error({ msg: "start-up failed", error: String(err), stack: (err as Error)?.stack });
  process.exit(1);
});
