import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JAVA17_FLAGS, classpath, javaHome } from "./java.js";
import { initAuthenticationUser, innerClientAuthenticationCredentials, type Credentials } from "./credentials.js";
import { isLine5, type RocketMQVersion } from "./lines.js";
import { waitFor } from "../../support/wait-for.js";
import { freeBrokerPort } from "./ports.js";
import { startProcess, tail, type ManagedProcess } from "./process.js";
import { registeredAddr } from "./remoting.js";

export interface BrokerOptions {
  version: RocketMQVersion;
  /** `host:port;…`; "" for none (the broker then finds them through an address server, see jvmFlags) */
  namesrv: string;
  cluster: string;
  name: string;
  id: number;
  dir: string;
  /** Extra broker.conf entries. */
  config?: Record<string, string | number | boolean>;
  /** Wait until the NameServer lists the broker (default), or only until the broker says it booted. */
  awaitRegistration?: boolean;
  /** Extra JVM options (system properties such as -Dtls.enable=true, which runbroker.sh takes from JAVA_OPT_EXT). */
  jvmFlags?: string[];
  /**
   * 5.3+: sign every request the broker sends (registrations, heartbeats, NameServer queries) with
   * these (`innerClientAuthenticationCredentials`; BrokerOuterAPI signs whenever it is set, whatever
   * `authenticationEnabled` says). The readiness probe then signs with them too.
   */
  credentials?: Credentials;
  /**
   * With `credentials`: also make the broker authenticate its own clients (ACL 2.0
   * `authenticationEnabled`, local user store, `credentials` as the initial administrator), so
   * producers, consumers and mqadmin must sign their broker requests too.
   */
  authenticate?: boolean;
}

export interface Broker {
  version: RocketMQVersion;
  cluster: string;
  name: string;
  id: number;
  addr: string;
  dir: string;
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

/** The broker's own log so far (5.x: logs/rocketmqlogs/broker.log; 4.9.x: logs/broker.log). */
export function brokerLog(broker: Broker): string {
  const file = isLine5(broker.version) ? join(broker.dir, "logs/rocketmqlogs/broker.log") : join(broker.dir, "logs/broker.log");
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

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
    ...(o.namesrv === "" ? {} : { namesrvAddr: o.namesrv }),
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
    ...(isLine5(o.version) ? { bindAddress: "127.0.0.1", mappedFileSizeTimerLog: 4 * 1024 * 1024 } : {}),
    ...(o.credentials ? { innerClientAuthenticationCredentials: innerClientAuthenticationCredentials(o.credentials) } : {}),
    ...(o.credentials && o.authenticate
      ? {
          authenticationEnabled: true,
          authenticationProvider: "org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider",
          authenticationMetadataProvider: "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider",
          initAuthenticationUser: initAuthenticationUser(o.credentials),
        }
      : {}),
    ...o.config,
  };
  const confFile = join(o.dir, "broker.conf");
  writeFileSync(confFile, Object.entries(config).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");

  const home = javaHome(o.dir);
  if (!isLine5(o.version)) {
    mkdirSync(join(o.dir, "conf"), { recursive: true });
    writeFileSync(join(o.dir, "conf/logback_broker.xml"), LOGBACK_BROKER_XML);
  }
  const proc = startProcess({
    name: `broker ${o.name}/${o.id} (${o.version})`,
    command: "java",
    args: [
      "-Xms256m",
      "-Xmx256m",
      "-XX:MaxDirectMemorySize=256m",
      "-XX:+UseSerialGC",
      ...JAVA17_FLAGS,
      ...home.flags,
      ...(o.jvmFlags ?? []),
      "-cp",
      classpath(o.version),
      "org.apache.rocketmq.broker.BrokerStartup",
      "-c",
      confFile,
    ],
    env: home.env,
    logFile: join(o.dir, "broker.out"),
  });

  const broker: Broker = { version: o.version, cluster: o.cluster, name: o.name, id: o.id, addr, dir: o.dir, proc };
  try {
    if (o.awaitRegistration === false) {
      await proc.waitForOutput(/boot success/, 120_000);
      return broker;
    }
    await waitFor(
      async () => {
        if (!proc.running) throw new Error("broker exited");
        return (await registeredAddr(o.namesrv, o.name, o.id, o.credentials)) === addr;
      },
      `${proc.name} to register at ${o.namesrv}`,
      120_000,
      500,
    );
  } catch (error) {
    await proc.stop("SIGKILL");
    throw new Error(`${(error as Error).message}\n--- broker output (${o.dir}) ---\n${tail(proc.output)}`);
  }
  return broker;
}
