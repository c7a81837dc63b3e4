import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Repository root (test/interop/support → ../../..). */
export const ROOT = resolve(import.meta.dirname, "../../..");
/** What interop/setup.sh installs. */
export const CACHE = join(ROOT, ".cache/interop");
export const LIB5 = join(CACHE, "lib-5");
export const LIB4 = join(CACHE, "lib-4");
export const HARNESS_JAR = join(CACHE, "interop-harness.jar");
export const GO_BIN = join(CACHE, "bin/interop-go");

export const ROCKETMQ5_VERSION = "5.3.3";
export const ROCKETMQ4_VERSION = "4.9.7";

/** A fresh directory under the OS temp dir; `keep` (INTEROP_KEEP=1) leaves it for post-mortems. */
export function makeTempDir(label: string): string {
  const base = join(tmpdir(), "edge-namesrv-interop");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${label}-`));
}

export function removeTempDir(dir: string): void {
  if (process.env.INTEROP_KEEP === "1") return;
  rmSync(dir, { recursive: true, force: true });
}
