import type { Store } from "../store/store";
import type { NamesrvConfig } from "../config/namesrv-config";
import type { ConfigPersister } from "../config/config-store-file";
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
  persistConfig: ConfigPersister | null = null,
): NamesrvServices {
  const config = new ConfigManager(store, startupConfig, startupExtra, clock, persistConfig);
  return { config, routes: new RouteManager(store, config, clock), kv: new KVManager(store, config) };
}
