/**
 * `npx edge-namesrv` against our NameServer and against Apache's NameServer 5.3.3, with one real
 * RocketMQ 5.3.3 broker registered with both: the same commands give the same answers, over the
 * remoting protocol (and over our HTTP API for ours).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for.js";
import { startBroker, type Broker } from "./support/broker.js";
import { DEFAULT_LINE } from "./support/lines.js";
import { startNameServer, type NameServer } from "./support/namesrv.js";
import { ROOT } from "./support/paths.js";
import { createTopicOnBroker, registeredAddr, waitForRoute } from "./support/remoting.js";
import { fileDir, unique } from "./support/suite.js";

const run = promisify(execFile);
const cluster = "InteropCli";
const brokerName = "interop-cli";

/** One run of the CLI's bin entry; answers its exit code and output. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("npx", ["--no-install", "edge-namesrv", ...args], { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

const json = async (...args: string[]) => {
  const result = await cli(...args, "--json");
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
};

describe("edge-namesrv CLI against our NameServer and Apache's 5.3.3", () => {
  let dir: string;
  let ours: NameServer;
  let apache: NameServer;
  let broker: Broker;
  const topic = unique("InteropCliTopic");

  beforeAll(async () => {
    dir = fileDir("cli");
    [ours, apache] = await Promise.all([
      startNameServer("ours", join(dir, "ours"), { label: "cli" }),
      startNameServer("java", join(dir, "apache"), { version: DEFAULT_LINE, label: "cli" }),
    ]);
    broker = await startBroker({
      version: DEFAULT_LINE,
      namesrv: `${ours.addr};${apache.addr}`,
      cluster,
      name: brokerName,
      id: 0,
      dir: join(dir, "broker"),
      awaitRegistration: false,
    });
    for (const ns of [ours, apache]) {
      await waitFor(async () => (await registeredAddr(ns.addr, brokerName, 0)) === broker.addr, `the broker at ${ns.addr}`, 120_000, 500);
    }
    await createTopicOnBroker(broker.addr, topic, 3);
    for (const ns of [ours, apache]) await waitForRoute(ns.addr, topic, (r) => r !== undefined);
  });

  afterAll(async () => {
    await broker?.proc.stop("SIGTERM");
    await ours?.proc.stop("SIGTERM");
    await apache?.proc.stop("SIGTERM");
  });

  const targets = () => ({ ours: ["-n", ours.addr], apache: ["-n", apache.addr], "ours over HTTP": ["--url", ours.httpUrl!] });

  it("clusterList names the broker group and its master on both", async () => {
    for (const [label, target] of Object.entries(targets())) {
      const list = await json("clusterList", "-c", cluster, ...target);
      expect(list.clusterAddrTable, label).toEqual({ [cluster]: [brokerName] });
      expect(list.brokerAddrTable[brokerName], label).toMatchObject({ cluster, brokerName, brokerAddrs: { "0": broker.addr } });
      const table = await cli("clusterList", "-c", cluster, ...target);
      expect(table.stdout, label).toMatch(new RegExp(`^${cluster}\\s+${brokerName}\\s+${broker.addr.replace(/\./g, "\\.")}\\s+-\\s+1$`, "m"));
    }
  });

  it("topicRoute answers the same route from both", async () => {
    const routes = [];
    for (const [label, target] of Object.entries(targets())) {
      const route = await json("topicRoute", topic, ...target);
      expect(route.queueDatas, label).toEqual([{ brokerName, readQueueNums: 3, writeQueueNums: 3, perm: 6, topicSysFlag: 0 }]);
      routes.push({ queueDatas: route.queueDatas, brokerDatas: route.brokerDatas });
    }
    expect(routes[0]).toEqual(routes[1]);
    expect(routes[2]).toEqual(routes[1]);
    for (const target of Object.values(targets()).slice(0, 2)) {
      const missing = await cli("topicRoute", unique("Missing"), ...target);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("CODE 17");
    }
  });

  it("kv put then get, list and delete work the same on both", async () => {
    for (const [label, target] of Object.entries(targets())) {
      const namespace = unique("CLI_NS");
      expect((await cli("kv", "put", namespace, "key1", "value 1", ...target)).code, label).toBe(0);
      expect((await cli("kv", "get", namespace, "key1", ...target)).stdout, label).toBe("value 1\n");
      expect(await json("kv", "list", namespace, ...target), label).toEqual({ namespace, table: { key1: "value 1" } });
      expect((await cli("kv", "delete", namespace, "key1", ...target)).code, label).toBe(0);
      const gone = await cli("kv", "get", namespace, "key1", ...target);
      expect(gone.code, label).toBe(1);
      expect(gone.stderr, label).toContain("CODE 22");
    }
  });

  it("config get reads the Java NameServer's configuration; health answers UP", async () => {
    const config = await json("config", "get", "listenPort", "-n", apache.addr);
    expect(config).toEqual({ listenPort: String(apache.port) });
    for (const target of Object.values(targets())) expect((await json("health", ...target)).status).toBe("UP");
  });
});
