import type { AdminClient } from "./admin-client";
import type { CliArgs } from "./args";
import { brokerKey, brokerRows, type BrokerRow } from "./broker-rows";
import { formatTable } from "./table";

export interface BrokerEvent {
  time: string;
  event: "registered" | "unregistered" | "moved";
  cluster: string;
  brokerName: string;
  brokerId: number;
  addr: string;
}

/** What changed between two views of the brokers: arrivals, departures, an instance on a new address. */
export function brokerEvents(before: ReadonlyMap<string, BrokerRow> | null, after: readonly BrokerRow[], time: string): BrokerEvent[] {
  if (before === null) return [];
  const events: BrokerEvent[] = [];
  const seen = new Set<string>();
  const event = (kind: BrokerEvent["event"], row: BrokerRow): BrokerEvent => ({
    time,
    event: kind,
    cluster: row.cluster,
    brokerName: row.brokerName,
    brokerId: row.brokerId,
    addr: row.addr,
  });
  for (const row of after) {
    const key = brokerKey(row);
    seen.add(key);
    const previous = before.get(key);
    if (!previous) events.push(event("registered", row));
    else if (previous.addr !== row.addr) events.push(event("moved", row));
  }
  for (const [key, row] of before) if (!seen.has(key)) events.push(event("unregistered", row));
  return events;
}

const RECENT_EVENTS = 20;
const CLEAR_SCREEN = "\x1b[2J\x1b[H";

/**
 * Polls the brokers every `intervalSeconds` and shows them with what changed: a redrawn screen on
 * a terminal, one JSON line per refresh with --json (for a log or jq). A refresh that fails is
 * shown and the next one tried; it stops after `iterations` refreshes, or when `signal` aborts.
 */
export async function watch(
  args: CliArgs,
  client: AdminClient,
  write: (text: string) => void,
  options: { terminal: boolean; signal?: AbortSignal; now?: () => Date } = { terminal: false },
): Promise<number> {
  const now = options.now ?? (() => new Date());
  let previous: Map<string, BrokerRow> | null = null;
  const recent: BrokerEvent[] = [];
  for (let refresh = 1; ; refresh++) {
    const time = now().toISOString();
    try {
      const rows = brokerRows(await client.clusterInfo(), args.cluster);
      const events = brokerEvents(previous, rows, time);
      previous = new Map(rows.map((row) => [brokerKey(row), row]));
      recent.push(...events);
      recent.splice(0, Math.max(0, recent.length - RECENT_EVENTS));
      if (args.json) write(`${JSON.stringify({ time, brokers: rows, events })}\n`);
      else write(screen(client.target, time, args.intervalSeconds, rows, recent, options.terminal));
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (args.json) write(`${JSON.stringify({ time, error })}\n`);
      else write(`${options.terminal ? CLEAR_SCREEN : ""}${client.target}  ${time}  unreachable: ${error}\n`);
    }
    if (args.iterations > 0 && refresh >= args.iterations) return 0;
    if (!(await sleep(args.intervalSeconds * 1000, options.signal))) return 0;
  }
}

function screen(target: string, time: string, intervalSeconds: number, rows: BrokerRow[], recent: BrokerEvent[], terminal: boolean): string {
  const groups = new Set(rows.map((r) => `${r.cluster}/${r.brokerName}`)).size;
  const head = `${target}  ${time}  every ${intervalSeconds}s  ${rows.length} broker(s) in ${groups} group(s)\n\n`;
  const table = formatTable(["CLUSTER", "BROKER", "ID", "ROLE", "ADDRESS"], rows.map((r) => [r.cluster, r.brokerName, r.brokerId, r.role, r.addr]));
  const events = recent.length
    ? `\nrecent changes:\n${recent.map((e) => `  ${e.time}  ${e.event.padEnd(12)} ${e.cluster}/${e.brokerName}/${e.brokerId} ${e.addr}`).join("\n")}\n`
    : "";
  return `${terminal ? CLEAR_SCREEN : ""}${head}${table}${events}${terminal ? "" : "\n"}`;
}

/** Resolves true after `ms`, false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
