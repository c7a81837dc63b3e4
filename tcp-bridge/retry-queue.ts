import type { Logger } from "../shared/logger";

export interface RetryQueueOptions {
  /** Entries kept at most (unRegisterBrokerQueueCapacity); past it the oldest is given up. */
  capacity: number;
  /** How long an entry is retried before it is given up (unregisterRetryMaxMillis). */
  maxAgeMs: number;
  log: Logger;
  /** First delay, doubled after each failure up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  clock?: () => number;
}

interface Entry {
  key: string;
  attempt: () => Promise<void>;
  since: number;
  failures: number;
  dueAt: number;
}

/**
 * Bookkeeping that must happen even if the store is unavailable when it is first tried (the
 * unregistration of a closed broker connection): retried with a growing delay until it succeeds,
 * within a bounded queue and a bounded time, each outcome logged. Without it, a broker whose
 * connection closed during a store outage would stay in routes until its heartbeat timeout.
 */
export class RetryQueue {
  private readonly entries = new Map<string, Entry>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: () => number;
  /** Entries given up since the start (full queue or too old). */
  givenUp = 0;

  constructor(private readonly options: RetryQueueOptions) {
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Schedules `attempt` (which failed once already) to be retried under `key`; a later add replaces it. */
  add(key: string, attempt: () => Promise<void>): void {
    const now = this.clock();
    this.entries.delete(key);
    while (this.entries.size >= this.options.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.giveUp(oldest, "retry queue full");
    }
    this.entries.set(key, { key, attempt, since: now, failures: 1, dueAt: now + this.baseDelayMs });
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.entries.clear();
  }

  private giveUp(key: string, reason: string): void {
    this.entries.delete(key);
    this.givenUp++;
    this.options.log.error({ msg: "retry given up", key, reason });
  }

  private schedule(): void {
    if (this.timer || this.running || this.entries.size === 0) return;
    let due = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) due = Math.min(due, entry.dueAt);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runDue();
    }, Math.max(0, due - this.clock()));
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async runDue(): Promise<void> {
    this.running = true;
    const now = this.clock();
    for (const entry of [...this.entries.values()]) {
      if (entry.dueAt > now) continue;
      try {
        await entry.attempt();
        if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
        this.options.log.info({ msg: "retry succeeded", key: entry.key, failures: entry.failures });
      } catch (err) {
        if (this.entries.get(entry.key) !== entry) continue;
        entry.failures++;
        if (this.clock() - entry.since >= this.options.maxAgeMs) {
          this.giveUp(entry.key, `still failing after ${this.options.maxAgeMs} ms: ${String(err)}`);
          continue;
        }
        entry.dueAt = this.clock() + Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (entry.failures - 1));
      }
    }
    this.running = false;
    this.schedule();
  }
}
