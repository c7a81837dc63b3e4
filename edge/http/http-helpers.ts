import type { Context } from "hono";
import type { z } from "zod";
import type { Dialect } from "../../shared/fastjson-writer";
import { jsonDepth } from "../../shared/json-depth";
import { ResponseCode } from "../../shared/codes";
import type { NamesrvConfig } from "../config/namesrv-config";
import { badRequest, NamesrvError, validate } from "../port/namesrv-error";


import { bodyFormatSchema } from "./http-schemas";

export type BodyFormat = z.infer<typeof bodyFormatSchema>;

/** Where a handler reads the limits in force (ConfigManager.current(): a cached object). */
export interface LimitSource {
  current(): Promise<Pick<NamesrvConfig, "maxHttpBodyBytes" | "maxJsonDepth" | "serverSocketMaxFrameBytes">>;
}

const CONTENT_TYPE = {
  json: "application/json; charset=utf-8",
  legacy: "application/x-rocketmq-fastjson; charset=utf-8",
} as const;

/**
 * Room left in a remoting frame for its length fields and the response header that carries a
 * legacy body: a body larger than serverSocketMaxFrameBytes minus this cannot reach a client.
 */
export const FRAME_HEADER_MARGIN_BYTES = 4096;

const utf8 = new TextEncoder();

/** A request body past maxHttpBodyBytes: 413, whether announced by content-length or found while reading. */
export function bodyTooLarge(maxBytes: number): NamesrvError {
  return new NamesrvError(ResponseCode.SYSTEM_ERROR, `request body is larger than maxHttpBodyBytes (${maxBytes} bytes)`, 413);
}

/**
 * The request body as text, read chunk by chunk and abandoned as soon as it passes `maxBytes`, so
 * an oversized body is never held whole (a content-length above it is refused before reading).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw bodyTooLarge(maxBytes);
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Reads, parses and validates a JSON request body; any problem is a 400 with a readable message
 * (413 past maxHttpBodyBytes). The nesting is checked on the text before it is parsed, so no body
 * can make the parser, a validator or a later encoding of the stored value recurse too deep.
 * `fastPath` may produce the schema's output for common input more cheaply (null: use the schema).
 * `empty`: what an empty body stands for (none: an empty body is invalid JSON).
 */
export async function readJson<S extends z.ZodType>(
  c: Context,
  limits: LimitSource,
  schema: S,
  fastPath?: (raw: unknown) => z.infer<S> | null,
  empty?: unknown,
): Promise<z.infer<S>> {
  const { maxHttpBodyBytes, maxJsonDepth } = await limits.current();
  const text = await readBodyText(c.req.raw, maxHttpBodyBytes);
  if (empty !== undefined && text.trim() === "") return validate(schema, empty, "body");
  if (jsonDepth(text, maxJsonDepth) < 0) {
    throw badRequest(`request body nests JSON deeper than maxJsonDepth (${maxJsonDepth} levels)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw badRequest("request body is not valid JSON");
  }
  return fastPath?.(raw) ?? validate(schema, raw, "body");
}



/** `?format=legacy` asks for the legacy fastjson dialect (what old remoting clients get). */
export function requestedFormat(c: Context): BodyFormat {
  return validate(bodyFormatSchema, c.req.query("format"), "format");
}

/**
 * Sends a body encoded by one of the shared fastjson encoders in the requested dialect. A legacy
 * body is the one the tcp-bridge puts in a remoting frame: one too large for a frame is answered
 * SYSTEM_ERROR saying so, instead of an answer no client could receive.
 */
export async function sendEncoded(c: Context, limits: LimitSource, what: string, encode: (dialect: Dialect) => string): Promise<Response> {
  const format = requestedFormat(c);
  if (format !== "legacy") return sendText(c, encode("standard"), format);
  const body = utf8.encode(encode("legacy"));
  const { serverSocketMaxFrameBytes } = await limits.current();
  const room = serverSocketMaxFrameBytes - FRAME_HEADER_MARGIN_BYTES;
  if (body.length > room) {
    throw new NamesrvError(
      ResponseCode.SYSTEM_ERROR,
      `${what} answer of ${body.length} bytes exceeds the frame limit (serverSocketMaxFrameBytes ${serverSocketMaxFrameBytes}, at most ${room} bytes of body)`,
    );
  }
  return sendText(c, body, format);
}

/** Sends an already encoded body (text or its UTF-8 bytes) labelled with its format. */
export function sendText(c: Context, body: string | Uint8Array<ArrayBuffer>, format: BodyFormat): Response {
  return c.body(body, 200, { "content-type": CONTENT_TYPE[format] });
}
