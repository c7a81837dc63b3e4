import type { NamesrvPort } from "../../port/namesrv-port";
import type { LimitSource } from "../http-helpers";
import type { PeerOf } from "../http-call";

/** What every group of HTTP handlers works with: the port (with its middleware chain) and the limits in force. */
export interface RouteContext {
  port: NamesrvPort;
  limits: LimitSource;
  peerOf?: PeerOf;
}
