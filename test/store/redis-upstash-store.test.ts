/**
 * The store conformance suite, unchanged, against RedisStore over the Upstash REST transport
 * (@upstash/redis → the development REST proxy → a private redis-server). Each store gets its own
 * key prefix, so the tests are independent.
 */
import { afterAll, beforeAll } from "vitest";
import { startDevRestProxy, type DevRestProxy } from "../../tools/dev-rest-proxy";
import { RedisStore } from "../../edge/store/redis/redis-store";
import { UpstashTransport } from "../../edge/store/redis/upstash-transport";
import { useRedisServer } from "../support/redis-server";
import { describeStoreConformance } from "./store-conformance";

const TOKEN = "test-token";
const redis = useRedisServer();
let proxy: DevRestProxy;
let transport: UpstashTransport;
let n = 0;

beforeAll(async () => {
  proxy = await startDevRestProxy({ redisUrl: redis.current.url, token: TOKEN });
  transport = new UpstashTransport({ url: proxy.url, token: TOKEN });
});

afterAll(async () => {
  await transport?.close();
  await proxy?.close();
});

describeStoreConformance("RedisStore over Upstash REST", async () =>
  new RedisStore(transport, { prefix: `upstash-${++n}` }),
);

// Every registration through the payload-free fast path and the staged (chunked) path.
describeStoreConformance("RedisStore over Upstash REST, staged registrations", async () =>
  new RedisStore(transport, { prefix: `upstash-staged-${++n}`, maxRequestBytes: 1 }),
);

// Every registration with topics staged, committed as an overlay and folded one topic per script.
describeStoreConformance("RedisStore over Upstash REST, chunked registrations", async () =>
  new RedisStore(transport, { prefix: `upstash-chunked-${++n}`, chunkTopics: 1 }),
);
