#!/usr/bin/env node
// Runs the CLI (cli/main.ts) under the Bun this package pins, wherever `npx edge-namesrv` is run from.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinned = join(root, "node_modules", ".bin", process.platform === "win32" ? "bun.exe" : "bun");
const bun = existsSync(pinned) ? pinned : "bun";
const child = spawn(bun, [join(root, "cli", "main.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
// watch stops on Ctrl-C itself: the terminal sends SIGINT to both, so the launcher waits for it
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
child.on("error", (err) => {
  console.error(`edge-namesrv: cannot start bun (${err.message}); run npm install`);
  process.exit(1);
});
