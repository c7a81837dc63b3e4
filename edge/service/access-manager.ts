/**
 * Accounts, policies and tokens: the operations the HTTP API offers administrators, the bootstrap
 * administrator (initAuthenticationUser), and the cached reads authentication makes on every call.
 */
import { z } from "zod";
import { ResponseCode } from "../../shared/codes";
import type { Logger } from "../../shared/logger";
import type { AccessStore, AccountRecord, AuditRecord, TokenRecord } from "../auth/access-store";
import type { AccountView, CreatedAccount, IssuedToken, RelayedAccount, TokenView } from "../auth/account-views";
import { AccessDenied } from "../auth/access-denied";
import { ADMIN_POLICY, type Policy } from "../auth/policy";
import { newToken, randomSecret, tokenHash } from "../auth/tokens";
import { ConfigError } from "../config/namesrv-config";
import { badRequest, NamesrvError } from "../port/namesrv-error";
import { TtlCache } from "./ttl-cache";

/** Account names are access keys: what RocketMQ clients put in the AccessKey extField. */
const ACCOUNT_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const SECRET_KEY = /^[\x21-\x7e]{8,256}$/;

const initUserSchema = z.object({ username: z.string().regex(ACCOUNT_NAME), password: z.string().regex(SECRET_KEY) });

export interface AccessLimits {
  maxAccounts: number;
  maxTokensPerAccount: number;
  authCacheSeconds: number;
  authCacheMaxEntries: number;
}

const notFound = (what: string) => new NamesrvError(ResponseCode.QUERY_NOT_FOUND, what, 404);

function viewOf(account: AccountRecord): AccountView {
  return { name: account.name, createdAt: account.createdAt, policy: account.policy };
}

function tokenViewOf(token: TokenRecord): TokenView {
  return { id: token.id, createdAt: token.createdAt, expiresAt: token.expiresAt };
}

/** initAuthenticationUser's account, or null when the key is empty; throws ConfigError when malformed. */
export function parseInitUser(text: string): { name: string; secretKey: string } | null {
  if (text.trim() === "") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('initAuthenticationUser must be JSON: {"username":"…","password":"…"}');
  }
  const result = initUserSchema.safeParse(parsed);
  if (!result.success) throw new ConfigError(`initAuthenticationUser: username of 1-64 [A-Za-z0-9_.@-], password of 8-256 printable ASCII characters`);
  return { name: result.data.username, secretKey: result.data.password };
}

export class AccessManager {
  private readonly accounts: TtlCache<AccountRecord | null>;
  private readonly tokens: TtlCache<TokenRecord | null>;

  constructor(
    private readonly store: AccessStore,
    private readonly limits: AccessLimits,
    private readonly clock: () => number = Date.now,
  ) {
    const ttlMs = limits.authCacheSeconds * 1000;
    this.accounts = new TtlCache(ttlMs, limits.authCacheMaxEntries, clock);
    this.tokens = new TtlCache(ttlMs, limits.authCacheMaxEntries, clock);
  }

  /** Makes the bootstrap administrator unless an account of that name exists (it is never overwritten). */
  async bootstrap(initUser: { name: string; secretKey: string } | null, log: Logger): Promise<void> {
    if (initUser === null) return;
    const created = await this.store.createAccount({ name: initUser.name, secretKey: initUser.secretKey, createdAt: this.clock(), policy: ADMIN_POLICY });
    log.info({ msg: created ? "administrator account created (initAuthenticationUser)" : "administrator account exists (initAuthenticationUser)", account: initUser.name });
  }

  // --- reads for authentication (cached) ------------------------------------------------------------

  /** The account of an access key, from the cache when it is fresh. */
  account(name: string): Promise<AccountRecord | null> {
    return this.accounts.get(name, () => this.store.getAccount(name));
  }

  /** The unexpired, unrevoked token, from the cache when fresh. */
  async token(token: string): Promise<TokenRecord | null> {
    const hash = await tokenHash(token);
    const found = await this.tokens.get(hash, () => this.store.findToken(hash, this.clock()));
    return found !== null && found.expiresAt !== null && found.expiresAt <= this.clock() ? null : found;
  }

  // --- administration ---------------------------------------------------------------------------------

  async createAccount(name: string, secretKey: string | null): Promise<CreatedAccount> {
    checkName(name);
    if (secretKey !== null && !SECRET_KEY.test(secretKey)) throw badRequest("secretKey: 8-256 printable ASCII characters, no spaces");
    if ((await this.store.listAccounts()).length >= this.limits.maxAccounts) {
      throw new NamesrvError(ResponseCode.SYSTEM_BUSY, `${this.limits.maxAccounts} accounts exist, the limit is maxAccounts=${this.limits.maxAccounts}`, 429);
    }
    const secret = secretKey ?? randomSecret();
    const created = await this.store.createAccount({ name, secretKey: secret, createdAt: this.clock(), policy: null });
    if (!created) throw new NamesrvError(ResponseCode.SYSTEM_ERROR, `account ${name} exists`, 409);
    this.accounts.delete(name);
    return secretKey === null ? { name, secretKey: secret } : { name };
  }

  async getAccount(name: string): Promise<AccountView> {
    const account = await this.store.getAccount(name);
    if (!account) throw notFound(`no account ${name}`);
    return viewOf(account);
  }

  async listAccounts(): Promise<AccountView[]> {
    return (await this.store.listAccounts()).map(viewOf);
  }

  async deleteAccount(name: string): Promise<void> {
    if (!(await this.store.deleteAccount(name))) throw notFound(`no account ${name}`);
    this.accounts.delete(name);
    this.tokens.clear();
  }

  async putPolicy(name: string, policy: Policy): Promise<void> {
    if (!(await this.store.putPolicy(name, policy))) throw notFound(`no account ${name}`);
    this.accounts.delete(name);
  }

  async issueToken(name: string, expiresInSeconds: number | null): Promise<IssuedToken> {
    const now = this.clock();
    if ((await this.store.listTokens(name, now)).length >= this.limits.maxTokensPerAccount) {
      throw new NamesrvError(ResponseCode.SYSTEM_BUSY, `account ${name} holds ${this.limits.maxTokensPerAccount} tokens, the limit is maxTokensPerAccount`, 429);
    }
    const { id, token } = newToken();
    const record: TokenRecord = { id, account: name, hash: await tokenHash(token), createdAt: now, expiresAt: expiresInSeconds === null ? null : now + expiresInSeconds * 1000 };
    if (!(await this.store.putToken(record))) throw notFound(`no account ${name}`);
    return { account: name, token, ...tokenViewOf(record) };
  }

  async listTokens(name: string): Promise<TokenView[]> {
    if ((await this.store.getAccount(name)) === null) throw notFound(`no account ${name}`);
    return (await this.store.listTokens(name, this.clock())).map(tokenViewOf);
  }

  async revokeToken(name: string, id: string): Promise<void> {
    if (!(await this.store.revokeToken(name, id))) throw notFound(`account ${name} has no token ${id}`);
    this.tokens.clear();
  }

  /** For a bridge that verifies signatures itself: only an authenticated account granted `relay` is answered. */
  async relayedAccount(name: string, caller: string | null): Promise<RelayedAccount | null> {
    const bridge = caller === null ? null : await this.account(caller);
    if (!bridge?.policy?.classes.includes("relay")) {
      throw new AccessDenied("authorization", "secret keys are given only to an authenticated bridge whose account is granted relay");
    }
    const account = await this.account(name);
    return account === null ? null : { name: account.name, secretKey: account.secretKey };
  }

  readAudit(limit: number): Promise<AuditRecord[]> {
    return this.store.readAudit(limit);
  }
}

function checkName(name: string): void {
  if (!ACCOUNT_NAME.test(name)) throw badRequest("account name: 1-64 characters of A-Z a-z 0-9 _ . @ -");
}
