/**
 * DEVELOPMENT AID, not for production: a small server speaking the Upstash REST protocol in front of
 * a local Redis, so that @upstash/redis (the edge transport) can be developed and tested without an
 * Upstash account. Runs under Node (node:http + a RESP2 client over node:net) and under Bun:
 *
 *   bun tools/dev-rest-proxy.ts --redis redis://127.0.0.1:6379 --port 8079 --token dev
 *   UPSTASH_REDIS_REST_URL=http://127.0.0.1:8079 UPSTASH_REDIS_REST_TOKEN=dev ...
 *
 * Protocol (what @upstash/redis uses): every request is a POST with `Authorization: Bearer <token>`.
 * - `POST /` with a JSON array `["SET","k","v"]` → `200 {"result": …}`, or `400 {"error": "…"}`;
 * - `POST /pipeline` with `[[…],[…]]` → `200 [{"result"}|{"error"}, …]`, in order, not atomic;
 * - `POST /multi-exec` with `[[…],[…]]` → the same shape, as one MULTI/EXEC transaction.
 * With the header `Upstash-Encoding: base64` every string in a result (nested ones too) is
 * base64-encoded UTF-8; numbers and nulls are left alone; error messages are plain.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RespConnection, type RespValue } from "../test/support/redis/node-resp-transport";

export interface DevRestProxyOptions {
  /** redis://host:port of the Redis behind the proxy */
  redisUrl: string;
  token: string;
  port?: number;
  host?: string;
  /** largest request body accepted (Upstash: 10 MB) */
  maxBodyBytes?: number;
}

export interface DevRestProxy {
  /** http://host:port */
  url: string;
  port: number;
  /** Largest request body seen so far, in bytes (for tests of request sizes). */
  maxBodySeen(): number;
  close(): Promise<void>;
}

type Json = string | number | null | Json[];

function toJson(value: RespValue, base64: boolean): Json {
  if (value instanceof Error) throw value;
  if (typeof value === "string") return base64 ? Buffer.from(value, "utf8").toString("base64") : value;
  if (Array.isArray(value)) return value.map((v) => toJson(v, base64));
  return value;
}

function entry(value: RespValue, base64: boolean): { result: Json } | { error: string } {
  if (value instanceof Error) return { error: value.message };
  try {
    return { result: toJson(value, base64) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function isCommand(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0 && v.every((a) => ["string", "number", "boolean"].includes(typeof a));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startDevRestProxy(options: DevRestProxyOptions): Promise<DevRestProxy> {
  const redis = RespConnection.fromUrl(options.redisUrl);
  const limit = options.maxBodyBytes ?? 10 * 1024 * 1024;
  let maxBody = 0;

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return reply(res, 401, { error: "Unauthorized" });
    }
    if (req.method !== "POST") return reply(res, 405, { error: "only POST is supported" });
    let body: unknown;
    try {
      const raw = await readBody(req, limit);
      maxBody = Math.max(maxBody, raw.length);
      body = JSON.parse(raw.toString("utf8"));
    } catch (err) {
      return reply(res, 400, { error: `ERR bad request body: ${(err as Error).message}` });
    }
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = (req.url ?? "/").split("?")[0].replace(/\/+$/, "") || "/";

    if (path === "/") {
      if (!isCommand(body)) return reply(res, 400, { error: "ERR expected a JSON array command" });
      const [value] = await redis.sendBlock([body.map(String)]);
      const e = entry(value, base64);
      return reply(res, "error" in e ? 400 : 200, e);
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      if (!Array.isArray(body) || body.length === 0 || !body.every(isCommand)) {
        return reply(res, 400, { error: "ERR expected a JSON array of commands" });
      }
      const commands = (body as unknown[][]).map((c) => c.map(String));
      if (path === "/pipeline") {
        const values = await redis.sendBlock(commands);
        return reply(res, 200, values.map((v) => entry(v, base64)));
      }
      // one write: nobody else's command can land inside the transaction
      const values = await redis.sendBlock([["MULTI"], ...commands, ["EXEC"]]);
      const exec = values[values.length - 1];
      if (exec instanceof Error) return reply(res, 400, { error: exec.message });
      if (!Array.isArray(exec)) return reply(res, 400, { error: "ERR transaction aborted" });
      return reply(res, 200, exec.map((v) => entry(v, base64)));
    }
    return reply(res, 404, { error: `ERR unknown path ${path}` });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) reply(res, 500, { error: `ERR proxy: ${err.message}` });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    maxBodySeen: () => maxBody,
    close: () =>
      new Promise<void>((resolve) => {
        redis.close();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// bun tools/dev-rest-proxy.ts --redis redis://127.0.0.1:6379 --port 8079 --token dev
if ((import.meta as { main?: boolean }).main) {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
  };
  const proxy = await startDevRestProxy({
    redisUrl: arg("redis", process.env.REDIS_URL ?? "redis://127.0.0.1:6379"),
    token: arg("token", process.env.UPSTASH_REDIS_REST_TOKEN ?? "dev"),
    port: Number(arg("port", "8079")),
    host: arg("host", "127.0.0.1"),
  });
  console.log(`Upstash REST development proxy on ${proxy.url} (NOT for production)`);
}
