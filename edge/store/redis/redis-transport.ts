/**
 * The one seam between the Redis store and a Redis connection. A transport runs Lua scripts
 * (EVALSHA, falling back to EVAL when the server does not know the script yet) and a few plain
 * commands. Every call is bounded in time: it settles, one way or the other, well inside a RocketMQ
 * client's 3 s request timeout.
 *
 * Replies are whatever the wire gives: the store's scripts all return one string (JSON) or nil, so
 * that RESP2, RESP3 and the Upstash REST encoding all deliver the same thing.
 */

/** A Lua script with a name for error messages; its SHA-1 is computed once, on first use. */
export interface RedisScript {
  readonly name: string;
  readonly source: string;
  /**
   * A write acknowledged only once replicas hold it (replica-acknowledgement.ts): KV, configuration
   * and access control, which nothing writes again by itself after a failover lost them.
   */
  readonly replicated?: boolean;
}

export interface RedisTransport {
  /** Runs a script: EVALSHA, and EVAL when the server answers NOSCRIPT. */
  eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown>;
  /** One plain command, e.g. ["HGETALL", key]. Reply shapes depend on the transport. */
  command(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * What a RESP transport tells its owner about its connection (the bridge logs and counts it). A
 * transport may report `lost` more than once while it keeps failing to reconnect.
 */
export interface RedisConnectionEvents {
  /** ready to take commands; `endpoint` names the node (for Sentinel: the primary) */
  ready(endpoint: string): void;
  /** the connection is gone; the transport reconnects by itself */
  lost(reason: string): void;
  /** a replicated write was made on the primary but not confirmed by its replicas in time */
  unconfirmed(what: string): void;
}

/** The default bound of one transport call (connect + request + any retries). */
export const DEFAULT_REDIS_TIMEOUT_MS = 2000;

/** A call that did not reach Redis or did not get an answer in time. */
export class RedisTransportError extends Error {
  override name = "RedisTransportError";
}

/** Redis answered with an error reply (a script error, a wrong command, ...). */
export class RedisReplyError extends Error {
  override name = "RedisReplyError";
}

/** SHA-1 of the UTF-8 text as lowercase hex. */
export async function sha1Hex(text: string): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const shaCache = new WeakMap<RedisScript, Promise<string>>();

/** The script's SHA-1 as lowercase hex (what EVALSHA and SCRIPT LOAD use). */
export function scriptSha1(script: RedisScript): Promise<string> {
  let sha = shaCache.get(script);
  if (!sha) {
    sha = sha1Hex(script.source);
    shaCache.set(script, sha);
  }
  return sha;
}

/** True for the server's answer to EVALSHA of an unknown script. */
export function isNoScriptError(err: unknown): boolean {
  return err instanceof Error && /NOSCRIPT/.test(err.message);
}

/** EVALSHA, then EVAL on NOSCRIPT; `send` issues one raw command. */
export async function evalWithFallback(
  send: (args: string[]) => Promise<unknown>,
  script: RedisScript,
  keys: string[],
  args: string[],
): Promise<unknown> {
  const sha = await scriptSha1(script);
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await send(["EVALSHA", sha, ...tail]);
  } catch (err) {
    if (!isNoScriptError(err)) throw err;
    return await send(["EVAL", script.source, ...tail]);
  }
}

/** Rejects with a RedisTransportError when `promise` has not settled after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTransportError(`${what}: no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A short description of a command for error messages (no values: they may be large). */
export function describeCommand(args: string[], script?: RedisScript): string {
  if (script) return `script ${script.name}`;
  return String(args[0] ?? "?").toUpperCase();
}
