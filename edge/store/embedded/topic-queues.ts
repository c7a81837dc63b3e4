import type { QueueData } from "../../../shared/model";
import { settleStaged, stageWrite, type StagedWrite, type Staging } from "./staging";

/**
 * The QueueData of one topic, at most one per broker name, in the order the brokers first appeared
 * (as a Map would keep them). A topic has a handful of brokers, so a small array searched by name
 * costs a fraction of a Map's memory; the embedded store holds one of these per topic.
 *
 * A registration applied in slices stages its writes here (see Staging): every method below sees
 * them only once that registration has committed.
 */
export class TopicQueues {
  private readonly items: QueueData[] = [];
  private staged: StagedWrite<QueueData>[] | null = null;

  static of(first: QueueData): TopicQueues {
    const queues = new TopicQueues();
    queues.items.push(first);
    return queues;
  }

  get size(): number {
    this.settle();
    return this.items.length;
  }

  get(brokerName: string): QueueData | undefined {
    this.settle();
    return this.items[this.indexOf(brokerName)];
  }

  has(brokerName: string): boolean {
    this.settle();
    return this.indexOf(brokerName) >= 0;
  }

  /** Replaces the broker's entry in place, or adds it at the end. */
  set(queueData: QueueData): void {
    this.settle();
    const i = this.indexOf(queueData.brokerName);
    if (i >= 0) this.items[i] = queueData;
    else this.items.push(queueData);
  }

  delete(brokerName: string): boolean {
    this.settle();
    const i = this.indexOf(brokerName);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  /** Removes every entry; writes still staged stay staged. */
  clear(): void {
    this.settle();
    this.items.length = 0;
  }

  brokerNames(): string[] {
    this.settle();
    return this.items.map((q) => q.brokerName);
  }

  /** The brokers with an entry, and those a registration being applied has staged one for. */
  brokerNamesWithStaged(): string[] {
    const names = this.brokerNames();
    for (const write of this.staged ?? []) if (!names.includes(write.key)) names.push(write.key);
    return names;
  }

  /** The entries in order; callers must not change the array. */
  values(): readonly QueueData[] {
    this.settle();
    return this.items;
  }

  /** No entry, and none staged by a registration still being applied: the topic can go. */
  isEmpty(): boolean {
    this.settle();
    return this.items.length === 0 && this.staged === null;
  }

  /** Stages the broker's entry (`value`), or its removal (null), for `staging`'s commit. */
  stage(staging: Staging, brokerName: string, value: QueueData | null): void {
    this.settle();
    this.staged = stageWrite(this.staged, staging, brokerName, value);
  }

  /** What `staging` staged for the broker: a QueueData, null for a removal, undefined for nothing. */
  stagedBy(staging: Staging, brokerName: string): QueueData | null | undefined {
    return this.staged?.find((w) => w.staging === staging && w.key === brokerName)?.value;
  }

  /** Folds the writes of finished stagings into the entries (see Staging). */
  private settle(): void {
    if (this.staged !== null) this.staged = settleStaged(this.staged, this, TopicQueues.write);
  }

  /** Replaces, adds or (null) removes the broker's entry (static: one function for every topic). */
  private static write(queues: TopicQueues, brokerName: string, value: QueueData | null): void {
    const i = queues.indexOf(brokerName);
    if (value === null) {
      if (i >= 0) queues.items.splice(i, 1);
    } else if (i >= 0) queues.items[i] = value;
    else queues.items.push(value);
  }

  private indexOf(brokerName: string): number {
    const items = this.items;
    for (let i = 0; i < items.length; i++) if (items[i].brokerName === brokerName) return i;
    return -1;
  }
}
