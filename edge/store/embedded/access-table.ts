/**
 * The embedded store's accounts, policies and tokens, kept in memory and, when the store has a
 * kvConfig.json, in `accessControl.json` beside it (mode 0600: it holds secret keys), replaced
 * atomically on every change. The audit trail is a ring in memory: the JSON-lines audit log is the
 * durable record on this store.
 */
import { dirname, join } from "node:path";
import { readFileSync } from "node:fs";
import { isMissingFile, readFileIfPresent, replaceFileAtomically } from "../../atomic-file";
import type { AccessStore, AccountRecord, AuditRecord, TokenRecord } from "../../auth/access-store";
import { policySchema, type Policy } from "../../auth/policy";
import { z } from "zod";

const fileSchema = z.object({
  accounts: z.record(z.string(), z.object({ secretKey: z.string(), createdAt: z.number(), policy: policySchema.nullable() })),
  tokens: z.record(z.string(), z.object({ id: z.string(), account: z.string(), createdAt: z.number(), expiresAt: z.number().nullable() })),
});

export interface Tables {
  accounts: Map<string, AccountRecord>;
  /** by hash */
  tokens: Map<string, TokenRecord>;
}

export class AccessControlFileError extends Error {
  override name = "AccessControlFileError";
}

/** Where the access tables of a store with `kvConfigPath` are kept; null: memory only. */
export function accessControlPath(kvConfigPath: string | null): string | null {
  return kvConfigPath === null ? null : join(dirname(kvConfigPath), "accessControl.json");
}

export class EmbeddedAccessTable implements AccessStore {
  private tables: Tables;
  private queue: Promise<void> = Promise.resolve();
  private readonly audit: AuditRecord[] = [];

  /**
   * `initial`: tables already loaded (EmbeddedStore.open); without them the file at `path` is read
   * synchronously (missing: empty). `path` null keeps the tables in memory only.
   */
  constructor(
    private readonly path: string | null,
    initial?: Tables,
  ) {
    this.tables = initial ?? (path === null ? emptyTables() : parseTables(path, readTextSync(path)));
  }

  /** Reads the file at `path` without blocking. */
  static async load(path: string | null): Promise<Tables> {
    if (path === null) return emptyTables();
    try {
      return parseTables(path, await readFileIfPresent(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOTDIR") return emptyTables();
      throw err;
    }
  }

  /** A change applied to a copy, saved, then swapped in: a failed save changes nothing. */
  private mutate<T>(change: (tables: Tables) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const next: Tables = { accounts: new Map(this.tables.accounts), tokens: new Map(this.tables.tokens) };
      const result = change(next);
      if (this.path !== null) await replaceFileAtomically(this.path, serialize(next), 0o600);
      this.tables = next;
      return result;
    };
    const done = this.queue.then(run);
    this.queue = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  createAccount(account: AccountRecord): Promise<boolean> {
    return this.mutate((t) => {
      if (t.accounts.has(account.name)) return false;
      t.accounts.set(account.name, { ...account });
      return true;
    });
  }

  async getAccount(name: string): Promise<AccountRecord | null> {
    const account = this.tables.accounts.get(name);
    return account ? { ...account } : null;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return [...this.tables.accounts.values()].map((a) => ({ ...a })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  deleteAccount(name: string): Promise<boolean> {
    return this.mutate((t) => {
      if (!t.accounts.delete(name)) return false;
      for (const [hash, token] of t.tokens) if (token.account === name) t.tokens.delete(hash);
      return true;
    });
  }

  putPolicy(name: string, policy: Policy): Promise<boolean> {
    return this.mutate((t) => {
      const account = t.accounts.get(name);
      if (!account) return false;
      t.accounts.set(name, { ...account, policy });
      return true;
    });
  }

  putToken(token: TokenRecord): Promise<boolean> {
    return this.mutate((t) => {
      if (!t.accounts.has(token.account)) return false;
      const now = Date.now();
      // expired tokens are dropped as the table is written anyway
      for (const [hash, old] of t.tokens) if (old.expiresAt !== null && old.expiresAt <= now) t.tokens.delete(hash);
      t.tokens.set(token.hash, { ...token });
      return true;
    });
  }

  async findToken(hash: string, now: number): Promise<TokenRecord | null> {
    const token = this.tables.tokens.get(hash);
    if (!token || (token.expiresAt !== null && token.expiresAt <= now)) return null;
    return { ...token };
  }

  async listTokens(account: string, now: number): Promise<TokenRecord[]> {
    return [...this.tables.tokens.values()]
      .filter((t) => t.account === account && (t.expiresAt === null || t.expiresAt > now))
      .map((t) => ({ ...t }))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  revokeToken(account: string, id: string): Promise<boolean> {
    return this.mutate((t) => {
      for (const [hash, token] of t.tokens) {
        if (token.account === account && token.id === id) {
          t.tokens.delete(hash);
          return true;
        }
      }
      return false;
    });
  }

  async appendAudit(record: AuditRecord, maxLength: number): Promise<void> {
    this.audit.push(record);
    const excess = this.audit.length - Math.max(1, maxLength);
    if (excess > 0) this.audit.splice(0, excess);
  }

  async readAudit(limit: number): Promise<AuditRecord[]> {
    return this.audit.slice(Math.max(0, this.audit.length - limit));
  }

  /** Resolves once every change so far is written. */
  settled(): Promise<void> {
    return this.queue;
  }
}

function emptyTables(): Tables {
  return { accounts: new Map(), tokens: new Map() };
}

function readTextSync(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    // (ENOTDIR: a parent is a file, so there is no such file either; writing will say why)
    if (isMissingFile(err) || (err as NodeJS.ErrnoException).code === "ENOTDIR") return null;
    throw err;
  }
}

function parseTables(path: string, text: string | null): Tables {
  if (text === null || text.trim() === "") return emptyTables();
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new AccessControlFileError(`invalid ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const accounts = new Map(Object.entries(parsed.accounts).map(([name, a]) => [name, { name, ...a }]));
  const tokens = new Map(Object.entries(parsed.tokens).map(([hash, t]) => [hash, { hash, ...t }]));
  return { accounts, tokens };
}

function serialize(t: Tables): string {
  const accounts = Object.fromEntries([...t.accounts].map(([name, a]) => [name, { secretKey: a.secretKey, createdAt: a.createdAt, policy: a.policy }]));
  const tokens = Object.fromEntries(
    [...t.tokens].map(([hash, tk]) => [hash, { id: tk.id, account: tk.account, createdAt: tk.createdAt, expiresAt: tk.expiresAt }]),
  );
  return `${JSON.stringify({ accounts, tokens }, null, 2)}\n`;
}
