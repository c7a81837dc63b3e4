/**
 * The names fuzz requests use. Most come from small pools, so that requests meet the state earlier
 * ones left (a registration, then its route, its removal, its permissions); some are one-off, so
 * that a refused request's traces are told apart from an accepted one's. None can collide with the
 * sentinel's names (sentinel.ts): those start with `sentinel-`, these with `fz-` (or are odd strings).
 */
import type { Random } from "./random";

const BROKER_POOL = 12;
const TOPIC_POOL = 48;
const KV_POOL = 8;

export interface BrokerIdentity {
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  brokerId: number;
}

/**
 * A broker of the pool (its address and cluster fixed by its name, master or slave), or a one-off
 * broker at an address of its own.
 */
export function brokerIdentity(rng: Random): BrokerIdentity {
  if (rng.chance(0.6)) {
    const i = rng.int(BROKER_POOL);
    const brokerId = rng.chance(0.8) ? 0 : 1;
    return {
      clusterName: `fz-cluster-${i % 3}`,
      brokerName: `fz-broker-${i}`,
      brokerAddr: `127.0.0.1:${21000 + i * 4 + brokerId}`,
      brokerId,
    };
  }
  return {
    clusterName: `fz-cluster-${rng.int(3)}`,
    brokerName: `fz-broker-u${rng.next().toString(36)}`,
    brokerAddr: `127.0.${rng.range(1, 254)}.${rng.range(1, 254)}:${rng.range(1024, 65535)}`,
    brokerId: 0,
  };
}

export function clusterName(rng: Random): string {
  return `fz-cluster-${rng.int(4)}`;
}

/** A topic name Java accepts (`[%|a-zA-Z0-9_-]`, at most 127 characters). */
export function topicName(rng: Random): string {
  switch (rng.int(6)) {
    case 0:
      return `fz-topic-u${rng.next().toString(36)}`;
    case 1:
      return `%RETRY%fz-group-${rng.int(4)}`;
    case 2: {
      const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-%|";
      let s = "fz-";
      const n = rng.range(1, 124);
      for (let i = 0; i < n; i++) s += chars[rng.int(chars.length)];
      return s;
    }
    default:
      return `fz-topic-${rng.int(TOPIC_POOL)}`;
  }
}

export function kvNamespace(rng: Random): string {
  return rng.chance(0.2) ? "ORDER_TOPIC_CONFIG" : `fz-ns-${rng.int(KV_POOL)}`;
}

/** A KV key; in the order-config namespace it names a fuzz topic (never the sentinel's). */
export function kvKey(rng: Random): string {
  return rng.chance(0.5) ? `fz-topic-${rng.int(TOPIC_POOL)}` : `fz-key-${rng.int(KV_POOL * 4)}`;
}
