/**
 * The server under fuzzing: `bun tcp-bridge/main.ts` on free loopback ports with its own
 * kvConfig.json, on the embedded store or on a private redis-server. Its error log is read as it
 * comes (counted by message, a few kept whole), never stored in full: a long run logs a lot.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { canConnect, freePort } from "../test/support/ports";
import { waitFor } from "../test/support/wait-for";
import { startRedisServer, type RedisServer } from "../test/support/redis-server";

const ROOT = resolve(import.meta.dirname, "..");
const BUN = join(ROOT, "node_modules/.bin/bun");

export type StoreKind = "embedded" | "redis";

/** Error-level log lines of the server, grouped by their `msg`. */
export interface LoggedErrors {
  count: number;
  examples: string[];
}

export class BridgeProcess {
  readonly errors = new Map<string, LoggedErrors>();
  exit: { code: number | null; signal: string | null } | null = null;
  /** resolves when the process has exited */
  readonly exited: Promise<void>;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly redis: RedisServer | null,
  ) {
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      }),
    );
    const lines = createInterface({ input: child.stderr! });
    lines.on("line", (line) => this.readLogLine(line));
    child.stdout!.resume();
  }

  /** Starts a bridge on `store` and resolves once its remoting port accepts connections. */
  static async start(store: StoreKind, seed: number): Promise<BridgeProcess> {
    const redis = store === "redis" ? await startRedisServer() : null;
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "namesrv-fuzz-"));
    const child = spawn(BUN, ["tcp-bridge/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NAMESRV_PORT: String(port),
        NAMESRV_HTTP_PORT: String(await freePort()),
        NAMESRV_KV_PATH: join(dir, "kvConfig.json"),
        NAMESRV_CONFIG_configStorePath: join(dir, "namesrv.properties"),
        NAMESRV_BIND_ADDRESS: "127.0.0.1",
        NAMESRV_LOG_LEVEL: "error",
        ...(redis ? { REDIS_URL: redis.url, NAMESRV_REDIS_PREFIX: `fuzz-${seed >>> 0}` } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const bridge = new BridgeProcess(port, child, dir, redis);
    try {
      await waitFor(async () => {
        if (bridge.exit) throw new Error(`the bridge exited at start-up: ${JSON.stringify(bridge.exit)} ${bridge.errorSummary()}`);
        return canConnect(port);
      }, "the bridge to listen", 20_000);
    } catch (err) {
      await bridge.stop();
      throw err;
    }
    return bridge;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === null;
  }

  /** Resident memory of the server process in MiB (Linux), null when unknown. */
  rssMiB(): number | null {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
      const kb = /VmRSS:\s+(\d+) kB/.exec(status);
      return kb ? Number(kb[1]) / 1024 : null;
    } catch {
      return null;
    }
  }

  /** Kills the bridge and its redis-server and removes the run directory; safe to call twice. */
  async stop(): Promise<void> {
    if (this.alive) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    await this.redis?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** For a last-resort exit handler: kills without waiting. */
  killNow(): void {
    if (this.alive) this.child.kill("SIGKILL");
  }

  errorSummary(): string {
    return [...this.errors].map(([msg, e]) => `${msg} ×${e.count}`).join(", ");
  }

  private readLogLine(line: string): void {
    let msg = "unparsed log line";
    try {
      const entry = JSON.parse(line) as { msg?: unknown; level?: unknown };
      if (entry.level !== "error") return;
      msg = String(entry.msg);
    } catch {
      // kept under its own heading
    }
    let group = this.errors.get(msg);
    if (!group) this.errors.set(msg, (group = { count: 0, examples: [] }));
    group.count++;
    if (group.examples.length < 3) group.examples.push(line.slice(0, 600));
  }
}
