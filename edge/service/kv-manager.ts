import { ResponseCode } from "../../shared/codes";
import { kvNamespaceNotFoundRemark, kvNotFoundRemark, Remark } from "../../shared/remarks";
import { NamesrvError } from "../port/namesrv-error";
import type { Store } from "../store/store";
import type { ConfigManager } from "./config-manager";
import { checkKvValue, checkName, checkWellFormed } from "./name-rules";

/** KVConfigManager's protocol surface: the error codes and remarks of codes 100, 101, 102, 219. */
export class KVManager {
  constructor(
    private readonly store: Store,
    private readonly config: Pick<ConfigManager, "current">,
  ) {}

  async putKVConfig(namespace: string | null, key: string | null, value: string | null): Promise<void> {
    if (namespace == null || key == null) {
      throw new NamesrvError(ResponseCode.SYSTEM_ERROR, Remark.NAMESPACE_OR_KEY_NULL, 400);
    }
    const limits = await this.config.current();
    checkName("namespace", namespace, limits);
    checkName("key", key, limits);
    // Java stores a null value, which then reads as "not found": deleting is the same outcome.
    if (value == null) return this.store.deleteKVConfig(namespace, key);
    checkKvValue(value, limits);
    return this.store.putKVConfig(namespace, key, value);
  }

  async getKVConfig(namespace: string | null, key: string | null): Promise<string> {
    // an unpaired surrogate would reach the store as U+FFFD, the name of another entry
    if (namespace != null) checkWellFormed("namespace", namespace);
    if (key != null) checkWellFormed("key", key);
    const value = namespace == null || key == null ? null : await this.store.getKVConfig(namespace, key);
    if (value == null) {
      throw new NamesrvError(ResponseCode.QUERY_NOT_FOUND, kvNotFoundRemark(namespace, key));
    }
    return value;
  }

  async deleteKVConfig(namespace: string | null, key: string | null): Promise<void> {
    if (namespace == null || key == null) return;
    checkWellFormed("namespace", namespace);
    checkWellFormed("key", key);
    return this.store.deleteKVConfig(namespace, key);
  }

  async getKVListByNamespace(namespace: string | null): Promise<Record<string, string>> {
    if (namespace != null) checkWellFormed("namespace", namespace);
    const table = namespace == null ? null : await this.store.getKVListByNamespace(namespace);
    if (table == null) {
      throw new NamesrvError(ResponseCode.QUERY_NOT_FOUND, kvNamespaceNotFoundRemark(namespace));
    }
    return table;
  }
}
