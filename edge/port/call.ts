/** What a middleware knows of one call of the NameServer port, besides the operation and input. */
import type { Credentials } from "../auth/credentials";

/** How the call arrived: a remoting frame (the tcp-bridge), HTTP (the Hono app), or the process itself (timers). */
export type Transport = "remoting" | "http" | "internal";

export interface CallInfo {
  transport: Transport;
  /** the client's address (`host:port`, as the PROXY protocol names it behind a proxy); null when unknown */
  peer: string | null;
  /** who the caller proved to be; null until an authentication middleware says */
  principal: string | null;
  /** the remoting connection's channel id; null over HTTP */
  connection: string | null;
  /** what the caller presented to prove who it is (checked by the authentication middleware); none: nothing */
  credentials?: Credentials | null;
  /** the request's size on the wire (a remoting frame's body, an HTTP body); none: unknown */
  requestBytes?: number | null;
}

/** What a call came to: the response code a remoting client gets (0: SUCCESS), the error, the time taken. */
export interface CallOutcome {
  code: number;
  /** what the call threw (a NamesrvError for a NameServer answer, anything else for a fault) */
  error: unknown | null;
  durationMs: number;
  /** the size of an answer the port gives as bytes (an encoded route); none: the caller encodes it */
  responseBytes?: number | null;
}

/** A call as the middleware chain sees it; `outcome` is set once the call is done. */
export interface PortCall extends CallInfo {
  operation: string;
  /** the RocketMQ request code of the operation; null for the bridge's own operations */
  requestCode: number | null;
  input: unknown;
  outcome: CallOutcome | null;
}

/** The call of a timer or another part of this process. */
export const INTERNAL_CALL: CallInfo = Object.freeze({ transport: "internal", peer: null, principal: null, connection: null });
