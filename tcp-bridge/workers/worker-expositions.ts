/**
 * One Prometheus exposition for all the processes of NAMESRV_WORKERS, served by the primary: every
 * series of a process gets a `worker="<index>"` label (the primary is 0), so that a sum over workers
 * is the instance's total. The series that describe the shared store rather than a process (the
 * state gauges, `up`) are taken from the primary alone and carry no worker label: every worker reads
 * the same store, and a sum or count over the instance must not multiply them.
 */
import { formatValue } from "../../edge/metrics/registry";

/** Families read from the shared store or saying that the instance answers: one copy per instance. */
export const INSTANCE_FAMILIES: ReadonlySet<string> = new Set([
  "rocketmq_namesrv_up",
  "rocketmq_namesrv_active_brokers",
  "rocketmq_namesrv_broker_groups",
  "rocketmq_namesrv_clusters",
  "rocketmq_namesrv_topics",
  "rocketmq_namesrv_state_readable",
]);

export interface ProcessExposition {
  /** 0: the primary */
  index: number;
  text: string;
}

interface ParsedFamily {
  help: string;
  type: string;
  samples: string[];
}

/** The families of one exposition in order; sample lines are kept as written. */
function parse(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | null = null;
  const familyOf = (name: string) => {
    let family = families.get(name);
    if (!family) {
      family = { help: "", type: "untyped", samples: [] };
      families.set(name, family);
    }
    return family;
  };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      current = familyOf(meta[2]);
      if (meta[1] === "HELP") current.help = meta[3];
      else current.type = meta[3];
    } else if (!line.startsWith("#")) {
      // a sample before any HELP or TYPE (not written by our registry) is a family of its own
      (current ?? familyOf(/^[^{\s]+/.exec(line)![0])).samples.push(line);
    }
  }
  return families;
}

/** `name{a="b"} 1` → `name{worker="i",a="b"} 1`; the label goes first, so values with braces need no parsing. */
export function withWorkerLabel(sample: string, index: number): string {
  const nameEnd = sample.search(/[{\s]/);
  const label = `worker="${index}"`;
  if (nameEnd < 0) return sample;
  if (sample[nameEnd] === "{") {
    const rest = sample.slice(nameEnd + 1);
    return `${sample.slice(0, nameEnd)}{${label}${rest.startsWith("}") ? "" : ","}${rest}`;
  }
  return `${sample.slice(0, nameEnd)}{${label}}${sample.slice(nameEnd)}`;
}

/**
 * The merged exposition of `parts` (the primary's first), with two gauges of the workers themselves:
 * how many are configured, and how many answered for this scrape (the missing ones' series are absent).
 */
export function mergeExpositions(parts: readonly ProcessExposition[], configured: number): string {
  const merged = new Map<string, ParsedFamily>();
  for (const part of parts) {
    for (const [name, family] of parse(part.text)) {
      const instanceWide = INSTANCE_FAMILIES.has(name);
      if (instanceWide && part.index !== 0) continue;
      let target = merged.get(name);
      if (!target) {
        target = { help: family.help, type: family.type, samples: [] };
        merged.set(name, target);
      }
      for (const sample of family.samples) target.samples.push(instanceWide ? sample : withWorkerLabel(sample, part.index));
    }
  }
  merged.set("rocketmq_namesrv_workers", {
    help: "Bridge processes configured to serve the remoting port (NAMESRV_WORKERS), the primary included",
    type: "gauge",
    samples: [`rocketmq_namesrv_workers ${formatValue(configured)}`],
  });
  merged.set("rocketmq_namesrv_workers_answering", {
    help: "Processes whose series are in this scrape, the primary included; below rocketmq_namesrv_workers, the others did not answer in time or were restarting",
    type: "gauge",
    samples: [`rocketmq_namesrv_workers_answering ${formatValue(parts.length)}`],
  });
  const out: string[] = [];
  for (const [name, family] of merged) {
    out.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`, ...family.samples);
  }
  return out.join("\n") + "\n";
}

/** How long the primary's /metrics waits for a worker's series before leaving them out. */
export const WORKER_METRICS_TIMEOUT_MS = 1000;

/** The primary's GET /metrics source: its own registry's exposition merged with its workers'. */
export function instanceExposition(
  own: { expose(onError?: (err: unknown) => void): Promise<string> },
  workers: () => { expositions(timeoutMs: number): Promise<ProcessExposition[]> } | null,
  configured: number,
): { expose(onError?: (err: unknown) => void): Promise<string> } {
  return {
    async expose(onError) {
      const [text, others] = await Promise.all([own.expose(onError), workers()?.expositions(WORKER_METRICS_TIMEOUT_MS) ?? Promise.resolve([])]);
      return mergeExpositions([{ index: 0, text }, ...others], configured);
    },
  };
}
