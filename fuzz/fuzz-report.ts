/**
 * What one store's fuzz run found: tallies, the findings with the inputs that caused them, and the
 * printed summary. A run fails on any crash, corruption, answer that never came, or answer that
 * breaks the protocol.
 */
import { ResponseCode } from "../shared/codes";
import type { LoggedErrors } from "./bridge-process";

export interface Finding {
  /** input index (with the run's seed it reproduces the input), or null for a state check */
  index: number | null;
  label: string;
  detail: string;
}

const KEPT_FINDINGS = 20;

const CODE_NAMES = new Map<number, string>(Object.entries(ResponseCode).map(([name, code]) => [code, name]));

export class FuzzReport {
  inputs = 0;
  seconds = 0;
  readonly responsesByCode = new Map<number, number>();
  closes = 0;
  readonly closesAfterWellFormed: Finding[] = [];
  closesAfterWellFormedCount = 0;
  readonly crashes: Finding[] = [];
  readonly corruptions: Finding[] = [];
  readonly unanswered: Finding[] = [];
  readonly notClosed: Finding[] = [];
  readonly protocolViolations: Finding[] = [];
  slowest = { ms: 0, index: -1, label: "" };
  rssStartMiB: number | null = null;
  rssPeakMiB: number | null = null;
  rssEndMiB: number | null = null;
  loggedErrors = new Map<string, LoggedErrors>();
  leftoverBrokers: string[] = [];
  /** why the run stopped early, if it did */
  stoppedEarly: string | null = null;

  constructor(readonly store: string) {}

  get failed(): boolean {
    return this.crashes.length + this.corruptions.length + this.unanswered.length + this.protocolViolations.length > 0;
  }

  add(list: Finding[], finding: Finding): void {
    if (list.length < KEPT_FINDINGS) list.push(finding);
  }

  countAnswer(code: number, ms: number, index: number, label: string): void {
    this.responsesByCode.set(code, (this.responsesByCode.get(code) ?? 0) + 1);
    if (ms > this.slowest.ms) this.slowest = { ms, index, label };
  }

  noteRss(mib: number | null): void {
    if (mib === null) return;
    this.rssStartMiB ??= mib;
    this.rssPeakMiB = Math.max(this.rssPeakMiB ?? 0, mib);
    this.rssEndMiB = mib;
  }

  print(seed: number, log: (line: string) => void = console.log): void {
    const n = (x: number) => x.toLocaleString("en-US");
    const mib = (x: number | null) => (x === null ? "?" : `${Math.round(x)} MiB`);
    const rate = this.seconds > 0 ? ` (${n(Math.round(this.inputs / this.seconds))}/s)` : "";
    log(`\n== ${this.store} store: ${n(this.inputs)} inputs in ${this.seconds.toFixed(1)} s${rate}`);
    if (this.stoppedEarly) log(`   stopped early: ${this.stoppedEarly}`);
    const codes = [...this.responsesByCode].sort((a, b) => b[1] - a[1]);
    log(`   responses by code: ${codes.map(([c, k]) => `${c} ${CODE_NAMES.get(c) ?? ""} ${n(k)}`.replace("  ", " ")).join(" · ") || "none"}`);
    log(`   closes by the server: ${n(this.closes)} (after well-formed frames only: ${n(this.closesAfterWellFormedCount)})`);
    log(`   crashes: ${this.crashes.length} · corruptions: ${this.corruptions.length} · unanswered: ${this.unanswered.length} · protocol violations: ${this.protocolViolations.length}`);
    log(`   slowest answer: ${this.slowest.ms.toFixed(1)} ms${this.slowest.index >= 0 ? ` (#${this.slowest.index} ${this.slowest.label.slice(0, 160)})` : ""}`);
    log(`   server RSS: ${mib(this.rssStartMiB)} at start, ${mib(this.rssPeakMiB)} peak, ${mib(this.rssEndMiB)} at the end`);
    if (this.loggedErrors.size > 0) {
      log(`   server errors logged: ${[...this.loggedErrors].map(([msg, e]) => `${msg} ×${n(e.count)}`).join(", ")}`);
      for (const [msg, e] of this.loggedErrors) log(`     ${msg}: ${e.examples[0]}`);
    }
    log(`   brokers left after every fuzz connection closed: ${this.leftoverBrokers.length}${this.leftoverBrokers.length ? ` (${this.leftoverBrokers.slice(0, 5).join(", ")})` : ""}`);
    const sections: Array<[string, Finding[]]> = [
      ["crashes", this.crashes],
      ["corruptions", this.corruptions],
      ["unanswered", this.unanswered],
      ["protocol violations", this.protocolViolations],
      ["not closed although a frame was bad", this.notClosed],
      ["closed after well-formed frames", this.closesAfterWellFormed],
    ];
    for (const [title, findings] of sections) {
      if (findings.length === 0) continue;
      log(`   ${title}:`);
      for (const f of findings) {
        const replay = f.index === null ? "" : ` [replay: npm run fuzz -- --store ${this.store} --seed ${seed} --only ${f.index}]`;
        log(`     ${f.index === null ? "" : `#${f.index} `}${f.detail.slice(0, 400)}${f.label ? ` — ${f.label.slice(0, 200)}` : ""}${replay}`);
      }
    }
    log(`   result: ${this.failed ? "FAIL" : "PASS"}`);
  }
}
