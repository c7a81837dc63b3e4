import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Repository root (test/interop/support → ../../..). */
export const ROOT = resolve(import.meta.dirname, "../../..");
/** What interop/setup.sh installs. */
export const CACHE = join(ROOT, ".cache/interop");
export const HARNESS_JAR = join(CACHE, "interop-harness.jar");
export const GO_BIN = join(CACHE, "bin/interop-go");
export const RUST_BIN = join(CACHE, "bin/interop-rust");

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
