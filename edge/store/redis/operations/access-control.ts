/**
 * Accounts, policies, tokens and the audit trail in Redis (docs/redis-keys.md, "Access control"):
 * `P:accounts` (set of names), `P:account:<name>` (hash: secretKey, createdAt, policy),
 * `P:token:<sha256>` (hash: id, account, createdAt, expiresAt; expires with the token),
 * `P:accountTokens:<name>` (hash: token id → sha256) and `P:audit` (a capped stream).
 * Every instance reads the same accounts, so a token issued through one is accepted by all.
 */
import type { AccessStore, AccountRecord, AuditRecord, TokenRecord } from "../../../auth/access-store";
import { policySchema, type Policy } from "../../../auth/policy";
import { luaFragment, luaScript } from "../lua/lua-script";
import { JSON_VALUES } from "../lua/values";
import { malformed } from "../redis-errors";
import type { RedisTransport } from "../redis-transport";
import { asArray, pairs } from "../redis-values";

const ACCESS_KEYS = luaFragment(
  "accessKeys",
  [],
  String.raw`
local P = KEYS[1]
local ACCOUNTS = P .. ':accounts'
local function accountKey(name) return P .. ':account:' .. name end
local function tokenKey(hash) return P .. ':token:' .. hash end
local function accountTokensKey(name) return P .. ':accountTokens:' .. name end
`,
);

const uses = [ACCESS_KEYS, JSON_VALUES];

/** ARGV = name, secretKey, createdAt, policy JSON ('' for none); '1' created, '0' exists. */
const CREATE_ACCOUNT = luaScript(
  "createAccount",
  uses,
  String.raw`
local name = ARGV[1]
if redis.call('SADD', ACCOUNTS, name) == 0 then return '0' end
redis.call('HSET', accountKey(name), 'secretKey', ARGV[2], 'createdAt', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', accountKey(name), 'policy', ARGV[4]) end
return '1'
`,
  { replicated: true },
);

/** ARGV = name; flat [field, value, ...] JSON of the account hash (empty: none). */
const GET_ACCOUNT = luaScript(
  "getAccount",
  uses,
  String.raw`
if redis.call('SISMEMBER', ACCOUNTS, ARGV[1]) == 0 then return '[]' end
return list(redis.call('HGETALL', accountKey(ARGV[1])))`,
);

/** [[name, [field, value, ...]], ...] */
const LIST_ACCOUNTS = luaScript(
  "listAccounts",
  uses,
  String.raw`
local out = {}
for _, name in ipairs(redis.call('SMEMBERS', ACCOUNTS)) do
  out[#out + 1] = {name, redis.call('HGETALL', accountKey(name))}
end
return list(out)`,
);

/** ARGV = name; the account, its policy and every token of it. */
const DELETE_ACCOUNT = luaScript(
  "deleteAccount",
  uses,
  String.raw`
local name = ARGV[1]
if redis.call('SREM', ACCOUNTS, name) == 0 then return '0' end
for _, hash in ipairs(redis.call('HVALS', accountTokensKey(name))) do redis.call('DEL', tokenKey(hash)) end
redis.call('DEL', accountTokensKey(name), accountKey(name))
return '1'`,
  { replicated: true },
);

/** ARGV = name, policy JSON */
const PUT_POLICY = luaScript(
  "putPolicy",
  uses,
  String.raw`
if redis.call('SISMEMBER', ACCOUNTS, ARGV[1]) == 0 then return '0' end
redis.call('HSET', accountKey(ARGV[1]), 'policy', ARGV[2])
return '1'`,
  { replicated: true },
);

/** ARGV = account, id, hash, createdAt, expiresAt ('' = never) */
const PUT_TOKEN = luaScript(
  "putToken",
  uses,
  String.raw`
local account, id, hash = ARGV[1], ARGV[2], ARGV[3]
if redis.call('SISMEMBER', ACCOUNTS, account) == 0 then return '0' end
redis.call('HSET', tokenKey(hash), 'id', id, 'account', account, 'createdAt', ARGV[4])
if ARGV[5] ~= '' then
  redis.call('HSET', tokenKey(hash), 'expiresAt', ARGV[5])
  redis.call('PEXPIREAT', tokenKey(hash), ARGV[5])
end
redis.call('HSET', accountTokensKey(account), id, hash)
return '1'`,
  { replicated: true },
);

/** ARGV = hash; flat fields of the token (empty: none or expired). */
const FIND_TOKEN = luaScript("findToken", uses, String.raw`return list(redis.call('HGETALL', tokenKey(ARGV[1])))`);

/** ARGV = account; [[hash, [field, value, ...]], ...]; ids whose token expired are dropped. */
const LIST_TOKENS = luaScript(
  "listTokens",
  uses,
  String.raw`
local out = {}
local ids = redis.call('HGETALL', accountTokensKey(ARGV[1]))
for i = 1, #ids, 2 do
  local fields = redis.call('HGETALL', tokenKey(ids[i + 1]))
  if #fields == 0 then redis.call('HDEL', accountTokensKey(ARGV[1]), ids[i])
  else out[#out + 1] = {ids[i + 1], fields} end
end
return list(out)`,
);

/** ARGV = account, id */
const REVOKE_TOKEN = luaScript(
  "revokeToken",
  uses,
  String.raw`
local hash = redis.call('HGET', accountTokensKey(ARGV[1]), ARGV[2])
if not hash then return '0' end
redis.call('DEL', tokenKey(hash))
redis.call('HDEL', accountTokensKey(ARGV[1]), ARGV[2])
return '1'`,
  { replicated: true },
);

/** ARGV = count; the latest entries, newest first: [[id, [field, value, ...]], ...] */
const READ_AUDIT = luaScript("readAudit", uses, String.raw`return list(redis.call('XREVRANGE', P .. ':audit', '+', '-', 'COUNT', ARGV[1]))`);

const AUDIT_FIELDS = ["time", "principal", "peer", "transport", "code", "operation", "resource", "outcome", "responseCode", "reason"] as const;

export class RedisAccessStore implements AccessStore {
  constructor(
    private readonly transport: RedisTransport,
    /** with braces, e.g. `{rmq}` */
    private readonly prefix: string,
  ) {}

  private async json(script: ReturnType<typeof luaScript>, args: string[]): Promise<unknown> {
    const reply = await this.transport.eval(script, [this.prefix], args);
    return JSON.parse(String(reply));
  }

  private async flag(script: ReturnType<typeof luaScript>, args: string[]): Promise<boolean> {
    return String(await this.transport.eval(script, [this.prefix], args)) === "1";
  }

  createAccount(account: AccountRecord): Promise<boolean> {
    const policy = account.policy === null ? "" : JSON.stringify(account.policy);
    return this.flag(CREATE_ACCOUNT, [account.name, account.secretKey, String(account.createdAt), policy]);
  }

  async getAccount(name: string): Promise<AccountRecord | null> {
    const fields = pairs(await this.json(GET_ACCOUNT, [name]), "getAccount");
    return fields.length === 0 ? null : this.accountOf(name, fields);
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const rows = asArray<[string, unknown]>(await this.json(LIST_ACCOUNTS, []), "listAccounts");
    return rows.map(([name, flat]) => this.accountOf(name, pairs(flat, "listAccounts"))).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  deleteAccount(name: string): Promise<boolean> {
    return this.flag(DELETE_ACCOUNT, [name]);
  }

  putPolicy(name: string, policy: Policy): Promise<boolean> {
    return this.flag(PUT_POLICY, [name, JSON.stringify(policy)]);
  }

  putToken(token: TokenRecord): Promise<boolean> {
    return this.flag(PUT_TOKEN, [token.account, token.id, token.hash, String(token.createdAt), token.expiresAt === null ? "" : String(token.expiresAt)]);
  }

  async findToken(hash: string, now: number): Promise<TokenRecord | null> {
    const fields = pairs(await this.json(FIND_TOKEN, [hash]), "findToken");
    if (fields.length === 0) return null;
    const token = this.tokenOf(hash, fields);
    return token.expiresAt !== null && token.expiresAt <= now ? null : token;
  }

  async listTokens(account: string, now: number): Promise<TokenRecord[]> {
    const rows = asArray<[string, unknown]>(await this.json(LIST_TOKENS, [account]), "listTokens");
    return rows
      .map(([hash, flat]) => this.tokenOf(hash, pairs(flat, "listTokens")))
      .filter((t) => t.expiresAt === null || t.expiresAt > now)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  revokeToken(account: string, id: string): Promise<boolean> {
    return this.flag(REVOKE_TOKEN, [account, id]);
  }

  async appendAudit(record: AuditRecord, maxLength: number): Promise<void> {
    const args = ["XADD", `${this.prefix}:audit`, "MAXLEN", "~", String(Math.max(1, maxLength)), "*"];
    for (const field of AUDIT_FIELDS) {
      const value = record[field];
      if (value === undefined || value === null) continue;
      args.push(field, typeof value === "object" ? JSON.stringify(value) : String(value));
    }
    await this.transport.command(args);
  }

  async readAudit(limit: number): Promise<AuditRecord[]> {
    const rows = asArray<[string, unknown]>(await this.json(READ_AUDIT, [String(Math.max(1, limit))]), "readAudit");
    return rows.map(([id, flat]) => auditRecordOf(id, pairs(flat, "readAudit"))).reverse();
  }

  private accountOf(name: string, fields: [string, string][]): AccountRecord {
    const key = `${this.prefix}:account:${name}`;
    const row = Object.fromEntries(fields);
    if (typeof row.secretKey !== "string") throw malformed(key, "secretKey", "missing");
    let policy: Policy | null = null;
    if (row.policy !== undefined) {
      const parsed = policySchema.safeParse(safeJson(row.policy));
      if (!parsed.success) throw malformed(key, "policy", "not a policy");
      policy = parsed.data;
    }
    return { name, secretKey: row.secretKey, createdAt: Number(row.createdAt ?? 0), policy };
  }

  private tokenOf(hash: string, fields: [string, string][]): TokenRecord {
    const row = Object.fromEntries(fields);
    if (typeof row.id !== "string" || typeof row.account !== "string") throw malformed(`${this.prefix}:token:${hash}`, null, "missing id or account");
    return { id: row.id, account: row.account, hash, createdAt: Number(row.createdAt ?? 0), expiresAt: row.expiresAt === undefined ? null : Number(row.expiresAt) };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function auditRecordOf(id: string, fields: [string, string][]): AuditRecord {
  const row = Object.fromEntries(fields);
  const resource = safeJson(row.resource ?? "{}");
  return {
    time: row.time ?? id,
    principal: row.principal ?? null,
    peer: row.peer ?? null,
    transport: row.transport ?? "",
    code: row.code === undefined ? null : Number(row.code),
    operation: row.operation ?? "",
    resource: resource !== null && typeof resource === "object" ? (resource as Record<string, unknown>) : {},
    outcome: (row.outcome as AuditRecord["outcome"]) ?? "failed",
    responseCode: Number(row.responseCode ?? 0),
    ...(row.reason !== undefined ? { reason: row.reason } : {}),
  };
}
