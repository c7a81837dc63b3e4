/**
 * The primary's side of NAMESRV_WORKERS: it spawns workers 1..count-1 (the same bun executable,
 * script and arguments, with NAMESRV_WORKER_INDEX set and an IPC channel), restarts one that dies
 * while the primary runs (after a bounded backoff, so a worker that cannot start does not spin),
 * collects their metrics for the primary's /metrics, and at shutdown passes the signal on and waits
 * for them, so that each drains its own connections with GO_AWAY.
 */
import type { Subprocess } from "bun";
import type { Logger } from "../../shared/logger";
import { isMetricsAnswer, type MetricsRequest } from "./ipc-messages";
import { WORKER_INDEX_VARIABLE } from "./worker-role";

/** The first restart's delay; it doubles on each quick death, up to RESTART_MAX_DELAY_MS. */
const RESTART_FIRST_DELAY_MS = 500;
const RESTART_MAX_DELAY_MS = 30_000;
/** A worker that ran this long before it died is restarted after the first delay again. */
const RESTART_RESET_AFTER_MS = 60_000;

export interface WorkerExposition {
  index: number;
  text: string;
}

export interface WorkerSupervisor {
  /** The expositions of the workers that answered within `timeoutMs`; the others are left out. */
  expositions(timeoutMs: number): Promise<WorkerExposition[]>;
  /** Process ids of the running workers (tests, logs). */
  pids(): number[];
  /** Sends `signal` to every worker and resolves when all have exited (SIGKILL after `graceMs`). */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
}

interface Slot {
  index: number;
  child: Subprocess | null;
  startedAt: number;
  delayMs: number;
  restartTimer: ReturnType<typeof setTimeout> | null;
}

export function startWorkerSupervisor(options: { count: number; log: Logger; env?: Record<string, string | undefined> }): WorkerSupervisor {
  const { count, log } = options;
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const pending = new Map<number, { index: number; resolve: (text: string) => void }>();
  let nextRequestId = 0;
  let stopping = false;

  const slots: Slot[] = [];
  for (let index = 1; index < count; index++) {
    const slot: Slot = { index, child: null, startedAt: 0, delayMs: RESTART_FIRST_DELAY_MS, restartTimer: null };
    slots.push(slot);
    spawnWorker(slot);
  }

  function spawnWorker(slot: Slot): void {
    slot.restartTimer = null;
    slot.startedAt = Date.now();
    const child = Bun.spawn(command, {
      env: { ...(options.env ?? process.env), [WORKER_INDEX_VARIABLE]: String(slot.index) },
      stdio: ["ignore", "inherit", "inherit"],
      ipc(message) {
        if (!isMetricsAnswer(message)) return;
        const waiting = pending.get(message.id);
        if (waiting?.index !== slot.index) return;
        pending.delete(message.id);
        waiting.resolve(message.text);
      },
      onExit(_child, exitCode, signalCode) {
        if (slot.child !== child) return;
        slot.child = null;
        if (stopping) return;
        const ranMs = Date.now() - slot.startedAt;
        if (ranMs >= RESTART_RESET_AFTER_MS) slot.delayMs = RESTART_FIRST_DELAY_MS;
        log.error({ msg: "worker exited: restarting it", workerIndex: slot.index, exitCode, signal: signalCode, ranMs, restartInMs: slot.delayMs });
        slot.restartTimer = setTimeout(() => spawnWorker(slot), slot.delayMs);
        slot.delayMs = Math.min(RESTART_MAX_DELAY_MS, slot.delayMs * 2);
      },
    });
    slot.child = child;
    log.info({ msg: "worker started", workerIndex: slot.index, pid: child.pid });
  }

  function askOne(slot: Slot, timeoutMs: number): Promise<WorkerExposition | null> {
    const child = slot.child;
    if (child === null) return Promise.resolve(null);
    const id = ++nextRequestId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(null);
      }, timeoutMs);
      pending.set(id, {
        index: slot.index,
        resolve: (text) => {
          clearTimeout(timer);
          resolve({ index: slot.index, text });
        },
      });
      try {
        const request: MetricsRequest = { type: "metrics", id };
        child.send(request);
      } catch {
        // the channel closed under us: the worker is exiting, and is left out of this scrape
        clearTimeout(timer);
        pending.delete(id);
        resolve(null);
      }
    });
  }

  return {
    async expositions(timeoutMs) {
      const answers = await Promise.all(slots.map((slot) => askOne(slot, timeoutMs)));
      return answers.filter((answer): answer is WorkerExposition => answer !== null);
    },
    pids: () => slots.flatMap((slot) => (slot.child ? [slot.child.pid] : [])),
    async stop(signal, graceMs) {
      stopping = true;
      const running: Subprocess[] = [];
      for (const slot of slots) {
        if (slot.restartTimer) clearTimeout(slot.restartTimer);
        if (slot.child) running.push(slot.child);
      }
      for (const child of running) child.kill(signal);
      const killer = setTimeout(() => {
        for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }, graceMs);
      await Promise.all(running.map((child) => child.exited));
      clearTimeout(killer);
    },
  };
}
