import { z } from "zod";

/**
 * Which store a deployment uses, from its environment: `REDIS_URL` selects Redis over RESP (the
 * Bun bridge), `UPSTASH_REDIS_REST_URL` + `UPSTASH_REDIS_REST_TOKEN` select Redis over the Upstash
 * REST protocol (any runtime), neither selects the embedded in-process store.
 */
export type StoreSelection =
  | { kind: "embedded" }
  | { kind: "redis-resp"; url: string; prefix: string }
  | { kind: "redis-rest"; url: string; token: string; prefix: string };

const prefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "NAMESRV_REDIS_PREFIX: 1-64 letters, digits or _ . : -")
  .default("rmq");

export class StoreSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreSelectionError";
  }
}

export function selectStore(env: Record<string, string | undefined>): StoreSelection {
  const prefix = prefixSchema.safeParse(env.NAMESRV_REDIS_PREFIX || undefined);
  if (!prefix.success) throw new StoreSelectionError(prefix.error.issues[0].message);
  const restUrl = env.UPSTASH_REDIS_REST_URL;
  const restToken = env.UPSTASH_REDIS_REST_TOKEN;
  if (env.REDIS_URL) {
    if (!/^rediss?:\/\//.test(env.REDIS_URL)) {
      throw new StoreSelectionError(`REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(env.REDIS_URL)}`);
    }
    return { kind: "redis-resp", url: env.REDIS_URL, prefix: prefix.data };
  }
  if (restUrl || restToken) {
    if (!restUrl || !restToken) {
      throw new StoreSelectionError("UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together");
    }
    return { kind: "redis-rest", url: restUrl, token: restToken, prefix: prefix.data };
  }
  return { kind: "embedded" };
}
