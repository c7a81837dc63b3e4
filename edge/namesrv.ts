import type { Logger } from "../shared/logger";
import type { ConfigPersister } from "./config/config-store-file";
import type { NamesrvConfig } from "./config/namesrv-config";
import type { BrokerNotifier } from "./service/broker-notifier";
import { LocalNamesrv } from "./port/local-namesrv";
import { withMiddleware, type Middleware } from "./port/middleware";
import type { NamesrvPort } from "./port/namesrv-port";
import { requestLog } from "./port/request-log";
import type { ProductEnvRouteSource } from "./service/cluster-test-routes";
import { createServices, type NamesrvServices } from "./service/services";
import type { Store } from "./store/store";

export interface NamesrvOptions {
  log: Logger;
  /** runtime entries of the start-up configuration that are not NameServer keys (kept for GET_NAMESRV_CONFIG) */
  extra?: Record<string, string>;
  /** run around every call after the request log, in order */
  middlewares?: readonly Middleware[];
  clock?: () => number;
  /** saves the whole configuration after each UPDATE_NAMESRV_CONFIG (the Bun server on the embedded store) */
  persistConfig?: ConfigPersister;
  /** where clusterTest mode looks up the routes this NameServer does not have (the Bun server) */
  productEnvRoutes?: ProductEnvRouteSource;
  /** how NOTIFY_MIN_BROKER_ID_CHANGE reaches brokers; none: it is not sent (a runtime without sockets) */
  brokerNotifier?: BrokerNotifier;
}

export interface Namesrv {
  services: NamesrvServices;
  /** the port every transport calls: the services behind the request log and `middlewares` */
  port: NamesrvPort;
}

/** The NameServer of one process over `store`: its services, and its port with the middleware chain. */
export function createNamesrv(store: Store, config: NamesrvConfig, options: NamesrvOptions): Namesrv {
  const services = createServices(store, config, options.extra ?? {}, options.clock, {
    persistConfig: options.persistConfig,
    productEnvRoutes: options.productEnvRoutes,
    brokerNotifier: options.brokerNotifier,
  });
  const port = withMiddleware(new LocalNamesrv(services), [requestLog(options.log), ...(options.middlewares ?? [])]);
  return { services, port };
}
