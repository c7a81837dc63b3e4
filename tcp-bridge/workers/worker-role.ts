/**
 * NAMESRV_WORKERS: how many bridge processes serve the remoting port, and which of them this one is.
 * The process the operator started is the primary (index 0); it spawns the others with
 * NAMESRV_WORKER_INDEX set, which is how a spawned process knows it is a worker.
 */
import { ConfigError } from "../../edge/config/namesrv-config";

/** Past this, more processes only add Redis connections and memory: no host has that many cores for one port. */
export const MAX_WORKERS = 64;

export const WORKERS_VARIABLE = "NAMESRV_WORKERS";
/** Set by the primary on the processes it spawns; never by an operator. */
export const WORKER_INDEX_VARIABLE = "NAMESRV_WORKER_INDEX";

export interface WorkerRole {
  /** processes serving the port, this one included (1: a single bridge, as before) */
  count: number;
  /** 0: the primary (or the only process); 1..count-1: a spawned worker */
  index: number;
}

/** NAMESRV_WORKERS: unset or empty is 1, `auto` the machine's cores (at most MAX_WORKERS). */
export function parseWorkerCount(value: string | undefined, cpus: number): number {
  if (value === undefined || value.trim() === "") return 1;
  const text = value.trim();
  if (text === "auto") return Math.max(1, Math.min(MAX_WORKERS, Math.floor(cpus)));
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_WORKERS) {
    throw new ConfigError(`${WORKERS_VARIABLE} must be a whole number from 1 to ${MAX_WORKERS}, or auto (the number of cores), not ${JSON.stringify(value)}`);
  }
  return Number(text);
}

/** This process's place among the workers, from its environment. */
export function readWorkerRole(env: Record<string, string | undefined>, cpus: number): WorkerRole {
  const count = parseWorkerCount(env[WORKERS_VARIABLE], cpus);
  const marker = env[WORKER_INDEX_VARIABLE];
  if (marker === undefined || marker === "") return { count, index: 0 };
  const index = Number(marker);
  if (!Number.isInteger(index) || index < 1 || index >= count) {
    throw new ConfigError(`${WORKER_INDEX_VARIABLE}=${JSON.stringify(marker)} is not a worker of ${WORKERS_VARIABLE}=${count} (it is set by the primary, not by hand)`);
  }
  return { count, index };
}
