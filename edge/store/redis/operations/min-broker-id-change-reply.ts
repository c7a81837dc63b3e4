import type { MinBrokerIdChange } from "../../store";
import { RedisStoreDataError } from "../redis-errors";

/**
 * A min-id change as a script answers it, checked: a notification built from a malformed one would
 * send brokers a wrong address.
 */
export function minBrokerIdChange(value: unknown, where: string): MinBrokerIdChange {
  const c = value as Partial<MinBrokerIdChange> | null;
  const addrs = c?.brokerAddrs as unknown;
  const ok =
    c !== null &&
    typeof c === "object" &&
    typeof c.brokerName === "string" &&
    addrs !== null &&
    typeof addrs === "object" &&
    !Array.isArray(addrs) &&
    Object.keys(addrs).length > 0 &&
    Object.entries(addrs).every(([id, addr]) => /^-?\d+$/.test(id) && typeof addr === "string") &&
    (c.offlineBrokerAddr === null || c.offlineBrokerAddr === undefined || typeof c.offlineBrokerAddr === "string") &&
    typeof c.enableActingMaster === "boolean";
  if (!ok) throw new RedisStoreDataError(`unexpected min broker id change from ${where}`);
  return {
    brokerName: c.brokerName!,
    brokerAddrs: { ...(addrs as Record<string, string>) },
    offlineBrokerAddr: c.offlineBrokerAddr ?? null,
    enableActingMaster: c.enableActingMaster!,
  };
}
