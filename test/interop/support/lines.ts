/**
 * The Apache RocketMQ releases the suite runs. Each has its own classpath (interop/setup.sh); each
 * 5.x line also gets its own shared broker and, with INTEROP_NAMESRV=java, Apache's NameServer of
 * the same release. Expectations that depend on the release derive from the version here.
 */
import { join } from "node:path";
import { CACHE } from "./paths.js";

export type RocketMQVersion = "5.5.0" | "5.3.3" | "4.9.7";

/** The 5.x lines, oldest first: the scenarios written once and run per line iterate over these. */
export const LINES_5X = ["5.3.3", "5.5.0"] as const satisfies readonly RocketMQVersion[];
export type Line5 = (typeof LINES_5X)[number];

/** The line that files testing something else (Go client, 4.9.x broker, Redis) lean on. */
export const DEFAULT_LINE: Line5 = "5.3.3";
/** The newest line (the Rust client runs against its broker). */
export const NEWEST_LINE: Line5 = "5.5.0";
export const ROCKETMQ4_VERSION: RocketMQVersion = "4.9.7";

/** Where setup.sh put each release's jars; lib-5 keeps its name because bench/ borrows it. */
const LIB_DIRS: Record<RocketMQVersion, string> = { "5.5.0": "lib-55", "5.3.3": "lib-5", "4.9.7": "lib-4" };

export function libDir(version: RocketMQVersion): string {
  return join(CACHE, LIB_DIRS[version]);
}

export function isLine5(version: RocketMQVersion): boolean {
  return version.startsWith("5.");
}

/** The MQVersion enum name a broker of this release reports (clusterList's version column). */
export function versionName(version: RocketMQVersion): string {
  return `V${version.replaceAll(".", "_")}`;
}

/** A tag usable in broker, cluster and topic names (no dots). */
export function lineTag(version: RocketMQVersion): string {
  return version.replaceAll(".", "_");
}
