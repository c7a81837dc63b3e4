import type { MinBrokerIdChange } from "../store/store";

/**
 * The header of NOTIFY_MIN_BROKER_ID_CHANGE (905) as the Java NameServer fills it
 * (NotifyMinBrokerIdChangeRequestHeader; its brokerName field is left unset there, and here).
 */
export interface MinBrokerIdChangeNotice {
  minBrokerId: number;
  minBrokerAddr: string;
  offlineBrokerAddr: string | null;
  haBrokerAddr: string | null;
}

/**
 * Sends notices to brokers. The services decide what to send to whom; how it reaches a broker is a
 * transport's business (tcp-bridge/broker-notifier.ts), so that edge/ holds no sockets.
 */
export interface BrokerNotifier {
  /** Oneway to each broker's own address: returns at once, never throws, expects no answer. */
  notifyMinBrokerIdChange(brokerAddrs: string[], notice: MinBrokerIdChangeNotice): void;
}

/** Who is told what, as RouteInfoManager.notifyMinBrokerIdChanged and chooseBrokerAddrsToNotify decide. */
export interface MinBrokerIdNotification {
  brokerAddrs: string[];
  notice: MinBrokerIdChangeNotice;
}

/**
 * A registration lowered the group's smallest id: the members other than the new smallest are told
 * (the only member, when it is alone), with the newcomer's HA address.
 */
export function registrationNotification(change: MinBrokerIdChange, haServerAddr: string | null): MinBrokerIdNotification {
  const { minBrokerId, ids } = smallest(change);
  const brokerAddrs = ids.length === 1 ? [change.brokerAddrs[ids[0]]] : ids.filter((id) => Number(id) !== minBrokerId).map((id) => change.brokerAddrs[id]);
  return {
    brokerAddrs,
    notice: { minBrokerId, minBrokerAddr: change.brokerAddrs[String(minBrokerId)], offlineBrokerAddr: null, haBrokerAddr: haServerAddr },
  };
}

/**
 * An unregistration removed the group's smallest id: every remaining member is told, and only in a
 * group that enables acting master (Java checks the flag on this path only). null: nobody is told.
 */
export function unregistrationNotification(change: MinBrokerIdChange): MinBrokerIdNotification | null {
  if (!change.enableActingMaster) return null;
  const { minBrokerId, ids } = smallest(change);
  return {
    brokerAddrs: ids.map((id) => change.brokerAddrs[id]),
    notice: {
      minBrokerId,
      minBrokerAddr: change.brokerAddrs[String(minBrokerId)],
      offlineBrokerAddr: change.offlineBrokerAddr,
      haBrokerAddr: null,
    },
  };
}

function smallest(change: MinBrokerIdChange): { minBrokerId: number; ids: string[] } {
  const ids = Object.keys(change.brokerAddrs).sort((a, b) => Number(a) - Number(b));
  return { minBrokerId: Number(ids[0]), ids };
}
