import type { Logger } from "../shared/logger";
import { AddressWhitelist } from "./auth/address-whitelist";
import { refuseAnonymousWrites } from "./auth/anonymous-writes";
import { audit, type AuditLine } from "./auth/audit";
import { authentication } from "./auth/authentication";
import { authorization } from "./auth/authorization";
import type { ConfigPersister } from "./config/config-store-file";
import { ConfigError, type NamesrvConfig } from "./config/namesrv-config";
import type { BrokerNotifier } from "./service/broker-notifier";
import { LocalNamesrv } from "./port/local-namesrv";
import { withMiddleware, type Middleware } from "./port/middleware";
import type { NamesrvPort } from "./port/namesrv-port";
import { requestLog } from "./port/request-log";
import { requestMetrics } from "./port/request-metrics";
import { measuredStore } from "./metrics/measured-store";
import type { NamesrvMetrics } from "./metrics/namesrv-metrics";
import { stateGauges } from "./metrics/state-gauges";
import { parseInitUser } from "./service/access-manager";
import type { ProductEnvRouteSource } from "./service/cluster-test-routes";
import { createServices, type NamesrvServices } from "./service/services";
import type { Store } from "./store/store";

export interface NamesrvOptions {
  log: Logger;
  /** runtime entries of the start-up configuration that are not NameServer keys (kept for GET_NAMESRV_CONFIG) */
  extra?: Record<string, string>;
  /** run around every call after the request log and access control, in order */
  middlewares?: readonly Middleware[];
  clock?: () => number;
  /** saves the whole configuration after each UPDATE_NAMESRV_CONFIG (the Bun server on the embedded store) */
  persistConfig?: ConfigPersister;
  /** where clusterTest mode looks up the routes this NameServer does not have (the Bun server) */
  productEnvRoutes?: ProductEnvRouteSource;
  /** how NOTIFY_MIN_BROKER_ID_CHANGE reaches brokers; none: it is not sent (a runtime without sockets) */
  brokerNotifier?: BrokerNotifier;
  /** the audit log (a JSON line per record); none: records go to the store's trail only */
  auditLine?: AuditLine | null;
  /** a public deployment (the Worker): with authentication off, writes are refused */
  refuseAnonymousWrites?: boolean;
  /** the series of GET /metrics: the store's calls are timed, the requests measured, the state read at scrape time */
  metrics?: NamesrvMetrics;
}

export interface Namesrv {
  services: NamesrvServices;
  /** the port every transport calls: the services behind the request log, the access control and `middlewares` */
  port: NamesrvPort;
  /** resolves once the bootstrap administrator (initAuthenticationUser) exists */
  ready: Promise<void>;
}

/**
 * The access-control part of the chain: the audit around everything it refuses, then
 * authentication and authorization as configured.
 */
function accessControl(store: Store, services: NamesrvServices, config: NamesrvConfig, options: NamesrvOptions): Middleware[] {
  if (config.authorizationEnabled && !config.authenticationEnabled) throw new ConfigError("authorizationEnabled=true needs authenticationEnabled=true (policies are per account)");
  let whitelist: AddressWhitelist;
  try {
    whitelist = new AddressWhitelist(config.authenticationWhitelist);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const chain: Middleware[] = [audit({ line: options.auditLine ?? null, store: store.access, maxLength: config.auditStreamMaxLength, log: options.log })];
  if (config.authenticationEnabled) chain.push(authentication(services.access, whitelist));
  else if (options.refuseAnonymousWrites) chain.push(refuseAnonymousWrites());
  if (config.authorizationEnabled) chain.push(authorization(services.access));
  return chain;
}

/** The NameServer of one process over `store`: its services, and its port with the middleware chain. */
export function createNamesrv(unmeasuredStore: Store, config: NamesrvConfig, options: NamesrvOptions): Namesrv {
  const metrics = options.metrics;
  const store = metrics ? measuredStore(unmeasuredStore, metrics) : unmeasuredStore;
  const initUser = parseInitUser(config.initAuthenticationUser);
  const services = createServices(store, config, options.extra ?? {}, options.clock, {
    persistConfig: options.persistConfig,
    productEnvRoutes: options.productEnvRoutes,
    brokerNotifier: options.brokerNotifier,
    log: options.log,
  });
  const port = withMiddleware(new LocalNamesrv(services), [
    requestLog(options.log, { level: config.accessLogLevel, sampleRate: config.accessLogSampleRate }),
    ...(metrics ? [requestMetrics(metrics)] : []),
    ...accessControl(store, services, config, options),
    ...(options.middlewares ?? []),
  ]);
  if (metrics) {
    metrics.registry.onCollect(() => metrics.readRouteManager(services.routes.countsSinceStart(), services.routes.routeCacheStats()));
    metrics.registry.onCollect(stateGauges(store, metrics, config.metricsStateCacheMillis));
  }
  const ready = services.access.bootstrap(initUser, options.log);
  // a failure is the runtime's to report (it awaits `ready`); never an unhandled rejection
  ready.catch(() => undefined);
  return { services, port, ready };
}
