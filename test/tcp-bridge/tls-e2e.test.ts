import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { Agent, request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for";
import {
  closedWithoutAnswer,
  encryptKey,
  makeCa,
  makeSigned,
  plainConnect,
  RemotingOver,
  sClientSubject,
  startTlsNamesrv,
  tempDir,
  tlsRemoting,
  type NamesrvUnderTest,
} from "./tls-support";

let dir: string;
beforeAll(() => {
  dir = tempDir("tls-certs-");
  makeCa(dir, "ca");
  makeSigned(dir, "server", "namesrv-one", "ca");
  makeSigned(dir, "server2", "namesrv-two", "ca");
  makeSigned(dir, "alice", "alice", "ca");
  makeCa(dir, "otherca");
  makeSigned(dir, "mallory", "mallory", "otherca");
  encryptKey(dir, "server", "server-aes.key", "aes", "secret");
  encryptKey(dir, "server", "server-rc4.key", "rc4", "secret");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (name: string) => join(dir, name);

function running(env: () => Record<string, string>) {
  const box: { ns: NamesrvUnderTest } = {} as never;
  beforeAll(async () => {
    box.ns = await startTlsNamesrv(env());
  });
  afterAll(async () => {
    await box.ns?.stop();
  });
  return box;
}

function httpsGet(port: number, path: string, ca: string): Promise<{ status: number; cn: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: "127.0.0.1", port, path, ca, servername: "localhost", checkServerIdentity: () => undefined, agent: new Agent() }, (res) => {
      const cert = (res.socket as import("node:tls").TLSSocket).getPeerCertificate();
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, cn: String(cert.subject.CN) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("permissive by default, with the test mode's self-signed certificate", () => {
  const box = running(() => ({ NAMESRV_LOG_LEVEL: "debug" }));

  it("answers plain and TLS connections on the one remoting port", async () => {
    const plain = await plainConnect(box.ns.port);
    expect((await plain.clusterInfo()).code).toBe(0);
    const secure = await tlsRemoting(box.ns.port);
    expect((await secure.clusterInfo()).code).toBe(0);
    const cert = (secure.socket as import("node:tls").TLSSocket).getPeerCertificate();
    expect(cert.subject.CN).toBe("edge-namesrv");
    expect(cert.issuer.CN).toBe("edge-namesrv");
    plain.close();
    secure.close();
  });

  it("keeps the HTTP port plain", async () => {
    expect((await fetch(`http://127.0.0.1:${box.ns.httpPort}/health`)).status).toBe(200);
  });

  it("reads a PROXY header before the TLS handshake", async () => {
    const raw = await new Promise<import("node:net").Socket>((resolve, reject) => {
      const s = netConnect({ port: box.ns.port, host: "127.0.0.1" }, () => resolve(s));
      s.once("error", reject);
    });
    raw.write("PROXY TCP4 10.9.8.7 10.0.0.1 51000 9876\r\n");
    const secure = await new Promise<RemotingOver>((resolve, reject) => {
      const s = tlsConnect({ socket: raw, rejectUnauthorized: false }, () => resolve(new RemotingOver(s)));
      s.once("error", reject);
    });
    expect((await secure.clusterInfo()).code).toBe(0);
    secure.close();
    await waitFor(() => box.ns.output().includes('"peer":"10.9.8.7"'), "the proxied peer in the log");
  });
});

describe("tls.server.mode=enforcing with a certificate and an AES-encrypted key", () => {
  const box = running(() => ({
    "NAMESRV_CONFIG_tls.server.mode": "enforcing",
    "NAMESRV_CONFIG_tls.server.certPath": at("server.pem"),
    "NAMESRV_CONFIG_tls.server.keyPath": at("server-aes.key"),
    "NAMESRV_CONFIG_tls.server.keyPassword": "secret",
  }));

  it("closes a plain connection without answering", async () => {
    expect(await closedWithoutAnswer(await plainConnect(box.ns.port))).toBe(true);
  });

  it("answers over TLS with the configured certificate", async () => {
    const secure = await tlsRemoting(box.ns.port, { ca: readFileSync(at("ca.pem")), rejectUnauthorized: true, servername: "localhost", checkServerIdentity: () => undefined });
    expect((await secure.clusterInfo()).code).toBe(0);
    expect((secure.socket as import("node:tls").TLSSocket).getPeerCertificate().subject.CN).toBe("namesrv-one");
    secure.close();
  });

  it("serves HTTPS on the HTTP port with the same certificate", async () => {
    const answer = await httpsGet(box.ns.httpPort, "/health", readFileSync(at("ca.pem"), "utf8"));
    expect(answer).toEqual({ status: 200, cn: "namesrv-one" });
  });
});

describe("tls.server.mode=disabled", () => {
  const box = running(() => ({ "NAMESRV_CONFIG_tls.server.mode": "disabled" }));

  it("closes a TLS handshake and answers plain connections", async () => {
    await expect(tlsRemoting(box.ns.port)).rejects.toThrow();
    const plain = await plainConnect(box.ns.port);
    expect((await plain.clusterInfo()).code).toBe(0);
    plain.close();
  });
});

describe("keys from tls.config.file: the RocketMQ guide's PBE-SHA1-RC4-128 form", () => {
  const box = running(() => {
    const file = at("tls.properties");
    writeFileSync(
      file,
      [`tls.server.certPath=${at("server.pem")}`, `tls.server.keyPath=${at("server-rc4.key")}`, "tls.server.keyPassword=secret", "tls.server.mode=disabled", ""].join("\n"),
    );
    // tls.server.mode is not taken from the file, as in Java: this one stays enforcing
    return { "NAMESRV_CONFIG_tls.config.file": file, "NAMESRV_CONFIG_tls.server.mode": "enforcing" };
  });

  it("loads the key and keeps tls.server.mode from outside the file", async () => {
    const secure = await tlsRemoting(box.ns.port);
    expect((secure.socket as import("node:tls").TLSSocket).getPeerCertificate().subject.CN).toBe("namesrv-one");
    expect((await secure.clusterInfo()).code).toBe(0);
    secure.close();
    expect(await closedWithoutAnswer(await plainConnect(box.ns.port))).toBe(true);
  });
});

describe("mutual TLS: need.client.auth=require with authClient=true", () => {
  const box = running(() => ({
    NAMESRV_LOG_LEVEL: "debug",
    "NAMESRV_CONFIG_tls.server.mode": "enforcing",
    "NAMESRV_CONFIG_tls.server.certPath": at("server.pem"),
    "NAMESRV_CONFIG_tls.server.keyPath": at("server.key"),
    "NAMESRV_CONFIG_tls.server.need.client.auth": "require",
    "NAMESRV_CONFIG_tls.server.authClient": "true",
    "NAMESRV_CONFIG_tls.server.trustCertPath": at("ca.pem"),
  }));

  async function refused(options: import("node:tls").ConnectionOptions): Promise<boolean> {
    try {
      const client = await tlsRemoting(box.ns.port, options);
      // TLS 1.3: the server's refusal may only arrive after the client's side of the handshake
      return await closedWithoutAnswer(client);
    } catch {
      return true;
    }
  }

  it("refuses a client without a certificate, or with one of another CA", async () => {
    expect(await refused({})).toBe(true);
    expect(await refused({ cert: readFileSync(at("mallory.pem")), key: readFileSync(at("mallory.key")) })).toBe(true);
  });

  it("accepts a trusted client certificate and exposes its subject", async () => {
    const client = await tlsRemoting(box.ns.port, { cert: readFileSync(at("alice.pem")), key: readFileSync(at("alice.key")) });
    expect((await client.clusterInfo()).code).toBe(0);
    client.close();
    await waitFor(() => box.ns.output().includes('"clientCertificateSubject":"alice"'), "the verified subject in the log");
  });
});

describe("mutual TLS as authentication: a verified certificate's CN names the account", () => {
  const box = running(() => ({
    "NAMESRV_CONFIG_tls.server.mode": "enforcing",
    "NAMESRV_CONFIG_tls.server.certPath": at("server.pem"),
    "NAMESRV_CONFIG_tls.server.keyPath": at("server.key"),
    "NAMESRV_CONFIG_tls.server.need.client.auth": "optional",
    "NAMESRV_CONFIG_tls.server.authClient": "true",
    "NAMESRV_CONFIG_tls.server.trustCertPath": at("ca.pem"),
    NAMESRV_CONFIG_authenticationEnabled: "true",
    NAMESRV_CONFIG_initAuthenticationUser: JSON.stringify({ username: "alice", password: "alice-secret-1" }),
  }));

  it("serves alice's certificate as account alice; no certificate and no signature is NO_PERMISSION", async () => {
    const alice = await tlsRemoting(box.ns.port, { cert: readFileSync(at("alice.pem")), key: readFileSync(at("alice.key")) });
    expect((await alice.clusterInfo()).code).toBe(0);
    alice.close();
    const anonymous = await tlsRemoting(box.ns.port);
    const refused = await anonymous.clusterInfo();
    expect(refused.code).toBe(16);
    expect(refused.remark).toMatch(/no credentials/);
    anonymous.close();
  });
});

describe("hot reload of the certificate and key", () => {
  const files = { cert: "", key: "" };
  const box = running(() => {
    files.cert = at("live.pem");
    files.key = at("live.key");
    writeFileSync(files.cert, readFileSync(at("server.pem")));
    writeFileSync(files.key, readFileSync(at("server.key")));
    return {
      "NAMESRV_CONFIG_tls.server.certPath": files.cert,
      "NAMESRV_CONFIG_tls.server.keyPath": files.key,
      "NAMESRV_CONFIG_tls.server.reloadIntervalMillis": "100",
    };
  });

  it("new connections get the new certificate, an open one keeps working; a broken file keeps the old one", async () => {
    expect(sClientSubject(box.ns.port, dir)).toBe("namesrv-one");
    const old = await tlsRemoting(box.ns.port);
    expect((await old.clusterInfo()).code).toBe(0);

    // a certificate alone is not enough: Java waits for the key too
    writeFileSync(files.cert, readFileSync(at("server2.pem")));
    await new Promise((r) => setTimeout(r, 400));
    expect(sClientSubject(box.ns.port, dir)).toBe("namesrv-one");
    writeFileSync(files.key, readFileSync(at("server2.key")));
    await waitFor(() => box.ns.output().includes("TLS credentials reloaded"), "the reload", 5_000);
    expect(sClientSubject(box.ns.port, dir)).toBe("namesrv-two");
    expect((await old.clusterInfo()).code).toBe(0);
    const https = await httpsGet(box.ns.httpPort, "/health", readFileSync(at("ca.pem"), "utf8"));
    expect(https).toEqual({ status: 200, cn: "namesrv-two" });

    writeFileSync(files.cert, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
    writeFileSync(files.key, "not a key\n");
    await waitFor(() => box.ns.output().includes("TLS credentials not reloaded"), "the refused reload", 5_000);
    expect(sClientSubject(box.ns.port, dir)).toBe("namesrv-two");
    expect((await old.clusterInfo()).code).toBe(0);
    old.close();
  });
});

describe("start-up errors", () => {
  it("refuses a bad tls.server.mode", async () => {
    await expect(startTlsNamesrv({ "NAMESRV_CONFIG_tls.server.mode": "sometimes" })).rejects.toThrow(/tls\.server\.mode/);
  });

  it("refuses a key whose password is wrong", async () => {
    await expect(
      startTlsNamesrv({
        "NAMESRV_CONFIG_tls.server.certPath": at("server.pem"),
        "NAMESRV_CONFIG_tls.server.keyPath": at("server-aes.key"),
        "NAMESRV_CONFIG_tls.server.keyPassword": "wrong",
      }),
    ).rejects.toThrow(/TLS: cannot use/);
  });
});
