import type { BrokerUnregistration, MinBrokerIdChange, UnregisteredBroker } from "./store";

/**
 * The removed brokers of one batch as unregisterChannel and expireBrokers answer them: each group's
 * min-id change goes on the last removal of that group at its offline address (the one that named it).
 */
export function withMinBrokerIdChanges(removed: BrokerUnregistration[], changes: MinBrokerIdChange[]): UnregisteredBroker[] {
  const out: UnregisteredBroker[] = removed.map((r) => ({
    clusterName: r.clusterName,
    brokerAddr: r.brokerAddr,
    brokerName: r.brokerName,
    brokerId: r.brokerId,
  }));
  for (const change of changes) {
    for (let i = out.length - 1; i >= 0; i--) {
      if (out[i].brokerName === change.brokerName && out[i].brokerAddr === change.offlineBrokerAddr) {
        out[i].minBrokerIdChange = change;
        break;
      }
    }
  }
  return out;
}
