/**
 * RedisTransport over the Upstash REST protocol (@upstash/redis): for the edge (Workers, Deno),
 * or any runtime with fetch. Exact strings matter here (addresses, DataVersion JSON), so automatic
 * deserialization is off; responses are base64-encoded by the server and decoded by the client
 * (so that any UTF-8 comes through unchanged); auto-pipelining is off so each call is its own
 * request with its own error; every request carries an abort signal so that it settles within
 * `timeoutMs`, retries included.
 */
import { Redis } from "@upstash/redis";
import { RedisStore, type RedisStoreOptions } from "./redis-store";
import {
  DEFAULT_REDIS_TIMEOUT_MS,
  RedisReplyError,
  RedisTransportError,
  describeCommand,
  evalWithFallback,
  withTimeout,
  type RedisScript,
  type RedisTransport,
} from "./redis-transport";

export interface UpstashTransportOptions {
  /** UPSTASH_REDIS_REST_URL */
  url: string;
  /** UPSTASH_REDIS_REST_TOKEN */
  token: string;
  /** Bound of one call including retries; default 2000 ms. */
  timeoutMs?: number;
  /** Retries after a network error (not after an error reply); default 2, 50 ms apart. */
  retries?: number;
}

export class UpstashTransport implements RedisTransport {
  private readonly redis: Redis;
  private readonly timeoutMs: number;

  constructor(options: UpstashTransportOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    const timeoutMs = this.timeoutMs;
    this.redis = new Redis({
      url: options.url,
      token: options.token,
      automaticDeserialization: false,
      enableAutoPipelining: false,
      enableTelemetry: false,
      readYourWrites: false,
      responseEncoding: "base64",
      retry: { retries: options.retries ?? 2, backoff: () => 50 },
      // a fresh signal per request: it bounds the request and its retries together
      signal: () => AbortSignal.timeout(timeoutMs),
    });
  }

  eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    return evalWithFallback((cmd) => this.send(cmd, script), script, keys, args);
  }

  command(args: string[]): Promise<unknown> {
    return this.send(args);
  }

  private async send(args: string[], script?: RedisScript): Promise<unknown> {
    const what = describeCommand(args, script);
    try {
      // the outer bound also covers the backoff sleeps between retries
      const [name, ...rest] = args;
      return await withTimeout(this.redis.exec([name, ...rest]), this.timeoutMs + 250, what);
    } catch (err) {
      throw translateError(err, what);
    }
  }

  async close(): Promise<void> {
    // stateless HTTP: nothing to release
  }
}

function translateError(err: unknown, what: string): Error {
  if (err instanceof RedisTransportError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : "";
  if (name === "UpstashError") {
    // "<error reply>, command was: [...]": keep the reply, drop the (possibly huge) command
    const reply = message.replace(/, command was: [\s\S]*$/, "");
    return new RedisReplyError(reply);
  }
  if (name === "TimeoutError" || name === "AbortError") {
    return new RedisTransportError(`${what}: no answer from the Redis REST endpoint in time (${message})`);
  }
  return new RedisTransportError(`${what}: Redis REST request failed: ${message}`);
}

/**
 * A RedisStore over Upstash REST that owns its transport (close() closes it), e.g. from
 * UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN.
 */
export function createUpstashRedisStore(
  options: UpstashTransportOptions & Omit<RedisStoreOptions, "closeTransport">,
): RedisStore {
  const { url, token, timeoutMs, retries, ...storeOptions } = options;
  return new RedisStore(new UpstashTransport({ url, token, timeoutMs, retries }), {
    ...storeOptions,
    closeTransport: true,
  });
}
