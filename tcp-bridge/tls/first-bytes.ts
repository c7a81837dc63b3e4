/**
 * Which transport a connection speaks, from its first bytes, as Java's TlsModeHandler decides it:
 * a TLS handshake record starts with 0x16, a remoting frame (a 4-byte length) practically never
 * does. A PROXY protocol header comes first, from the load balancer, and is looked past.
 */
import { readProxyHeader } from "../proxy-protocol";
import type { TlsMode } from "./tls-config";

const TLS_HANDSHAKE_RECORD = 0x16;

export type FirstBytes =
  /** undecided: keep the bytes and wait for more */
  | { kind: "more" }
  /** everything goes to the remoting connection as it is */
  | { kind: "plain" }
  /** bytes before `offset` (a PROXY header, or none) go to the connection, the rest is TLS */
  | { kind: "tls"; offset: number }
  | { kind: "refuse"; reason: string };

export function classifyFirstBytes(bytes: Uint8Array, mode: TlsMode): FirstBytes {
  const header = readProxyHeader(bytes);
  let offset = 0;
  switch (header.kind) {
    case "more":
      return { kind: "more" };
    case "invalid":
      return { kind: "plain" }; // the connection reports the bad header
    case "proxy":
      offset = header.length;
      break;
    case "none":
      break;
  }
  if (bytes.length <= offset) return { kind: "more" };
  if (bytes[offset] === TLS_HANDSHAKE_RECORD) {
    return mode === "disabled" ? { kind: "refuse", reason: "TLS handshake while tls.server.mode=disabled" } : { kind: "tls", offset };
  }
  return mode === "enforcing" ? { kind: "refuse", reason: "plain connection while tls.server.mode=enforcing" } : { kind: "plain" };
}
