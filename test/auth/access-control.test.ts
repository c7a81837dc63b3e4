/**
 * Authentication, authorization and audit through the NameServer port and the HTTP API, in process
 * on the embedded store: who may do what, what a denial looks like, and that every write and every
 * denial leaves one audit record while a denied call changes nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../edge/auth/access-store";
import type { CallInfo } from "../../edge/port/call";
import { INTERNAL_CALL } from "../../edge/port/call";
import { NamesrvError } from "../../edge/port/namesrv-error";
import { ConfigError, defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { ResponseCode } from "../../shared/codes";
import { signRequest } from "../../shared/request-signature";
import { inProcessNamesrv, type InProcessNamesrv } from "../support/in-process-namesrv";
import { jsonRequest, registrationInput } from "../support/http-api";

const ADMIN = { name: "admin", secret: "admin-secret-1" };
const PEER = "203.0.113.5:4000";
const basic = (name: string, secret: string) => ({ authorization: `Basic ${btoa(`${name}:${secret}`)}` });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let dir: string;
let now: number;
let audit: AuditRecord[];

function config(overrides: Partial<NamesrvConfig> = {}): NamesrvConfig {
  return {
    ...defaultNamesrvConfig(dir),
    authenticationEnabled: true,
    authorizationEnabled: true,
    initAuthenticationUser: JSON.stringify({ username: ADMIN.name, password: ADMIN.secret }),
    ...overrides,
  };
}

async function start(overrides: Partial<NamesrvConfig> = {}, options: { refuseAnonymousWrites?: boolean } = {}): Promise<InProcessNamesrv & { store: EmbeddedStore }> {
  audit = [];
  const store = new EmbeddedStore({ kvConfigPath: join(dir, "kvConfig.json") });
  const namesrv = inProcessNamesrv(store, config(overrides), {
    clock: () => now,
    auditLine: (line) => audit.push(JSON.parse(line) as AuditRecord),
    peerOf: () => PEER,
    ...options,
  });
  await namesrv.ready;
  await namesrv.port.registerBroker(registrationInput(), INTERNAL_CALL);
  // (that registration is recorded too, as a write by this process: the tests look at their own calls)
  expect(audit.map((r) => [r.operation, r.transport])).toEqual([["registerBroker", "internal"]]);
  audit.length = 0;
  return { ...namesrv, store };
}

/** A remoting call signed by `name` with `secret`, as AclClientRPCHook signs it. */
async function signed(name: string, secret: string, fields: Record<string, string>, body: Uint8Array | null = null): Promise<CallInfo> {
  const extFields = { ...fields, AccessKey: name };
  const signature = await signRequest(secret, extFields, body);
  return {
    transport: "remoting",
    peer: "198.51.100.7",
    principal: null,
    connection: "c-9",
    credentials: { kind: "signature", accessKey: name, signature, extFields: { ...extFields, Signature: signature }, body },
  };
}

async function refusal(promise: Promise<unknown>): Promise<NamesrvError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NamesrvError);
  return err as NamesrvError;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "access-control-"));
  now = Date.now();
  audit = [];
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("authentication over HTTP", () => {
  it("refuses anonymous calls with 401 and NO_PERMISSION, and changes nothing", async () => {
    const { app, store } = await start();
    const read = await app.request("/api/v1/topics/TopicTest/route");
    expect(read.status).toBe(401);
    expect((await read.json()).error).toMatchObject({ code: ResponseCode.NO_PERMISSION, message: expect.stringMatching(/no credentials/) });
    const write = await app.request("/api/v1/kv/ns/k", jsonRequest({ value: "v" }, "PUT"));
    expect(write.status).toBe(401);
    expect(await store.getKVConfig("ns", "k")).toBeNull();
    expect(audit.map((r) => [r.operation, r.outcome, r.principal])).toEqual([
      ["getRouteInfoByTopic", "denied", null],
      ["putKVConfig", "denied", null],
    ]);
    expect(audit[1]).toMatchObject({ peer: PEER, transport: "http", code: 100, responseCode: 16, resource: { namespaces: ["ns"], key: "k" } });
  });

  it("takes the bootstrap administrator by Basic credentials, and refuses a wrong secret", async () => {
    const { app } = await start();
    expect((await app.request("/api/v1/topics/TopicTest/route", { headers: basic(ADMIN.name, ADMIN.secret) })).status).toBe(200);
    const wrong = await app.request("/api/v1/topics/TopicTest/route", { headers: basic(ADMIN.name, "not-the-secret") });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toMatch(/wrong secret key/);
    const unknown = await app.request("/api/v1/topics/TopicTest/route", { headers: basic("nobody", "whatever-1") });
    expect((await unknown.json()).error.message).toMatch(/unknown access key "nobody"/);
  });

  it("issues tokens that work until revoked or expired, and stores only their hash", async () => {
    const { app } = await start();
    const admin = basic(ADMIN.name, ADMIN.secret);
    expect((await app.request("/api/v1/accounts", jsonRequest({ name: "app1", secretKey: "app1-secret" }, "POST", admin))).status).toBe(201);
    expect((await app.request("/api/v1/accounts/app1/policy", jsonRequest({ classes: ["route-read"] }, "PUT", admin))).status).toBe(200);
    const issued = await (await app.request("/api/v1/accounts/app1/tokens", jsonRequest({ expiresInSeconds: 60 }, "POST", admin))).json();
    expect(issued).toMatchObject({ account: "app1", id: expect.any(String), token: expect.any(String), expiresAt: now + 60_000 });
    expect((await app.request("/api/v1/topics/TopicTest/route", { headers: bearer(issued.token) })).status).toBe(200);

    const file = await import("node:fs").then((fs) => fs.readFileSync(join(dir, "accessControl.json"), "utf8"));
    expect(file).not.toContain(issued.token);
    expect(file).toContain("app1-secret");

    const listed = await (await app.request("/api/v1/accounts/app1/tokens", { headers: admin })).json();
    expect(listed.tokens).toEqual([{ id: issued.id, createdAt: now, expiresAt: now + 60_000 }]);

    now += 61_000;
    expect((await app.request("/api/v1/topics/TopicTest/route", { headers: bearer(issued.token) })).status).toBe(401);

    const lasting = await (await app.request("/api/v1/accounts/app1/tokens", { method: "POST", headers: admin })).json();
    expect(lasting.expiresAt).toBeNull();
    expect((await app.request("/api/v1/topics/TopicTest/route", { headers: bearer(lasting.token) })).status).toBe(200);
    expect((await app.request(`/api/v1/accounts/app1/tokens/${lasting.id}`, { method: "DELETE", headers: admin })).status).toBe(200);
    const revoked = await app.request("/api/v1/topics/TopicTest/route", { headers: bearer(lasting.token) });
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error.message).toMatch(/token unknown, expired or revoked/);
  });

  it("never answers a secret key, except one it generated, once", async () => {
    const { app } = await start();
    const admin = basic(ADMIN.name, ADMIN.secret);
    const created = await (await app.request("/api/v1/accounts", jsonRequest({ name: "gen" }, "POST", admin))).json();
    expect(created.secretKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await app.request("/api/v1/accounts", jsonRequest({ name: "given", secretKey: "given-secret" }, "POST", admin));
    const everything = [
      await (await app.request("/api/v1/accounts", { headers: admin })).text(),
      await (await app.request("/api/v1/accounts/gen", { headers: admin })).text(),
      await (await app.request("/api/v1/accounts/given", { headers: admin })).text(),
      await (await app.request("/api/v1/audit", { headers: admin })).text(),
      await (await app.request("/api/v1/config", { headers: admin })).text(),
    ].join("\n");
    expect(everything).not.toContain(created.secretKey);
    expect(everything).not.toContain("given-secret");
    expect(everything).not.toContain(ADMIN.secret);
    expect(everything).toContain('"initAuthenticationUser":"******"');
  });

  it("whitelisted addresses pass without credentials", async () => {
    const { app } = await start({ authenticationWhitelist: "203.0.113.0/24" });
    expect((await app.request("/api/v1/topics/TopicTest/route")).status).toBe(200);
    expect((await app.request("/api/v1/kv/ns/k", jsonRequest({ value: "v" }, "PUT"))).status).toBe(200);
  });
});

describe("authentication on the wire (RocketMQ signatures)", () => {
  it("accepts a correctly signed request and names the account", async () => {
    const { port } = await start();
    const call = await signed(ADMIN.name, ADMIN.secret, { namespace: "ns", key: "k", value: "v" });
    await port.putKVConfig({ namespace: "ns", key: "k", value: "v" }, call);
    expect(await port.getKVConfig({ namespace: "ns", key: "k" }, await signed(ADMIN.name, ADMIN.secret, { namespace: "ns", key: "k" }))).toBe("v");
    expect(audit.at(-1)).toMatchObject({ principal: ADMIN.name, operation: "putKVConfig", outcome: "success", transport: "remoting", peer: "198.51.100.7" });
  });

  it("refuses an unsigned, unknown-key or wrongly signed request with NO_PERMISSION and the reason", async () => {
    const { port, store } = await start();
    const input = { namespace: "ns", key: "k", value: "v" };
    const remoting: CallInfo = { transport: "remoting", peer: "198.51.100.7", principal: null, connection: "c-9" };
    const unsigned = await refusal(port.putKVConfig(input, remoting));
    expect(unsigned.code).toBe(ResponseCode.NO_PERMISSION);
    expect(unsigned.message).toMatch(/no credentials/);
    expect((await refusal(port.putKVConfig(input, await signed("nobody", "whatever-1", input)))).message).toMatch(/unknown access key "nobody"/);
    const tampered = await signed(ADMIN.name, ADMIN.secret, input);
    if (tampered.credentials?.kind === "signature") tampered.credentials.extFields.value = "changed";
    expect((await refusal(port.putKVConfig(input, tampered))).message).toMatch(/signature mismatch/);
    const wrongSecret = await signed(ADMIN.name, "another-secret", input);
    expect((await refusal(port.putKVConfig(input, wrongSecret))).code).toBe(ResponseCode.NO_PERMISSION);
    expect(await store.getKVConfig("ns", "k")).toBeNull();
    expect(audit.filter((r) => r.outcome === "denied")).toHaveLength(4);
  });

  it("covers the body: a changed body fails the signature", async () => {
    const { port } = await start();
    const body = new TextEncoder().encode('{"topic":"x"}');
    const call = await signed(ADMIN.name, ADMIN.secret, { topic: "TopicTest" }, body);
    if (call.credentials?.kind === "signature") call.credentials.body = new TextEncoder().encode('{"topic":"y"}');
    expect((await refusal(port.getRouteInfoByTopic({ topic: "TopicTest", zoneName: null, dialect: "standard" }, call))).message).toMatch(/signature mismatch/);
  });

  it("takes a verified client certificate as its account", async () => {
    const { port } = await start();
    const call: CallInfo = { transport: "remoting", peer: "x", principal: null, connection: "c", credentials: { kind: "certificate", subject: ADMIN.name } };
    expect(await port.getKVListByNamespace({ namespace: "none" }, call).catch((e: NamesrvError) => e.code)).not.toBe(ResponseCode.NO_PERMISSION);
    const stranger: CallInfo = { ...call, credentials: { kind: "certificate", subject: "stranger" } };
    expect((await refusal(port.getKVListByNamespace({ namespace: "none" }, stranger))).message).toMatch(/no account for client certificate CN=stranger/);
  });

  it("lets the bridge's own bookkeeping through (a connection closing)", async () => {
    const { port } = await start();
    const own: CallInfo = { transport: "remoting", peer: "x", principal: null, connection: "c-1" };
    expect(await port.closeChannel({ channel: "c-1" }, own)).toHaveLength(1);
  });
});

describe("authorization", () => {
  async function withApp(policy: object) {
    const namesrv = await start();
    const admin = basic(ADMIN.name, ADMIN.secret);
    await namesrv.app.request("/api/v1/accounts", jsonRequest({ name: "app1", secretKey: "app1-secret" }, "POST", admin));
    await namesrv.app.request("/api/v1/accounts/app1/policy", jsonRequest(policy, "PUT", admin));
    return namesrv;
  }

  it("an account restricted to one topic reads that route and not another (403, NO_PERMISSION)", async () => {
    const { port, app } = await withApp({ classes: ["route-read"], topics: ["TopicTest"] });
    const ok = await port.getRouteInfoByTopic({ topic: "TopicTest", zoneName: null, dialect: "standard" }, await signed("app1", "app1-secret", { topic: "TopicTest" }));
    expect(ok.length).toBeGreaterThan(0);
    const other = await refusal(port.getRouteInfoByTopic({ topic: "Other", zoneName: null, dialect: "standard" }, await signed("app1", "app1-secret", { topic: "Other" })));
    expect(other.code).toBe(ResponseCode.NO_PERMISSION);
    expect(other.message).toMatch(/account app1 is not authorized for getRouteInfoByTopic: topic "Other" is not granted/);
    const http = await app.request("/api/v1/topics/Other/route", { headers: basic("app1", "app1-secret") });
    expect(http.status).toBe(403);
    expect(audit.at(-1)).toMatchObject({ principal: "app1", outcome: "denied", operation: "getRouteInfoByTopic", resource: { topics: ["Other"] } });
  });

  it("a denied write changes nothing and leaves a record", async () => {
    const { port, store } = await withApp({ classes: ["route-read", "admin-read"] });
    await refusal(port.wipeWritePermOfBroker({ brokerName: "broker-a" }, await signed("app1", "app1-secret", { brokerName: "broker-a" })));
    expect((await store.getTopicRoute("TopicTest"))?.queueDatas[0].perm).toBe(6);
    expect(audit.at(-1)).toMatchObject({ principal: "app1", operation: "wipeWritePermOfBroker", outcome: "denied", code: 205, resource: { brokers: ["broker-a"] } });
  });

  it("a broker account registers only its own broker names", async () => {
    const { port } = await withApp({ classes: ["broker-control"], brokers: ["broker-b"] });
    const own = registrationInput({ brokerName: "broker-b", brokerAddr: "10.0.0.2:10911", channel: "c-2" });
    await port.registerBroker(own, await signed("app1", "app1-secret", { brokerName: "broker-b" }));
    const hijack = registrationInput({ brokerName: "broker-a", brokerAddr: "10.0.0.3:10911", channel: "c-3" });
    const refused = await refusal(port.registerBroker(hijack, await signed("app1", "app1-secret", { brokerName: "broker-a" })));
    expect(refused.message).toMatch(/broker "broker-a" is not granted/);
  });

  it("an account without a policy may do nothing; management needs admin-write", async () => {
    const { app } = await withApp({ classes: ["route-read"] });
    await app.request("/api/v1/accounts", jsonRequest({ name: "bare", secretKey: "bare-secret" }, "POST", basic(ADMIN.name, ADMIN.secret)));
    expect((await app.request("/api/v1/topics/TopicTest/route", { headers: basic("bare", "bare-secret") })).status).toBe(403);
    const escalate = await app.request("/api/v1/accounts/app1/policy", jsonRequest({ classes: ["admin-write"] }, "PUT", basic("app1", "app1-secret")));
    expect(escalate.status).toBe(403);
    expect((await app.request("/api/v1/audit", { headers: basic("app1", "app1-secret") })).status).toBe(403);
  });
});

describe("audit", () => {
  it("records every write with its principal, and is readable by admins in order", async () => {
    const { app } = await start();
    const admin = basic(ADMIN.name, ADMIN.secret);
    await app.request("/api/v1/kv/ns/k1", jsonRequest({ value: "1" }, "PUT", admin));
    await app.request("/api/v1/kv/ns/k1", { method: "DELETE", headers: admin });
    await app.request("/api/v1/kv/ns/k1", { headers: admin }); // a read: not recorded
    const { records } = await (await app.request("/api/v1/audit?limit=10", { headers: admin })).json();
    const writes = records.filter((r: AuditRecord) => r.transport === "http");
    expect(writes.map((r: AuditRecord) => [r.operation, r.principal, r.outcome])).toEqual([
      ["putKVConfig", "admin", "success"],
      ["deleteKVConfig", "admin", "success"],
    ]);
    expect(audit.filter((r) => r.transport === "http")).toEqual(writes);
  });

  it("records writes with authentication off too (principal null)", async () => {
    const { app } = await start({ authenticationEnabled: false, authorizationEnabled: false });
    expect((await app.request("/api/v1/kv/ns/k", jsonRequest({ value: "v" }, "PUT"))).status).toBe(200);
    expect(audit.at(-1)).toMatchObject({ operation: "putKVConfig", principal: null, outcome: "success", peer: PEER });
  });
});

describe("configuration", () => {
  it("refuses authorization without authentication, and a malformed administrator or whitelist", async () => {
    const store = new EmbeddedStore({ kvConfigPath: null });
    expect(() => inProcessNamesrv(store, config({ authenticationEnabled: false }))).toThrow(ConfigError);
    expect(() => inProcessNamesrv(store, config({ initAuthenticationUser: "{nope" }))).toThrow(/initAuthenticationUser/);
    expect(() => inProcessNamesrv(store, config({ initAuthenticationUser: '{"username":"a","password":"short"}' }))).toThrow(/initAuthenticationUser/);
    expect(() => inProcessNamesrv(store, config({ authenticationWhitelist: "not-an-address" }))).toThrow(/authenticationWhitelist/);
  });

  it("UPDATE_NAMESRV_CONFIG cannot turn access control off", async () => {
    const { app } = await start();
    const off = await app.request("/api/v1/config", jsonRequest({ authenticationEnabled: "false" }, "PUT", basic(ADMIN.name, ADMIN.secret)));
    expect(off.status).toBe(403);
    expect((await app.request("/api/v1/topics/TopicTest/route")).status).toBe(401);
  });

  it("keeps accounts across a restart of the embedded store (accessControl.json, mode 0600)", async () => {
    const first = await start();
    await first.app.request("/api/v1/accounts", jsonRequest({ name: "app1", secretKey: "app1-secret" }, "POST", basic(ADMIN.name, ADMIN.secret)));
    await first.store.close();
    const { statSync } = await import("node:fs");
    expect(statSync(join(dir, "accessControl.json")).mode & 0o777).toBe(0o600);
    const second = await start();
    expect((await second.app.request("/api/v1/accounts/app1", { headers: basic(ADMIN.name, ADMIN.secret) })).status).toBe(200);
  });
});

describe("a public deployment (the Worker's rule)", () => {
  it("refuses anonymous writes with authentication off, and keeps reads open", async () => {
    const { app, store } = await start({ authenticationEnabled: false, authorizationEnabled: false, initAuthenticationUser: "" }, { refuseAnonymousWrites: true });
    const write = await app.request("/api/v1/kv/ns/k", jsonRequest({ value: "v" }, "PUT"));
    expect(write.status).toBe(401);
    expect((await write.json()).error.message).toMatch(/NAMESRV_ALLOW_ANONYMOUS_WRITES/);
    expect(await store.getKVConfig("ns", "k")).toBeNull();
    expect((await app.request("/api/v1/topics/TopicTest/route")).status).toBe(200);
    expect(audit.at(-1)).toMatchObject({ operation: "putKVConfig", outcome: "denied" });
  });
});

describe("secret keys for relaying bridges", () => {
  it("are given only to an authenticated account granted relay, even with authorization off", async () => {
    const { port, app } = await start({ authorizationEnabled: false });
    const admin = basic(ADMIN.name, ADMIN.secret);
    expect((await app.request("/api/v1/accounts", jsonRequest({ name: "bridge", secretKey: "bridge-secret-1" }, "POST", admin))).status).toBe(201);
    const put = await app.request("/api/v1/accounts/bridge/policy", jsonRequest({ classes: ["relay"] }, "PUT", admin));
    expect(put.status, await put.text()).toBe(200);
    const asAdmin = await refusal(port.relayedAccount({ name: ADMIN.name }, await signed(ADMIN.name, ADMIN.secret, { name: ADMIN.name })));
    expect(asAdmin.code).toBe(ResponseCode.NO_PERMISSION);
    expect(asAdmin.message).toMatch(/granted relay/);
    const asBridge = await port.relayedAccount({ name: ADMIN.name }, await signed("bridge", "bridge-secret-1", { name: ADMIN.name }));
    expect(asBridge).toEqual({ name: ADMIN.name, secretKey: ADMIN.secret });
    const internal = await app.request("/internal/v1/ops/relayedAccount", jsonRequest({ name: ADMIN.name }, "POST", admin));
    expect(internal.status).toBe(403);
    expect(await internal.text()).not.toContain(ADMIN.secret);
  });

  it("are not given with authentication off", async () => {
    const { app } = await start({ authenticationEnabled: false, authorizationEnabled: false });
    const res = await app.request("/internal/v1/ops/relayedAccount", jsonRequest({ name: ADMIN.name }));
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain(ADMIN.secret);
  });
});
