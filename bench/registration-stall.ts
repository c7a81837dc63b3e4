/**
 * How long a large REGISTER_BROKER holds up other clients: starts a bridge (embedded store), keeps
 * one connection asking for a route in a loop, one request at a time, and registers brokers of
 * 10,000 / 100,000 / 200,000 topics on another connection (a first registration, then one with a new
 * DataVersion), then closes that connection (the broker is unregistered). Prints the slowest route
 * answer while each runs, next to the slowest one in a quiet second before it (the machine's noise).
 *
 *   bun bench/registration-stall.ts [--sizes 10000,100000,200000] [--rounds 3]
 */
import { deflateSync } from "node:zlib";
import { encodeRegisterBrokerBody } from "../shared/register-body";
import { brokerBody, registerRequest } from "../test/support/broker-registration";
import { startNamesrv } from "../test/support/namesrv-process";
import { RemotingTestClient } from "../test/support/remoting-client";

const REGISTER_BROKER = 103;
const GET_ROUTEINFO_BY_TOPIC = 105;

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const sizes = option("sizes", "10000,100000,200000").split(",").map(Number);
const rounds = Number(option("rounds", "3"));

/** Asks for `topic` in a loop until stopped; keeps each answer's round trip with its start time. */
function probe(client: RemotingTestClient, topic: string) {
  const samples: Array<{ at: number; ms: number }> = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const at = performance.now();
      const answer = await client.request(GET_ROUTEINFO_BY_TOPIC, { extFields: { topic } }, 30_000);
      if (answer.code !== 0) throw new Error(`route query answered ${answer.code} ${answer.remark}`);
      samples.push({ at, ms: performance.now() - at });
    }
  })();
  return {
    /** The slowest answer among those sent in [from, to). */
    slowest(from: number, to: number): number {
      let worst = 0;
      for (const s of samples) if (s.at >= from && s.at < to && s.ms > worst) worst = s.ms;
      return worst;
    },
    count(from: number, to: number): number {
      return samples.filter((s) => s.at >= from && s.at < to).length;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The quiet time before each step, whose slowest answer shows the machine's own noise. */
const IDLE_WINDOW_MS = 1000;

function encodedBody(topics: string[], counter: number): Uint8Array {
  return encodeRegisterBrokerBody(brokerBody(topics, counter), { compressed: true, version: 479, deflate: (b) => new Uint8Array(deflateSync(b)) });
}

async function main(): Promise<void> {
  const ns = await startNamesrv({
    NAMESRV_CONFIG_maxTopicsPerRegistration: String(Math.max(...sizes)),
    NAMESRV_CONFIG_maxRegisterBodyInflatedBytes: String(256 * 1024 * 1024),
  });
  const sentinel = await RemotingTestClient.connect(ns.port);
  const prober = await RemotingTestClient.connect(ns.port);
  try {
    const small = await sentinel.request(REGISTER_BROKER, registerRequest({ brokerName: "sentinel", brokerAddr: "127.0.0.1:20911", topics: ["Probe", "Probe-2"] }));
    if (small.code !== 0) throw new Error(`sentinel registration failed: ${small.remark}`);
    const route = probe(prober, "Probe");
    await sleep(500);
    const rows: Array<{ size: number; step: string; ms: number; during: number; idle: number }> = [];
    for (const size of sizes) {
      const topics = Array.from({ length: size }, (_, i) => `Large-${i}`);
      for (let round = 0; round < rounds; round++) {
        const brokerName = `large-${size}-${round}`;
        const broker = await RemotingTestClient.connect(ns.port);
        const steps: Array<[string, () => Promise<void>]> = [];
        for (const [step, counter] of [["first", 1], ["new version", 2]] as const) {
          const request = registerRequest({ brokerName, brokerAddr: `127.0.0.1:${30000 + round}`, topics: ["x"] });
          request.body = encodedBody(topics, counter);
          request.extFields.compressed = "true";
          request.extFields.bodyCrc32 = "0";
          steps.push([
            step,
            async () => {
              const answer = await broker.request(REGISTER_BROKER, request, 120_000);
              if (answer.code !== 0) throw new Error(`registration answered ${answer.code} ${answer.remark}`);
            },
          ]);
        }
        steps.push([
          "close",
          async () => {
            broker.close();
            await broker.closed;
            // the broker is gone from routes once the close was handled
            for (;;) {
              const answer = await prober.request(GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "Large-0" } }, 30_000);
              if (answer.code !== 0) break;
              await sleep(5);
            }
          },
        ]);
        for (const [step, run] of steps) {
          // an idle window first: the slowest answer there is the machine's own noise
          const idleStart = performance.now();
          await sleep(IDLE_WINDOW_MS);
          const start = performance.now();
          await run();
          const end = performance.now();
          await sleep(100);
          rows.push({ size, step, ms: end - start, during: route.slowest(start, end + 100), idle: route.slowest(idleStart, start) });
        }
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
    console.log(`slowest route answer (ms) on another connection, ${rounds} rounds: median (max)`);
    console.log("| topics | step | step took (median ms) | during the step | idle window before it |");
    console.log("| ---: | --- | ---: | ---: | ---: |");
    for (const size of sizes) {
      for (const step of ["first", "new version", "close"]) {
        const of = rows.filter((r) => r.size === size && r.step === step);
        const cell = (pick: (r: (typeof of)[number]) => number) => `${median(of.map(pick)).toFixed(1)} (${Math.max(...of.map(pick)).toFixed(1)})`;
        console.log(`| ${size.toLocaleString("en")} | ${step} | ${median(of.map((r) => r.ms)).toFixed(0)} | ${cell((r) => r.during)} | ${cell((r) => r.idle)} |`);
      }
    }
    await route.stop();
  } finally {
    sentinel.close();
    prober.close();
    await ns.stop();
  }
}

await main();
