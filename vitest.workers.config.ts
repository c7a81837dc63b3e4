/**
 * Handler tests inside workerd (`npm run test:workers`): the Worker entry (edge/runtime/worker.ts)
 * with wrangler.toml's settings, its Upstash bindings pointing at the development REST proxy in
 * front of a private redis-server that test/workers/global-setup.ts starts in Node.
 *
 * vitest.config.ts (`npm test`, in Node) excludes test/workers: these files import
 * `cloudflare:test`, which exists only inside workerd.
 */
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: "./edge/runtime/worker.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          UPSTASH_REDIS_REST_URL: inject("redisRestUrl"),
          UPSTASH_REDIS_REST_TOKEN: inject("redisRestToken"),
          NAMESRV_REDIS_PREFIX: inject("redisPrefix"),
          // the tests write anonymously; worker.test.ts checks the refusal without this binding
          NAMESRV_ALLOW_ANONYMOUS_WRITES: "true",
        },
      },
    })),
  ],
  test: {
    include: ["test/workers/**/*.test.ts"],
    globalSetup: ["test/workers/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
