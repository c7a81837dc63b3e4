import { inject } from "vitest";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { mqadmin, type MQAdmin } from "./java.js";
import { DEFAULT_LINE, lineTag, type Line5 } from "./lines.js";

/** What the global setup started for one 5.x line. */
export interface LineContext {
  version: Line5;
  /** The NameServer this line's brokers and clients use, host:port: ours (one for every line) or Apache's of this release. */
  namesrv: string;
  /** Our HTTP API (ours mode only). */
  httpUrl?: string;
  kvPath: string;
  /** The line's broker started by the global setup (master, its own cluster). */
  shared: { cluster: string; name: string; addr: string };
}

export interface SuiteContext {
  kind: "ours" | "java";
  suiteDir: string;
  lines: Record<Line5, LineContext>;
}

declare module "vitest" {
  export interface ProvidedContext {
    interop: SuiteContext;
  }
}

export function suite(): SuiteContext {
  return inject("interop");
}

/** The NameServer and shared broker of one 5.x line (default: 5.3.3). */
export function line(version: Line5 = DEFAULT_LINE): LineContext & { kind: SuiteContext["kind"] } {
  const s = suite();
  return { kind: s.kind, ...s.lines[version] };
}

/** A directory of the suite's work dir for one test file. */
export function fileDir(label: string): string {
  const dir = join(suite().suiteDir, label);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** mqadmin of the line's release, pointed at the line's NameServer. */
export function admin(version: Line5 = DEFAULT_LINE, label = "mqadmin"): MQAdmin {
  return mqadmin(line(version).namesrv, join(suite().suiteDir, `${label}-${lineTag(version)}`), version);
}

/** A name unique within this run (topics, groups). */
export function unique(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}
