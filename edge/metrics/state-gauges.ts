import type { Store } from "../store/store";
import type { NamesrvMetrics } from "./namesrv-metrics";

/**
 * Reads the registered state (brokers, groups, clusters, topics) from the store at scrape time. The
 * reads cost two store calls and a walk over every topic name, so an answer is reused for
 * `cacheMillis` (metricsStateCacheMillis): several Prometheus servers, or a dashboard reloading,
 * cost the store at most one read per interval.
 */
export function stateGauges(store: Store, metrics: NamesrvMetrics, cacheMillis: number, clock: () => number = Date.now): () => Promise<void> {
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | null = null;
  const read = async (): Promise<void> => {
    try {
      const [cluster, topics] = await Promise.all([store.getClusterInfo(), store.getAllTopics()]);
      let brokers = 0;
      for (const group of Object.values(cluster.brokerAddrTable)) brokers += Object.keys(group.brokerAddrs).length;
      metrics.activeBrokers.set([], brokers);
      metrics.brokerGroups.set([], Object.keys(cluster.brokerAddrTable).length);
      metrics.clusters.set([], Object.keys(cluster.clusterAddrTable).length);
      metrics.topics.set([], topics.length);
      metrics.stateReadable.set([], 1);
      readAt = clock();
    } catch (err) {
      metrics.stateReadable.set([], 0);
      throw err;
    }
  };
  return () => {
    if (clock() - readAt < cacheMillis) return Promise.resolve();
    // concurrent scrapes share one read
    reading ??= read().finally(() => {
      reading = null;
    });
    return reading;
  };
}
