/**
 * The address server with real Java peers that know no NameServer address, only
 * -Drocketmq.namesrv.domain=127.0.0.1:<our HTTP port>: a RocketMQ 5.3.3 broker (subgroup
 * `nsaddr-brokers`, fetchNamesrvAddrByAddressServer) finds our NameServer there and registers, and
 * a producer with a unit name (`/rocketmq/nsaddr-<unit>?nofix=1`) finds it and sends through the route.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for.js";
import { brokerLog, startBroker, type Broker } from "./support/broker.js";
import { JAVA17_FLAGS, classpath, javaHome } from "./support/java.js";
import { DEFAULT_LINE } from "./support/lines.js";
import { startNameServer, type NameServer } from "./support/namesrv.js";
import { ROOT } from "./support/paths.js";
import { runProcess, tail } from "./support/process.js";
import { createTopicOnBroker, registeredAddr, waitForRoute } from "./support/remoting.js";
import { fileDir, unique } from "./support/suite.js";

const PROGRAM = join(ROOT, "interop/address-server/ProduceThroughAddressServer.java");

describe("Java peers find our NameServer through the address server", () => {
  let dir: string;
  let ns: NameServer;
  let broker: Broker;
  const brokerName = "interop-nsaddr";
  const domain = () => `-Drocketmq.namesrv.domain=127.0.0.1:${ns.httpPort}`;

  beforeAll(async () => {
    dir = fileDir("address-server");
    ns = await startNameServer("ours", join(dir, "namesrv"), { label: "nsaddr" });
    broker = await startBroker({
      version: DEFAULT_LINE,
      namesrv: "",
      cluster: "InteropNsaddr",
      name: brokerName,
      id: 0,
      dir: join(dir, "broker"),
      awaitRegistration: false,
      // the earliest fetch and registration Java allows (10 s): the address list arrives on a timer
      config: { fetchNamesrvAddrByAddressServer: true, fetchNamesrvAddrInterval: 10_000, registerNameServerPeriod: 10_000 },
      jvmFlags: [domain(), "-Drocketmq.namesrv.domain.subgroup=nsaddr-brokers"],
    });
  });

  afterAll(async () => {
    await broker?.proc.stop("SIGTERM");
    await ns?.proc.stop("SIGTERM");
  });

  it("the address server answers our advertised address in the form Java parses", async () => {
    for (const path of ["/rocketmq/nsaddr", "/rocketmq/nsaddr-brokers", "/rocketmq/nsaddr-unitA?nofix=1"]) {
      const res = await fetch(`${ns.httpUrl}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(ns.addr);
    }
  });

  it("a broker given only the domain registers with our NameServer", async () => {
    await waitFor(
      async () => {
        if (!broker.proc.running) throw new Error(`broker exited:\n${tail(broker.proc.output)}`);
        return (await registeredAddr(ns.addr, brokerName, 0)) === broker.addr;
      },
      "the broker to find the NameServer through the address server and register",
      120_000,
      500,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n--- broker log ---\n${tail(brokerLog(broker), 60)}`);
    });
  });

  it("a producer with a unit name given only the domain finds the NameServer and sends", async () => {
    await waitFor(async () => (await registeredAddr(ns.addr, brokerName, 0)) === broker.addr, "the broker", 120_000, 500);
    const topic = unique("InteropNsaddr");
    await createTopicOnBroker(broker.addr, topic);
    await waitForRoute(ns.addr, topic, (r) => r !== undefined);
    const home = javaHome(join(dir, "producer"));
    const result = await runProcess({
      name: "java producer (address server)",
      command: "java",
      args: [
        "-Xms64m",
        "-Xmx256m",
        "-XX:+UseSerialGC",
        ...JAVA17_FLAGS,
        ...home.flags,
        domain(),
        "-cp",
        classpath(DEFAULT_LINE),
        PROGRAM,
        topic,
        unique("pg_nsaddr"),
        "unitA",
      ],
      env: home.env,
      logFile: join(dir, "producer.log"),
      timeoutMs: 120_000,
    });
    expect(result.code, tail(result.output)).toBe(0);
    expect(result.output).toContain(`NAMESRV ${ns.addr}`);
    expect(result.output).toContain(`SENT SEND_OK ${brokerName}`);
  });
});
