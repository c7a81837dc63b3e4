/**
 * A small metrics registry with a Prometheus text exposition (format 0.0.4). Written here rather than
 * taken from prom-client because the same code runs on Bun, Deno and Cloudflare Workers: prom-client
 * reaches for Node's `cluster`, `perf_hooks` and `process` at import time, which a Worker lacks.
 * Counters, gauges and histograms with fixed label names; values are kept per label set, so label
 * values must come from small, known sets (codes, operations, stages), never from clients.
 */

export type LabelValues = readonly string[];

type MetricType = "counter" | "gauge" | "histogram";

/** One family as the exposition writer sees it. */
interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** appends the family's sample lines (without HELP and TYPE) */
  write(out: string[]): void;
}

/** Label sets are keyed by their values joined with a character no label value here contains. */
const SEPARATOR = "\u0000";

function checkName(name: string): void {
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A sample value as the text format writes it. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function labelText(names: readonly string[], values: LabelValues, extra?: [string, string]): string {
  const parts = names.map((name, i) => `${name}="${escapeLabelValue(values[i])}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

abstract class Labelled<V> {
  protected readonly series = new Map<string, { values: LabelValues; value: V }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    checkName(name);
    for (const label of labelNames) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label) || label.startsWith("__") || label === "le") throw new Error(`invalid label name ${label}`);
    }
  }

  protected entry(values: LabelValues, create: () => V): { values: LabelValues; value: V } {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name} takes ${this.labelNames.length} label values, got ${values.length}`);
    }
    const key = values.join(SEPARATOR);
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { values: [...values], value: create() };
      this.series.set(key, entry);
    }
    return entry;
  }
}

/** A value that only goes up (a count since the process started). */
export class Counter extends Labelled<number> implements Family {
  readonly type = "counter";

  inc(values: LabelValues = [], by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter cannot go down`);
    this.entry(values, () => 0).value += by;
  }

  get(values: LabelValues = []): number {
    return this.series.get(values.join(SEPARATOR))?.value ?? 0;
  }

  write(out: string[]): void {
    for (const { values, value } of this.series.values()) out.push(`${this.name}${labelText(this.labelNames, values)} ${formatValue(value)}`);
  }
}

/** A value that goes up and down; set by the code that knows it, or read at scrape time by a collector. */
export class Gauge extends Labelled<number> implements Family {
  readonly type = "gauge";

  set(values: LabelValues, value: number): void {
    this.entry(values, () => 0).value = value;
  }

  get(values: LabelValues = []): number | undefined {
    return this.series.get(values.join(SEPARATOR))?.value;
  }

  /** Forgets every label set (a collector that rebuilds the whole family). */
  reset(): void {
    this.series.clear();
  }

  write(out: string[]): void {
    for (const { values, value } of this.series.values()) out.push(`${this.name}${labelText(this.labelNames, values)} ${formatValue(value)}`);
  }
}

interface HistogramState {
  /** per bucket, not cumulative (made cumulative when written) */
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into fixed buckets (upper bounds, ascending; +Inf is implied). */
export class Histogram extends Labelled<HistogramState> implements Family {
  readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i] > buckets[i - 1])) throw new Error(`${name}: buckets must ascend`);
    }
    this.buckets = buckets.filter((b) => b !== Number.POSITIVE_INFINITY);
  }

  observe(values: LabelValues, value: number): void {
    this.record(this.state(values), value);
  }

  /**
   * One label set's series, to observe into without looking it up again (a caller that sees the
   * same label sets over and over keeps these).
   */
  bind(values: LabelValues): { observe(value: number): void } {
    const state = this.state(values);
    return { observe: (value) => this.record(state, value) };
  }

  private state(values: LabelValues): HistogramState {
    return this.entry(values, () => ({ counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 })).value;
  }

  private record(state: HistogramState, value: number): void {
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]) i++;
    state.counts[i]++;
    state.sum += value;
    state.count++;
  }

  /** count and sum of one label set (tests) */
  get(values: LabelValues = []): { count: number; sum: number } | undefined {
    const state = this.series.get(values.join(SEPARATOR))?.value;
    return state && { count: state.count, sum: state.sum };
  }

  write(out: string[]): void {
    for (const { values, value } of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += value.counts[i];
        const le = i < this.buckets.length ? formatValue(this.buckets[i]) : "+Inf";
        out.push(`${this.name}_bucket${labelText(this.labelNames, values, ["le", le])} ${cumulative}`);
      }
      out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(value.sum)}`);
      out.push(`${this.name}_count${labelText(this.labelNames, values)} ${value.count}`);
    }
  }
}

/** Runs before an exposition to bring gauges up to date; a failing one is reported, not fatal. */
export type Collector = () => void | Promise<void>;

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The families of one process (or isolate) and the collectors that refresh them at scrape time. */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly collectors: Collector[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** `collect` runs before every exposition (state read at scrape time). */
  onCollect(collect: Collector): void {
    this.collectors.push(collect);
  }

  /**
   * The text exposition. Collectors run first; one that fails leaves its gauges as they were and
   * is passed to `onError` (a store outage must not take the process metrics down with it).
   */
  async expose(onError: (err: unknown) => void = () => undefined): Promise<string> {
    const results = await Promise.allSettled(this.collectors.map(async (collect) => collect()));
    for (const result of results) if (result.status === "rejected") onError(result.reason);
    const out: string[] = [];
    for (const family of this.families.values()) {
      out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
      out.push(`# TYPE ${family.name} ${family.type}`);
      family.write(out);
    }
    return out.join("\n") + "\n";
  }

  private add<F extends Family>(family: F): F {
    if (this.families.has(family.name)) throw new Error(`metric ${family.name} registered twice`);
    this.families.set(family.name, family);
    return family;
  }
}
