import { mkdirSync } from "node:fs";
import { join } from "node:path";
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
 * the exception), so callers assert on the output.
 */
export function mqadmin(namesrv: string, homeDir: string, version: RocketMQVersion): MQAdmin {
  const home = javaHome(homeDir);
  return async (subcommand, ...args) => {
    const result: RunResult = await runProcess({
      name: `mqadmin ${version} ${subcommand}`,
      command: "java",
      args: [
        ...CLIENT_FLAGS,
        ...home.flags,
        "-cp",
        classpath(version, true),
        "interop.Admin",
        subcommand,
        "-n",
        namesrv,
        ...args,
      ],
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
export function runJavaProducer(o: HarnessOptions): Promise<RunResult> {
  const home = javaHome(o.homeDir);
  return runProcess({
    name: `java ${o.version} producer`,
    command: "java",
    args: [...CLIENT_FLAGS, ...home.flags, ...(o.jvmFlags ?? []), "-cp", classpath(o.version, true), "interop.Produce", o.namesrv, o.topic, o.group, String(o.count), o.prefix],
    env: home.env,
    logFile: join(o.homeDir, "producer.log"),
    timeoutMs: 120_000,
  });
}

/** Our Consume program (push consumer); prints READY, then RECV lines, exits 0 when all arrived. */
export function startJavaConsumer(o: HarnessOptions & { timeoutMs: number }): ManagedProcess {
  const home = javaHome(o.homeDir);
  return startProcess({
    name: `java ${o.version} consumer`,
    command: "java",
    args: [
      ...CLIENT_FLAGS,
      ...home.flags,
      ...(o.jvmFlags ?? []),
      "-cp",
      classpath(o.version, true),
      "interop.Consume",
      o.namesrv,
      o.topic,
      o.group,
      String(o.count),
      o.prefix,
      String(o.timeoutMs),
    ],
    env: home.env,
    logFile: join(o.homeDir, "consumer.log"),
  });
}
