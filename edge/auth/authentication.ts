/**
 * The authentication middleware: turns the credentials a call carries into its principal (the
 * account name), or refuses the call with NO_PERMISSION and the reason. Calls from this process
 * (timers) and the bridge's own bookkeeping of its connections pass; a whitelisted peer passes
 * without credentials (as anonymous).
 */
import { verifySignature, signatureContent } from "../../shared/request-signature";
import type { PortCall } from "../port/call";
import type { Middleware } from "../port/middleware";
import { AccessDenied } from "./access-denied";
import type { AddressWhitelist } from "./address-whitelist";
import type { Credentials } from "./credentials";
import type { Policy } from "./policy";
import { looksLikeToken } from "./tokens";

/** Where accounts and tokens are read (the AccessManager; a remote deployment for a bridge). */
export interface CredentialDirectory {
  account(name: string): Promise<{ name: string; secretKey: string; policy?: Policy | null } | null>;
  token(token: string): Promise<{ account: string } | null>;
}

/** The account the credentials prove, or why they prove none. */
export async function verifyCredentials(credentials: Exclude<Credentials, { kind: "relayed" }>, directory: CredentialDirectory): Promise<{ principal: string } | { failure: string }> {
  switch (credentials.kind) {
    case "signature": {
      const account = await directory.account(credentials.accessKey);
      if (account === null) return { failure: `unknown access key ${JSON.stringify(credentials.accessKey)}` };
      if (credentials.signature === null || credentials.signature === "") return { failure: "request not signed: no Signature" };
      const content = signatureContent(credentials.extFields, credentials.body);
      if (!(await verifySignature(account.secretKey, content, credentials.signature))) return { failure: `signature mismatch for access key ${JSON.stringify(credentials.accessKey)}` };
      return { principal: account.name };
    }
    case "basic": {
      const account = await directory.account(credentials.accessKey);
      if (account === null) return { failure: `unknown access key ${JSON.stringify(credentials.accessKey)}` };
      if (!constantTimeEqual(account.secretKey, credentials.secretKey)) return { failure: `wrong secret key for ${JSON.stringify(credentials.accessKey)}` };
      return { principal: account.name };
    }
    case "bearer": {
      const token = looksLikeToken(credentials.token) ? await directory.token(credentials.token) : null;
      return token === null ? { failure: "token unknown, expired or revoked" } : { principal: token.account };
    }
    case "certificate": {
      const account = await directory.account(credentials.subject);
      return account === null ? { failure: `no account for client certificate CN=${credentials.subject}` } : { principal: account.name };
    }
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/**
 * A call of this process: a timer's, or the bridge reporting one of its connections closed (no
 * remoting client can send that: it has no request code).
 */
export function isOwnCall(call: PortCall): boolean {
  return call.transport === "internal" || (call.transport === "remoting" && call.operation === "closeChannel");
}

export function authentication(directory: CredentialDirectory, whitelist: AddressWhitelist): Middleware {
  async function principalOf(call: PortCall): Promise<void> {
    const credentials = call.credentials ?? null;
    let failure: string | null = null;
    if (credentials?.kind === "relayed") {
      // a bridge acting for its client: the bridge's own token, and it must hold `relay`
      const bridge = looksLikeToken(credentials.relayToken) ? await directory.token(credentials.relayToken) : null;
      if (bridge === null) throw new AccessDenied("authentication", "relay token unknown, expired or revoked");
      const account = await directory.account(bridge.account);
      if (!account?.policy?.classes.includes("relay")) throw new AccessDenied("authorization", `account ${bridge.account} may not relay (class relay not granted)`);
      // the client's address, as the (now trusted) bridge saw it
      call.peer = credentials.peer;
      if (call.requestCode === null) {
        // the bridge's own bookkeeping (a connection closed)
        call.principal = bridge.account;
        return;
      }
      if (credentials.principal !== null && credentials.failure === null) {
        call.principal = credentials.principal;
        return;
      }
      failure = credentials.failure;
    } else if (credentials !== null) {
      const verified = await verifyCredentials(credentials, directory);
      if ("principal" in verified) {
        call.principal = verified.principal;
        return;
      }
      failure = verified.failure;
    }
    if (whitelist.allows(call.peer)) return;
    throw new AccessDenied("authentication", failure ?? "no credentials: sign requests with an AccessKey (remoting) or send Authorization (HTTP)");
  }

  return async function authenticate(call, next) {
    if (!isOwnCall(call)) await principalOf(call);
    return next();
  };
}
