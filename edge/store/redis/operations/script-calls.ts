import type { StoreKeys } from "../lua/keys";
import type { RedisScript } from "../redis-transport";

/**
 * What an operation gets from the store (redis-store.ts): key names, the options that shape its
 * requests, and script calls whose errors are translated (redis-errors.ts).
 */
export interface ScriptCalls {
  readonly keys: StoreKeys;
  /** Most topics one script of a registration or unregistration handles. */
  readonly chunkTopics: number;
  /** Largest registration request sent in one piece (approximate bytes of the arguments). */
  readonly maxRequestBytes: number;
  /** How many times the outcome of a registration whose answer was lost is asked for. */
  readonly outcomeChecks: number;
  /** One script call; one refused because a broker's overlay is not folded yet folds it and is repeated. */
  run(script: RedisScript, args: string[]): Promise<string | null>;
  /** run, the reply parsed as JSON (nil stays null). */
  runJson(script: RedisScript, args: string[]): Promise<unknown>;
  /** One script call, never repeated (a step of the fold itself). */
  runOnce(script: RedisScript, args: string[]): Promise<string | null>;
  /** The transport's eval, errors as the transport raised them (the outcome check tells them apart). */
  evalUntranslated(script: RedisScript, args: string[]): Promise<unknown>;
}
