/**
 * The store conformance suite, unchanged, against RedisStore over RESP with Bun's built-in Redis
 * client. vitest runs in Node and Bun's client exists only in Bun, so the stores live in a Bun child
 * process (test/support/redis/store-rpc-main.ts) and the suite gets Store proxies that forward every
 * call as a JSON line. Each store gets its own key prefix.
 */
import { afterAll, beforeAll } from "vitest";
import { StoreRpcProcess } from "../support/redis/store-rpc";
import { useRedisServer } from "../support/redis-server";
import { describeStoreConformance } from "./store-conformance";

const redis = useRedisServer();
let rpc: StoreRpcProcess;
let n = 0;

beforeAll(async () => {
  rpc = await StoreRpcProcess.start(redis.current.url);
});

afterAll(async () => {
  await rpc?.stop();
});

describeStoreConformance("RedisStore over RESP (Bun RedisClient)", async () => rpc.open({ prefix: `resp-${++n}` }));

describeStoreConformance(
  "RedisStore over RESP (Bun RedisClient), staged registrations",
  async () => rpc.open({ prefix: `resp-staged-${++n}`, maxRequestBytes: 1 }),
);

// Every registration with topics staged, committed as an overlay and folded one topic per script.
describeStoreConformance(
  "RedisStore over RESP (Bun RedisClient), chunked registrations",
  async () => rpc.open({ prefix: `resp-chunked-${++n}`, chunkTopics: 1 }),
);
