import type { Context } from "hono";
import type { Credentials } from "../auth/credentials";
import type { CallInfo } from "../port/call";
import { RELAY_HEADERS } from "./relay-headers";

/** How the HTTP adapter learns the client's address (the runtime's connection info); null: unknown. */
export type PeerOf = (c: Context) => string | null;

/** A reason a bridge sent as JSON text (see relayHeaders in edge/port/http-namesrv.ts). */
function relayedText(value: string): string {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "string" ? parsed : value;
  } catch {
    return value;
  }
}

/** The credentials of an HTTP request: a relaying bridge's, a bearer token, or Basic. */
export function credentialsOf(c: Context): Credentials | null {
  const relayToken = c.req.header(RELAY_HEADERS.token);
  if (relayToken !== undefined) {
    const header = (name: string) => c.req.header(name) ?? null;
    const failure = header(RELAY_HEADERS.failure);
    return { kind: "relayed", relayToken, principal: header(RELAY_HEADERS.principal), failure: failure === null ? null : relayedText(failure), peer: header(RELAY_HEADERS.peer) };
  }
  const authorization = c.req.header("authorization");
  if (authorization === undefined) return null;
  const [scheme, value = ""] = authorization.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return { kind: "bearer", token: value };
  if (/^basic$/i.test(scheme)) {
    let decoded = "";
    try {
      decoded = new TextDecoder().decode(Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)));
    } catch {
      return { kind: "basic", accessKey: "", secretKey: "" };
    }
    const colon = decoded.indexOf(":");
    return colon < 0 ? { kind: "basic", accessKey: decoded, secretKey: "" } : { kind: "basic", accessKey: decoded.slice(0, colon), secretKey: decoded.slice(colon + 1) };
  }
  return { kind: "bearer", token: "" };
}

/** The port call an HTTP request makes. */
export function httpCall(c: Context, peerOf: PeerOf | undefined): CallInfo {
  const length = Number(c.req.header("content-length") ?? Number.NaN);
  return {
    transport: "http",
    peer: peerOf?.(c) ?? null,
    principal: null,
    connection: null,
    credentials: credentialsOf(c),
    requestBytes: Number.isSafeInteger(length) && length >= 0 ? length : null,
  };
}
