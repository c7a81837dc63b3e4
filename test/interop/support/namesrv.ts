import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Credentials } from "./credentials.js";
import { JAVA17_FLAGS, classpath, javaHome } from "./java.js";
import { DEFAULT_LINE, type Line5 } from "./lines.js";
import { ROOT } from "./paths.js";
import { canConnect } from "../../support/ports.js";
import { freeInteropPort } from "./ports.js";
import { waitFor } from "../../support/wait-for.js";
import { startProcess, tail, type ManagedProcess } from "./process.js";
import { remotingCall } from "./remoting.js";

/** "ours" = tcp-bridge/main.ts under Bun (default); "java" = Apache RocketMQ's NamesrvStartup (5.x). */
export type NamesrvKind = "ours" | "java";

export function namesrvKind(): NamesrvKind {
  const kind = process.env.INTEROP_NAMESRV ?? "ours";
  if (kind !== "ours" && kind !== "java") throw new Error(`INTEROP_NAMESRV must be "ours" or "java", not ${kind}`);
  return kind;
}

export interface NameServer {
  kind: NamesrvKind;
  /** host:port of the remoting (TCP) endpoint. */
  addr: string;
  port: number;
  /** Base URL of our HTTP API (ours only). */
  httpUrl?: string;
  httpPort?: number;
  kvPath: string;
  proc: ManagedProcess;
}

export interface NameServerOptions {
  /** Extra environment for ours (e.g. REDIS_URL and NAMESRV_REDIS_PREFIX for the Redis store). */
  env?: Record<string, string>;
  /** Told apart in messages when a file starts several ("namesrv(ours bridge-1)"). */
  label?: string;
  /** Which release's NamesrvStartup runs (java only; default 5.3.3). */
  version?: Line5;
  /** Fixed ports, to start a NameServer again where it ran before (default: free ones). */
  port?: number;
  httpPort?: number;
  /**
   * Ours: start with `-c <dir>/namesrv.properties` (created when missing) instead of naming the
   * configStorePath in the environment, as the Java NameServer is always started: updates are then
   * saved into that file and read back by a restart.
   */
  configFile?: boolean;
  /** NameServer configuration keys, for either kind (ours: NAMESRV_CONFIG_<key>; java: its properties file). */
  config?: Record<string, string>;
  /** NAMESRV_ADDR in the NameServer's environment (clusterTest mode's product environment). */
  namesrvAddr?: string;
  /** Sign the readiness probe with these (a NameServer that authenticates refuses unsigned requests). */
  credentials?: Credentials;
}

export async function startNameServer(kind: NamesrvKind, dir: string, options: NameServerOptions = {}): Promise<NameServer> {
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freeInteropPort());
  const addr = `127.0.0.1:${port}`;
  const kvPath = join(dir, "kvConfig.json");
  const logFile = join(dir, "namesrv.log");
  let proc: ManagedProcess;
  let httpUrl: string | undefined;
  let httpPort: number | undefined;
  const config = options.config ?? {};
  const namesrvAddrEnv: Record<string, string> = options.namesrvAddr === undefined ? {} : { NAMESRV_ADDR: options.namesrvAddr };

  if (kind === "ours") {
    httpPort = options.httpPort ?? (await freeInteropPort());
    httpUrl = `http://127.0.0.1:${httpPort}`;
    const props = join(dir, "namesrv.properties");
    if (options.configFile && !existsSync(props)) writeFileSync(props, "");
    proc = startProcess({
      name: `namesrv(ours${options.label ? ` ${options.label}` : ""})`,
      command: "npx",
      args: ["--no-install", "bun", "tcp-bridge/main.ts", ...(options.configFile ? ["-c", props] : [])],
      cwd: ROOT,
      env: {
        NAMESRV_PORT: String(port),
        NAMESRV_HTTP_PORT: String(httpPort),
        NAMESRV_KV_PATH: kvPath,
        NAMESRV_BIND_ADDRESS: "127.0.0.1",
        ...(options.configFile ? {} : { NAMESRV_CONFIG_configStorePath: props }),
        ...Object.fromEntries(Object.entries(config).map(([key, value]) => [`NAMESRV_CONFIG_${key}`, value])),
        ...namesrvAddrEnv,
        ...options.env,
      },
      logFile,
    });
  } else {
    if (options.env || options.httpPort) throw new Error("startNameServer: options.env and httpPort apply to ours only");
    const version = options.version ?? DEFAULT_LINE;
    const home = javaHome(dir);
    const props = join(dir, "namesrv.properties");
    // a restart with configFile keeps the file the first start wrote (and the updates saved into it)
    if (!options.configFile || !existsSync(props)) writeFileSync(
      props,
      [
        `listenPort=${port}`,
        "bindAddress=127.0.0.1",
        `kvConfigPath=${kvPath}`,
        `configStorePath=${join(dir, "namesrv.properties.store")}`,
        ...Object.entries(config).map(([key, value]) => `${key}=${value}`),
        "",
      ].join("\n"),
    );
    proc = startProcess({
      name: `namesrv(java ${version}${options.label ? ` ${options.label}` : ""})`,
      command: "java",
      args: ["-Xms128m", "-Xmx128m", "-XX:+UseSerialGC", ...JAVA17_FLAGS, ...home.flags, "-cp", classpath(version), "org.apache.rocketmq.namesrv.NamesrvStartup", "-c", props],
      env: { ...home.env, ...namesrvAddrEnv },
      logFile,
    });
  }
  // Java in clusterTest mode answers every request code as a route query (106 would fail to decode
  // its missing topic header), so there any answer to a route query means ready; the scenario
  // asserts what the answers are.
  const clusterTest = config.clusterTest === "true";

  try {
    const state = await waitFor(
      async () => {
        // a process that exited will not come up: no point waiting out the deadline
        if (!proc.running) return "exited";
        if (!(await canConnect(port))) return false;
        if (httpUrl && (await fetch(`${httpUrl}/health`)).status !== 200) return false;
        // The remoting endpoint must answer, not just accept.
        if (clusterTest) return (await remotingCall(addr, 105, { topic: "TBW102" }, 10_000)) !== undefined;
        return (await remotingCall(addr, 106, {}, undefined, options.credentials)).code === 0;
      },
      `${proc.name} on ${addr}`,
      60_000,
      250,
    );
    if (state === "exited") throw new Error(`${proc.name} on ${addr} exited early`);
  } catch (error) {
    await proc.stop("SIGKILL");
    throw new Error(`${(error as Error).message}\n--- ${proc.name} output (${logFile}) ---\n${tail(proc.output)}`);
  }
  return { kind, addr, port, httpUrl, httpPort, kvPath, proc };
}
