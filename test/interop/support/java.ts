import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeToolsYml, type Credentials } from "./credentials.js";
import { parseFastjson } from "./remoting.js";
import { libDir, type RocketMQVersion } from "./lines.js";
import { HARNESS_JAR } from "./paths.js";
import { runProcess, startProcess, type ManagedProcess, type RunResult } from "./process.js";

/** What RocketMQ 4.9/5.x need on Java 17 (reflection into NIO internals for mmap cleanup etc.). */
export const JAVA17_FLAGS = [
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
  "-Djava.net.preferIPv4Stack=true",
];

/** Short-lived tools start faster with C1 only and the serial collector. */
const CLIENT_FLAGS = ["-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", ...JAVA17_FLAGS];

/** The release's jars (broker, namesrv, tools, client and dependencies), optionally our harness first. */
export function classpath(version: RocketMQVersion, withHarness = false): string {
  return [...(withHarness ? [HARNESS_JAR] : []), `${libDir(version)}/*`].join(":");
}

/** The JVM arguments that run our harness program `interop.<program>` of `version` with `args`. */
function harnessArgs(version: RocketMQVersion, home: { flags: string[] }, program: string, args: string[], jvmFlags: string[] = []): string[] {
  return [...CLIENT_FLAGS, ...home.flags, ...jvmFlags, "-cp", classpath(version, true), `interop.${program}`, ...args];
}

/** ROCKETMQ_HOME and user.home for a JVM (RocketMQ writes ~/logs/rocketmqlogs there). */
export function javaHome(dir: string): { env: Record<string, string>; flags: string[] } {
  mkdirSync(dir, { recursive: true });
  return { env: { ROCKETMQ_HOME: dir }, flags: [`-Duser.home=${dir}`, `-Drocketmq.log.dir=${join(dir, "logs")}`] };
}

// logback's status printer (broker, tools) writes "HH:mm:ss,SSS |-INFO in ..." lines to stdout.
const LOGBACK_STATUS = /^\d\d:\d\d:\d\d,\d{3} \|-.*$\n?/gm;

export function withoutLogbackNoise(text: string): string {
  return text.replace(LOGBACK_STATUS, "");
}

export interface MQAdmin {
  /** Runs `mqadmin <subcommand> -n <namesrv> <args...>` and returns its output (logback noise removed). */
  (subcommand: string, ...args: string[]): Promise<string>;
}

/**
 * mqadmin from rocketmq-tools of `version`, started through our interop.Admin (MQAdminStartup
 * without the client's idle wait on exit). Its exit code is 0 even when a command fails (it prints
 * the exception), so callers assert on the output. With `credentials` it signs every request
 * (conf/tools.yml in its own ROCKETMQ_HOME, `homeDir`).
 */
export function mqadmin(namesrv: string, homeDir: string, version: RocketMQVersion, credentials?: Credentials): MQAdmin {
  const home = javaHome(homeDir);
  if (credentials) writeToolsYml(homeDir, credentials);
  return async (subcommand, ...args) => {
    const result: RunResult = await runProcess({
      name: `mqadmin ${version} ${subcommand}`,
      command: "java",
      args: harnessArgs(version, home, "Admin", [subcommand, "-n", namesrv, ...args]),
      env: home.env,
      timeoutMs: 60_000,
    });
    return withoutLogbackNoise(result.output);
  };
}

export interface HarnessOptions {
  /** The client jars the harness runs on. */
  version: RocketMQVersion;
  homeDir: string;
  namesrv: string;
  topic: string;
  group: string;
  count: number;
  prefix: string;
  /** Extra JVM options (e.g. -Dtls.enable=true). */
  jvmFlags?: string[];
}

/** Our Produce program: sends `count` messages keyed `<prefix>-<i>`. */
export async function runJavaProducer(o: HarnessOptions): Promise<RunResult> {
  const producer = startJavaProducer(o);
  const exit = await producer.waitForExit(120_000);
  return { ...exit, output: producer.output };
}

/** Our Produce program in the background, for a test that acts while it sends (its SENT lines as they come). */
export function startJavaProducer(o: HarnessOptions): ManagedProcess {
  const home = javaHome(o.homeDir);
  return startProcess({
    name: `java ${o.version} producer`,
    command: "java",
    args: harnessArgs(o.version, home, "Produce", [o.namesrv, o.topic, o.group, String(o.count), o.prefix], o.jvmFlags),
    env: home.env,
    logFile: join(o.homeDir, "producer.log"),
  });
}

/** Our Consume program (push consumer); prints READY, then RECV lines, exits 0 when all arrived. */
export function startJavaConsumer(o: HarnessOptions & { timeoutMs: number }): ManagedProcess {
  const home = javaHome(o.homeDir);
  return startProcess({
    name: `java ${o.version} consumer`,
    command: "java",
    args: harnessArgs(o.version, home, "Consume", [o.namesrv, o.topic, o.group, String(o.count), o.prefix, String(o.timeoutMs)], o.jvmFlags),
    env: home.env,
    logFile: join(o.homeDir, "consumer.log"),
  });
}

/** What our RouteQuery program printed: the route, or the response code the NameServer refused with. */
export interface RouteQueryResult {
  run: RunResult;
  route?: { brokerDatas: Array<{ brokerName: string; brokerAddrs: Record<string, string> }>; queueDatas: Array<{ brokerName: string }> };
  code?: number;
  remark?: string;
}

/**
 * Our RouteQuery program: a topic's route through MQClientAPIImpl#getTopicRouteInfoFromNameServer
 * (what every Java client calls), signed by AclClientRPCHook when `credentials` are given.
 */
export async function runRouteQuery(
  version: RocketMQVersion,
  homeDir: string,
  namesrv: string,
  topic: string,
  credentials?: Credentials,
): Promise<RouteQueryResult> {
  const home = javaHome(homeDir);
  const run = await runProcess({
    name: `java ${version} route query`,
    command: "java",
    args: harnessArgs(version, home, "RouteQuery", [namesrv, topic, ...(credentials ? [credentials.accessKey, credentials.secretKey] : [])]),
    env: home.env,
    logFile: join(homeDir, "route-query.log"),
    timeoutMs: 60_000,
  });
  const route = run.output.match(/^ROUTE (.*)$/m)?.[1];
  const refused = run.output.match(/^CODE (-?\d+) ?(.*)$/m);
  return {
    run,
    route: route === undefined ? undefined : parseFastjson(route),
    code: refused ? Number(refused[1]) : undefined,
    remark: refused?.[2],
  };
}

/** Our SignatureVectors program: requests signed by the release's own AclClientRPCHook, as JSON. */
export async function runSignatureVectors(version: RocketMQVersion, homeDir: string): Promise<unknown[]> {
  const home = javaHome(homeDir);
  const run = await runProcess({
    name: `java ${version} signature vectors`,
    command: "java",
    args: harnessArgs(version, home, "SignatureVectors", []),
    env: home.env,
    timeoutMs: 60_000,
  });
  const output = withoutLogbackNoise(run.output);
  const start = output.indexOf("\n[\n");
  if (run.code !== 0 || start < 0) throw new Error(`SignatureVectors exit=${run.code}:\n${output}`);
  return JSON.parse(output.slice(start + 1));
}
