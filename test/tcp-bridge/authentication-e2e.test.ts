/**
 * Authentication end to end with the real processes: the Bun server with access control on,
 * answering signed and unsigned remoting requests and appending its audit log; and a bridge in
 * front of it (NAMESRV_EDGE_URL) with a relay token, which verifies its clients' signatures and has
 * the server authorize the client itself.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../edge/auth/access-store";
import { RequestCode, ResponseCode } from "../../shared/codes";
import { signedExtFields } from "../../shared/request-signature";
import { registerRequest } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { RemotingTestClient, text } from "../support/remoting-client";
import { waitFor } from "../support/wait-for";
import { startEdgeBridge, type EdgeBridge } from "../multi-instance/support";

const ADMIN = { accessKey: "admin", secretKey: "admin-secret-1" };
const APP = { accessKey: "app1", secretKey: "app1-secret-1" };
const basic = `Basic ${btoa(`${ADMIN.accessKey}:${ADMIN.secretKey}`)}`;

let server: NamesrvProcess;
let auditDir: string;
const clients: RemotingTestClient[] = [];
const bridges: EdgeBridge[] = [];

async function client(port: number): Promise<RemotingTestClient> {
  const c = await RemotingTestClient.connect(port);
  clients.push(c);
  return c;
}

function auditRecords(): AuditRecord[] {
  return readFileSync(join(auditDir, "audit.log"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as AuditRecord);
}

async function admin(path: string, body?: unknown, method = "POST"): Promise<Response> {
  return server.http(path, { method, headers: { authorization: basic, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
}

const routeOf = async (c: RemotingTestClient, topic: string, who: typeof ADMIN | null) =>
  c.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: who ? await signedExtFields(who, { topic }) : { topic } });

async function registerSigned(c: RemotingTestClient, who: typeof ADMIN, brokerName: string) {
  const r = registerRequest({ brokerName, brokerAddr: `127.0.0.1:${brokerName === "broker-a" ? 10911 : 10921}`, topics: [`${brokerName}-topic`, "Shared"], compressed: true });
  return c.request(RequestCode.REGISTER_BROKER, { version: r.version, extFields: await signedExtFields(who, r.extFields, r.body), body: r.body });
}

beforeAll(async () => {
  auditDir = mkdtempSync(join(tmpdir(), "audit-"));
  server = await startNamesrv({
    NAMESRV_CONFIG_authenticationEnabled: "true",
    NAMESRV_CONFIG_authorizationEnabled: "true",
    NAMESRV_CONFIG_initAuthenticationUser: JSON.stringify({ username: ADMIN.accessKey, password: ADMIN.secretKey }),
    NAMESRV_CONFIG_auditLog: join(auditDir, "audit.log"),
  });
  expect((await admin("/api/v1/accounts", { name: APP.accessKey, secretKey: APP.secretKey })).status).toBe(201);
  expect((await admin(`/api/v1/accounts/${APP.accessKey}/policy`, { classes: ["route-read"], topics: ["broker-a-topic"] }, "PUT")).status).toBe(200);
}, 40_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const b of bridges) await b.stop();
  await server?.stop();
  rmSync(auditDir, { recursive: true, force: true });
});

describe("the Bun server with authentication on", () => {
  it("takes a signed, compressed registration and serves signed route queries", async () => {
    const c = await client(server.port);
    const registered = await registerSigned(c, ADMIN, "broker-a");
    expect(registered.code).toBe(ResponseCode.SUCCESS);
    const route = await routeOf(c, "broker-a-topic", ADMIN);
    expect(route.code).toBe(ResponseCode.SUCCESS);
    expect(text(route)).toContain("127.0.0.1:10911");
  });

  it("answers unsigned or wrongly signed requests NO_PERMISSION with the reason, and the connection lives on", async () => {
    const c = await client(server.port);
    const unsigned = await routeOf(c, "broker-a-topic", null);
    expect(unsigned.code).toBe(ResponseCode.NO_PERMISSION);
    expect(unsigned.remark).toMatch(/no credentials/);
    const wrong = await routeOf(c, "broker-a-topic", { accessKey: ADMIN.accessKey, secretKey: "not-the-secret" });
    expect(wrong.code).toBe(ResponseCode.NO_PERMISSION);
    expect(wrong.remark).toMatch(/signature mismatch/);
    const unknown = await routeOf(c, "broker-a-topic", { accessKey: "nobody", secretKey: "whatever-1" });
    expect(unknown.remark).toMatch(/unknown access key "nobody"/);
    const kv = await c.request(RequestCode.PUT_KV_CONFIG, { extFields: { namespace: "ns", key: "k", value: "v" } });
    expect(kv.code).toBe(ResponseCode.NO_PERMISSION);
    expect((await routeOf(c, "broker-a-topic", ADMIN)).code).toBe(ResponseCode.SUCCESS);
  });

  it("authorizes by the account's policy: one topic's route, not another's", async () => {
    const c = await client(server.port);
    expect((await routeOf(c, "broker-a-topic", APP)).code).toBe(ResponseCode.SUCCESS);
    const other = await routeOf(c, "Shared", APP);
    expect(other.code).toBe(ResponseCode.NO_PERMISSION);
    expect(other.remark).toMatch(/not authorized for getRouteInfoByTopic: topic "Shared"/);
  });

  it("appends every write and every denial to the audit log", async () => {
    await waitFor(async () => auditRecords().some((r) => r.outcome === "denied" && r.principal === APP.accessKey), "the denial in the audit log", 5000);
    const records = auditRecords();
    expect(records.find((r) => r.operation === "registerBroker" && r.outcome === "success")).toMatchObject({
      principal: ADMIN.accessKey,
      transport: "remoting",
      code: 103,
      resource: { clusters: ["DefaultCluster"], brokers: ["broker-a"], brokerAddr: "127.0.0.1:10911" },
    });
    expect(records.find((r) => r.operation === "putKVConfig")).toMatchObject({ principal: null, outcome: "denied", responseCode: 16 });
    // reads that were allowed are not audited
    expect(records.some((r) => r.operation === "getRouteInfoByTopic" && r.outcome === "success")).toBe(false);
  });
});

describe("a bridge in front of it with a relay token", () => {
  let bridge: EdgeBridge;

  beforeAll(async () => {
    expect((await admin("/api/v1/accounts", { name: "bridge", secretKey: "bridge-secret-1" })).status).toBe(201);
    expect((await admin("/api/v1/accounts/bridge/policy", { classes: ["relay"] }, "PUT")).status).toBe(200);
    const { token } = await (await admin("/api/v1/accounts/bridge/tokens", {})).json();
    bridge = await startEdgeBridge(`http://127.0.0.1:${server.httpPort}`, [], { NAMESRV_EDGE_TOKEN: token });
    bridges.push(bridge);
  }, 30_000);

  it("verifies its clients' signatures and the server authorizes the client, not the bridge", async () => {
    const c = await client(bridge.port);
    const allowed = await routeOf(c, "broker-a-topic", APP);
    expect(allowed.remark, bridge.output()).toBeNull();
    expect(allowed.code).toBe(ResponseCode.SUCCESS);
    const other = await routeOf(c, "Shared", APP);
    expect(other.code).toBe(ResponseCode.NO_PERMISSION);
    expect(other.remark).toMatch(/account app1 is not authorized/);
    const unsigned = await routeOf(c, "broker-a-topic", null);
    expect(unsigned.code).toBe(ResponseCode.NO_PERMISSION);
    const wrong = await routeOf(c, "broker-a-topic", { accessKey: APP.accessKey, secretKey: "not-the-secret" });
    expect(wrong.code).toBe(ResponseCode.NO_PERMISSION);
    expect(wrong.remark).toMatch(/signature mismatch/);
  });

  it("registers a signed broker through the bridge, and its close unregisters it", async () => {
    const c = await client(bridge.port);
    expect((await registerSigned(c, ADMIN, "broker-b")).code).toBe(ResponseCode.SUCCESS);
    const direct = await client(server.port);
    expect((await routeOf(direct, "broker-b-topic", ADMIN)).code).toBe(ResponseCode.SUCCESS);
    c.close();
    await waitFor(async () => (await routeOf(direct, "broker-b-topic", ADMIN)).code === ResponseCode.TOPIC_NOT_EXIST, "broker-b unregistered after its connection closed", 10_000);
    const records = auditRecords();
    expect(records.find((r) => r.operation === "registerBroker" && r.resource.brokers?.toString() === "broker-b")).toMatchObject({ principal: ADMIN.accessKey, transport: "http" });
    expect(records.find((r) => r.operation === "closeChannel" && r.transport === "http")).toMatchObject({ principal: "bridge", outcome: "success" });
  });

  it("a bridge without the token reaches the server as anonymous and is refused", async () => {
    const anonymous = await startEdgeBridge(`http://127.0.0.1:${server.httpPort}`);
    bridges.push(anonymous);
    const c = await client(anonymous.port);
    const refused = await routeOf(c, "broker-a-topic", APP);
    expect(refused.code).toBe(ResponseCode.NO_PERMISSION);
    expect(refused.remark).toMatch(/no credentials/);
  });
});

describe("the start-up warning", () => {
  it("is logged when authentication is off on a non-loopback address, and not on loopback", async () => {
    const open = await startNamesrv({ NAMESRV_BIND_ADDRESS: "0.0.0.0" });
    try {
      expect(open.output()).toMatch(/authentication is off and the NameServer listens beyond this machine/);
    } finally {
      await open.stop();
    }
    const local = await startNamesrv();
    try {
      expect(local.output()).toContain("boot success");
      expect(local.output()).not.toMatch(/authentication is off/);
    } finally {
      await local.stop();
    }
  });
});
