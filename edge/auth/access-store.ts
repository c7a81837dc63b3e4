/**
 * Accounts, their policies and tokens, and the audit trail, as the stores keep them: in Redis
 * (shared by every instance; docs/redis-keys.md) or in the embedded store (a file next to
 * kvConfig.json). One conformance suite (test/store/access-store-conformance.ts) runs against each.
 */
import type { Policy } from "./policy";

export interface AccountRecord {
  name: string;
  /** RocketMQ signatures are HMACs keyed by it, so it is kept as given; no read of the API returns it */
  secretKey: string;
  /** epoch ms */
  createdAt: number;
  /** null: none set yet (nothing is granted) */
  policy: Policy | null;
}

export interface TokenRecord {
  id: string;
  account: string;
  /** SHA-256 of the token (hex): the token itself is never stored */
  hash: string;
  createdAt: number;
  /** epoch ms; null: never */
  expiresAt: number | null;
}

export interface AuditRecord {
  /** ISO 8601 */
  time: string;
  principal: string | null;
  peer: string | null;
  transport: string;
  /** the RocketMQ request code; null for operations without one */
  code: number | null;
  operation: string;
  resource: Record<string, unknown>;
  /** `success`, `denied` (by authentication or authorization) or `failed` (any other refusal or fault) */
  outcome: "success" | "denied" | "failed";
  /** the response code the caller got */
  responseCode: number;
  /** the remark of a refusal */
  reason?: string;
}

export interface AccessStore {
  /** false (and nothing changes) when an account of that name exists */
  createAccount(account: AccountRecord): Promise<boolean>;
  getAccount(name: string): Promise<AccountRecord | null>;
  listAccounts(): Promise<AccountRecord[]>;
  /** Removes the account with its policy and tokens; false when there was none. */
  deleteAccount(name: string): Promise<boolean>;
  /** false when there is no such account */
  putPolicy(name: string, policy: Policy): Promise<boolean>;
  /** false when there is no such account */
  putToken(token: TokenRecord): Promise<boolean>;
  /** The token with that hash, unless it expired (by `now`) or was revoked. */
  findToken(hash: string, now: number): Promise<TokenRecord | null>;
  listTokens(account: string, now: number): Promise<TokenRecord[]>;
  /** false when the account has no token of that id */
  revokeToken(account: string, id: string): Promise<boolean>;
  /** Appends to the capped audit trail (the oldest records go past `maxLength`). */
  appendAudit(record: AuditRecord, maxLength: number): Promise<void>;
  /** The latest `limit` records, oldest first. */
  readAudit(limit: number): Promise<AuditRecord[]>;
}
