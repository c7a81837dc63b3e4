import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { canConnect, freePort } from "./ports";
import { waitFor } from "./wait-for";

const ROOT = resolve(__dirname, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");

export interface NamesrvProcess {
  port: number;
  httpPort: number;
  dir: string;
  kvPath: string;
  process: ChildProcess;
  output: () => string;
  http: (path: string, init?: RequestInit) => Promise<Response>;
  stop: () => Promise<void>;
}

export interface StartOptions {
  /**
   * When the process counts as started: `health` (default) once the remoting port accepts and
   * `GET /health` answers over plain HTTP; `listening` once it logged its boot and both ports accept
   * (for an HTTP port that may serve HTTPS).
   */
  readyWhen?: "health" | "listening";
}

/** Starts `bun tcp-bridge/main.ts` on free ports with its own kvConfig.json; resolves when both ports answer. */
export async function startNamesrv(env: Record<string, string> = {}, args: string[] = [], options: StartOptions = {}): Promise<NamesrvProcess> {
  const port = await freePort();
  const httpPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "namesrv-test-"));
  const kvPath = join(dir, "kvConfig.json");
  let output = "";
  const child = spawn(BUN, ["tcp-bridge/main.ts", ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NAMESRV_PORT: String(port),
      NAMESRV_HTTP_PORT: String(httpPort),
      NAMESRV_KV_PATH: kvPath,
      NAMESRV_BIND_ADDRESS: "127.0.0.1",
      // updates are saved to configStorePath (default ~/namesrv/namesrv.properties); a `-c` file is its own
      ...(args.includes("-c") ? {} : { NAMESRV_CONFIG_configStorePath: join(dir, "namesrv.properties") }),
      // never the machine's /etc/rocketmq/tls.properties (Java's default tls.config.file)
      "NAMESRV_CONFIG_tls.config.file": join(dir, "no-tls.properties"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const listening = async () => output.includes("boot success") && (await canConnect(port)) && (await canConnect(httpPort));
    const healthy = async () => (await canConnect(port)) && (await fetch(`http://127.0.0.1:${httpPort}/health`)).ok;
    const state = await waitFor(async () => {
      // an exited process will not come up: said at once, with what it printed
      if (child.exitCode !== null) return "exited";
      return options.readyWhen === "listening" ? listening() : healthy();
    }, "the NameServer to listen", 20_000);
    if (state === "exited") throw new Error(`namesrv exited with ${child.exitCode}: ${output}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    httpPort,
    dir,
    kvPath,
    process: child,
    output: () => output,
    http: (path, init) => fetch(`http://127.0.0.1:${httpPort}${path}`, init),
    stop,
  };
}
