import { describe, expect, it } from "vitest";
import { FrameDecoder } from "../../shared/frame-decoder";
import { createResponse, decodeCommand, encodeCommand, type RemotingCommand } from "../../shared/remoting-command";
import { silentLogger } from "../../tcp-bridge/logger";
import { RemotingConnection, type ByteSink, type ConnectionContext, type RequestHandler } from "../../tcp-bridge/remoting-connection";

/** A socket stand-in that accepts at most `capacity` bytes per write until drained. */
class FakeSink implements ByteSink {
  written: Uint8Array[] = [];
  ended = false;
  capacity = Infinity;
  write(data: Uint8Array): number {
    if (this.ended) return -1;
    const n = Math.min(data.length, this.capacity);
    this.written.push(data.slice(0, n));
    return n;
  }
  end() {
    this.ended = true;
  }
  responses(): RemotingCommand[] {
    const decoder = new FrameDecoder();
    const all = new Uint8Array(this.written.reduce((s, c) => s + c.length, 0));
    let off = 0;
    for (const c of this.written) {
      all.set(c, off);
      off += c.length;
    }
    return decoder.push(all).map(decodeCommand);
  }
}

class EchoHandler implements RequestHandler {
  closed: string[] = [];
  requests: RemotingCommand[] = [];
  constructor(private readonly delays: Record<number, number> = {}) {}
  async handle(request: RemotingCommand, context: ConnectionContext) {
    this.requests.push(request);
    if (request.code === 103) context.registeredBroker = true;
    const delay = this.delays[request.opaque];
    if (delay) await new Promise((r) => setTimeout(r, delay));
    return createResponse(request, 0, `echo ${request.code}`, null, request.body);
  }
  async connectionClosed(context: ConnectionContext) {
    this.closed.push(context.channelId);
  }
}

function frame(code: number, opaque: number, flag = 0, body: Uint8Array | null = null): Uint8Array {
  return encodeCommand({
    code, language: "JAVA", version: 479, opaque, flag, remark: null, extFields: { a: "b" }, body, serializeType: "JSON",
  });
}

const settle = () => new Promise((r) => setTimeout(r, 20));
const tick = () => new Promise((r) => setImmediate(r));

describe("RemotingConnection", () => {
  it("answers requests split at every byte offset", async () => {
    const stream = new Uint8Array([...frame(105, 1), ...frame(106, 2)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const sink = new FakeSink();
      const conn = new RemotingConnection("c", "peer", sink, new EchoHandler(), silentLogger);
      conn.onData(stream.subarray(0, cut));
      conn.onData(stream.subarray(cut));
      await tick(); // handled
      await tick(); // written
      expect(sink.responses().map((r) => [r.code, r.opaque, r.remark])).toEqual([
        [0, 1, "echo 105"],
        [0, 2, "echo 106"],
      ]);
    }
  });

  it("writes responses completed in one turn together, in one write", async () => {
    const sink = new FakeSink();
    const conn = new RemotingConnection("c", "peer", sink, new EchoHandler(), silentLogger);
    conn.onData(new Uint8Array([...frame(105, 1), ...frame(105, 2), ...frame(105, 3)]));
    await settle();
    expect(sink.written).toHaveLength(1);
    expect(sink.responses().map((r) => r.opaque)).toEqual([1, 2, 3]);
  });

  it("sends responses as they complete, matched by opaque, and echoes negative opaques", async () => {
    const sink = new FakeSink();
    const conn = new RemotingConnection("c", "peer", sink, new EchoHandler({ 1: 30 }), silentLogger);
    conn.onData(new Uint8Array([...frame(105, 1), ...frame(105, -2147483648)]));
    await new Promise((r) => setTimeout(r, 60));
    expect(sink.responses().map((r) => r.opaque)).toEqual([-2147483648, 1]);
    expect(sink.responses().every((r) => r.flag === 1)).toBe(true);
  });

  it("never answers a oneway request but still handles it", async () => {
    const sink = new FakeSink();
    const handler = new EchoHandler();
    const conn = new RemotingConnection("c", "peer", sink, handler, silentLogger);
    conn.onData(frame(904, 7, 2));
    conn.onData(frame(105, 8));
    await settle();
    expect(handler.requests.map((r) => r.code)).toEqual([904, 105]);
    expect(sink.responses().map((r) => r.opaque)).toEqual([8]);
  });

  it("queues what a partial write left and flushes it on drain, in order", async () => {
    const sink = new FakeSink();
    sink.capacity = 10;
    const body = new Uint8Array(5000).fill(65);
    const conn = new RemotingConnection("c", "peer", sink, new EchoHandler(), silentLogger);
    conn.onData(frame(105, 1, 0, body));
    conn.onData(frame(105, 2, 0, body));
    await settle();
    expect(conn.pendingWriteBytes).toBeGreaterThan(0);
    let rounds = 0;
    while (conn.pendingWriteBytes > 0 && rounds++ < 10_000) conn.onDrain();
    expect(conn.pendingWriteBytes).toBe(0);
    const responses = sink.responses();
    expect(responses.map((r) => r.opaque)).toEqual([1, 2]);
    expect(responses[0].body).toEqual(body);
  });

  it("closes on an oversized frame, a bad serialize type or a truncated header, without answering", async () => {
    const oversized = new Uint8Array([0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0]);
    const badType = new Uint8Array([0, 0, 0, 6, 0x05, 0, 0, 2, 0x7b, 0x7d]);
    const badHeaderLength = new Uint8Array([0, 0, 0, 6, 0x00, 0, 0, 9, 0x7b, 0x7d]);
    const garbledJson = new Uint8Array([0, 0, 0, 7, 0x00, 0, 0, 3, 0x7b, 0x7b, 0x7b]);
    for (const bytes of [oversized, badType, badHeaderLength, garbledJson]) {
      const sink = new FakeSink();
      const handler = new EchoHandler();
      const conn = new RemotingConnection("c", "peer", sink, handler, silentLogger);
      conn.onData(bytes);
      await settle();
      expect(sink.ended).toBe(true);
      expect(conn.isClosed).toBe(true);
      expect(sink.written).toEqual([]);
      expect(handler.requests).toEqual([]);
    }
  });

  it("reports the close of a connection that registered a broker, once", async () => {
    const handler = new EchoHandler();
    const client = new RemotingConnection("client", "peer", new FakeSink(), handler, silentLogger);
    client.onData(frame(105, 1));
    await settle();
    client.onClose();
    const broker = new RemotingConnection("broker", "peer", new FakeSink(), handler, silentLogger);
    broker.onData(frame(103, 1));
    await settle();
    broker.onClose();
    broker.onClose();
    await settle();
    expect(handler.closed).toEqual(["broker"]);
  });

  it("does not unregister brokers when the server itself shuts the connection", async () => {
    const handler = new EchoHandler();
    const conn = new RemotingConnection("broker", "peer", new FakeSink(), handler, silentLogger);
    conn.onData(frame(103, 1));
    await settle();
    conn.close("server stopping", false);
    await settle();
    expect(handler.closed).toEqual([]);
  });
});
