/**
 * Processes and helpers of the multi-instance tests: the Worker under `wrangler dev`, a bridge that
 * forwards to it (NAMESRV_EDGE_URL), a redis-server with AOF persistence that can be killed and
 * restarted on the same port, and a route request of a client (a broker's registration is
 * test/support/broker-registration.ts). Every process is started in its own process group and
 * stopped by that group's id.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RespConnection } from "../support/redis/node-resp-transport";
import { canConnect, freePort } from "../support/ports";
import { redisServerMissingMessage } from "../support/redis-server";
import type { RemotingTestClient } from "../support/remoting-client";
import { waitFor } from "../support/wait-for";

export const ROOT = resolve(__dirname, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Ends the process group: SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `command` as the leader of a new process group, collecting its output. */
export function spawnGroup(command: string, args: string[], env: Record<string, string> = {}): Spawned {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  return {
    child,
    output: () => output,
    async stop(graceMs = 5000) {
      if (child.pid === undefined) return;
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      if (child.exitCode === null && child.signalCode === null) await exited;
      clearTimeout(timer);
      // children (workerd, esbuild) may outlive the leader
      signalGroup("SIGKILL");
    },
  };
}

/** A NameServer config file that turns the bridges' own expiry timer practically off. */
export function noSweepConfigFile(dir: string): string {
  const file = join(dir, "no-sweep.properties");
  writeFileSync(file, "scanNotActiveBrokerInterval=3600000\n");
  return file;
}

// ---------------------------------------------------------------------------------------------
// the Worker under wrangler dev

export interface WorkerProcess {
  url: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Fires the `scheduled` handler (wrangler dev --test-scheduled). */
  scheduled(cron?: string): Promise<Response>;
  output(): string;
  stop(): Promise<void>;
}

export async function startWorker(vars: Record<string, string>): Promise<WorkerProcess> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "wrangler-state-"));
  const args = [
    WRANGLER,
    "dev",
    "--port", String(port),
    "--ip", "127.0.0.1",
    "--inspector-port", String(inspectorPort),
    "--test-scheduled",
    "--persist-to", persist,
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const proc = spawnGroup(process.execPath, args, { WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop();
    rmSync(persist, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`wrangler dev exited with ${proc.child.exitCode}: ${proc.output()}`);
        return (await fetch(`${url}/health`)).ok;
      },
      "wrangler dev to serve /health",
      90_000,
      200,
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- wrangler output ---\n${proc.output()}`);
  }
  return {
    url,
    fetch: (path, init) => fetch(url + path, init),
    scheduled: (cron = "* * * * *") => fetch(`${url}/__scheduled?cron=${encodeURIComponent(cron)}`),
    output: proc.output,
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// a bridge in front of a remote deployment of the app

export interface EdgeBridge {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** `bun tcp-bridge/main.ts` with NAMESRV_EDGE_URL: no store, no HTTP listener of its own. */
export async function startEdgeBridge(edgeUrl: string, args: string[] = [], env: Record<string, string> = {}): Promise<EdgeBridge> {
  const port = await freePort();
  const proc = spawnGroup(BUN, ["tcp-bridge/main.ts", ...args], {
    NAMESRV_EDGE_URL: edgeUrl,
    NAMESRV_PORT: String(port),
    NAMESRV_BIND_ADDRESS: "127.0.0.1",
    ...env,
  });
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`edge bridge exited with ${proc.child.exitCode}: ${proc.output()}`);
        return canConnect(port);
      },
      "the edge bridge to listen",
      20_000,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { port, output: proc.output, stop: () => proc.stop() };
}

// ---------------------------------------------------------------------------------------------
// a redis-server that survives being killed: AOF, fsync on every write

export interface PersistentRedis {
  port: number;
  url: string;
  /** SIGKILL: no shutdown, no final save; what is in the AOF is what survives. */
  kill(): Promise<void>;
  /** Starts it again on the same port over the same directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPersistentRedis(): Promise<PersistentRedis> {
  const missing = redisServerMissingMessage();
  if (missing) throw new Error(missing);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "redis-aof-"));
  const url = `redis://127.0.0.1:${port}`;
  let current: Spawned | null = null;

  const launch = async () => {
    const proc = spawnGroup("redis-server", [
      "--port", String(port),
      "--bind", "127.0.0.1",
      "--dir", dir,
      "--save", "",
      "--appendonly", "yes",
      "--appendfsync", "always",
      "--loglevel", "warning",
    ]);
    current = proc;
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`redis-server exited: ${proc.output()}`);
        const conn = RespConnection.fromUrl(url);
        try {
          // answers PING only once the AOF is loaded (LOADING otherwise)
          return (await conn.send(["PING"])) === "PONG";
        } finally {
          conn.close();
        }
      },
      `redis-server on port ${port}`,
      15_000,
    );
  };

  await launch();
  return {
    port,
    url,
    async kill() {
      const proc = current;
      current = null;
      if (!proc) return;
      const exited = new Promise<void>((r) => (proc.child.exitCode !== null ? r() : proc.child.once("exit", () => r())));
      process.kill(-proc.child.pid!, "SIGKILL");
      await exited;
    },
    restart: launch,
    async stop() {
      await current?.stop();
      current = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One command to a Redis, on a connection of its own. */
export async function redisCommand(url: string, ...command: string[]): Promise<unknown> {
  const conn = RespConnection.fromUrl(url);
  try {
    return await conn.send(command);
  } finally {
    conn.close();
  }
}

/** How many scripts (EVAL/EVALSHA) Redis has run so far: every Store call is one script. */
export async function scriptCalls(url: string): Promise<number> {
  const info = String(await redisCommand(url, "INFO", "commandstats"));
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_(?:eval|evalsha|eval_ro|evalsha_ro):calls=(\d+)/gm)) total += Number(m[1]);
  return total;
}

// ---------------------------------------------------------------------------------------------
// remoting requests of a client

/** GET_ROUTEINFO_BY_TOPIC (105): the response code and body text. */
export async function route(client: RemotingTestClient, topic: string): Promise<{ code: number; body: string | null; remark: string | null }> {
  const res = await client.request(105, { extFields: { topic } });
  return { code: res.code, body: res.body ? new TextDecoder().decode(res.body) : null, remark: res.remark };
}
