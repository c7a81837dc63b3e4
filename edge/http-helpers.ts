import type { Context } from "hono";
import type { z } from "zod";
import type { Dialect } from "../shared/fastjson-writer";
import { badRequest } from "./errors";
import { bodyFormatSchema } from "./http-schemas";

export type BodyFormat = z.infer<typeof bodyFormatSchema>;

const CONTENT_TYPE = {
  json: "application/json; charset=utf-8",
  legacy: "application/x-rocketmq-fastjson; charset=utf-8",
} as const;

/**
 * Parses and validates a JSON request body; any problem is a 400 with a readable message.
 * `fastPath` may produce the schema's output for common input more cheaply (null: use the schema).
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S, fastPath?: (raw: unknown) => z.infer<S> | null): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw badRequest("request body is not valid JSON");
  }
  return fastPath?.(raw) ?? validate(schema, raw, "body");
}

export function validate<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.length ? i.path.join(".") : what}: ${i.message}`)
      .join("; ");
    throw badRequest(`invalid ${what}: ${detail}`);
  }
  return parsed.data;
}

/** `?format=legacy` asks for the legacy fastjson dialect (what old remoting clients get). */
export function requestedFormat(c: Context): BodyFormat {
  return validate(bodyFormatSchema, c.req.query("format"), "format");
}

/** Sends a body encoded by one of the shared fastjson encoders in the requested dialect. */
export function sendEncoded(c: Context, encode: (dialect: Dialect) => string): Response {
  const format = requestedFormat(c);
  return sendText(c, encode(format === "legacy" ? "legacy" : "standard"), format);
}

/** Sends an already encoded body (text or its UTF-8 bytes) labelled with its format. */
export function sendText(c: Context, body: string | Uint8Array<ArrayBuffer>, format: BodyFormat): Response {
  return c.body(body, 200, { "content-type": CONTENT_TYPE[format] });
}
