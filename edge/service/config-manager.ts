import { ResponseCode } from "../../shared/codes";
import { Remark } from "../../shared/remarks";
import { NamesrvError } from "../port/namesrv-error";
import type { Store } from "../store/store";
import { isLimitKey, LIMITS } from "../config/limits";
import {
  applyConfigEntries,
  ConfigError,
  configBlackList,
  configToProperties,
  NAMESRV_CONFIG_SCHEMA,
  type NamesrvConfig,
} from "../config/namesrv-config";
import type { ConfigPersister } from "../config/config-store-file";

/** How long a fetched set of runtime overrides is trusted before the store is asked again. */
const OVERRIDES_TTL_MS = 1000;

/**
 * The effective NameServer configuration: the start-up configuration with the runtime changes
 * made by UPDATE_NAMESRV_CONFIG on top. The changes live in the store, so every instance sharing
 * a store sees them; the black list is fixed at start-up, as in the Java server.
 */
export class ConfigManager {
  private cached: { config: NamesrvConfig; extra: Record<string, string>; at: number } | null = null;
  private cachedSignature: string | null = null;
  private readonly blackList: Set<string>;
  /** Keys UPDATE_NAMESRV_CONFIG may set; the only ones read back from the store. */
  private readonly updatableKeys: string[];

  constructor(
    private readonly store: Store,
    private readonly startup: NamesrvConfig,
    private readonly startupExtra: Record<string, string> = {},
    private readonly clock: () => number = Date.now,
    /** Where the whole configuration is saved after each update (configStorePath on the embedded store). */
    private readonly persist: ConfigPersister | null = null,
  ) {
    this.blackList = configBlackList(startup);
    const known = new Set([...Object.keys(NAMESRV_CONFIG_SCHEMA), ...Object.keys(startupExtra)]);
    this.updatableKeys = [...known].filter((key) => !this.blackList.has(key) && !isLimitKey(key));
  }

  async current(): Promise<NamesrvConfig> {
    return (await this.load()).config;
  }

  /**
   * What current() would answer, without a promise, while the last one read is fresh (null:
   * call current()). For route queries, which are most of the traffic.
   */
  currentIfFresh(): NamesrvConfig | null {
    return this.freshCache(this.clock())?.config ?? null;
  }

  /** The configuration last read, while it is younger than OVERRIDES_TTL_MS. */
  private freshCache(now: number): { config: NamesrvConfig; extra: Record<string, string> } | null {
    return this.cached !== null && now - this.cached.at < OVERRIDES_TTL_MS ? this.cached : null;
  }

  /** Every property as text, the registry GET_NAMESRV_CONFIG dumps (secrets masked). */
  async properties(): Promise<Record<string, string>> {
    const { config, extra } = await this.load();
    return configToProperties(config, extra, true);
  }

  /** Every property as text, secrets included: what configStorePath keeps, to be read back. */
  private async storedProperties(): Promise<Record<string, string>> {
    const { config, extra } = await this.load();
    return configToProperties(config, extra, false);
  }

  /**
   * UPDATE_NAMESRV_CONFIG. As in Java's Configuration.update, only keys the configuration has are
   * merged (its own keys and those of the start-up properties file): any other key is ignored,
   * neither stored nor answered back, so the stored overrides never grow beyond the known keys.
   */
  async update(entries: Record<string, string | number | boolean>): Promise<void> {
    // A limit is fixed at start-up: a remote client must not be able to lift it.
    for (const key of [...this.blackList, ...Object.keys(LIMITS)]) {
      if (Object.hasOwn(entries, key)) throw new NamesrvError(ResponseCode.NO_PERMISSION, Remark.CONFIG_BLACK_LIST);
    }
    const known = this.updatableEntries(entries);
    // Java persists after every accepted update, even one that changed nothing.
    if (Object.keys(known).length === 0) return this.persist?.(() => this.storedProperties());
    try {
      applyConfigEntries(this.startup, known);
    } catch (err) {
      if (err instanceof ConfigError) throw new NamesrvError(ResponseCode.SYSTEM_ERROR, err.message, 400);
      throw err;
    }
    await this.store.putConfigOverrides(known);
    this.cached = null;
    this.cachedSignature = null;
    await this.persist?.(() => this.storedProperties());
  }

  /**
   * The entries UPDATE_NAMESRV_CONFIG may set, in a fixed order. Looked up key by key, so any
   * number of other keys (in a request, or left in a store by an older version) costs nothing.
   */
  private updatableEntries(entries: Record<string, string | number | boolean>): Record<string, string> {
    const known: Record<string, string> = {};
    for (const key of this.updatableKeys) if (Object.hasOwn(entries, key)) known[key] = String(entries[key]);
    return known;
  }

  private async load(): Promise<{ config: NamesrvConfig; extra: Record<string, string> }> {
    const now = this.clock();
    const fresh = this.freshCache(now);
    if (fresh) return fresh;
    const overrides = this.updatableEntries(await this.store.getConfigOverrides());
    // Unchanged overrides are not validated again, and keep the same config object, so callers
    // may key caches on its identity.
    const signature = JSON.stringify(overrides);
    if (this.cached && this.cachedSignature === signature) {
      this.cached.at = now;
      return this.cached;
    }
    let applied: { config: NamesrvConfig; extra: Record<string, string> };
    try {
      applied = applyConfigEntries(this.startup, overrides);
    } catch {
      // A stored override that no longer validates (edited by hand): keep the valid ones.
      const valid: Record<string, string> = {};
      for (const [k, v] of Object.entries(overrides)) {
        try {
          applyConfigEntries(this.startup, { [k]: v });
          valid[k] = v;
        } catch {
          /* skipped */
        }
      }
      applied = applyConfigEntries(this.startup, valid);
    }
    this.cachedSignature = signature;
    this.cached = {
      config: applied.config,
      extra: { ...this.startupExtra, ...applied.extra },
      at: now,
    };
    return this.cached;
  }
}
