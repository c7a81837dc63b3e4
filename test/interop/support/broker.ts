import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JAVA17_FLAGS, classpath, javaHome, type RocketMQLine } from "./java.js";
import { waitFor } from "./poll.js";
import { freeBrokerPort } from "./ports.js";
import { startProcess, tail, type ManagedProcess } from "./process.js";
import { registeredAddr } from "./remoting.js";

export interface BrokerOptions {
  line: RocketMQLine;
  namesrv: string;
  cluster: string;
  name: string;
  id: number;
  dir: string;
  /** Extra broker.conf entries. */
  config?: Record<string, string | number | boolean>;
}

export interface Broker {
  line: RocketMQLine;
  cluster: string;
  name: string;
  id: number;
  addr: string;
  proc: ManagedProcess;
}

// 4.9's BrokerStartup insists on $ROCKETMQ_HOME/conf/logback_broker.xml.
const LOGBACK_BROKER_XML = `<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>\${rocketmq.log.dir}/broker.log</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`;

/** Starts BrokerStartup with a generated broker.conf and waits until the NameServer lists it. */
export async function startBroker(o: BrokerOptions): Promise<Broker> {
  mkdirSync(o.dir, { recursive: true });
  const port = await freeBrokerPort();
  const addr = `127.0.0.1:${port}`;
  const store = join(o.dir, "store");
  const config: Record<string, string | number | boolean> = {
    brokerClusterName: o.cluster,
    brokerName: o.name,
    brokerId: o.id,
    brokerRole: o.id === 0 ? "ASYNC_MASTER" : "SLAVE",
    namesrvAddr: o.namesrv,
    brokerIP1: "127.0.0.1",
    brokerIP2: "127.0.0.1",
    listenPort: port,
    haListenPort: port + 1,
    storePathRootDir: store,
    storePathCommitLog: join(store, "commitlog"),
    // Small files: the defaults (1 GiB commit log, ~6 MB queues, ~400 MB index) are for production.
    mappedFileSizeCommitLog: 16 * 1024 * 1024,
    mappedFileSizeConsumeQueue: 30_000 * 20,
    maxHashSlotNum: 10_000,
    maxIndexNum: 40_000,
    autoCreateTopicEnable: true,
    // 5.x: keep the timer wheel (deleting a topic NPEs without it) but with a small timer log.
    ...(o.line === 5 ? { bindAddress: "127.0.0.1", mappedFileSizeTimerLog: 4 * 1024 * 1024 } : {}),
    ...o.config,
  };
  const confFile = join(o.dir, "broker.conf");
  writeFileSync(confFile, Object.entries(config).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");

  const home = javaHome(o.dir);
  if (o.line === 4) {
    mkdirSync(join(o.dir, "conf"), { recursive: true });
    writeFileSync(join(o.dir, "conf/logback_broker.xml"), LOGBACK_BROKER_XML);
  }
  const proc = startProcess({
    name: `broker ${o.name}/${o.id} (${o.line === 5 ? "5.3.3" : "4.9.x"})`,
    command: "java",
    args: [
      "-Xms256m",
      "-Xmx256m",
      "-XX:MaxDirectMemorySize=256m",
      "-XX:+UseSerialGC",
      ...JAVA17_FLAGS,
      ...home.flags,
      "-cp",
      classpath(o.line),
      "org.apache.rocketmq.broker.BrokerStartup",
      "-c",
      confFile,
    ],
    env: home.env,
    logFile: join(o.dir, "broker.out"),
  });

  const broker: Broker = { line: o.line, cluster: o.cluster, name: o.name, id: o.id, addr, proc };
  try {
    await waitFor(
      `${proc.name} to register at ${o.namesrv}`,
      async () => {
        if (!proc.running) throw new Error("broker exited");
        return (await registeredAddr(o.namesrv, o.name, o.id)) === addr;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  } catch (error) {
    await proc.stop("SIGKILL");
    throw new Error(`${(error as Error).message}\n--- broker output (${o.dir}) ---\n${tail(proc.output)}`);
  }
  return broker;
}
