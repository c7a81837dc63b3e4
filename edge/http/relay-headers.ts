/**
 * Headers a tcp-bridge in front of this deployment sends for its client (edge/port/http-namesrv.ts):
 * honoured only from a bridge whose token holds class `relay` (the authentication middleware checks).
 */
export const RELAY_HEADERS = {
  token: "x-namesrv-relay-token",
  principal: "x-namesrv-relay-principal",
  failure: "x-namesrv-relay-failure",
  peer: "x-namesrv-relay-peer",
} as const;

