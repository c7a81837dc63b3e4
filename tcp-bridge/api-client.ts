import { ResponseCode } from "../shared/codes";
import type { Dialect } from "../shared/fastjson-writer";
import { asNamesrvError } from "../edge/errors";
import { keysRemembered, Slices } from "../edge/event-loop-slices";
import { invalidInput } from "../edge/http-helpers";
import { parseRegisterBrokerRequestInSlices, plainRegisterBrokerRequest, type RegisterBrokerRequest } from "../edge/http-schemas";
import { registerBrokerInput } from "../edge/routes/broker-routes";
import type { RegisterBrokerInput, RegisterBrokerOutcome } from "../edge/service/route-manager";
import { holdsCheckedTopicConfigs } from "./register-body-packing";
import { IN_PROCESS_ORIGIN, type Upstream } from "./upstream";

/** A reply of the HTTP API, as the bridge needs it. */
export type ApiReply =
  | { ok: true; bytes: Uint8Array; json<T>(): T }
  | { ok: false; status: number; code: number; remark: string };

/**
 * The route manager of an app running in this process. Route queries are most of a NameServer's
 * traffic and registrations its largest requests; with one at hand the bridge calls it for these
 * two directly, exactly as their handlers (`GET /topics/{topic}/route`, `POST /brokers/register`)
 * would, without building an HTTP request and response or copying a registration through JSON.
 */
export interface LocalRoutes {
  getEncodedRoute(topic: string, zoneName: string | null, dialect: Dialect): Promise<Uint8Array>;
  registerBroker(input: RegisterBrokerInput): Promise<RegisterBrokerOutcome>;
}

export interface ApiClientOptions {
  localRoutes?: LocalRoutes;
  /** Told about failures that are not NameServer outcomes (what the app's error handler logs). */
  onUnexpectedError?: (err: unknown) => void;
}

const decoder = new TextDecoder();
const NO_BYTES = new Uint8Array(0);

function okReply(bytes: Uint8Array): ApiReply {
  return { ok: true, bytes, json: <T>() => JSON.parse(decoder.decode(bytes)) as T };
}

/** Calls the NameServer's HTTP API through an Upstream and reads its replies and errors. */
export class ApiClient {
  constructor(
    private readonly upstream: Upstream,
    private readonly options: ApiClientOptions = {},
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<ApiReply> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { "content-type": "application/json" };
    }
    let response: Response;
    try {
      response = await this.upstream(new Request(IN_PROCESS_ORIGIN + "/api/v1" + path, init));
    } catch (err) {
      return { ok: false, status: 0, code: ResponseCode.SYSTEM_ERROR, remark: `NameServer API unreachable: ${String(err)}` };
    }
    const bytes = await responseBytes(response);
    if (response.ok) return okReply(bytes);
    return { ok: false, status: response.status, ...readError(response.status, bytes) };
  }

  /** `GET /topics/{topic}/route`: from the local route manager when there is one, else over the API. */
  async route(topic: string, zoneName: string | null, format: "json" | "legacy"): Promise<ApiReply> {
    const local = this.options.localRoutes;
    if (!local) {
      const query = `format=${format}${zoneName ? `&zone=${seg(zoneName)}` : ""}`;
      return this.call("GET", `/topics/${seg(topic)}/route?${query}`);
    }
    try {
      return okReply(await local.getEncodedRoute(topic, zoneName, format === "legacy" ? "legacy" : "standard"));
    } catch (err) {
      return this.localFailure(err);
    }
  }

  /**
   * `POST /brokers/register` with `request` as its JSON body. The local route manager takes it when
   * the handler's fast validation accepts it as it is; anything else (and every remote app) goes
   * over the API, whose schema then explains what is wrong. A large registration (one the body
   * decoder rebuilt in slices: its keys are remembered) is validated in slices instead, and answered
   * here what the schema would answer; its topics are not checked again when the decoder has.
   */
  async registerBroker(request: Record<string, unknown>): Promise<ApiReply> {
    const local = this.options.localRoutes;
    if (!local) return this.call("POST", "/brokers/register", request);
    let validated: RegisterBrokerRequest | null;
    const topicsChecked = holdsCheckedTopicConfigs(request.topicConfigTable);
    if (topicsChecked || keysRemembered(request.topicConfigTable)) {
      const parsed = await parseRegisterBrokerRequestInSlices(request, new Slices(), topicsChecked);
      if (!parsed.success) return this.localFailure(invalidInput(parsed.issues, "body"));
      validated = parsed.data;
    } else {
      validated = plainRegisterBrokerRequest(request);
      if (validated === null) return this.call("POST", "/brokers/register", request);
    }
    try {
      const outcome = await local.registerBroker(registerBrokerInput(validated));
      return { ok: true, bytes: NO_BYTES, json: <T>() => outcome as T };
    } catch (err) {
      return this.localFailure(err);
    }
  }

  /** A local call's failure as the API's error handler would answer it. */
  private localFailure(err: unknown): ApiReply {
    const failure = asNamesrvError(err);
    if (failure !== err) this.options.onUnexpectedError?.(err);
    return { ok: false, status: failure.status, code: failure.code, remark: failure.message };
  }
}

/** Bun's Response.bytes() hands over the body without the extra copy arrayBuffer() makes. */
async function responseBytes(response: Response): Promise<Uint8Array> {
  const withBytes = response as Response & { bytes?: () => Promise<Uint8Array> };
  return typeof withBytes.bytes === "function" ? withBytes.bytes() : new Uint8Array(await response.arrayBuffer());
}

function readError(status: number, bytes: Uint8Array): { code: number; remark: string } {
  try {
    const parsed = JSON.parse(decoder.decode(bytes)) as { error?: { code?: unknown; message?: unknown } };
    if (parsed.error && typeof parsed.error.code === "number" && typeof parsed.error.message === "string") {
      return { code: parsed.error.code, remark: parsed.error.message };
    }
  } catch {
    /* not an API error body */
  }
  return { code: ResponseCode.SYSTEM_ERROR, remark: `NameServer API answered HTTP ${status}` };
}

/**
 * Encodes one path segment (topics such as `%RETRY%group` contain `%`). A name with an unpaired
 * UTF-16 surrogate has no URL form: translations refuse such names first, and one that slips
 * through fails its request with a message that says so instead of a bare URIError.
 */
export function seg(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch (err) {
    if (err instanceof URIError) throw new TypeError(`name ${JSON.stringify(value)} contains an unpaired UTF-16 surrogate`);
    throw err;
  }
}
