import { defineConfig } from "vitest/config";

// Interop suite: real RocketMQ brokers, clients and mqadmin against the NameServer under test
// (INTEROP_NAMESRV=ours|java). Needs `bash interop/setup.sh` first (npm run test:interop does it).
export default defineConfig({
  test: {
    include: ["test/interop/**/*.test.ts"],
    globalSetup: ["test/interop/support/global-setup.ts"],
    setupFiles: ["test/interop/support/per-file.ts"],
    // 2 cores: one file at a time, brokers are heavy.
    fileParallelism: false,
    pool: "forks",
    testTimeout: 240_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    reporters: ["verbose"],
  },
});
