/**
 * The CLI against our Bun server with authentication on: over remoting with signed requests, over
 * HTTP with a bearer token, and through `npx edge-namesrv` itself.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main";
import { RequestCode, ResponseCode } from "../../shared/codes";
import { signedExtFields } from "../../shared/request-signature";
import { registerRequest } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { RemotingTestClient } from "../support/remoting-client";

const ROOT = resolve(__dirname, "../..");
const ADMIN = { accessKey: "admin", secretKey: "admin-secret-1" };
const basic = `Basic ${btoa(`${ADMIN.accessKey}:${ADMIN.secretKey}`)}`;

let server: NamesrvProcess;
let token: string;
/** the brokers' connection: closing it would unregister them */
let broker: RemotingTestClient;

/** Runs the CLI in process; answers what it wrote and its exit code. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stream = (append: (s: string) => void) => ({ write: (s: string) => (append(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main(argv, {}, stream((s) => (out += s)), stream((s) => (err += s)));
  return { code, out, err };
}

const remoting = () => ["-n", `127.0.0.1:${server.port}`, "--access-key", ADMIN.accessKey, "--secret-key", ADMIN.secretKey];
const http = () => ["--url", `http://127.0.0.1:${server.httpPort}`, "--token", token];

beforeAll(async () => {
  server = await startNamesrv({
    NAMESRV_CONFIG_authenticationEnabled: "true",
    NAMESRV_CONFIG_initAuthenticationUser: JSON.stringify({ username: ADMIN.accessKey, password: ADMIN.secretKey }),
  });
  broker = await RemotingTestClient.connect(server.port);
  for (const [brokerName, brokerAddr, brokerId] of [["broker-a", "127.0.0.1:10911", 0], ["broker-a", "127.0.0.1:10921", 1]] as const) {
    const r = registerRequest({ brokerName, brokerAddr, brokerId, clusterName: "CliCluster", topics: ["CliTopic", "Other"] });
    const answer = await broker.request(RequestCode.REGISTER_BROKER, { version: r.version, extFields: await signedExtFields(ADMIN, r.extFields, r.body), body: r.body });
    expect(answer.code).toBe(ResponseCode.SUCCESS);
  }
  const issued = await server.http(`/api/v1/accounts/${ADMIN.accessKey}/tokens`, {
    method: "POST",
    headers: { authorization: basic, "content-type": "application/json" },
    body: "{}",
  });
  expect(issued.status).toBe(201);
  token = ((await issued.json()) as { token: string }).token;
}, 40_000);

afterAll(async () => {
  broker?.close();
  await server?.stop();
});

describe.each([
  ["remoting", remoting],
  ["HTTP", http],
])("edge-namesrv over %s", (_, target) => {
  it("clusterList and brokers show the registered group", async () => {
    const list = await cli("clusterList", ...target());
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^CliCluster\s+broker-a\s+127\.0\.0\.1:10911\s+1=127\.0\.0\.1:10921\s+2$/m);
    const brokers = JSON.parse((await cli("brokers", "--json", ...target())).out) as { brokerName: string; addr: string; role: string }[];
    expect(brokers.filter((b) => b.brokerName === "broker-a").map((b) => `${b.role} ${b.addr}`)).toEqual(["MASTER 127.0.0.1:10911", "SLAVE 127.0.0.1:10921"]);
  });

  it("topicList and topicRoute", async () => {
    expect(JSON.parse((await cli("topicList", "--json", ...target())).out).topicList).toEqual(expect.arrayContaining(["CliTopic", "Other"]));
    const route = JSON.parse((await cli("topicRoute", "CliTopic", "--json", ...target())).out);
    expect(route.queueDatas).toEqual([expect.objectContaining({ brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 4, perm: 6 })]);
    expect(route.brokerDatas[0].brokerAddrs).toEqual({ "0": "127.0.0.1:10911", "1": "127.0.0.1:10921" });
    const missing = await cli("topicRoute", "NoSuchTopic", ...target());
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("No topic route info in name server for the topic: NoSuchTopic");
  });

  it("kv put, get, list and delete", async () => {
    const ns = `CLI_${_}`;
    expect((await cli("kv", "put", ns, "k1", "v 1", ...target())).code).toBe(0);
    expect((await cli("kv", "get", ns, "k1", ...target())).out).toBe("v 1\n");
    expect(JSON.parse((await cli("kv", "list", ns, "--json", ...target())).out)).toEqual({ namespace: ns, table: { k1: "v 1" } });
    expect((await cli("kv", "delete", ns, "k1", ...target())).code).toBe(0);
    expect((await cli("kv", "get", ns, "k1", ...target())).code).toBe(1);
  });

  it("config set and get, write permission, deleteTopic, health", async () => {
    expect((await cli("config", "set", "orderMessageEnable=true", ...target())).code).toBe(0);
    expect(JSON.parse((await cli("config", "get", "orderMessageEnable", "--json", ...target())).out)).toEqual({ orderMessageEnable: "true" });
    expect((await cli("config", "set", "orderMessageEnable=false", ...target())).code).toBe(0);

    expect(JSON.parse((await cli("wipeWritePerm", "broker-a", "--json", ...target())).out)).toEqual({ brokerName: "broker-a", wipeTopicCount: 2 });
    expect(JSON.parse((await cli("topicRoute", "CliTopic", "--json", ...target())).out).queueDatas[0].perm).toBe(4);
    expect(JSON.parse((await cli("addWritePerm", "broker-a", "--json", ...target())).out)).toEqual({ brokerName: "broker-a", addTopicCount: 2 });

    const topic = `Deleted_${_}`;
    const r = registerRequest({ brokerName: `broker-${_}`, brokerAddr: `127.0.0.1:${_ === "HTTP" ? 10941 : 10931}`, clusterName: "CliCluster", topics: [topic, `Kept_${_}`] });
    const registered = await broker.request(RequestCode.REGISTER_BROKER, { version: r.version, extFields: await signedExtFields(ADMIN, r.extFields, r.body), body: r.body });
    expect(registered.remark).toBe(null);
    const before = await cli("topicRoute", topic, ...target());
    expect(before.code, before.err).toBe(0);
    expect((await cli("deleteTopic", topic, ...target())).code).toBe(0);
    expect((await cli("topicRoute", topic, ...target())).code).toBe(1);

    const health = JSON.parse((await cli("health", "--json", ...target())).out);
    expect(health).toMatchObject({ status: "UP", latencyMs: expect.any(Number) });
  });

  it("watch shows the brokers and stops after --iterations", async () => {
    const watched = await cli("watch", "--json", "--iterations", "2", "--interval", "0.05", ...target());
    expect(watched.code).toBe(0);
    const lines = watched.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[1].brokers.map((b: { addr: string }) => b.addr)).toEqual(expect.arrayContaining(["127.0.0.1:10911", "127.0.0.1:10921"]));
  });
});

describe("without credentials", () => {
  it("the NameServer refuses the CLI's requests, and it says so with exit code 1", async () => {
    const unsigned = await cli("kv", "put", "NS", "k", "v", "-n", `127.0.0.1:${server.port}`);
    expect(unsigned.code).toBe(1);
    expect(unsigned.err).toMatch(/CODE 16|CODE 1 /);
    const anonymous = await cli("topicList", "--url", `http://127.0.0.1:${server.httpPort}`);
    expect(anonymous.code).toBe(1);
    expect(anonymous.err).toContain("HTTP 401");
  });
});

describe("npx edge-namesrv", () => {
  it("runs the CLI under the pinned Bun from the package's bin entry", () => {
    const run = spawnSync("npx", ["--no-install", "edge-namesrv", "brokers", "--json", ...remoting()], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ brokerName: "broker-a", addr: "127.0.0.1:10911" })]));
    const bad = spawnSync("npx", ["--no-install", "edge-namesrv", "frobnicate"], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown command frobnicate");
  });
});
