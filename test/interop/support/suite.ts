import { inject } from "vitest";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { mqadmin, type MQAdmin } from "./java.js";

export interface SuiteContext {
  kind: "ours" | "java";
  /** NameServer under test, host:port. */
  namesrv: string;
  /** Our HTTP API (ours mode only). */
  httpUrl?: string;
  kvPath: string;
  suiteDir: string;
  /** The 5.3.3 broker started by the global setup. */
  shared: { cluster: string; name: string; addr: string };
}

declare module "vitest" {
  export interface ProvidedContext {
    interop: SuiteContext;
  }
}

export function suite(): SuiteContext {
  return inject("interop");
}

/** A directory of the suite's work dir for one test file. */
export function fileDir(label: string): string {
  const dir = join(suite().suiteDir, label);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function admin(label = "mqadmin"): MQAdmin {
  const s = suite();
  return mqadmin(s.namesrv, join(s.suiteDir, label));
}

/** A name unique within this run (topics, groups). */
export function unique(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}
