/**
 * The live fuzzer: starts a NameServer bridge (on the embedded store, on a private redis-server, or
 * one after the other), registers a sentinel broker and topic, and sends generated inputs
 * (test/fuzz/fuzz-inputs.ts) over several loopback connections, opening a new one whenever the
 * server closes one. After each batch it checks that the server runs, that the sentinel's route is
 * byte for byte what it was, and that no broker, cluster or topic exists that no accepted
 * registration explains; every listed topic must still answer its route query.
 *
 *   npm run fuzz -- --inputs 1000000 [--store embedded|redis|both] [--seed N] [--connections N]
 *                   [--batch N] [--max-minutes M] [--answer-timeout-ms MS] [--only I | --range A:B]
 *                   [--keep-going]
 *
 * Exits 1 on any crash, corruption, answer that never came or answer that breaks the protocol.
 * Everything it starts is stopped on the way out, also on failure and Ctrl-C.
 */
import { RequestCode, ResponseCode } from "../shared/codes";
import { parseFastjson } from "../shared/fastjson-reader";
import type { RemotingCommand } from "../shared/remoting-command";
import { fuzzInput, type FuzzInput } from "../test/fuzz/fuzz-inputs";
import { LIVE_PROFILE } from "../test/fuzz/profiles";
import { Random } from "../test/fuzz/random";
import { RegistrationLedger } from "../test/fuzz/registration-ledger";
import { sentinelFor, sentinelHeartbeat, sentinelRegistration, queryOf, type Sentinel } from "../test/fuzz/sentinel";
import { sentinelRoutes, stateProblems, type Ask } from "../test/fuzz/state-checks";
import { RemotingTestClient } from "../test/support/remoting-client";
import { BridgeProcess, type StoreKind } from "./bridge-process";
import { FuzzConnection, type InputOutcome } from "./fuzz-connection";
import { FuzzReport } from "./fuzz-report";

interface Options {
  inputs: number;
  stores: StoreKind[];
  seed: number;
  connections: number;
  batch: number;
  maxMinutes: number;
  answerTimeoutMs: number;
  /** input indices [from, to) */
  from: number;
  to: number;
  /** go on after a failed state check (each problem is reported once) */
  keepGoing: boolean;
}

function parseOptions(argv: string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new Error(`unexpected argument ${arg}`);
    if (arg === "--keep-going") {
      values.set("keep-going", "true");
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq > 0) values.set(arg.slice(2, eq), arg.slice(eq + 1));
    else values.set(arg.slice(2), argv[++i] ?? "");
  }
  const int = (name: string, fallback: number, min = 0) => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, not ${JSON.stringify(raw)}`);
    return v;
  };
  const store = values.get("store") ?? "both";
  if (!["embedded", "redis", "both"].includes(store)) throw new Error(`--store must be embedded, redis or both, not ${store}`);
  const inputs = int("inputs", 10_000, 1);
  let from = 0;
  let to = inputs;
  if (values.has("only")) {
    from = int("only", 0);
    to = from + 1;
  } else if (values.has("range")) {
    const m = /^(\d+):(\d+)$/.exec(values.get("range")!);
    if (!m || Number(m[1]) >= Number(m[2])) throw new Error("--range must be A:B with A < B");
    from = Number(m[1]);
    to = Number(m[2]);
  }
  const known = new Set(["inputs", "store", "seed", "connections", "batch", "max-minutes", "answer-timeout-ms", "only", "range", "keep-going"]);
  for (const name of values.keys()) if (!known.has(name)) throw new Error(`unknown option --${name}`);
  return {
    inputs: to - from,
    stores: store === "both" ? ["embedded", "redis"] : [store as StoreKind],
    seed: int("seed", 1),
    connections: int("connections", 8, 1),
    batch: int("batch", 2_000, 1),
    maxMinutes: int("max-minutes", 60, 1),
    answerTimeoutMs: int("answer-timeout-ms", 10_000, 100),
    from,
    to,
    keepGoing: values.has("keep-going"),
  };
}

/** Everything started, so that any way out stops it. */
const running = new Set<BridgeProcess>();
let interrupted = false;

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) {
    for (const bridge of running) bridge.killNow();
    process.exit(130);
  }
  interrupted = true;
  console.log(`\n${signal}: finishing the inputs in flight, then stopping (again to stop at once)`);
}

/** Asks over a test client; fails at once when the server exits. */
const clientAsk =
  (client: RemotingTestClient, bridge: BridgeProcess, timeoutMs = 30_000): Ask =>
  (request: RemotingCommand) =>
    Promise.race([
      client.request(request.code, { extFields: request.extFields ?? undefined, body: request.body, version: request.version }, timeoutMs),
      bridge.exited.then(() => Promise.reject(new Error(`the server exited: ${JSON.stringify(bridge.exit)}`))),
    ]);

/** Opens a connection, retrying while the server refuses (it may limit connections), up to 10 s. */
async function openConnection(port: number, bridge: BridgeProcess): Promise<FuzzConnection> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await FuzzConnection.open(port);
    } catch (err) {
      if (!bridge.alive || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Brokers of the cluster info other than the sentinel that still have an address. */
function brokersWithAddresses(clusterInfo: Uint8Array, sentinel: Sentinel): string[] {
  const info = parseFastjson(new TextDecoder().decode(clusterInfo)) as { brokerAddrTable?: Record<string, { brokerAddrs?: object }> };
  return Object.entries(info.brokerAddrTable ?? {})
    .filter(([name, data]) => name !== sentinel.brokerName && Object.keys(data.brokerAddrs ?? {}).length > 0)
    .map(([name]) => name);
}

async function fuzzStore(store: StoreKind, options: Options): Promise<FuzzReport> {
  const report = new FuzzReport(store);
  const bridge = await BridgeProcess.start(store, options.seed);
  running.add(bridge);
  const sentinel = sentinelFor(options.seed);
  const clients: RemotingTestClient[] = [];
  const connections: Array<FuzzConnection | null> = new Array(options.connections).fill(null);
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  const started = performance.now();
  try {
    report.noteRss(bridge.rssMiB());
    const sentinelClient = await RemotingTestClient.connect(bridge.port);
    const probe = await RemotingTestClient.connect(bridge.port);
    clients.push(sentinelClient, probe);
    const ask = clientAsk(probe, bridge);
    const registration = await clientAsk(sentinelClient, bridge)(sentinelRegistration(sentinel));
    if (registration.code !== ResponseCode.SUCCESS) throw new Error(`the sentinel's registration failed: ${registration.code} ${registration.remark}`);
    const baseline = await sentinelRoutes(ask, sentinel);
    if (!baseline.every((r) => r.startsWith("0 "))) throw new Error(`the sentinel has no route: ${baseline.join(" / ")}`);
    heartbeat = setInterval(() => {
      clientAsk(sentinelClient, bridge)(sentinelHeartbeat(sentinel)).catch((err) => {
        if (bridge.alive) report.add(report.unanswered, { index: null, label: "", detail: `the sentinel's heartbeat: ${String(err)}` });
      });
    }, 10_000);
    /** The state check's problems; a check that gets no answer is one too. */
    const checkState = async (): Promise<string[]> => {
      try {
        return await stateProblems(ask, sentinel, baseline, ledger, { maxTopicRoutes: 500 });
      } catch (err) {
        return [`the state check got no answer: ${String(err)}`];
      }
    };

    const ledger = new RegistrationLedger({ ...sentinel, topics: [sentinel.topic, sentinel.otherTopic] });
    const deadline = Date.now() + options.maxMinutes * 60_000;
    /** state problems already reported (with --keep-going each is reported once) */
    const reported = new Set<string>();
    /** the last input of each connection: the suspects when the server exits */
    const lastInput: Array<FuzzInput | null> = new Array(options.connections).fill(null);

    const record = (input: FuzzInput, outcome: InputOutcome) => {
      report.inputs++;
      for (const { request, response, ms } of outcome.ran) {
        ledger.answered(request, response);
        if (response) report.countAnswer(response.code, ms, input.index, input.label);
      }
      if (outcome.closed) report.closes++;
      if (outcome.unexpectedClose) {
        report.closesAfterWellFormedCount++;
        report.add(report.closesAfterWellFormed, { index: input.index, label: input.label, detail: "closed" });
      }
      if (outcome.notClosed) report.add(report.notClosed, { index: input.index, label: input.label, detail: outcome.notClosed });
      for (const u of outcome.unanswered) report.add(report.unanswered, { index: input.index, label: input.label, detail: `${u}: no answer within ${options.answerTimeoutMs} ms` });
    };

    const worker = async (slot: number, next: () => number | null) => {
      for (let index = next(); index !== null; index = next()) {
        let connection = connections[slot];
        if (!connection || connection.finished) {
          try {
            connection = connections[slot] = await openConnection(bridge.port, bridge);
          } catch (err) {
            if (bridge.alive) report.add(report.unanswered, { index, label: "", detail: `no connection accepted within 10 s: ${String(err)}` });
            return;
          }
        }
        const input = fuzzInput(options.seed, index, LIVE_PROFILE);
        lastInput[slot] = input;
        const outcome = await connection.send(input.bytes, options.answerTimeoutMs);
        if (!bridge.alive) return;
        record(input, outcome);
        for (const stray of connection.strayAnswers.splice(0)) report.add(report.protocolViolations, { index, label: input.label, detail: `answer to a request that wanted none: ${stray}` });
        for (const bad of connection.malformedAnswers.splice(0)) report.add(report.protocolViolations, { index, label: input.label, detail: `malformed answer: ${bad}` });
        // now and then a connection left inside a frame is abandoned: the server must let go of it
        if (!connection.finished && connection.pendingBytes > 0 && Random.forInput(options.seed ^ 0x5bd1e995, index).chance(0.5)) connection.close();
      }
    };

    for (let batchStart = options.from; batchStart < options.to; batchStart += options.batch) {
      const batchEnd = Math.min(options.to, batchStart + options.batch);
      let nextIndex = batchStart;
      const next = () => (nextIndex < batchEnd && !interrupted && bridge.alive && Date.now() < deadline ? nextIndex++ : null);
      await Promise.all(connections.map((_, slot) => worker(slot, next)));
      report.noteRss(bridge.rssMiB());

      // Ctrl-C reaches the server and its redis-server too: nothing more is checked, nothing is blamed.
      if (interrupted) {
        report.stoppedEarly = "interrupted";
        break;
      }
      if (!bridge.alive) {
        const suspects = lastInput.filter((i): i is FuzzInput => i !== null);
        report.add(report.crashes, {
          index: suspects[0]?.index ?? null,
          label: suspects.map((s) => `#${s.index} ${s.label}`).join(" | "),
          detail: `the server exited (${JSON.stringify(bridge.exit)}) during inputs ${batchStart}..${nextIndex - 1}; the last input of each connection:`,
        });
        report.stoppedEarly = "the server exited";
        break;
      }
      const problems = (await checkState()).filter((p) => !reported.has(p));
      for (const problem of problems) {
        reported.add(problem);
        report.add(report.corruptions, { index: null, label: "", detail: `after inputs ${batchStart}..${nextIndex - 1}: ${problem}` });
      }
      if (problems.length > 0 && !options.keepGoing) {
        report.stoppedEarly = `state check failed after inputs ${batchStart}..${nextIndex - 1} (bisect with --range)`;
        break;
      }
      const progress = `${store}: ${report.inputs.toLocaleString("en-US")} inputs, ${report.closes.toLocaleString("en-US")} closes, RSS ${Math.round(report.rssEndMiB ?? 0)} MiB`;
      if (process.stdout.isTTY) process.stdout.write(`\r${progress}   `);
      else if ((batchEnd - options.from) % (options.batch * 25) === 0) console.log(progress);
      if (Date.now() >= deadline) {
        report.stoppedEarly = `time limit of ${options.maxMinutes} minutes`;
        break;
      }
    }

    // Every fuzz connection closed: their brokers go with them (a leftover is reported, not failed:
    // two fuzz brokers at one address can leave one behind, as on the Java NameServer).
    for (const connection of connections) connection?.close();
    if (bridge.alive && !interrupted) {
      const settleUntil = Date.now() + 10_000;
      for (;;) {
        const info = await ask(queryOf(RequestCode.GET_BROKER_CLUSTER_INFO)).catch(() => null);
        report.leftoverBrokers = info?.body ? brokersWithAddresses(info.body, sentinel) : [];
        if (report.leftoverBrokers.length === 0 || Date.now() > settleUntil) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const problem of await checkState()) {
        if (!reported.has(problem)) report.add(report.corruptions, { index: null, label: "", detail: `after every fuzz connection closed: ${problem}` });
      }
    }
    report.noteRss(bridge.rssMiB());
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    for (const connection of connections) connection?.close();
    for (const client of clients) client.close();
    report.seconds = (performance.now() - started) / 1000;
    report.loggedErrors = bridge.errors;
    if (!bridge.alive && report.crashes.length === 0 && !interrupted) {
      report.add(report.crashes, { index: null, label: "", detail: `the server exited: ${JSON.stringify(bridge.exit)}` });
    }
    await bridge.stop();
    running.delete(bridge);
  }
  return report;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", () => {
    for (const bridge of running) bridge.killNow();
  });
  console.log(
    `edge-namesrv fuzz: seed ${options.seed}, inputs ${options.from}..${options.to - 1} per store, ${options.connections} connections, ` +
      `checks every ${options.batch} inputs, stores: ${options.stores.join(", ")}`,
  );
  const reports: FuzzReport[] = [];
  for (const store of options.stores) {
    if (interrupted) break;
    const report = await fuzzStore(store, options);
    reports.push(report);
    report.print(options.seed);
  }
  if (interrupted) return 130;
  return reports.some((r) => r.failed) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(`fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    for (const bridge of running) await bridge.stop();
    process.exit(2);
  },
);
