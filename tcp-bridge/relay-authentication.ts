/**
 * A bridge in front of a remote deployment (NAMESRV_EDGE_URL) with a relay token
 * (NAMESRV_EDGE_TOKEN): it checks each client's signature itself, with the secret keys the
 * deployment gives an account granted `relay`, and hands the deployment the verified principal (or
 * why there is none) with its own token, so the deployment authorizes the client, not the bridge.
 * Signatures cover the request's bytes, which only the bridge has: the deployment gets the verdict.
 */
import { verifyCredentials, type CredentialDirectory } from "../edge/auth/authentication";
import type { CallInfo } from "../edge/port/call";
import type { Middleware } from "../edge/port/middleware";
import { NamesrvError } from "../edge/port/namesrv-error";
import type { NamesrvPort } from "../edge/port/namesrv-port";
import { TtlCache } from "../edge/service/ttl-cache";

export interface RelayOptions {
  /** the deployment, without this bridge's middleware (the bridge's own lookups) */
  remote: NamesrvPort;
  relayToken: string;
  /** how long a secret key read from the deployment is reused (authCacheSeconds) */
  cacheSeconds: number;
  cacheMaxEntries: number;
}

export function relayAuthentication(options: RelayOptions): Middleware {
  const { remote, relayToken } = options;
  const own: CallInfo = {
    transport: "internal",
    peer: null,
    principal: null,
    connection: null,
    credentials: { kind: "relayed", relayToken, principal: null, failure: null, peer: null },
  };
  const accounts = new TtlCache<{ name: string; secretKey: string } | null>(options.cacheSeconds * 1000, options.cacheMaxEntries, Date.now);
  const directory: CredentialDirectory = {
    account: (name) => accounts.get(name, () => remote.relayedAccount({ name }, own)),
    // remoting clients present signatures or certificates, never bearer tokens
    token: async () => null,
  };

  return async function relayCredentials(call, next) {
    const presented = call.credentials ?? null;
    let principal: string | null = null;
    let failure: string | null = null;
    if (presented !== null && presented.kind !== "relayed") {
      try {
        const verified = await verifyCredentials(presented, directory);
        if ("principal" in verified) principal = verified.principal;
        else failure = verified.failure;
      } catch (err) {
        // the deployment would not say (authentication off there, or this bridge not trusted): its call
        if (!(err instanceof NamesrvError)) throw err;
        failure = `the bridge could not verify the credentials: ${err.message}`;
      }
    }
    call.credentials = { kind: "relayed", relayToken, principal, failure, peer: call.peer };
    return next();
  };
}
