import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameDecoder } from "../../shared/frame-decoder";
import { decodeCommand, encodeCommand, type RemotingCommand } from "../../shared/remoting-command";
import { freePort } from "../support/ports";
import { waitFor } from "../support/wait-for";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";

const ascii = (text: string) => new TextEncoder().encode(text);

function routeQuery(opaque: number): Uint8Array {
  return encodeCommand({
    code: 106, language: "JAVA", version: 479, opaque, flag: 0, remark: null, extFields: null, body: null, serializeType: "JSON",
  });
}

/** A raw connection (optionally from a given loopback address) that collects answers. */
async function rawConnection(port: number, localAddress?: string): Promise<{ socket: Socket; answers: RemotingCommand[]; closed: Promise<void> }> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", localAddress }, () => resolve(s));
    s.once("error", reject);
  });
  const answers: RemotingCommand[] = [];
  const decoder = new FrameDecoder();
  socket.on("data", (chunk: Buffer) => answers.push(...decoder.push(new Uint8Array(chunk)).map(decodeCommand)));
  socket.on("error", () => {});
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  return { socket, answers, closed };
}

/** The peers the server logged requests from (debug log). */
function loggedPeers(ns: NamesrvProcess): string[] {
  return ns
    .output()
    .split("\n")
    .filter((line) => line.includes('"msg":"request"'))
    .map((line) => JSON.parse(line).peer as string);
}

describe("PROXY protocol on the remoting port", () => {
  let ns: NamesrvProcess;
  beforeAll(async () => {
    ns = await startNamesrv({ NAMESRV_LOG_LEVEL: "debug", NAMESRV_CONFIG_maxConnectionsPerPeer: "2" });
  });
  afterAll(async () => {
    await ns?.stop();
  });

  it("takes the client's address from hand-made v1 and v2 headers", async () => {
    const v1 = await rawConnection(ns.port);
    v1.socket.write(new Uint8Array([...ascii("PROXY TCP4 10.20.30.40 10.0.0.1 51000 9876\r\n"), ...routeQuery(1)]));
    const sig = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
    const v2 = await rawConnection(ns.port);
    v2.socket.write(new Uint8Array([...sig, 0x21, 0x11, 0, 12, 172, 16, 5, 6, 10, 0, 0, 1, 0xc8, 0x00, 0x26, 0x94, ...routeQuery(2)]));
    await waitFor(() => v1.answers.length === 1 && v2.answers.length === 1, "both answers");
    expect(v1.answers[0].code).toBe(0);
    expect(v2.answers[0].code).toBe(0);
    await waitFor(() => loggedPeers(ns).includes("10.20.30.40") && loggedPeers(ns).includes("172.16.5.6"), "the proxied peers in the log");
    v1.socket.destroy();
    v2.socket.destroy();
  });

  it("counts maxConnectionsPerPeer by the proxied client, not by the load balancer", async () => {
    const from = async (client: string) => {
      const c = await rawConnection(ns.port);
      c.socket.write(new Uint8Array([...ascii(`PROXY TCP4 ${client} 10.0.0.1 51000 9876\r\n`), ...routeQuery(7)]));
      return c;
    };
    const a1 = await from("10.1.1.1");
    const a2 = await from("10.1.1.1");
    await waitFor(() => a1.answers.length === 1 && a2.answers.length === 1, "two connections of 10.1.1.1 answered");
    const a3 = await from("10.1.1.1");
    await a3.closed;
    expect(a3.answers).toEqual([]);
    const b1 = await from("10.1.1.2"); // a third connection from the same socket address, another client
    await waitFor(() => b1.answers.length === 1, "10.1.1.2 answered");
    for (const c of [a1, a2, b1]) c.socket.destroy();
  });

  it("closes a connection whose PROXY header is malformed", async () => {
    const bad = await rawConnection(ns.port);
    bad.socket.write(ascii("PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n"));
    await bad.closed;
    expect(bad.answers).toEqual([]);
  });
});

describe("behind a real HAProxy", () => {
  let ns: NamesrvProcess;
  let haproxy: ChildProcess;
  let dir: string;
  const ports = { v1: 0, v2: 0 };

  beforeAll(async () => {
    ns = await startNamesrv({ NAMESRV_LOG_LEVEL: "debug" });
    ports.v1 = await freePort();
    ports.v2 = await freePort();
    dir = mkdtempSync(join(tmpdir(), "haproxy-"));
    const config = join(dir, "haproxy.cfg");
    writeFileSync(
      config,
      [
        "global",
        "  maxconn 100",
        "defaults",
        "  mode tcp",
        "  timeout connect 5s",
        "  timeout client 30s",
        "  timeout server 30s",
        `frontend remoting_v1`,
        `  bind 127.0.0.1:${ports.v1}`,
        "  default_backend namesrv_v1",
        `frontend remoting_v2`,
        `  bind 127.0.0.1:${ports.v2}`,
        "  default_backend namesrv_v2",
        "backend namesrv_v1",
        `  server ns 127.0.0.1:${ns.port} send-proxy`,
        "backend namesrv_v2",
        `  server ns 127.0.0.1:${ns.port} send-proxy-v2`,
        "",
      ].join("\n"),
    );
    const binary = existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy"; // scripts/install-test-tools.sh
    haproxy = spawn(binary, ["-f", config, "-db"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    haproxy.stdout!.on("data", (d) => (output += d));
    haproxy.stderr!.on("data", (d) => (output += d));
    await waitFor(async () => {
      if (haproxy.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
      const probe = await rawConnection(ports.v2).catch(() => null);
      probe?.socket.destroy();
      return probe !== null;
    }, "haproxy to listen", 15_000, 100);
  });
  afterAll(async () => {
    if (haproxy && haproxy.exitCode === null) {
      const exited = new Promise((r) => haproxy.once("exit", r));
      haproxy.kill("SIGKILL");
      await exited;
    }
    await ns?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("sees the client's own address through send-proxy and send-proxy-v2", async () => {
    for (const [port, client] of [
      [ports.v1, "127.0.0.2"],
      [ports.v2, "127.0.0.3"],
    ] as const) {
      const c = await rawConnection(port, client);
      c.socket.write(routeQuery(1));
      await waitFor(() => c.answers.length === 1, `an answer through HAProxy from ${client}`);
      expect(c.answers[0].code).toBe(0);
      c.socket.destroy();
      await waitFor(() => loggedPeers(ns).includes(client), `${client} as the peer in the log`);
    }
    expect(loggedPeers(ns)).not.toContain("127.0.0.1");
  });
});
