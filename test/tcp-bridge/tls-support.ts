/** For the TLS tests: certificates made with the openssl CLI, a NameServer process, and TLS/plain remoting calls. */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { FrameDecoder } from "../../shared/frame-decoder";
import { decodeCommand, encodeCommand, type RemotingCommand } from "../../shared/remoting-command";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { waitFor } from "../support/wait-for";

export function openssl(cwd: string, ...args: string[]): string {
  return execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] }).toString();
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A CA (`<name>.pem`, `<name>.key`). */
export function makeCa(dir: string, name: string): void {
  openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=${name}`);
}

/** A key and a certificate for `cn` signed by CA `ca` (`<name>.pem`, `<name>.key` unencrypted PKCS#8). */
export function makeSigned(dir: string, name: string, cn: string, ca: string): void {
  openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
  openssl(dir, "x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2");
}

/** `<name>.key` encrypted as PKCS#8 into `out`: "aes" (AES-256-CBC) or "rc4" (PBE-SHA1-RC4-128, the RocketMQ guide's). */
export function encryptKey(dir: string, name: string, out: string, cipher: "aes" | "rc4", password: string): void {
  const form = cipher === "aes" ? ["-v2", "aes-256-cbc"] : ["-v1", "PBE-SHA1-RC4-128", "-provider", "legacy", "-provider", "default"];
  openssl(dir, "pkcs8", "-topk8", ...form, "-in", `${name}.key`, "-out", out, "-passout", `pass:${password}`);
}

export type NamesrvUnderTest = NamesrvProcess;

/** `bun tcp-bridge/main.ts` with the given environment; ready when it logs its boot (the HTTP port may be HTTPS). */
export function startTlsNamesrv(env: Record<string, string>, args: string[] = []): Promise<NamesrvUnderTest> {
  return startNamesrv(env, args, { readyWhen: "listening" });
}

/** A remoting client over a socket (plain or TLS) that collects answers. */
export class RemotingOver {
  readonly answers: RemotingCommand[] = [];
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder();
  private opaque = 0;

  constructor(readonly socket: Socket | TLSSocket) {
    socket.on("data", (chunk: Buffer) => this.answers.push(...this.decoder.push(new Uint8Array(chunk)).map(decodeCommand)));
    socket.on("error", () => {});
    this.closed = new Promise((r) => socket.once("close", () => r()));
  }

  /** GET_BROKER_CLUSTER_INFO, answered within the deadline. */
  async clusterInfo(timeoutMs = 5_000): Promise<RemotingCommand> {
    const opaque = ++this.opaque;
    this.socket.write(
      encodeCommand({ code: 106, language: "JAVA", version: 479, opaque, flag: 0, remark: null, extFields: null, body: null, serializeType: "JSON" }),
    );
    return waitFor(() => this.answers.find((a) => a.opaque === opaque), `answer ${opaque}`, timeoutMs, 20);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function plainConnect(port: number, first?: Uint8Array): Promise<RemotingOver> {
  return new Promise((resolvePromise, reject) => {
    const socket = netConnect({ port, host: "127.0.0.1" }, () => {
      if (first) socket.write(first);
      resolvePromise(new RemotingOver(socket));
    });
    socket.once("error", reject);
  });
}

/** A TLS connection (trusting anything unless `options` say otherwise), resolved once the handshake is done. */
export function tlsRemoting(port: number, options: ConnectionOptions = {}): Promise<RemotingOver> {
  return new Promise((resolvePromise, reject) => {
    const socket = tlsConnect({ port, host: "127.0.0.1", rejectUnauthorized: false, ...options }, () => resolvePromise(new RemotingOver(socket)));
    socket.once("error", reject);
    socket.once("close", () => reject(new Error("closed during the handshake")));
  });
}

/** Resolves true when the server closes the connection within the deadline without any answer. */
export async function closedWithoutAnswer(client: RemotingOver, timeoutMs = 5_000): Promise<boolean> {
  const opaque = 1;
  client.socket.write(
    encodeCommand({ code: 106, language: "JAVA", version: 479, opaque, flag: 0, remark: null, extFields: null, body: null, serializeType: "JSON" }),
  );
  await Promise.race([client.closed, new Promise((_, reject) => setTimeout(() => reject(new Error("still open")), timeoutMs))]);
  return client.answers.length === 0;
}

/** The subject CN of the certificate `openssl s_client` is shown on the port. */
export function sClientSubject(port: number, cwd: string): string {
  const out = execFileSync("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", "localhost"], {
    cwd,
    input: "",
    stdio: ["pipe", "pipe", "pipe"],
    timeout: 10_000,
  }).toString();
  const match = out.match(/^subject=.*CN\s?=\s?([^,\n]+)/m);
  if (!match) throw new Error(`no subject in s_client output:\n${out}`);
  return match[1].trim();
}
