import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for.js";
import { startBroker, type Broker } from "./support/broker.js";
import { JAVA17_FLAGS, classpath, javaHome } from "./support/java.js";
import { DEFAULT_LINE, lineTag } from "./support/lines.js";
import { startNameServer, type NameServer, type NameServerOptions } from "./support/namesrv.js";
import { runProcess, startProcess, tail, type ManagedProcess } from "./support/process.js";
import { createTopicOnBroker, getRoute, registeredAddr } from "./support/remoting.js";
import { fileDir, suite, unique } from "./support/suite.js";

/**
 * A producer that keeps sending, one message every `pauseMs`, until a stop file appears, and asks
 * its NameServers for the route twice a second (pollNameServerInterval), so that a rolled
 * NameServer's wait is met by route queries. Prints READY after its first message, ERROR or FAILED
 * for every message that did not go out, DONE at the end; exits 1 on any of those.
 */
const ROLLING_PRODUCE_JAVA = `
import java.io.File;
import java.nio.charset.StandardCharsets;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

public final class RollingProduce {
    public static void main(String[] args) throws Exception {
        String namesrv = args[0], topic = args[1], group = args[2];
        File stop = new File(args[3]);
        long pauseMs = Long.parseLong(args[4]);
        DefaultMQProducer producer = new DefaultMQProducer(group);
        producer.setNamesrvAddr(namesrv);
        producer.setPollNameServerInterval(500);
        producer.setSendMsgTimeout(10_000);
        producer.setRetryTimesWhenSendFailed(2);
        producer.start();
        int sent = 0, failed = 0;
        for (int i = 0; !stop.exists(); i++) {
            String key = "roll-" + i;
            try {
                SendResult result = producer.send(new Message(topic, "roll", key, key.getBytes(StandardCharsets.UTF_8)));
                if (result.getSendStatus() == SendStatus.SEND_OK) sent++;
                else { failed++; System.out.println("FAILED " + key + " " + result.getSendStatus()); }
            } catch (Exception e) {
                failed++;
                System.out.println("ERROR " + key + " " + e);
            }
            if (i == 0) System.out.println("READY");
            Thread.sleep(pauseMs);
        }
        producer.shutdown();
        System.out.println("DONE sent=" + sent + " failed=" + failed);
        System.exit(failed == 0 ? 0 : 1);
    }
}
`;

const WAIT_SECONDS = 5;
/** The broker re-registers every 10 s (the shortest period a 5.x broker accepts). */
const REGISTER_PERIOD_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const s = suite();
const version = DEFAULT_LINE;

// A rolling restart as an operator does it behind a static NameServer list: each NameServer in turn
// gets SIGTERM with enableShutdownGracefully, drains for shutdownWaitTimeSeconds (GO_AWAY to the
// 5.3.3 client, which then asks the other NameServer), exits, and starts again on the same port.
describe(`a RocketMQ ${version} producer across a rolling restart of two NameServers (enableShutdownGracefully)`, () => {
  const dir = fileDir(`graceful-shutdown-${lineTag(version)}`);
  const started: NameServer[] = [];
  let broker: Broker | undefined;
  let producer: ManagedProcess | undefined;

  afterAll(async () => {
    await producer?.stop("SIGKILL");
    await broker?.proc.stop("SIGKILL");
    await Promise.all(started.map((n) => n.proc.stop("SIGKILL")));
  });

  async function start(label: string, at?: NameServer): Promise<NameServer> {
    const options: NameServerOptions = {
      label,
      config: { enableShutdownGracefully: "true", shutdownWaitTimeSeconds: String(WAIT_SECONDS) },
      ...(at ? { port: at.port, ...(at.httpPort ? { httpPort: at.httpPort } : {}) } : {}),
    };
    const n = await startNameServer(s.kind, join(dir, label), options);
    started.push(n);
    return n;
  }

  async function routed(n: NameServer, topic: string): Promise<boolean> {
    if ((await registeredAddr(n.addr, broker!.name, 0)) !== broker!.addr) return false;
    return (await getRoute(n.addr, topic))?.queueDatas.some((q) => q.brokerName === broker!.name) ?? false;
  }

  it("keeps sending without a single error, and each NameServer exits after its wait", async () => {
    const namesrvs = [await start("ns-1"), await start("ns-2")];
    const list = namesrvs.map((n) => n.addr).join(";");
    broker = await startBroker({
      version,
      namesrv: list,
      cluster: `InteropRoll_${lineTag(version)}`,
      name: unique("interop-roll"),
      id: 0,
      dir: join(dir, "broker"),
      config: { registerNameServerPeriod: REGISTER_PERIOD_MS },
      awaitRegistration: false,
    });
    const topic = unique("InteropRoll");
    await waitFor(async () => (await registeredAddr(namesrvs[1].addr, broker!.name, 0)) === broker!.addr, "the broker at both NameServers", 60_000, 250);
    await createTopicOnBroker(broker.addr, topic);
    for (const n of namesrvs) await waitFor(() => routed(n, topic), `the route at ${n.addr}`, 30_000, 250);

    const classes = join(dir, "classes");
    mkdirSync(classes, { recursive: true });
    writeFileSync(join(classes, "RollingProduce.java"), ROLLING_PRODUCE_JAVA);
    const compiled = await runProcess({
      name: "javac RollingProduce",
      command: "javac",
      args: ["-cp", classpath(version), "-d", classes, join(classes, "RollingProduce.java")],
      timeoutMs: 120_000,
    });
    expect(compiled.code, tail(compiled.output)).toBe(0);

    const stopFile = join(dir, "stop-producer");
    const home = javaHome(join(dir, "producer"));
    producer = startProcess({
      name: `java ${version} rolling producer`,
      command: "java",
      args: ["-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", ...JAVA17_FLAGS, ...home.flags, "-cp", `${classes}:${classpath(version)}`, "RollingProduce", list, topic, unique("pg_roll"), stopFile, "50"],
      env: home.env,
      logFile: join(dir, "producer.log"),
    });
    await producer.waitForOutput(/^READY$/m, 60_000);

    const goAways: string[] = [];
    for (let i = 0; i < namesrvs.length; i++) {
      await sleep(2000);
      const rolled = namesrvs[i];
      const signalled = Date.now();
      rolled.proc.killGroup("SIGTERM");
      const exit = await rolled.proc.waitForExit(WAIT_SECONDS * 1000 + 20_000);
      const drained = Date.now() - signalled;
      console.log(`[interop] ${rolled.addr} exited ${JSON.stringify(exit)} ${drained} ms after SIGTERM`);
      expect(drained).toBeGreaterThanOrEqual(WAIT_SECONDS * 1000 - 500);
      if (s.kind === "ours") {
        // the process is npx, which dies of the group's SIGTERM; Bun's own exit code is the e2e test's
        expect(exit.code === 0 || exit.signal === "SIGTERM", tail(rolled.proc.output)).toBe(true);
        expect(rolled.proc.output).toMatch(/"msg":"shutting down gracefully"[^\n]*\n(.*\n)*.*"msg":"shutting down","signal":"SIGTERM"/);
        goAways.push(...rolled.proc.output.split("\n").filter((l) => l.includes('"msg":"shutting down: GO_AWAY"')));
      }
      namesrvs[i] = await start(`ns-${i + 1}-again`, rolled);
      await waitFor(() => routed(namesrvs[i], topic), `the route back at ${rolled.addr}`, REGISTER_PERIOD_MS + 10_000, 250);
    }
    await sleep(2000);

    writeFileSync(stopFile, "");
    const exit = await producer.waitForExit(60_000);
    const output = producer.output;
    console.log(`[interop] producer: ${output.match(/^DONE .*$/m)?.[0]}; GO_AWAY answers: ${goAways.length}`);
    expect(output.match(/^(ERROR|FAILED) .*$/gm) ?? []).toEqual([]);
    expect(exit.code, tail(output)).toBe(0);
    expect(Number(output.match(/^DONE sent=(\d+)/m)?.[1])).toBeGreaterThan(100);
    // the client met at least one drain (it polls routes twice a second from one NameServer at a time)
    if (s.kind === "ours") expect(goAways.some((l) => l.includes('"code":105'))).toBe(true);
    expect(existsSync(stopFile)).toBe(true);
  });
});
