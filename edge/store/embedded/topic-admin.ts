import { Perm } from "../../../shared/codes";
import type { QueueData } from "../../../shared/model";
import type { RouteTables } from "./route-tables";
import { TopicQueues } from "./topic-queues";

/**
 * The administrative writes to the topic tables (PROTOCOL §3.7, §3.9, §4.5): write permission,
 * topic deletion and REGISTER_TOPIC_IN_NAMESRV. Each runs in one synchronous step.
 */

/** Clears the write bit of every QueueData of the broker; answers how many topics it touched. */
export function wipeWritePerm(tables: RouteTables, brokerName: string): number {
  return updatePerm(tables, brokerName, (perm) => perm & ~Perm.WRITE);
}

/** Sets perm to read and write on every QueueData of the broker; answers how many topics it touched. */
export function addWritePerm(tables: RouteTables, brokerName: string): number {
  return updatePerm(tables, brokerName, () => Perm.READ | Perm.WRITE);
}

function updatePerm(tables: RouteTables, brokerName: string, update: (perm: number) => number): number {
  let count = 0;
  for (const queueDataMap of tables.topicQueueTable.values()) {
    const queueData = queueDataMap.get(brokerName);
    if (!queueData) continue;
    queueDataMap.set(tables.sharedQueueData({ ...queueData, perm: update(queueData.perm) }));
    count++;
  }
  return count;
}

/** Deletes the topic, or (with a cluster name) only the queues of that cluster's brokers. */
export function deleteTopic(tables: RouteTables, topic: string, clusterName: string | null): void {
  const queueDataMap = tables.topicQueueTable.get(topic);
  if (!queueDataMap) return;
  if (clusterName === null) {
    if (queueDataMap.size > 0) tables.queueRemovals++;
    queueDataMap.clear();
  } else {
    const brokerNames = tables.clusterAddrTable.get(clusterName);
    if (!brokerNames || brokerNames.size === 0) return;
    for (const brokerName of brokerNames) if (queueDataMap.delete(brokerName)) tables.queueRemovals++;
  }
  if (queueDataMap.isEmpty()) tables.topicQueueTable.delete(topic);
}

/**
 * REGISTER_TOPIC_IN_NAMESRV with at least one QueueData (an empty list is a no-op the caller
 * handles): every QueueData's broker must be known (PROTOCOL §4.5).
 */
export function registerTopic(tables: RouteTables, topic: string, queueDatas: QueueData[]): void {
  const existing = tables.topicQueueTable.get(topic);
  if (existing) {
    // applied one by one: entries before an unknown broker stay applied
    for (const queueData of queueDatas) {
      if (!tables.brokerAddrTable.has(queueData.brokerName)) return;
      existing.set(tables.sharedQueueData(queueData));
    }
    return;
  }
  const queueDataMap = new TopicQueues();
  for (const queueData of queueDatas) {
    if (!tables.brokerAddrTable.has(queueData.brokerName)) return;
    queueDataMap.set(tables.sharedQueueData(queueData));
  }
  tables.topicQueueTable.set(topic, queueDataMap);
}
