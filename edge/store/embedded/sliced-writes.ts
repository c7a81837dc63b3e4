import { Slices } from "../../../shared/event-loop-slices";
import type { RouteTables } from "./route-tables";

/**
 * The registrations and unregistrations being applied in slices, so that other writes concerning
 * the same brokers (or the connection that carries such a registration) can wait for their
 * commit, and the clean-ups that follow each of them.
 */
export class SlicedWrites {
  /** By broker name: the connection that carries a registration, and when it is committed (or failed). */
  private readonly applying = new Map<string, { channel: string | null; settled: Promise<void> }>();
  /** The clean-ups of finished stagings, one after the other (see tidy). */
  private tidying: Promise<void> = Promise.resolve();

  constructor(
    private readonly tables: RouteTables,
    private readonly sliceMillis: number,
  ) {}

  /** Marks `brokerNames` as being written by `run` (carried by `channel`) until it settles. */
  hold<T>(brokerNames: Iterable<string>, channel: string | null, run: Promise<T>): Promise<T> {
    const names = [...brokerNames];
    const done = () => {
      for (const name of names) if (this.applying.get(name)?.settled === settled) this.applying.delete(name);
    };
    const settled: Promise<void> = run.then(done, done);
    for (const name of names) this.applying.set(name, { channel, settled });
    return run;
  }

  /** When one of these brokers is being written in slices: a promise of its commit; null otherwise. */
  busyFor(items: Iterable<{ brokerName: string }>): Promise<void> | null {
    if (this.applying.size === 0) return null;
    for (const { brokerName } of items) {
      const busy = this.applying.get(brokerName);
      if (busy) return busy.settled;
    }
    return null;
  }

  /** When a registration carried by `channel` is being applied in slices: a promise of its commit; null otherwise. */
  busyOn(channel: string): Promise<void> | null {
    for (const { channel: carrier, settled } of this.applying.values()) if (carrier === channel) return settled;
    return null;
  }

  /**
   * After a staging was committed or dropped, folds its writes into the entries it touched and
   * removes the entries left empty, in slices, so that no empty entry stays behind.
   */
  tidy(topics: string[], mappingTopics: string[]): void {
    const run = async (): Promise<void> => {
      const slices = new Slices(this.sliceMillis);
      for (const topic of topics) {
        if (slices.due()) await slices.next();
        this.tables.dropIfEmpty(topic);
      }
      for (const topic of mappingTopics) {
        if (slices.due()) await slices.next();
        this.tables.dropMappingsIfEmpty(topic);
      }
    };
    // only memory is at stake: a clean-up that fails leaves empty entries, which no reader shows
    this.tidying = this.tidying.then(run).catch(() => undefined);
  }

  /** Resolves once every write held so far has settled and its clean-up has run. */
  async settled(): Promise<void> {
    await Promise.all([...this.applying.values()].map((a) => a.settled));
    await this.tidying;
  }
}
