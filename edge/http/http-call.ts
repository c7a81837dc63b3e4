import type { Context } from "hono";
import type { CallInfo } from "../port/call";

/** How the HTTP adapter learns the client's address (the runtime's connection info); null: unknown. */
export type PeerOf = (c: Context) => string | null;

/** The port call an HTTP request makes. */
export function httpCall(c: Context, peerOf: PeerOf | undefined): CallInfo {
  return { transport: "http", peer: peerOf?.(c) ?? null, principal: null, connection: null };
}
