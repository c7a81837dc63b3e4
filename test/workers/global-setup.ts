/**
 * Global setup of the workerd tests, run in Node before the pool starts: a private redis-server
 * and the development Upstash REST proxy in front of it. Their URL, token and a fresh key prefix
 * are provided to vitest.workers.config.ts, which passes them to the Worker as bindings.
 */
import type { TestProject } from "vitest/node";
import { startDevRestProxy } from "../../tools/dev-rest-proxy";
import { startRedisServer } from "../support/redis-server";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedisServer();
  let proxy;
  try {
    proxy = await startDevRestProxy({ redisUrl: redis.url, token: "workers-test-token" });
  } catch (err) {
    await redis.stop();
    throw err;
  }
  project.provide("redisRestUrl", proxy.url);
  project.provide("redisRestToken", "workers-test-token");
  project.provide("redisPrefix", `wk-${process.pid}-${Date.now()}`);
  return async () => {
    await proxy.close();
    await redis.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    redisRestUrl: string;
    redisRestToken: string;
    redisPrefix: string;
  }
}
