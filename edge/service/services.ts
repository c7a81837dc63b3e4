import type { Store } from "../store/store";
import type { NamesrvConfig } from "../config/namesrv-config";
import type { BrokerNotifier } from "./broker-notifier";
import { ConfigManager } from "./config-manager";
import { KVManager } from "./kv-manager";
import { RouteManager } from "./route-manager";

/** The services the HTTP handlers call, all over one Store. */
export interface NamesrvServices {
  routes: RouteManager;
  kv: KVManager;
  config: ConfigManager;
}

export function createServices(
  store: Store,
  startupConfig: NamesrvConfig,
  startupExtra: Record<string, string> = {},
  clock: () => number = Date.now,
  brokerNotifier: BrokerNotifier | null = null,
): NamesrvServices {
  const config = new ConfigManager(store, startupConfig, startupExtra, clock);
  return { config, routes: new RouteManager(store, config, clock, brokerNotifier), kv: new KVManager(store, config) };
}
