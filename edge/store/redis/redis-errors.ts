/**
 * The errors of the Redis store, and the one place where a failed call becomes one of them. The
 * scripts raise error replies with a code: "RMQ_MALFORMED <key> field <field>: <detail>" (a value
 * that does not decode), "RMQ_FOLD_PENDING <json name>" (a broker's overlay is not folded yet),
 * "RMQ_ABORTED <detail>" (a registration id that was fenced off).
 */
import { RedisReplyError, type RedisScript } from "./redis-transport";

/** A value found in Redis that is not what the store wrote (e.g. edited by hand). */
export class RedisStoreDataError extends Error {
  override name = "RedisStoreDataError";
}

/** A Redis call of the store failed (unreachable, timeout, error reply). */
export class RedisStoreError extends Error {
  override name = "RedisStoreError";
}

/** Redis answered that a registration id was fenced off (see RESOLVE_REGISTRATION). */
export class RegistrationAbandoned extends Error {}

/** A script refused to write the topic data of a broker whose overlay is not folded yet. */
export class FoldPending extends Error {
  constructor(readonly brokerName: string) {
    super(`the registration of ${brokerName} is still being folded`);
  }
}

export function malformed(key: string, field: string | null, detail: string): RedisStoreDataError {
  return new RedisStoreDataError(
    `malformed value in Redis at ${key}${field === null ? "" : ` field ${JSON.stringify(field)}`}: ${detail}`,
  );
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A call named `what` that failed with `err` (no answer, or an error reply without a code). */
export function callFailed(what: string, err: unknown): RedisStoreError {
  return new RedisStoreError(`Redis store ${what} failed: ${messageOf(err)}`, { cause: err });
}

/** A call answered with something no script of the store returns. */
export function unexpectedReply(what: string, reply: unknown): RedisStoreError {
  const shown = typeof reply === "string" ? reply : JSON.stringify(reply);
  return new RedisStoreError(`Redis store ${what}: unexpected reply ${shown?.slice(0, 80)}`);
}

export function replyNotJson(what: string, reply: string): RedisStoreError {
  return new RedisStoreError(`Redis store ${what}: reply is not JSON: ${reply.slice(0, 80)}`);
}

/** The error a failed script call rejects with. */
export function scriptFailure(script: RedisScript, err: unknown): Error {
  if (err instanceof RedisReplyError) {
    const message = err.message;
    const bad = /RMQ_MALFORMED (.*?)(?: script: [0-9a-f]{40}.*)?$/s.exec(message);
    if (bad) return new RedisStoreDataError(`malformed value in Redis at ${bad[1]}`);
    const pending = /RMQ_FOLD_PENDING ("(?:[^"\\]|\\.)*")/.exec(message);
    if (pending) return new FoldPending(JSON.parse(pending[1]) as string);
    if (/RMQ_ABORTED /.test(message)) return new RegistrationAbandoned(message);
  }
  return callFailed(script.name, err);
}
