/** What the port answers about accounts and tokens: never a secret key, never a token's hash. */
import type { Policy } from "./policy";

export interface AccountView {
  name: string;
  createdAt: number;
  policy: Policy | null;
}

export interface TokenView {
  id: string;
  createdAt: number;
  expiresAt: number | null;
}

/** A token as issued: the only time its value is shown. */
export interface IssuedToken extends TokenView {
  account: string;
  token: string;
}

/** An account as created; `secretKey` only when the server generated it (shown this once). */
export interface CreatedAccount {
  name: string;
  secretKey?: string;
}

/** What a relaying bridge needs to verify its clients' signatures itself. */
export interface RelayedAccount {
  name: string;
  secretKey: string;
}
