import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";

export interface ProcessOptions {
  /** Short label used in messages. */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Everything the process prints (stdout and stderr) is also appended here. */
  logFile?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<ManagedProcess>();

/** Kills every process (group) still running; safe to call more than once. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop("SIGKILL")));
}

// Last resort if the worker dies without running afterAll: SIGKILL the groups synchronously.
process.once("exit", () => {
  for (const p of live) p.killGroup("SIGKILL");
});

/**
 * A child process started in its own process group (detached), so that stop() also reaches the
 * children it forks (npx → bun, shells → java).
 */
export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  private text = "";
  private exit: Exit | undefined;
  private log: WriteStream | undefined;
  private listeners: Array<() => void> = [];

  constructor(options: ProcessOptions) {
    this.name = options.name;
    this.log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
    // A log file that cannot be written must not crash the run: the output is kept in memory too.
    this.log?.on("error", () => (this.log = undefined));
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(this);
    const onData = (chunk: Buffer) => {
      this.text += chunk.toString("utf8");
      this.log?.write(chunk);
      for (const listener of this.listeners) listener();
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
    this.exited = new Promise<Exit>((resolvePromise) => {
      let settled = false;
      const settle = (exit: Exit) => {
        if (settled) return;
        settled = true;
        this.exit = exit;
        live.delete(this);
        this.log?.end();
        for (const listener of this.listeners) listener();
        resolvePromise(exit);
      };
      this.child.once("error", () => settle({ code: -1, signal: null }));
      // "close" waits for stdio to drain, so `output` is complete when `exited` resolves.
      this.child.once("close", (code, signal) => settle({ code, signal }));
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** stdout and stderr interleaved, as received so far. */
  get output(): string {
    return this.text;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resolves once `pattern` appears in the output; rejects on timeout or if the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        const match = this.text.match(pattern);
        if (match) return finish(() => resolvePromise(match));
        if (this.exit) {
          return finish(() =>
            reject(new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before printing ${pattern}:\n${tail(this.text)}`)),
          );
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${tail(this.text)}`))),
        timeoutMs,
      );
      const finish = (action: () => void) => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        action();
      };
      this.listeners.push(check);
      check();
    });
  }

  /** Waits for exit; on timeout kills the group and rejects. */
  async waitForExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.killGroup("SIGKILL");
        reject(new Error(`${this.name} still running after ${timeoutMs} ms, killed:\n${tail(this.text)}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` to the whole process group. */
  killGroup(signal: NodeJS.Signals): void {
    if (!this.running || this.pid <= 0) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // already gone
    }
  }

  /** Sends `signal` to the group, escalating to SIGKILL after `graceMs`; resolves when it exited. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 15_000): Promise<Exit> {
    if (!this.running) return this.exit!;
    this.killGroup(signal);
    const escalate = setTimeout(() => this.killGroup("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(escalate);
    }
  }
}

export function startProcess(options: ProcessOptions): ManagedProcess {
  return new ManagedProcess(options);
}

export interface RunResult extends Exit {
  output: string;
}

/** Runs a command to completion (killed after `timeoutMs`) and returns its combined output. */
export async function runProcess(options: ProcessOptions & { timeoutMs: number }): Promise<RunResult> {
  const proc = startProcess(options);
  const exit = await proc.waitForExit(options.timeoutMs);
  return { ...exit, output: proc.output };
}

export function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}
