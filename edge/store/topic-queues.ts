import type { QueueData } from "../../shared/model";

/**
 * The QueueData of one topic, at most one per broker name, in the order the brokers first appeared
 * (as a Map would keep them). A topic has a handful of brokers, so a small array searched by name
 * costs a fraction of a Map's memory; the embedded store holds one of these per topic.
 */
export class TopicQueues {
  private readonly items: QueueData[] = [];

  static of(first: QueueData): TopicQueues {
    const queues = new TopicQueues();
    queues.items.push(first);
    return queues;
  }

  get size(): number {
    return this.items.length;
  }

  get(brokerName: string): QueueData | undefined {
    return this.items[this.indexOf(brokerName)];
  }

  has(brokerName: string): boolean {
    return this.indexOf(brokerName) >= 0;
  }

  /** Replaces the broker's entry in place, or adds it at the end. */
  set(queueData: QueueData): void {
    const i = this.indexOf(queueData.brokerName);
    if (i >= 0) this.items[i] = queueData;
    else this.items.push(queueData);
  }

  delete(brokerName: string): boolean {
    const i = this.indexOf(brokerName);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  brokerNames(): string[] {
    return this.items.map((q) => q.brokerName);
  }

  /** The entries in order; callers must not change the array. */
  values(): readonly QueueData[] {
    return this.items;
  }

  private indexOf(brokerName: string): number {
    const items = this.items;
    for (let i = 0; i < items.length; i++) if (items[i].brokerName === brokerName) return i;
    return -1;
  }
}
