/**
 * Scenarios of the register-body Worker, run by register-body-worker.test.ts under Bun (which has
 * Workers; the test runner does not). Prints one JSON object of observations on stdout.
 */
import { deflateSync } from "node:zlib";
import type { RegisterBrokerBody } from "../../shared/model";
import { encodeRegisterBrokerBody } from "../../shared/register-body";
import { BodyDecoder } from "../../tcp-bridge/body-decoder";
import { DEFAULT_BODY_LIMITS, decodeRegisterBodyJob, type RegisterBodyJob } from "../../tcp-bridge/register-body-job";
import { unpackRegisterBody } from "../../tcp-bridge/register-body-packing";
import { RegisterBodyWorker, spawnRegisterBodyWorker } from "../../tcp-bridge/register-body-worker-client";
import { deflateBomb } from "../shared/deflate-bomb";

function topicsBody(n: number): RegisterBrokerBody {
  const topicConfigTable: RegisterBrokerBody["topicConfigTable"] = {};
  for (let i = 0; i < n; i++) {
    const attributes: Record<string, string> = i % 100 === 0 ? { "+message.type": "NORMAL" } : {};
    topicConfigTable[`Topic-${i}`] = { topicName: `Topic-${i}`, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0, topicFilterType: "SINGLE_TAG", order: i % 7 === 0, attributes };
  }
  return { dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter: 3 }, topicConfigTable, topicQueueMappingInfoMap: { "Topic-1": { topic: "Topic-1", bname: "b", epoch: 1 } }, filterServerList: [] };
}

const deflate = (b: Uint8Array) => new Uint8Array(deflateSync(b));
const job = (body: Uint8Array, compressed = false): RegisterBodyJob => ({ body, version: 479, compressed, now: 1, limits: DEFAULT_BODY_LIMITS });
const jsonBody = (n: number) => encodeRegisterBrokerBody(topicsBody(n), { compressed: false, version: 479 });
const compressedBody = (n: number) => encodeRegisterBrokerBody(topicsBody(n), { compressed: true, version: 479, deflate });
const deepBody = () =>
  new TextEncoder().encode(`{"topicConfigSerializeWrapper":{"topicQueueMappingInfoMap":{"T":{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}}}}`);

const remarkOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "decoded",
    (err: Error) => `${err.name}: ${err.message}`,
  );

function misbehaving(mode: "throw" | "exit" | "hang"): () => Worker {
  let first = true;
  return () => {
    if (!first) return spawnRegisterBodyWorker();
    first = false;
    return new Worker(new URL("./fixtures/misbehaving-register-body-worker.ts", import.meta.url).href, { argv: [mode] });
  };
}

async function afterFailure(mode: "throw" | "exit" | "hang") {
  const worker = new RegisterBodyWorker({ spawn: misbehaving(mode), timeoutMs: 500 });
  // both are queued before the first fails: only the first is lost
  const failed = remarkOf(worker.decode(job(jsonBody(10))));
  const next = worker.decode(job(jsonBody(20)));
  const result = {
    failed: await failed,
    next: Object.keys((await unpackRegisterBody(await next)).topicConfigTable).length,
    later: Object.keys((await unpackRegisterBody(await worker.decode(job(compressedBody(30), true)))).topicConfigTable).length,
    workersStarted: worker.workersStarted,
  };
  worker.close();
  return result;
}

async function main() {
  const out: Record<string, unknown> = {};

  // the same body as the event loop decodes, for both forms
  const worker = new RegisterBodyWorker();
  const same: boolean[] = [];
  for (const [body, compressed] of [[jsonBody(10_000), false], [compressedBody(20_000), true]] as const) {
    const here = decodeRegisterBodyJob(job(body.slice(), compressed));
    const there = await unpackRegisterBody(await worker.decode(job(body.slice(), compressed)));
    same.push(Bun.deepEquals(here, there, true));
  }
  out.sameAsEventLoop = same;

  // hostile bodies get their remark; the Worker stays and serves the next body
  out.bomb = await remarkOf(worker.decode(job(deflateBomb(1024 ** 3), true)));
  out.deep = await remarkOf(worker.decode(job(deepBody())));
  out.afterHostile = Object.keys((await unpackRegisterBody(await worker.decode(job(jsonBody(5))))).topicConfigTable).length;
  out.workersAfterHostile = worker.workersStarted;

  // a large body is handed over (not copied) and the event loop runs while it is decoded
  const large = jsonBody(20_000);
  const events: string[] = [];
  const decoding = worker.decode(job(large)).then(() => events.push("decoded"));
  setImmediate(() => events.push("event loop turned"));
  await decoding;
  out.handedOver = large.byteLength === 0;
  out.events = events;
  worker.close();
  out.afterClose = await remarkOf(worker.decode(job(jsonBody(1))));

  // a Worker that fails costs one body; a fresh one takes the next
  out.thrown = await afterFailure("throw");
  out.exited = await afterFailure("exit");
  out.hung = await afterFailure("hang");

  // the bridge's decoder: small bodies on the event loop, large ones in the Worker, same result
  const decoder = new BodyDecoder();
  const small = await decoder.registerBrokerBody(jsonBody(3), 479, false);
  const big = await decoder.registerBrokerBody(compressedBody(50_000), 479, true);
  out.decoder = { small: Object.keys(small.topicConfigTable).length, big: Object.keys(big.topicConfigTable).length };
  out.decoderBomb = await remarkOf(decoder.registerBrokerBody(deflateBomb(1024 ** 3), 479, true));
  decoder.close();

  console.log(JSON.stringify(out));
}

await main();
