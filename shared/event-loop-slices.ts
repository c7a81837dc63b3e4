/**
 * Long jobs on the event loop (validating and applying a registration of 100,000 topics) cut into
 * slices of a couple of milliseconds: between two slices every other request waiting to be served
 * is, so no client waits longer than a slice for a large registration.
 */

/** A registration with at least this many topics, or mappings, is applied in slices. */
export const LARGE_REGISTRATION_TOPICS = 2_000;

/** The time one slice may take before the job lets the event loop run. */
export const SLICE_MILLIS = 2;

/** How many units of work go between two looks at the clock. */
const UNITS_PER_CLOCK_CHECK = 32;

/** Resolves on a later turn of the event loop, after pending I/O (setImmediate, where there is one). */
export const nextTurn: () => Promise<void> =
  typeof setImmediate === "function"
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The clock of one sliced job: the job calls `due()` after each unit of work and, when it answers
 * true, `await next()` before the next unit.
 */
export class Slices {
  private units = 0;
  private sliceStart = performance.now();

  /** `millis` 0 yields after every unit (tests use it to interleave as much as possible). */
  constructor(private readonly millis: number = SLICE_MILLIS) {}

  /** Counts one unit of work; true when this slice has had its time. */
  due(): boolean {
    if (this.millis <= 0) return true;
    if (++this.units % UNITS_PER_CLOCK_CHECK !== 0) return false;
    return performance.now() - this.sliceStart >= this.millis;
  }

  /** Lets the event loop run, then starts a new slice. */
  async next(): Promise<void> {
    await nextTurn();
    this.sliceStart = performance.now();
  }
}

/**
 * The own keys of large records built in slices (a register body rebuilt from a Worker's columns),
 * kept beside them: listing the keys of an object of 100,000 properties (Object.keys, for-in) is
 * one step of tens of milliseconds, so code that walks such a record takes them from here.
 */
const knownKeys = new WeakMap<object, readonly string[]>();

/** Records `keys` as the own keys of `record`, in Object.keys order; `record` must not change after. */
export function rememberKeys(record: object, keys: readonly string[]): void {
  knownKeys.set(record, keys);
}

/** Object.keys(record), without listing them again when they were remembered. */
export function keysOf(record: object): readonly string[] {
  return knownKeys.get(record) ?? Object.keys(record);
}

/** Whether `record`'s keys were remembered (see rememberKeys). */
export function keysRemembered(record: unknown): boolean {
  return typeof record === "object" && record !== null && knownKeys.has(record);
}

/** The number of own keys of `record` (0 for what is not an object), listing them only when not remembered. */
export function keyCount(record: unknown): number {
  if (typeof record !== "object" || record === null) return 0;
  return (knownKeys.get(record) ?? Object.keys(record)).length;
}

/** Whether `key` is an array index, which Object.keys lists first, in numeric order. */
export function isArrayIndexKey(key: string): boolean {
  const first = key.charCodeAt(0);
  if (!(first >= 48 && first <= 57)) return false; // not a digit: the common case, decided at once
  const n = Number(key);
  return n >>> 0 === n && n !== 4294967295 && String(n) === key;
}

/**
 * Collects the keys of a record being built (add each new key once), and gives them in the order
 * Object.keys would list them.
 */
export class KeyList {
  private readonly names: string[] = [];
  private indexes: number[] | null = null;

  add(key: string): void {
    if (isArrayIndexKey(key)) (this.indexes ??= []).push(Number(key));
    else this.names.push(key);
  }

  keys(): string[] {
    if (this.indexes === null) return this.names;
    return [...this.indexes.sort((a, b) => a - b).map(String), ...this.names];
  }
}
