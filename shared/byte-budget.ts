/**
 * A count of bytes held across many holders (connections) against one limit: a holder takes
 * before it buffers and gives back when it lets go. Refusing a take is how a shared memory bound
 * is kept without any holder knowing of the others.
 */
export class ByteBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  /** Bytes taken and not given back. */
  get used(): number {
    return this.held;
  }

  /** Takes `bytes` if they fit under the limit; false (and nothing taken) if not. */
  tryTake(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  /** Takes `bytes` even past the limit (what must be held regardless); true while still within it. */
  take(bytes: number): boolean {
    this.held += bytes;
    return this.held <= this.limit;
  }

  give(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }
}

/** A budget that never refuses (a decoder used on its own, in tests and tools). */
export const unlimitedBudget = (): ByteBudget => new ByteBudget(Number.POSITIVE_INFINITY);
