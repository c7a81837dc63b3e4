import {
  cloneKVConfigTable,
  loadKVConfigFile,
  loadKVConfigFileSync,
  saveKVConfigFile,
  type KVConfigTable,
} from "../kv-config-file";

/**
 * The KVConfigManager's table (PROTOCOL §3.11, §6), optionally kept in a kvConfig.json. Mutations
 * run one after the other: each applies its change to a copy of the table, persists the copy (when
 * there is a file) and only then swaps it in, so a failed write leaves the table as it was.
 */
export class KVTable {
  private table: KVConfigTable;
  private queue: Promise<void> = Promise.resolve();

  /**
   * `initial` is an already loaded table; without one, the file at `path` is read synchronously
   * (a missing file is an empty table). `path` null keeps the table in memory only. `changed` is
   * called as each mutation takes effect.
   */
  constructor(
    private readonly path: string | null,
    initial: KVConfigTable | undefined,
    private readonly changed: () => void,
  ) {
    if (initial) this.table = cloneKVConfigTable(initial);
    else if (path !== null) this.table = loadKVConfigFileSync(path);
    else this.table = new Map();
  }

  /** Reads the file at `path` without blocking (a missing file is an empty table). */
  static async load(path: string | null): Promise<KVConfigTable> {
    return path === null ? new Map() : loadKVConfigFile(path);
  }

  /** Resolves once the change is applied (and persisted); a failed write rejects and changes nothing. */
  private mutate(change: (table: KVConfigTable) => void): Promise<void> {
    const run = async (): Promise<void> => {
      const next = cloneKVConfigTable(this.table);
      change(next);
      if (this.path !== null) await saveKVConfigFile(this.path, next);
      this.table = next;
      this.changed();
    };
    const done = this.queue.then(run);
    this.queue = done.catch(() => undefined);
    return done;
  }

  put(namespace: string, key: string, value: string): Promise<void> {
    return this.mutate((table) => {
      let kv = table.get(namespace);
      if (!kv) {
        kv = new Map();
        table.set(namespace, kv);
      }
      kv.set(key, value);
    });
  }

  get(namespace: string, key: string): string | null {
    return this.table.get(namespace)?.get(key) ?? null;
  }

  /** Persists even when nothing was removed (like Java); an emptied namespace is kept. */
  delete(namespace: string, key: string): Promise<void> {
    return this.mutate((table) => {
      table.get(namespace)?.delete(key);
    });
  }

  list(namespace: string): Record<string, string> | null {
    const kv = this.table.get(namespace);
    return kv ? Object.fromEntries(kv) : null;
  }

  /** Resolves once every mutation asked for so far has finished. */
  settled(): Promise<void> {
    return this.queue;
  }
}
