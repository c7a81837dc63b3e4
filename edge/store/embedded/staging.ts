/**
 * Writes a registration prepares in slices and makes visible all at once.
 *
 * A large registration stages its writes into the per-topic entries of the route tables, slice by
 * slice; readers do not see them. Its commit is one assignment (`staging.state = "committed"`),
 * after which every staged write of it counts as done; an abandoned staging's writes count as never
 * made. Each entry folds its finished writes into its own data the next time it is used.
 */
export class Staging {
  state: "open" | "committed" | "abandoned" = "open";

  commit(): void {
    if (this.state === "open") this.state = "committed";
  }

  abandon(): void {
    if (this.state === "open") this.state = "abandoned";
  }
}

/** One staged write of an entry keyed by broker name: `value` null removes the broker's entry. */
export interface StagedWrite<V> {
  staging: Staging;
  key: string;
  value: V | null;
}

/**
 * Folds the finished writes of `writes` into `target` (in the order they were staged) with
 * `apply`, and answers the writes still open (`writes` itself when none has finished), or null
 * when none is.
 */
export function settleStaged<V, T>(
  writes: StagedWrite<V>[],
  target: T,
  apply: (target: T, key: string, value: V | null) => void,
): StagedWrite<V>[] | null {
  if (writes.every(isOpen)) return writes;
  let open: StagedWrite<V>[] | null = null;
  for (const write of writes) {
    if (write.staging.state === "committed") apply(target, write.key, write.value);
    else if (write.staging.state === "open") (open ??= []).push(write);
  }
  return open;
}

/** Stages `value` for `key` in `writes`, replacing what the same staging staged for it before. */
export function stageWrite<V>(writes: StagedWrite<V>[] | null, staging: Staging, key: string, value: V | null): StagedWrite<V>[] {
  const list = writes ?? [];
  const previous = list.find((w) => w.staging === staging && w.key === key);
  if (previous) previous.value = value;
  else list.push({ staging, key, value });
  return list;
}

const isOpen = (write: StagedWrite<unknown>): boolean => write.staging.state === "open";
