/**
 * The NameServer port over HTTP: a remote deployment of the Hono app (a Worker, Deno, another Bun
 * process), for a tcp-bridge in front of it (NAMESRV_EDGE_URL). Every operation is one
 * `POST /internal/v1/ops/{operation}` with its input as JSON (edge/http/routes/internal-routes.ts);
 * an error answer is thrown back as the NamesrvError the app answered. Nothing is decided here:
 * what a missing field means, and every other rule, is the remote NameServer's.
 */
import { ResponseCode } from "../../shared/codes";
import { RELAY_HEADERS } from "../http/relay-headers";
import type { CallInfo } from "./call";
import { NamesrvError } from "./namesrv-error";
import { loadRegisterBody, OPERATIONS, type NamesrvPort, type Operation, type RegisterBrokerInput, type RegisterBrokerOutcome } from "./namesrv-port";

/** Sends one HTTP request (fetch, or an app's own fetch in process). */
export type HttpSend = (request: Request) => Promise<Response>;

const decoder = new TextDecoder();

/** The port over HTTP at `baseUrl` (where the app answers; `/internal/v1` is below it). */
export function httpNamesrv(baseUrl: string, send: HttpSend = (request) => fetch(request)): NamesrvPort {
  const base = baseUrl.replace(/\/+$/, "");

  /** The answer's body bytes; an error answer thrown as the NamesrvError it carries. */
  async function post(operation: Operation, input: unknown, call: CallInfo | undefined): Promise<Uint8Array> {
    const request = new Request(`${base}/internal/v1/ops/${operation}`, {
      method: "POST",
      body: JSON.stringify(input),
      headers: { "content-type": "application/json", ...relayHeaders(call) },
    });
    let response: Response;
    try {
      response = await send(request);
    } catch (err) {
      throw new NamesrvError(ResponseCode.SYSTEM_ERROR, `NameServer API unreachable: ${String(err)}`);
    }
    const bytes = await responseBytes(response);
    if (response.ok) return bytes;
    throw errorOf(response.status, bytes);
  }

  const port: Partial<Record<Operation, unknown>> = {};
  for (const operation of OPERATIONS) {
    port[operation] = async (input: unknown, call?: CallInfo) => (JSON.parse(decoder.decode(await post(operation, input, call))) as { output: unknown }).output;
  }
  port.getRouteInfoByTopic = (input: unknown, call?: CallInfo) => post("getRouteInfoByTopic", input, call);
  /** Asks first whether the body's digest suffices (most re-registrations); sends the body only when not. */
  port.registerBroker = async (input: RegisterBrokerInput, call?: CallInfo): Promise<RegisterBrokerOutcome> => {
    const { body, ...head } = input;
    if (head.bodyDigest !== null) {
      const refreshed = await (port as NamesrvPort).refreshBrokerRegistration({ ...head, bodyDigest: head.bodyDigest }, call);
      if (refreshed !== null) return refreshed;
    }
    const bytes = await post("registerBroker", { ...head, ...(await loadRegisterBody(body)) }, call);
    return JSON.parse(decoder.decode(bytes)) as RegisterBrokerOutcome;
  };
  return port as NamesrvPort;
}

/**
 * What a relaying bridge tells the deployment about its client (edge/http/http-call.ts reads it):
 * its own token, the principal it verified or why it could not, the client's address.
 */
function relayHeaders(call: CallInfo | undefined): Record<string, string> {
  const credentials = call?.credentials;
  if (credentials?.kind !== "relayed") return {};
  const headers: Record<string, string> = { [RELAY_HEADERS.token]: credentials.relayToken };
  if (credentials.principal !== null) headers[RELAY_HEADERS.principal] = credentials.principal;
  // header values must be Latin-1 without line breaks: a reason is sent as ASCII JSON text
  if (credentials.failure !== null) headers[RELAY_HEADERS.failure] = JSON.stringify(credentials.failure).replace(/[^\x20-\x7e]/g, "?");
  if (credentials.peer !== null) headers[RELAY_HEADERS.peer] = credentials.peer;
  return headers;
}

/** Bun's Response.bytes() hands over the body without the extra copy arrayBuffer() makes. */
async function responseBytes(response: Response): Promise<Uint8Array> {
  const withBytes = response as Response & { bytes?: () => Promise<Uint8Array> };
  return typeof withBytes.bytes === "function" ? withBytes.bytes() : new Uint8Array(await response.arrayBuffer());
}

function errorOf(status: number, bytes: Uint8Array): NamesrvError {
  try {
    const parsed = JSON.parse(decoder.decode(bytes)) as { error?: { code?: unknown; message?: unknown } };
    if (parsed.error && typeof parsed.error.code === "number" && typeof parsed.error.message === "string") {
      return new NamesrvError(parsed.error.code, parsed.error.message, status);
    }
  } catch {
    /* not an API error body */
  }
  return new NamesrvError(ResponseCode.SYSTEM_ERROR, `NameServer API answered HTTP ${status}`, status);
}
