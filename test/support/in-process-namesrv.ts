/**
 * A NameServer assembled in this process as tcp-bridge/main.ts assembles it (services, the port with
 * its middleware chain, the Hono app over the port), on any store, without sockets.
 */
import type { Hono } from "hono";
import type { NamesrvConfig } from "../../edge/config/namesrv-config";
import type { AuditLine } from "../../edge/auth/audit";
import { createApp } from "../../edge/http/app";
import type { PeerOf } from "../../edge/http/http-call";
import { createNamesrv } from "../../edge/namesrv";
import type { Middleware } from "../../edge/port/middleware";
import type { NamesrvPort } from "../../edge/port/namesrv-port";
import type { NamesrvServices } from "../../edge/service/services";
import type { Store } from "../../edge/store/store";
import { silentLogger, type Logger } from "../../shared/logger";

export interface InProcessNamesrv {
  services: NamesrvServices;
  port: NamesrvPort;
  app: Hono;
  /** resolves once the bootstrap administrator exists (initAuthenticationUser) */
  ready: Promise<void>;
}

export function inProcessNamesrv(
  store: Store,
  config: NamesrvConfig,
  options: {
    extra?: Record<string, string>;
    clock?: () => number;
    log?: Logger;
    middlewares?: Middleware[];
    auditLine?: AuditLine;
    refuseAnonymousWrites?: boolean;
    peerOf?: PeerOf;
  } = {},
): InProcessNamesrv {
  const log = options.log ?? silentLogger;
  const { services, port, ready } = createNamesrv(store, config, { log, ...options });
  return { services, port, ready, app: createApp(port, { config: services.config, log, peerOf: options.peerOf }) };
}
