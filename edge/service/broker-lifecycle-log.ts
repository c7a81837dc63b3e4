import type { DataVersion } from "../../shared/model";
import type { Logger } from "../../shared/logger";
import type { BrokerUnregistration } from "../store/store";

/** Why a broker left the route table. */
export type BrokerDeparture = "unregistered by request" | "connection closed" | "expired";

interface BrokerNames {
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  brokerId: number;
}

/**
 * The brokers' lifecycle as info lines (`msg: "broker lifecycle"`), one place for every runtime:
 * registered for the first time, registered with a changed body, gone (by request, by connection
 * close, by expiry). Each names the cluster, the broker, its address and the reason, so that an
 * operator can follow one broker with a single filter. An unchanged re-registration (nearly all of
 * them) writes nothing.
 */
export class BrokerLifecycleLog {
  constructor(private readonly log: Logger) {}

  /** Whether a line would be written: deciding "first or changed" costs the store a read. */
  get enabled(): boolean {
    return this.log.enabled("info");
  }

  registered(broker: BrokerNames, first: boolean, dataVersion: DataVersion | null | undefined, topics: number): void {
    this.write(first ? "registered" : "changed", first ? "first registration" : "register body changed", broker, {
      ...(dataVersion ? { dataVersion: { counter: dataVersion.counter, timestamp: dataVersion.timestamp } } : {}),
      topics,
    });
  }

  unregistered(brokers: readonly BrokerUnregistration[], reason: BrokerDeparture, detail: Record<string, unknown> = {}): void {
    for (const broker of brokers) this.write(reason === "expired" ? "expired" : "unregistered", reason, broker, detail);
  }

  private write(event: string, reason: string, broker: BrokerNames, detail: Record<string, unknown>): void {
    this.log.info({
      msg: "broker lifecycle",
      event,
      reason,
      cluster: broker.clusterName,
      brokerName: broker.brokerName,
      brokerId: broker.brokerId,
      brokerAddr: broker.brokerAddr,
      ...detail,
    });
  }
}
