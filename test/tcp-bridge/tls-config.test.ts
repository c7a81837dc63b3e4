import { X509Certificate, createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { classifyFirstBytes } from "../../tcp-bridge/tls/first-bytes";
import { selfSignedCertificate } from "../../tcp-bridge/tls/self-signed-certificate";
import { readTlsConfig, DEFAULT_TLS_CONFIG_FILE } from "../../tcp-bridge/tls/tls-config";

const bytes = (text: string) => new TextEncoder().encode(text);

function read(extra: Record<string, string>, env: Record<string, string> = {}, files: Record<string, string> = {}) {
  return readTlsConfig({ extra, env, readOptionalFile: async (path) => (path in files ? bytes(files[path]) : null) });
}

describe("readTlsConfig", () => {
  it("has Java's defaults", async () => {
    expect(await read({})).toEqual({
      mode: "permissive",
      testMode: true,
      needClientAuth: "none",
      keyPath: null,
      keyPassword: null,
      certPath: null,
      authClient: false,
      trustCertPath: null,
      reloadIntervalMillis: 500,
      configFile: null,
    });
  });

  it("takes the -c file's keys, then the environment, then tls.config.file except tls.server.mode", async () => {
    const config = await read(
      { "tls.server.mode": "enforcing", "tls.server.need.client.auth": "optional", "tls.config.file": "/t.properties" },
      { "NAMESRV_CONFIG_tls.server.authClient": "true", "NAMESRV_CONFIG_tls.server.trustCertPath": "/env-ca.pem" },
      { "/t.properties": "tls.server.mode=disabled\ntls.server.trustCertPath=/file-ca.pem\ntls.server.certPath=/c.pem\ntls.server.keyPath=/k.pem\n" },
    );
    expect(config).toMatchObject({ mode: "enforcing", needClientAuth: "optional", authClient: true, trustCertPath: "/file-ca.pem", certPath: "/c.pem", configFile: "/t.properties" });
  });

  it("reads /etc/rocketmq/tls.properties when it exists", async () => {
    const files = { [DEFAULT_TLS_CONFIG_FILE]: "tls.test.mode.enable=false\n" };
    expect((await read({ "tls.server.mode": "disabled" }, {}, files)).testMode).toBe(false);
  });

  it.each([
    [{ "tls.server.mode": "sometimes" }, /tls\.server\.mode/],
    [{ "tls.server.need.client.auth": "always" }, /need\.client\.auth/],
    [{ "tls.test.mode.enable": "yes" }, /tls\.test\.mode\.enable/],
    [{ "tls.server.authClient": "true" }, /needs tls\.server\.trustCertPath/],
    [{ "tls.server.certPath": "/c.pem" }, /go together/],
    [{ "tls.test.mode.enable": "false" }, /needs tls\.server\.certPath/],
    [{ "tls.server.typo": "x" }, /unknown TLS key/],
  ])("refuses %j", async (extra, message) => {
    await expect(read(extra)).rejects.toThrow(message);
  });
});

describe("classifyFirstBytes", () => {
  const hello = Uint8Array.of(0x16, 0x03, 0x01);
  const frame = Uint8Array.of(0, 0, 0, 40);
  const proxy = bytes("PROXY TCP4 1.2.3.4 5.6.7.8 1000 9876\r\n");

  it("tells TLS from plain remoting by mode, as Java's TlsModeHandler", () => {
    expect(classifyFirstBytes(hello, "permissive")).toEqual({ kind: "tls", offset: 0 });
    expect(classifyFirstBytes(hello, "enforcing")).toEqual({ kind: "tls", offset: 0 });
    expect(classifyFirstBytes(hello, "disabled").kind).toBe("refuse");
    expect(classifyFirstBytes(frame, "permissive")).toEqual({ kind: "plain" });
    expect(classifyFirstBytes(frame, "disabled")).toEqual({ kind: "plain" });
    expect(classifyFirstBytes(frame, "enforcing").kind).toBe("refuse");
  });

  it("looks past a PROXY header, waiting for the byte after it", () => {
    expect(classifyFirstBytes(proxy.subarray(0, 10), "permissive")).toEqual({ kind: "more" });
    expect(classifyFirstBytes(proxy, "permissive")).toEqual({ kind: "more" });
    expect(classifyFirstBytes(new Uint8Array([...proxy, ...hello]), "permissive")).toEqual({ kind: "tls", offset: proxy.length });
    expect(classifyFirstBytes(new Uint8Array([...proxy, ...frame]), "enforcing").kind).toBe("refuse");
  });
});

describe("selfSignedCertificate", () => {
  it("is a valid X.509 certificate signed by its own key, valid now", () => {
    const { certPem, keyPem } = selfSignedCertificate({ commonName: "edge-namesrv" });
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toBe("CN=edge-namesrv");
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });

  it("uses GeneralizedTime past 2049", () => {
    const cert = new X509Certificate(selfSignedCertificate({ now: new Date("2060-01-01T00:00:00Z") }).certPem);
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2060);
  });
});
