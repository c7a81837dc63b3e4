/**
 * Acknowledged writes: a write of a replicated script (KV, configuration, access control) is
 * confirmed to the caller only after the primary reports, with WAIT, that its replicas hold it, so
 * that a failover to one of them cannot lose it. Brokers' registrations do not wait: a broker sends
 * its registration again every 30 s, so a failover that loses one is repaired by the next.
 *
 * WAIT counts the writes of the connection it is sent on, so both commands below must go over the
 * connection that carried the write (each transport says how). A primary without online replicas
 * cannot confirm anything: the write is then acknowledged as it stands (there is nothing a failover
 * could promote), and WAIT asks for no more replicas than are online, so that an absent replica
 * costs no timeout.
 */
import type { ReplicaAck } from "../store-selection";
import { RedisTransportError, type RedisConnectionEvents } from "./redis-transport";

/** Sends one command over the connection that carried the write. */
export type SameConnection = (args: string[]) => Promise<unknown>;

/** How many replicas confirmed, of how many online. */
export interface ReplicaConfirmation {
  online: number;
  confirmed: number;
}

/** `events` hears of every write the replicas did not confirm in time. */
export async function confirmOnReplicas(
  send: SameConnection,
  ack: ReplicaAck,
  what: string,
  events?: Pick<RedisConnectionEvents, "unconfirmed">,
): Promise<ReplicaConfirmation> {
  if (ack.replicas <= 0) return { online: 0, confirmed: 0 };
  const online = onlineReplicas(await send(["INFO", "replication"]));
  const wanted = Math.min(ack.replicas, online);
  if (wanted === 0) return { online, confirmed: 0 };
  const confirmed = Number(await send(["WAIT", String(wanted), String(ack.timeoutMs)]));
  if (!(confirmed >= wanted)) {
    events?.unconfirmed(what);
    throw new RedisTransportError(
      `${what}: written on the primary but confirmed by ${Number.isFinite(confirmed) ? confirmed : 0} of ${wanted} replica(s) within ` +
        `${ack.timeoutMs} ms (REDIS_WAIT_TIMEOUT_MS); a failover now could lose it, so it is not acknowledged: retry`,
    );
  }
  return { online, confirmed };
}

/** The number of replicas in state=online in an `INFO replication` reply. */
export function onlineReplicas(info: unknown): number {
  const text = typeof info === "string" ? info : info instanceof Uint8Array ? new TextDecoder().decode(info) : String(info ?? "");
  let n = 0;
  for (const line of text.split(/\r?\n/)) {
    if (/^slave\d+:/.test(line) && /(?:^|[:,])state=online(?:,|$)/.test(line)) n++;
  }
  return n;
}
