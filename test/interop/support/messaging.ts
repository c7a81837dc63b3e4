import { expect } from "vitest";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import type { Credentials } from "./credentials.js";
import { GO_BIN, RUST_BIN } from "./paths.js";
import { runProcess, startProcess, tail, type ManagedProcess, type RunResult } from "./process.js";

/** Keys of "SENT <key> ..." or "RECV <key> ..." lines (our Java, Go and Rust programs print both forms). */
export function keysOf(output: string, verb: "SENT" | "RECV"): string[] {
  return [...output.matchAll(new RegExp(`^${verb} (\\S+)`, "gm"))].map((m) => m[1]);
}

/** Bodies of "RECV <key> <body>" lines, by key. */
export function bodiesOf(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(/^RECV (\S+) (\S*)$/gm)].map((m) => [m[1], m[2]]));
}

export function expectedKeys(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

export interface RoundTrip {
  producer: RunResult;
  consumer: RunResult;
}

/**
 * Starts a consumer, waits for it to print READY, runs the producer to completion, then waits for the
 * consumer to exit (it exits by itself once every expected key arrived, or after its own timeout).
 */
export async function roundTrip(startConsumer: () => ManagedProcess, produce: () => Promise<RunResult>, consumerTimeoutMs: number): Promise<RoundTrip> {
  const consumer = startConsumer();
  try {
    await consumer.waitForOutput(/^READY$/m, 60_000);
    const producer = await produce();
    const exit = await consumer.waitForExit(consumerTimeoutMs + 20_000);
    return { producer, consumer: { ...exit, output: consumer.output } };
  } finally {
    await consumer.stop("SIGKILL");
  }
}

/** What the Go and Rust programs take (they speak the same line protocol as the Java harness). */
export interface ProgramOptions {
  namesrv: string;
  topic: string;
  group: string;
  count: number;
  prefix: string;
  dir: string;
  /** Sign every request with these (the Go program only: INTEROP_ACCESS_KEY / INTEROP_SECRET_KEY). */
  credentials?: Credentials;
}

// The Go client keeps its logs and local state under $HOME: each run gets its own directory as HOME (the Rust one too).
function programEnv(dir: string, credentials?: Credentials): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const signing: Record<string, string> = credentials ? { INTEROP_ACCESS_KEY: credentials.accessKey, INTEROP_SECRET_KEY: credentials.secretKey } : {};
  return { HOME: dir, ...signing };
}

/** Our Go or Rust program's `produce`: sends `count` messages keyed `<prefix>-<i>`. */
function runProducer(label: string, bin: string, o: ProgramOptions): Promise<RunResult> {
  return runProcess({
    name: `${label} producer`,
    command: bin,
    args: ["produce", o.namesrv, o.topic, o.group, String(o.count), o.prefix],
    env: programEnv(o.dir, o.credentials),
    cwd: o.dir,
    logFile: join(o.dir, "producer.log"),
    timeoutMs: 120_000,
  });
}

/** Our Go or Rust program's `consume` (push consumer); prints READY, then RECV lines. */
function startConsumer(label: string, bin: string, o: ProgramOptions & { timeoutMs: number }): ManagedProcess {
  return startProcess({
    name: `${label} consumer`,
    command: bin,
    args: ["consume", o.namesrv, o.topic, o.group, String(o.count), o.prefix, String(o.timeoutMs)],
    env: programEnv(o.dir, o.credentials),
    cwd: o.dir,
    logFile: join(o.dir, "consumer.log"),
  });
}

export const runGoProducer = (o: ProgramOptions) => runProducer("go", GO_BIN, o);
export const startGoConsumer = (o: ProgramOptions & { timeoutMs: number }) => startConsumer("go", GO_BIN, o);
export const runRustProducer = (o: ProgramOptions) => runProducer("rust", RUST_BIN, o);
export const startRustConsumer = (o: ProgramOptions & { timeoutMs: number }) => startConsumer("rust", RUST_BIN, o);

/** The Rust program's route lookup (admin API): the route and cluster info as the client decoded them. */
export async function rustRouteLookup(namesrv: string, topic: string, dir: string): Promise<{ run: RunResult; route: any; cluster: any }> {
  const run = await runProcess({
    name: "rust route",
    command: RUST_BIN,
    args: ["route", namesrv, topic],
    env: programEnv(dir),
    cwd: dir,
    logFile: join(dir, "route.log"),
    timeoutMs: 60_000,
  });
  const json = (label: string) => {
    const text = run.output.match(new RegExp(`^${label} (.*)$`, "m"))?.[1];
    return text === undefined || text === "none" ? undefined : JSON.parse(text);
  };
  return { run, route: json("ROUTE"), cluster: json("CLUSTER") };
}

export function describeRun(label: string, run: RunResult): string {
  return `${label} exit=${run.code} signal=${run.signal}\n${tail(run.output, 30)}`;
}

/** The producer sent `<prefix>-0..count-1` and the consumer received exactly those keys, body = key. */
export function expectExactDelivery(trip: RoundTrip, prefix: string, count: number): void {
  const want = expectedKeys(prefix, count).sort();
  expect(trip.producer.code, describeRun("producer", trip.producer)).toBe(0);
  expect(keysOf(trip.producer.output, "SENT").sort()).toEqual(want);
  expect(trip.consumer.code, describeRun("consumer", trip.consumer)).toBe(0);
  expect(keysOf(trip.consumer.output, "RECV").sort()).toEqual(want);
  expect(bodiesOf(trip.consumer.output)).toEqual(Object.fromEntries(want.map((k) => [k, k])));
}
