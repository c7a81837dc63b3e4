import type { z } from "zod";
import { ResponseCode } from "../../shared/codes";

const HTTP_STATUS_BY_CODE: Record<number, number> = {
  [ResponseCode.SYSTEM_ERROR]: 500,
  [ResponseCode.SYSTEM_BUSY]: 503,
  [ResponseCode.REQUEST_CODE_NOT_SUPPORTED]: 501,
  [ResponseCode.NO_PERMISSION]: 403,
  [ResponseCode.TOPIC_NOT_EXIST]: 404,
  [ResponseCode.QUERY_NOT_FOUND]: 404,
};

const CODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ResponseCode).map(([name, code]) => [code, name]),
);

/**
 * A NameServer outcome that is not SUCCESS: the RocketMQ response code and remark a remoting
 * client gets, and the HTTP status an HTTP client gets. Handlers throw it; one error handler
 * turns it into `{"error":{"code","name","message"}}`.
 */
export class NamesrvError extends Error {
  readonly code: number;
  readonly status: number;

  constructor(code: number, remark: string, status?: number) {
    super(remark);
    this.name = "NamesrvError";
    this.code = code;
    this.status = status ?? HTTP_STATUS_BY_CODE[code] ?? 500;
  }

  /** The JSON body of an error response; the tcp-bridge reads `code` and `message` back. */
  toJSON(): { error: { code: number; name: string; message: string } } {
    return { error: { code: this.code, name: CODE_NAMES[this.code] ?? "UNKNOWN", message: this.message } };
  }
}

/** Bad request input (a missing or malformed field): SYSTEM_ERROR on the wire, 400 over HTTP. */
export function badRequest(message: string): NamesrvError {
  return new NamesrvError(ResponseCode.SYSTEM_ERROR, message, 400);
}

/** Any failure as the NamesrvError a client gets: unexpected errors become SYSTEM_ERROR with their message. */
export function asNamesrvError(err: unknown): NamesrvError {
  if (err instanceof NamesrvError) return err;
  return new NamesrvError(ResponseCode.SYSTEM_ERROR, err instanceof Error ? err.message : String(err));
}

/** The 400 answered for input that a schema refused with `issues`. */
export function invalidInput(issues: readonly z.core.$ZodIssue[], what: string): NamesrvError {
  const detail = issues.map((i) => `${i.path.length ? i.path.join(".") : what}: ${i.message}`).join("; ");
  return badRequest(`invalid ${what}: ${detail}`);
}

/** `raw` as `schema` makes it; its issues as a 400 / SYSTEM_ERROR naming `what`. */
export function validate<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error.issues, what);
  return parsed.data;
}
