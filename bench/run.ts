/**
 * NameServer benchmark: ours (embedded store, Redis store), the Apache RocketMQ 5.3.3 NameServer and,
 * when it is installed, rocketmq-rust's NameServer, one at a time on this machine, under the same
 * load from one Java load generator (bench/loadgen, RocketMQ's own remoting client).
 *
 *   bun bench/run.ts            default run (~4½ minutes, ~6 with Rust), report in bench/results/
 *   bun bench/run.ts --full     longer runs, full-size workloads
 *   bun bench/run.ts --smoke    tiny durations (CI); report in bench/results/tmp/
 *   bun bench/run.ts --pin      servers on the last CPU, the load generator on the others (taskset);
 *                               report <date>-<machine>-pinned.*
 *   bun bench/run.ts --profile  ours under `--cpu-prof` on the route and re-registration workloads;
 *                               flame graphs in bench/results/<date>-<machine>-flame-*.svg
 * Options: --servers=ours-embedded,ours-redis,ours-redis-2workers,java,rust  --note="text for the report"
 *          --build-rust (cargo install rocketmq-namesrv into .cache/bench/rust; takes minutes)
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { cpus, hostname, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { freePort } from "../test/support/ports";
import { writeFlameGraph } from "./flamegraph";
import { renderMarkdown, renderSvg, type Report } from "./report";

const ROOT = resolve(import.meta.dirname, "..");
const CACHE = join(ROOT, ".cache/bench");
const LOADGEN_DIR = join(ROOT, "bench/loadgen");
const LOADGEN_JAR = join(CACHE, "loadgen-target/bench-loadgen.jar");
const LOADGEN_LIB = join(CACHE, "lib");
const INTEROP_LIB5 = join(ROOT, ".cache/interop/lib-5");
const NAMESRV_LIB = join(CACHE, "namesrv-lib");
const RUST_BIN = join(CACHE, "rust/bin/rocketmq-namesrv-rust");
const BUN = join(ROOT, "node_modules/.bin/bun");

// ---- options -----------------------------------------------------------------------------------

type Mode = "smoke" | "default" | "full";
const argv = process.argv.slice(2);
const mode: Mode = argv.includes("--smoke") ? "smoke" : argv.includes("--full") ? "full" : "default";
const serversArg = argv.find((a) => a.startsWith("--servers="))?.slice(10);
const noteArg = argv.find((a) => a.startsWith("--note="))?.slice(7);
/** --profile: our servers run under Bun's CPU profiler; each phase's profile becomes a flame graph. */
const profiling = argv.includes("--profile");
/**
 * --pin: the server under test (with its redis-server) runs on the last CPU and the load generator
 * on the others (taskset), so that neither takes CPU time from the other: a per-core comparison.
 */
const pinned = argv.includes("--pin");
const SERVER_CPUS = String(cpus().length - 1);
const LOADGEN_CPUS = cpus().length > 2 ? `0-${cpus().length - 2}` : "0";

/** `cmd args` as spawned: under `taskset -c cpuList` with --pin (taskset execs it: the pid stays). */
function onCpus(cpuList: string, cmd: string, args: string[]): [string, string[]] {
  return pinned ? ["taskset", ["-c", cpuList, cmd, ...args]] : [cmd, args];
}

interface Params {
  warmupMs: number;
  durationMs: number;
  connections: number[];
  versions: number[];
  inflight: number;
  smallTopics: number;
  largeTopics: number;
  mixedTopics: number;
  mixedSeparate: boolean;
  regSizes: number[];
  regReps: number;
  churn: { brokers: number; topicsPerBroker: number; topicPool: number; periodMs: number; durationMs: number };
  footprintTopics: number;
  hbTimeoutMs: number;
  failureTimeout: boolean;
  /** Discarded query run at the start of each load generator (JIT warm-up), ms. */
  jitWarmMs: number;
  /** smoke: one server start per server, query combinations thinned out. */
  compact: boolean;
}

const PARAMS: Record<Mode, Params> = {
  smoke: {
    warmupMs: 200,
    durationMs: 500,
    connections: [16, 64],
    versions: [479, 317],
    inflight: 4,
    smallTopics: 100,
    largeTopics: 1000,
    mixedTopics: 1000,
    mixedSeparate: false,
    regSizes: [100, 1000],
    regReps: 1,
    churn: { brokers: 50, topicsPerBroker: 20, topicPool: 500, periodMs: 500, durationMs: 1000 },
    footprintTopics: 2000,
    hbTimeoutMs: 500,
    failureTimeout: false,
    jitWarmMs: 300,
    compact: true,
  },
  default: {
    warmupMs: 1000,
    durationMs: 2000,
    connections: [16, 256],
    versions: [479, 317],
    inflight: 4,
    smallTopics: 100,
    largeTopics: 10_000,
    mixedTopics: 10_000,
    mixedSeparate: false,
    regSizes: [1000, 10_000],
    regReps: 3,
    churn: { brokers: 1000, topicsPerBroker: 20, topicPool: 5000, periodMs: 5_000, durationMs: 5_000 },
    footprintTopics: 100_000,
    hbTimeoutMs: 3000,
    failureTimeout: true,
    jitWarmMs: 6000,
    compact: false,
  },
  full: {
    warmupMs: 3000,
    durationMs: 15_000,
    connections: [16, 256],
    versions: [479, 317],
    inflight: 4,
    smallTopics: 100,
    largeTopics: 10_000,
    mixedTopics: 40_000,
    mixedSeparate: true,
    regSizes: [1000, 10_000],
    regReps: 10,
    churn: { brokers: 1000, topicsPerBroker: 20, topicPool: 5000, periodMs: 30_000, durationMs: 90_000 },
    footprintTopics: 100_000,
    hbTimeoutMs: 10_000,
    failureTimeout: true,
    jitWarmMs: 5000,
    compact: false,
  },
};
const P = PARAMS[mode];
/** `<date>-<machine>` (`-full` added for --full): the name of this run's report files. */
const reportBase = `${new Date().toISOString().slice(0, 10)}-${hostname()}${mode === "full" ? "-full" : ""}${pinned ? "-pinned" : ""}`;
const TOPO = { clusters: 4, brokersPerCluster: 8, queues: 8 };

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---- small helpers -----------------------------------------------------------------------------

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function run(cmd: string, args: string[], opts: { cwd?: string; logFile?: string; env?: NodeJS.ProcessEnv } = {}): boolean {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, encoding: "utf8", env: opts.env ?? process.env, maxBuffer: 64 << 20 });
  if (opts.logFile) writeFileSync(opts.logFile, `${r.stdout ?? ""}${r.stderr ?? ""}`, { flag: "a" });
  return r.status === 0;
}

function hashFiles(paths: string[]): string {
  const h = createHash("sha256");
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else h.update(p).update(readFileSync(p));
  };
  paths.forEach(walk);
  return h.digest("hex");
}

/** utime + stime of a process in milliseconds (from /proc/<pid>/stat; clock ticks are 1/100 s). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function procStatusKb(pid: number, key: "VmRSS" | "VmHWM"): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

function version(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0] ?? "?";
}

// ---- builds ------------------------------------------------------------------------------------

function ensureLoadgen(): void {
  mkdirSync(CACHE, { recursive: true });
  const stampFile = join(CACHE, "loadgen.stamp");
  const stamp = hashFiles([join(LOADGEN_DIR, "pom.xml"), join(LOADGEN_DIR, "src")]);
  if (existsSync(LOADGEN_JAR) && existsSync(LOADGEN_LIB) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return;
  log("building the load generator (Maven, RocketMQ remoting 5.3.3 from Maven Central)");
  const logFile = join(CACHE, "maven.log");
  writeFileSync(logFile, "");
  if (!run("mvn", ["-B", "-Dstyle.color=never", "package", "dependency:copy-dependencies", `-DoutputDirectory=${LOADGEN_LIB}`], { cwd: LOADGEN_DIR, logFile })) {
    throw new Error(`load generator build failed, see ${logFile}`);
  }
  writeFileSync(stampFile, stamp);
}

function javaNamesrvClasspath(): string {
  if (existsSync(join(INTEROP_LIB5, "rocketmq-namesrv-5.3.3.jar"))) return `${INTEROP_LIB5}/*`;
  if (!existsSync(join(NAMESRV_LIB, "rocketmq-namesrv-5.3.3.jar"))) {
    log("resolving the Apache RocketMQ 5.3.3 NameServer from Maven Central");
    const logFile = join(CACHE, "maven.log");
    rmSync(NAMESRV_LIB, { recursive: true, force: true });
    if (!run("mvn", ["-B", "-Dstyle.color=never", "-Pnamesrv", "dependency:copy-dependencies", `-DoutputDirectory=${NAMESRV_LIB}`], { cwd: LOADGEN_DIR, logFile })) {
      throw new Error(`resolving rocketmq-namesrv 5.3.3 failed, see ${logFile}`);
    }
  }
  return `${NAMESRV_LIB}/*`;
}

function buildRust(): void {
  log("cargo install rocketmq-namesrv 1.0.0 into .cache/bench/rust (takes several minutes on 2 cores)");
  const t0 = Date.now();
  const ok = run("cargo", ["install", "rocketmq-namesrv", "--version", "1.0.0", "--locked", "--root", join(CACHE, "rust")], {
    logFile: join(CACHE, "rust-build.log"),
    env: { ...process.env, CARGO_TARGET_DIR: join(CACHE, "rust/target") },
  });
  log(`cargo install ${ok ? "succeeded" : "failed"} after ${Math.round((Date.now() - t0) / 1000)} s`);
}

// ---- servers -----------------------------------------------------------------------------------

type ServerId = "ours-embedded" | "ours-redis" | "ours-redis-2workers" | "java" | "rust";

interface Running {
  addr: string;
  pids: { label: string; pid: number }[];
  startupMs: number;
  stop(): Promise<void>;
}

interface ServerSpec {
  id: ServerId;
  label: string;
  unavailable(): string | null;
  start(dir: string): Promise<Running>;
}

const JAVA17_FLAGS = [
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
  "-Djava.net.preferIPv4Stack=true",
];
const JAVA_NAMESRV_HEAP = ["-Xms512m", "-Xmx512m"];

function spawnLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const [command, commandArgs] = onCpus(SERVER_CPUS, cmd, args);
  const child = spawn(command, commandArgs, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const chunks: Buffer[] = [];
  const keep = (d: Buffer) => {
    chunks.push(d);
    if (chunks.length > 2000) chunks.splice(0, 1000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.once("exit", () => writeFileSync(logFile, Buffer.concat(chunks)));
  return child;
}

function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(t);
      res();
    });
    child.kill("SIGTERM");
  });
}

/** One GET_ROUTEINFO_BY_TOPIC in a hand-made JSON frame; resolves true when any full frame comes back. */
function probeOnce(port: number): Promise<boolean> {
  return new Promise((res) => {
    const header = Buffer.from(
      '{"code":105,"extFields":{"topic":"bench-probe"},"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":479}',
    );
    const frame = Buffer.alloc(8 + header.length);
    frame.writeInt32BE(4 + header.length, 0);
    frame.writeInt32BE(header.length, 4);
    header.copy(frame, 8);
    let got = Buffer.alloc(0);
    const sock = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      sock.destroy();
      res(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once("error", () => done(false));
    sock.once("connect", () => sock.write(frame));
    sock.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) done(true);
    });
  });
}

async function waitForAnswer(port: number, child: ChildProcess, t0: number, name: string): Promise<number> {
  const deadline = t0 + 60_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} during start-up`);
    if (await probeOnce(port)) return performance.now() - t0;
    await sleep(10);
  }
  throw new Error(`${name} did not answer within 60 s`);
}

async function startRedis(dir: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawnLogged(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
    process.env,
    join(dir, "redis.log"),
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect({ host: "127.0.0.1", port });
      s.once("connect", () => s.write("PING\r\n"));
      s.once("data", (d) => {
        s.destroy();
        res(d.toString().startsWith("+PONG"));
      });
      s.once("error", () => res(false));
    });
    if (ok) return { port, child };
    await sleep(50);
  }
  await stopChild(child);
  throw new Error("redis-server did not answer PING");
}

/**
 * The processes a primary of NAMESRV_WORKERS spawned (children of any of its threads), once
 * `workers - 1` of them are there: the server's CPU and memory add them up.
 */
async function workerPids(primary: number, workers: number): Promise<number[]> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    let children: number[] = [];
    try {
      for (const task of readdirSync(`/proc/${primary}/task`)) {
        const text = readFileSync(`/proc/${primary}/task/${task}/children`, "utf8").trim();
        if (text) children = children.concat(text.split(/\s+/).map(Number));
      }
    } catch {
      // the primary is gone: the caller's start-up check reports it
    }
    if (children.length >= workers - 1) return children;
    await sleep(50);
  }
  throw new Error(`our NameServer did not spawn its ${workers - 1} workers within 30 s`);
}

/** Until the primary's /metrics says every worker answers (each one answers once it listens). */
async function waitForWorkers(httpPort: number, workers: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      if (new RegExp(`^rocketmq_namesrv_workers_answering ${workers}$`, "m").test(text)) return;
    } catch {
      // not serving yet
    }
    await sleep(50);
  }
  throw new Error(`our NameServer's ${workers} workers did not all answer within 30 s`);
}

function oursSpec(store: "embedded" | "redis", workers = 1): ServerSpec {
  return {
    id: store === "embedded" ? "ours-embedded" : workers > 1 ? ("ours-redis-2workers" as const) : "ours-redis",
    label: store === "embedded" ? "ours (embedded store)" : workers > 1 ? `ours (Redis store, NAMESRV_WORKERS=${workers})` : "ours (Redis store)",
    unavailable() {
      if (!existsSync(BUN)) return "node_modules/.bin/bun is missing (run npm ci)";
      if (store === "redis" && spawnSync("redis-server", ["--version"]).status !== 0) return "redis-server is not installed (bash scripts/install-redis.sh)";
      return null;
    },
    async start(dir) {
      const port = await freePort();
      const httpPort = await freePort();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NAMESRV_PORT: String(port),
        NAMESRV_HTTP_PORT: String(httpPort),
        NAMESRV_KV_PATH: join(dir, "kvConfig.json"),
        NAMESRV_BIND_ADDRESS: "127.0.0.1",
      };
      delete env.REDIS_URL;
      delete env.UPSTASH_REDIS_REST_URL;
      delete env.UPSTASH_REDIS_REST_TOKEN;
      delete env.NAMESRV_EDGE_URL;
      env.NAMESRV_WORKERS = String(workers);
      let redis: { port: number; child: ChildProcess } | null = null;
      if (store === "redis") {
        redis = await startRedis(dir);
        env.REDIS_URL = `redis://127.0.0.1:${redis.port}`;
        env.NAMESRV_REDIS_PREFIX = `bench-${Date.now()}`;
      }
      const t0 = performance.now();
      const profileArgs = profiling ? ["--cpu-prof", `--cpu-prof-dir=${join(dir, "cpuprofile")}`] : [];
      const child = spawnLogged(BUN, [...profileArgs, "tcp-bridge/main.ts"], env, join(dir, "namesrv.log"));
      let startupMs: number;
      const pids = [{ label: "namesrv", pid: child.pid! }];
      try {
        startupMs = await waitForAnswer(port, child, t0, "our NameServer");
        if (workers > 1) {
          await waitForWorkers(httpPort, workers);
          startupMs = performance.now() - t0;
          for (const pid of await workerPids(child.pid!, workers)) pids.push({ label: "namesrv worker", pid });
        }
      } catch (e) {
        await stopChild(child);
        if (redis) await stopChild(redis.child);
        throw e;
      }
      if (redis) pids.push({ label: "redis-server", pid: redis.child.pid! });
      return {
        addr: `127.0.0.1:${port}`,
        pids,
        startupMs,
        async stop() {
          await stopChild(child);
          if (redis) await stopChild(redis.child);
        },
      };
    },
  };
}

const javaSpec: ServerSpec = {
  id: "java",
  label: "Apache RocketMQ 5.3.3 (Java)",
  unavailable() {
    return spawnSync("java", ["-version"]).status === 0 ? null : "java is not installed";
  },
  async start(dir) {
    const cp = javaNamesrvClasspath();
    const port = await freePort();
    const props = join(dir, "namesrv.properties");
    writeFileSync(
      props,
      [`listenPort=${port}`, "bindAddress=127.0.0.1", `kvConfigPath=${join(dir, "kvConfig.json")}`, `configStorePath=${join(dir, "namesrv.properties.store")}`, ""].join("\n"),
    );
    const t0 = performance.now();
    const child = spawnLogged(
      "java",
      [...JAVA_NAMESRV_HEAP, ...JAVA17_FLAGS, `-Duser.home=${dir}`, `-Drocketmq.log.dir=${join(dir, "logs")}`, "-cp", cp, "org.apache.rocketmq.namesrv.NamesrvStartup", "-c", props],
      { ...process.env, ROCKETMQ_HOME: dir },
      join(dir, "namesrv.log"),
    );
    let startupMs: number;
    try {
      startupMs = await waitForAnswer(port, child, t0, "Java NameServer");
    } catch (e) {
      await stopChild(child);
      throw e;
    }
    return { addr: `127.0.0.1:${port}`, pids: [{ label: "namesrv", pid: child.pid! }], startupMs, stop: () => stopChild(child) };
  },
};

const rustSpec: ServerSpec = {
  id: "rust",
  label: "rocketmq-rust 1.0.0 (Rust)",
  unavailable() {
    return existsSync(RUST_BIN)
      ? null
      : "not installed: `bun bench/run.ts --build-rust` runs `cargo install rocketmq-namesrv --version 1.0.0` into .cache/bench/rust (about 7 minutes on 2 cores)";
  },
  async start(dir) {
    const port = await freePort();
    const t0 = performance.now();
    const child = spawnLogged(
      RUST_BIN,
      ["--listenPort", String(port), "--bindAddress", "127.0.0.1", "--rocketmqHome", dir, "--kvConfigPath", join(dir, "kvConfig.json"), "--log-filter", "warn"],
      { ...process.env, HOME: dir },
      join(dir, "namesrv.log"),
    );
    let startupMs: number;
    try {
      startupMs = await waitForAnswer(port, child, t0, "Rust NameServer");
    } catch (e) {
      await stopChild(child);
      throw e;
    }
    return { addr: `127.0.0.1:${port}`, pids: [{ label: "namesrv", pid: child.pid! }], startupMs, stop: () => stopChild(child) };
  },
};

// ---- load generator process --------------------------------------------------------------------

class Loadgen {
  private child: ChildProcess;
  private waiters: ((line: Record<string, unknown>) => void)[] = [];
  private lines: Record<string, unknown>[] = [];
  private exited = false;

  constructor(addr: string, logFile: string) {
    this.child = spawn(
      ...onCpus(LOADGEN_CPUS, "java", ["-Xms1g", "-Xmx2g", "-XX:+UseParallelGC", `-Duser.home=${join(CACHE, "home")}`, "-cp", `${LOADGEN_JAR}:${LOADGEN_LIB}/*`, "bench.Loadgen", `--addr=${addr}`]),
      { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
    );
    const err: Buffer[] = [];
    this.child.stderr?.on("data", (d: Buffer) => {
      err.push(d);
      if (err.length > 500) err.splice(0, 250);
    });
    this.child.once("exit", () => {
      this.exited = true;
      writeFileSync(logFile, Buffer.concat(err));
      for (const w of this.waiters.splice(0)) w({ cmd: "exit", ok: false, error: `load generator exited (see ${logFile})` });
    });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      if (!line.startsWith('{"cmd"')) return;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const w = this.waiters.shift();
      if (w) w(parsed);
      else this.lines.push(parsed);
    });
  }

  private next(timeoutMs: number): Promise<Record<string, unknown>> {
    const ready = this.lines.shift();
    if (ready) return Promise.resolve(ready);
    if (this.exited) return Promise.resolve({ ok: false, error: "load generator has exited" });
    return new Promise((res) => {
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        res({ ok: false, error: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      const w = (l: Record<string, unknown>) => {
        clearTimeout(t);
        res(l);
      };
      this.waiters.push(w);
    });
  }

  async ready(): Promise<void> {
    const r = await this.next(30_000);
    if (r.cmd !== "ready") throw new Error(`load generator did not start: ${JSON.stringify(r)}`);
  }

  private seq = 0;

  /** Sends one command; answers of earlier commands that timed out are skipped by their id. */
  async send(cmd: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>> {
    const id = ++this.seq;
    this.child.stdin!.write(`${JSON.stringify({ ...cmd, id })}\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.next(Math.max(1, deadline - Date.now()));
      if (r.id === id || r.id === undefined) return r;
    }
  }

  async quit(): Promise<void> {
    if (!this.exited) this.child.stdin!.write('{"cmd":"quit"}\n');
    await Promise.race([new Promise((r) => this.child.once("exit", r)), sleep(10_000)]);
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

// ---- workloads ---------------------------------------------------------------------------------

export interface Figure {
  workload: string;
  group: string;
  server: ServerId;
  ok: boolean;
  error?: string;
  throughput?: number;
  p50?: number;
  p99?: number;
  p999?: number;
  errors?: number;
  serverCpuUsPerReq?: number;
  clientCpuUsPerReq?: number;
  raw: Record<string, unknown>;
}

const figures: Figure[] = [];
const extra: Record<ServerId, Record<string, unknown>> = { "ours-embedded": {}, "ours-redis": {}, "ours-redis-2workers": {}, java: {}, rust: {} };

function pidCpu(r: Running): number {
  return r.pids.reduce((s, p) => s + cpuMs(p.pid), 0);
}

async function command(
  lg: Loadgen,
  srv: Running,
  cmd: Record<string, unknown>,
  timeoutMs: number,
): Promise<{ res: Record<string, unknown>; serverCpuMs: number }> {
  const c0 = pidCpu(srv);
  const res = await lg.send(cmd, timeoutMs);
  const serverCpuMs = pidCpu(srv) - c0;
  if (res.ok !== true) log(`  ${cmd.cmd} failed: ${String(res.error)}`);
  return { res, serverCpuMs };
}

function queryFigure(workload: string, group: string, server: ServerId, q: Record<string, unknown>, serverCpuMs: number): Figure {
  const lat = (q.latencyMs ?? {}) as Record<string, number>;
  const completed = Number(q.completedAll ?? 0);
  return {
    workload,
    group,
    server,
    ok: q.ok !== false && Number(q.errors ?? 0) === 0,
    error: q.ok === false ? String(q.error) : Number(q.errors ?? 0) > 0 ? `${q.errors} invalid answers: ${JSON.stringify(q.errorSamples)}` : undefined,
    throughput: Number(q.throughput ?? 0),
    p50: lat.p50,
    p99: lat.p99,
    p999: lat.p999,
    errors: Number(q.errors ?? 0),
    serverCpuUsPerReq: completed > 0 ? Math.round((serverCpuMs * 1000) / completed) : undefined,
    clientCpuUsPerReq: completed > 0 ? Math.round((Number(q.clientCpuMs ?? 0) * 1000) / completed) : undefined,
    raw: q,
  };
}

const topo = (prefix: string, topics: number) => ({ prefix, topics, ...TOPO });

async function routeQueries(lg: Loadgen, srv: Running, id: ServerId, prefix: string, topics: number): Promise<void> {
  for (const connections of P.connections) {
    for (const v of P.versions) {
      // smoke: only the pairs (first connections, first version), (second, second)
      if (P.compact && P.connections.indexOf(connections) !== P.versions.indexOf(v)) continue;
      const workload = `route ${topics} topics, ${connections} conn, v${v}`;
      const { res, serverCpuMs } = await command(
        lg,
        srv,
        { cmd: "query", ...topo(prefix, topics), connections, inflight: P.inflight, version: v, warmupMs: P.warmupMs, durationMs: P.durationMs },
        P.warmupMs + P.durationMs + 120_000,
      );
      const f = queryFigure(workload, "route", id, res, serverCpuMs);
      figures.push(f);
      log(`  ${workload}: ${f.throughput}/s p99 ${f.p99} ms errors ${f.errors}${f.ok ? "" : ` (${f.error?.slice(0, 200)})`}`);
    }
  }
}

/**
 * Brokers set up for a phase stay registered without heartbeats for its whole length: 10 minutes,
 * the longest heartbeat timeout our NameServer accepts by default (maxHeartbeatTimeoutMillis).
 */
const SETUP_HEARTBEAT_TIMEOUT_MS = 600_000;

/** Set-ups that failed (server / label / error): the run fails, whatever else was measured. */
const failedSetups: string[] = [];

async function setupBrokers(lg: Loadgen, srv: Running, id: ServerId, prefix: string, topics: number, label: string): Promise<boolean> {
  const { res, serverCpuMs } = await command(lg, srv, { cmd: "setup", ...topo(prefix, topics), hbTimeoutMs: SETUP_HEARTBEAT_TIMEOUT_MS }, 900_000);
  extra[id][`setup ${label}`] = { ...res, serverCpuMs };
  log(`  setup ${label}: ${res.ok ? `${res.totalMs} ms` : `FAILED ${String(res.error)}`}`);
  if (res.ok !== true) failedSetups.push(`${id} / setup ${label}: ${String(res.error)}`);
  return res.ok === true;
}

async function withServer<T>(spec: ServerSpec, phase: string, body: (srv: Running, lg: Loadgen) => Promise<T>): Promise<T | undefined> {
  const dir = join(CACHE, "runs", `${spec.id}-${phase}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let srv: Running;
  try {
    srv = await spec.start(dir);
  } catch (e) {
    log(`  ${spec.id} failed to start: ${String(e)}`);
    (extra[spec.id].startFailures ??= [] as string[]) as string[];
    (extra[spec.id].startFailures as string[]).push(`${phase}: ${String(e)}`);
    return undefined;
  }
  ((extra[spec.id].startupMs ??= []) as number[]).push(Math.round(srv.startupMs));
  const rssIdle = srv.pids.map((p) => ({ label: p.label, kb: procStatusKb(p.pid, "VmRSS") }));
  ((extra[spec.id].rssAfterStartKb ??= []) as unknown[]).push(rssIdle);
  const lg = new Loadgen(srv.addr, join(dir, "loadgen.log"));
  try {
    await lg.ready();
    // JIT warm-up of the load generator (and the server) on a throwaway topic set; not recorded.
    await lg.send({ cmd: "setup", ...topo("w", 16), hbTimeoutMs: SETUP_HEARTBEAT_TIMEOUT_MS }, 120_000);
    for (const v of P.versions) {
      await lg.send({ cmd: "query", ...topo("w", 16), connections: 16, inflight: P.inflight, version: v, warmupMs: 0, durationMs: P.jitWarmMs / P.versions.length }, 120_000);
    }
    await lg.send({ cmd: "release", prefix: "w" }, 30_000);
    return await body(srv, lg);
  } catch (e) {
    log(`  ${spec.id}/${phase} aborted: ${String(e)}`);
    return undefined;
  } finally {
    await lg.quit();
    await srv.stop();
    if (profiling) renderProfile(spec, phase, dir);
  }
}

/** The CPU profile a server wrote in `dir` (when it ran under --cpu-prof) as a flame graph next to the report. */
function renderProfile(spec: ServerSpec, phase: string, dir: string): void {
  const profileDir = join(dir, "cpuprofile");
  const file = existsSync(profileDir) ? readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile")) : undefined;
  if (!file) {
    if (spec.id.startsWith("ours")) log(`  no CPU profile written for ${spec.id}/${phase}`);
    return;
  }
  const svg = join(ROOT, "bench/results", `${reportBase}-flame-${spec.id}-${phase}.svg`);
  const tree = writeFlameGraph(join(profileDir, file), svg, `${spec.label}, ${phase} phase: CPU profile (bun --cpu-prof), ${reportBase}`);
  log(`  flame graph: ${svg} (${tree.total} samples)`);
}

async function benchServer(spec: ServerSpec): Promise<void> {
  const id = spec.id;
  log(`== ${spec.label}`);

  if (profiling) {
    await withServer(spec, "route", async (srv, lg) => {
      if (await setupBrokers(lg, srv, id, "a", P.smallTopics, `${P.smallTopics} topics`)) await routeQueries(lg, srv, id, "a", P.smallTopics);
    });
    await withServer(spec, "reregistration", async (srv, lg) => {
      if (await setupBrokers(lg, srv, id, "x", P.mixedTopics, `${P.mixedTopics} topics`)) await mixed(lg, srv, id, "x", P.mixedTopics);
    });
    return;
  }

  if (P.compact) {
    // smoke: every piece once, on one server start
    await withServer(spec, "all", async (srv, lg) => {
      if (!(await setupBrokers(lg, srv, id, "b", P.largeTopics, `${P.largeTopics} topics`))) return;
      await routeQueries(lg, srv, id, "b", P.largeTopics);
      await mixed(lg, srv, id, "b", P.largeTopics);
      await registration(lg, srv, id);
      await churn(lg, srv, id);
      await failure(lg, srv, id);
      const rss = srv.pids.map((p) => ({ label: p.label, rssKb: procStatusKb(p.pid, "VmRSS"), hwmKb: procStatusKb(p.pid, "VmHWM") }));
      extra[id].footprint = { topics: P.largeTopics, brokers: TOPO.clusters * TOPO.brokersPerCluster, setupOk: true, setupMs: 0, rss };
    });
    return;
  }

  // A: small data set, route queries
  await withServer(spec, "small", async (srv, lg) => {
    if (await setupBrokers(lg, srv, id, "a", P.smallTopics, `${P.smallTopics} topics`)) await routeQueries(lg, srv, id, "a", P.smallTopics);
  });

  // B: large data set, route queries, route queries during re-registration, registration cost, churn, failure
  await withServer(spec, "large", async (srv, lg) => {
    if (!(await setupBrokers(lg, srv, id, "b", P.largeTopics, `${P.largeTopics} topics`))) return;
    await routeQueries(lg, srv, id, "b", P.largeTopics);
    if (!P.mixedSeparate) await mixed(lg, srv, id, "b", P.largeTopics);
    await registration(lg, srv, id);
    await churn(lg, srv, id);
    await failure(lg, srv, id);
  });

  if (P.mixedSeparate) {
    await withServer(spec, "mixed", async (srv, lg) => {
      if (await setupBrokers(lg, srv, id, "x", P.mixedTopics, `${P.mixedTopics} topics`)) await mixed(lg, srv, id, "x", P.mixedTopics);
    });
  }

  // C: footprint
  await withServer(spec, "footprint", async (srv, lg) => {
    const t0 = performance.now();
    const ok = await setupBrokers(lg, srv, id, "m", P.footprintTopics, `footprint ${P.footprintTopics} topics`);
    const setupMs = performance.now() - t0;
    await sleep(2000);
    const rss = srv.pids.map((p) => ({ label: p.label, rssKb: procStatusKb(p.pid, "VmRSS"), hwmKb: procStatusKb(p.pid, "VmHWM") }));
    extra[id].footprint = { topics: P.footprintTopics, brokers: TOPO.clusters * TOPO.brokersPerCluster, setupOk: ok, setupMs: Math.round(setupMs), rss };
    log(`  footprint: ${rss.map((r) => `${r.label} ${Math.round(r.rssKb / 1024)} MiB`).join(", ")}`);
  });
}

async function mixed(lg: Loadgen, srv: Running, id: ServerId, prefix: string, topics: number): Promise<void> {
  const workload = `route during re-registration, ${topics} topics, 16 conn, v479`;
  const { res, serverCpuMs } = await command(
    lg,
    srv,
    {
      cmd: "mixed",
      ...topo(prefix, topics),
      connections: 16,
      inflight: P.inflight,
      version: 479,
      warmupMs: P.warmupMs,
      durationMs: P.durationMs,
      regThreads: 1,
      regSleepMaxMs: 100,
      changed: true,
    },
    P.warmupMs + P.durationMs + 300_000,
  );
  const q = (res.query ?? res) as Record<string, unknown>;
  const f = queryFigure(workload, "mixed", id, { ...q, ok: res.ok }, serverCpuMs);
  f.raw = res;
  const regErrors = Number((res.registration as Record<string, unknown> | undefined)?.errors ?? 0);
  if (regErrors > 0) {
    f.ok = false;
    f.error = `${regErrors} failed re-registrations`;
  }
  figures.push(f);
  const reg = (res.registration as { latencyMs?: { p50: number; p99: number; count: number } } | undefined)?.latencyMs;
  log(`  ${workload}: ${f.throughput}/s p99 ${f.p99} ms; re-registrations ${reg?.count} p50 ${reg?.p50} ms p99 ${reg?.p99} ms`);
}

async function registration(lg: Loadgen, srv: Running, id: ServerId): Promise<void> {
  const { res, serverCpuMs } = await command(lg, srv, { cmd: "regcost", prefix: "r", topics: P.regSizes, reps: P.regReps, queues: TOPO.queues }, 600_000);
  extra[id].regcost = { ...res, serverCpuMs };
  log(`  registration cost: ${res.ok ? P.regSizes.map((n) => `${n}: first ${(res[n] as any)?.firstMs?.p50} / unchanged ${(res[n] as any)?.unchangedMs?.p50} / changed ${(res[n] as any)?.changedMs?.p50} ms`).join("; ") : String(res.error)}`);
}

async function churn(lg: Loadgen, srv: Running, id: ServerId): Promise<void> {
  const { res, serverCpuMs } = await command(lg, srv, { cmd: "churn", prefix: "k", clusters: 4, ...P.churn }, P.churn.durationMs + 600_000);
  extra[id].churn = { ...res, serverCpuMs };
  const lat = res.latencyMs as { p50: number; p99: number } | undefined;
  log(`  churn ${P.churn.brokers} brokers / ${P.churn.periodMs} ms: ${res.ok ? `${res.ratePerSec}/s p50 ${lat?.p50} ms p99 ${lat?.p99} ms errors ${res.errors}` : String(res.error)}`);
}

async function failure(lg: Loadgen, srv: Running, id: ServerId): Promise<void> {
  const close = await command(lg, srv, { cmd: "failure", prefix: "f", mode: "close", pollMs: 2, maxWaitMs: 30_000 }, 60_000);
  extra[id].failureClose = close.res;
  log(`  removal after connection close: ${close.res.ok ? `${close.res.detectMs} ms (removed: ${close.res.removed})` : String(close.res.error)}`);
  if (P.failureTimeout) {
    const t = await command(lg, srv, { cmd: "failure", prefix: "f", mode: "timeout", hbTimeoutMs: P.hbTimeoutMs, pollMs: 20, maxWaitMs: P.hbTimeoutMs + 30_000 }, P.hbTimeoutMs + 60_000);
    extra[id].failureTimeout = t.res;
    log(`  removal after heartbeat timeout ${P.hbTimeoutMs} ms: ${t.res.ok ? `${t.res.detectMs} ms (${t.res.afterTimeoutMs} ms past the timeout)` : String(t.res.error)}`);
  }
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (argv.includes("--build-rust")) buildRust();
  if (pinned && (cpus().length < 2 || spawnSync("taskset", ["-V"]).status !== 0)) {
    throw new Error("--pin needs taskset (util-linux) and at least 2 CPUs");
  }
  const started = new Date();
  const load0 = loadavg();
  const t0 = performance.now();
  ensureLoadgen();
  const all: ServerSpec[] = [oursSpec("embedded"), oursSpec("redis"), oursSpec("redis", 2), javaSpec, rustSpec];
  const wanted = serversArg ? serversArg.split(",") : profiling ? ["ours-embedded", "ours-redis"] : all.map((s) => s.id);
  const servers: Record<string, { label: string; ran: boolean; reason?: string }> = {};
  for (const spec of all) {
    if (!wanted.includes(spec.id)) {
      servers[spec.id] = { label: spec.label, ran: false, reason: "not selected (--servers)" };
      continue;
    }
    const why = spec.unavailable();
    if (why) {
      servers[spec.id] = { label: spec.label, ran: false, reason: why };
      log(`== ${spec.label}: skipped, ${why}`);
      continue;
    }
    servers[spec.id] = { label: spec.label, ran: true };
    await benchServer(spec);
  }
  const elapsedS = Math.round((performance.now() - t0) / 1000);
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  const report: Report = {
    meta: {
      date: started.toISOString(),
      machine: hostname(),
      mode,
      cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`,
      memGiB: Math.round(totalmem() / 2 ** 30),
      loadavgStart: load0.map((x) => Math.round(x * 100) / 100),
      loadavgEnd: loadavg().map((x) => Math.round(x * 100) / 100),
      elapsedS,
      git,
      versions: { bun: version(BUN, ["--version"]), java: version("java", ["-version"]), redis: version("redis-server", ["--version"]) },
      params: P as unknown as Record<string, unknown>,
      topology: TOPO,
      note: [noteArg, pinned ? `Pinned (--pin): each server on CPU ${SERVER_CPUS}, the load generator on CPU ${LOADGEN_CPUS}.` : undefined].filter(Boolean).join(" ") || undefined,
    },
    servers,
    figures,
    extra,
  };
  const dir = mode === "smoke" || profiling ? join(ROOT, "bench/results/tmp") : join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const base = join(dir, reportBase);
  const svgName = `${base.split("/").pop()}.svg`;
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.svg`, renderSvg(report));
  writeFileSync(`${base}.md`, renderMarkdown(report, svgName));
  log(`report: ${base}.md (+ .json, .svg), ${elapsedS} s`);
  const failed = figures.filter((f) => !f.ok);
  const ranAny = Object.values(servers).some((s) => s.ran);
  const oursFailedStart = ["ours-embedded", "ours-redis", "ours-redis-2workers", "java"].some((id) => servers[id]?.ran && ((extra[id as ServerId].startFailures as unknown[]) ?? []).length > 0);
  if (!ranAny || failed.length > 0 || oursFailedStart || figures.length === 0 || failedSetups.length > 0) {
    log(`FAILED: ${failed.length} workloads with errors${oursFailedStart ? ", a server failed to start" : ""}, ${failedSetups.length} failed set-ups`);
    for (const f of failed) log(`  ${f.server} / ${f.workload}: ${f.error}`);
    for (const s of failedSetups) log(`  ${s}`);
    process.exit(1);
  }
}

main().catch((e) => {
  log(`fatal: ${String((e as Error)?.stack ?? e)}`);
  process.exit(1);
});
