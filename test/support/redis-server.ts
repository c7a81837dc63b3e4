/**
 * A private redis-server for one test file: a free port on 127.0.0.1, no persistence, killed after
 * the file. When redis-server is not installed the tests FAIL with a message saying how to install
 * it (scripts/install-redis.sh); they are never skipped.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { useForFile } from "./use-for-file";
import { RespConnection, type RespValue } from "./redis/node-resp-transport";
import { freePort } from "./ports";
import { waitFor } from "./wait-for";

export interface RedisServer {
  port: number;
  url: string;
  pid: number;
  /** Sends a signal: SIGKILL for a crash, SIGSTOP/SIGCONT to freeze and thaw it. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves once the process has exited (after kill or stop). */
  exited(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** More redis-server arguments, e.g. ["--replicaof", "127.0.0.1", "7000"] or ["--cluster-enabled", "yes"] */
  extraArgs?: string[];
  /** A config file to start from (its directives first, then the arguments); for sentinels */
  configFile?: string;
  /** the port to listen on; default a free one */
  port?: number;
  /** requirepass: clients (and the readiness check) authenticate with it; `url` carries it */
  password?: string;
}

export function redisServerMissingMessage(): string | null {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    return "redis-server is not installed (or not on PATH): run `bash scripts/install-redis.sh` (apt-get) and re-run the tests";
  }
  return null;
}

/** One command over a connection of its own to the Redis at `url` (a test's admin call). */
export async function commandOnce(url: string, args: string[]): Promise<RespValue> {
  const conn = RespConnection.fromUrl(url);
  try {
    return await conn.send(args);
  } finally {
    conn.close();
  }
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const missing = redisServerMissingMessage();
  if (missing) throw new Error(missing);
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(
    "redis-server",
    [
      ...(options.configFile ? [options.configFile] : []),
      "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning",
      ...(options.password ? ["--requirepass", options.password] : []),
      ...(options.extraArgs ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));

  const url = options.password ? `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`redis-server exited: ${output.trim()}`);
        return (await commandOnce(url, ["PING"])) === "PONG";
      },
      `redis-server on port ${port} to answer PING`,
      10_000,
      50,
    );
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }

  return {
    port,
    url,
    pid: child.pid ?? 0,
    kill: (signal) => {
      if (!exited) child.kill(signal);
    },
    exited: () => exit,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGCONT");
        child.kill("SIGTERM");
      }),
  };
}

/** Starts a redis-server before the file's tests and stops it after; read `.current` in tests. */
export function useRedisServer(): { readonly current: RedisServer } {
  return useForFile("redis-server", () => startRedisServer());
}
