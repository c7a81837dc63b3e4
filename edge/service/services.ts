import type { Store } from "../store/store";
import type { NamesrvConfig } from "../config/namesrv-config";
import type { ConfigPersister } from "../config/config-store-file";
import { ClusterTestRoutes, type ProductEnvRouteSource } from "./cluster-test-routes";
import type { BrokerNotifier } from "./broker-notifier";
import { AccessManager } from "./access-manager";
import { ConfigManager } from "./config-manager";
import { KVManager } from "./kv-manager";
import { NamesrvInstances } from "./namesrv-instances";
import { RouteManager } from "./route-manager";
import { BrokerLifecycleLog } from "./broker-lifecycle-log";
import type { Logger } from "../../shared/logger";

/** The services the HTTP handlers call, all over one Store. */
export interface NamesrvServices {
  routes: RouteManager;
  kv: KVManager;
  /** accounts, policies and tokens (edge/auth) */
  access: AccessManager;
  config: ConfigManager;
  /** the live NameServer instances (the address server) */
  instances: NamesrvInstances;
  /** route queries in clusterTest mode (fixed at start-up, as Java picks its processor then); null otherwise */
  clusterTestRoutes: ClusterTestRoutes | null;
}

/** What a runtime plugs into the services beyond the store. */
export interface ServiceDependencies {
  /** saves the whole configuration after each update */
  persistConfig?: ConfigPersister | null;
  /** the product environment's routes, for clusterTest mode */
  productEnvRoutes?: ProductEnvRouteSource | null;
  /** how NOTIFY_MIN_BROKER_ID_CHANGE reaches brokers; none: it is not sent (a runtime without sockets) */
  brokerNotifier?: BrokerNotifier | null;
  /** where the brokers' lifecycle (registered, changed, unregistered, expired) is logged; none: nowhere */
  log?: Logger | null;
}

export function createServices(
  store: Store,
  startupConfig: NamesrvConfig,
  startupExtra: Record<string, string> = {},
  clock: () => number = Date.now,
  dependencies: ServiceDependencies = {},
): NamesrvServices {
  const config = new ConfigManager(store, startupConfig, startupExtra, clock, dependencies.persistConfig ?? null);
  const lifecycle = dependencies.log ? new BrokerLifecycleLog(dependencies.log) : null;
  const routes = new RouteManager(store, config, clock, dependencies.brokerNotifier ?? null, lifecycle);
  const clusterTestRoutes =
    startupConfig.clusterTest && dependencies.productEnvRoutes ? new ClusterTestRoutes(routes, dependencies.productEnvRoutes) : null;
  const access = new AccessManager(store.access, startupConfig, clock);
  const instances = new NamesrvInstances(store, startupConfig.namesrvInstanceTtlSeconds * 1000, clock);
  return { config, routes, kv: new KVManager(store, config), clusterTestRoutes, access, instances };
}
