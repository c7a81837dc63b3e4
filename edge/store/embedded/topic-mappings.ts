import type { TopicQueueMappingInfo } from "../../../shared/model";
import { settleStaged, stageWrite, type StagedWrite, type Staging } from "./staging";

/**
 * The static-topic mappings of one topic, by broker name (the `bname` of each mapping). Like
 * TopicQueues, it takes writes staged by a registration being applied in slices and shows them
 * once that registration has committed.
 */
export class TopicMappings {
  private readonly byBroker = new Map<string, TopicQueueMappingInfo>();
  private staged: StagedWrite<TopicQueueMappingInfo>[] | null = null;

  set(brokerName: string, info: TopicQueueMappingInfo): void {
    this.settle();
    this.byBroker.set(brokerName, info);
  }

  /** The mappings in the order their brokers first appeared; callers must not change them. */
  entries(): [string, TopicQueueMappingInfo][] {
    this.settle();
    return [...this.byBroker];
  }

  /** No mapping, and none staged by a registration still being applied: the topic's entry can go. */
  isEmpty(): boolean {
    this.settle();
    return this.byBroker.size === 0 && this.staged === null;
  }

  stage(staging: Staging, brokerName: string, info: TopicQueueMappingInfo): void {
    this.settle();
    this.staged = stageWrite(this.staged, staging, brokerName, info);
  }

  private settle(): void {
    if (this.staged !== null) this.staged = settleStaged(this.staged, this.byBroker, writeMapping);
  }
}

function writeMapping(byBroker: Map<string, TopicQueueMappingInfo>, brokerName: string, info: TopicQueueMappingInfo | null): void {
  if (info === null) byBroker.delete(brokerName);
  else byBroker.set(brokerName, info);
}
