import { describe, expect, it } from "vitest";
import { ByteBudget } from "../../shared/byte-budget";
import { ResponseCode } from "../../shared/codes";
import { FrameDecoder } from "../../shared/frame-decoder";
import { createResponse, decodeCommand, encodeCommand, type RemotingCommand } from "../../shared/remoting-command";
import { silentLogger } from "../../shared/logger";
import { RemotingConnection, type ConnectionContext, type RequestHandler } from "../../tcp-bridge/remoting-connection";
import type { ByteSink } from "../../tcp-bridge/transport";

/** A socket stand-in that accepts at most `capacity` bytes per write until drained. */
class FakeSink implements ByteSink {
  written: Uint8Array[] = [];
  /** Calls of write, also those that took nothing. */
  writes = 0;
  ended = false;
  capacity = Infinity;
  private waiters: Array<{ ready: () => boolean; resolve: () => void }> = [];
  write(data: Uint8Array): number {
    if (this.ended) return -1;
    this.writes++;
    const n = Math.min(data.length, this.capacity);
    this.written.push(data.slice(0, n));
    this.notify();
    return n;
  }
  end() {
    this.ended = true;
    this.notify();
  }
  /** Resolves once `ready()` holds: checked now, and after every write and end. */
  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }
  /** Resolves once `n` whole answers have been written. */
  answered(n: number): Promise<void> {
    return this.until(() => this.responses().length >= n);
  }
  private notify() {
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.ready()) return true;
      waiter.resolve();
      return false;
    });
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

/** Records requests and closes, and tells a test when the connection has what it handles. */
abstract class RecordingHandler implements RequestHandler {
  closed: string[] = [];
  requests: RemotingCommand[] = [];
  private answers: Promise<unknown>[] = [];
  private startWaiters: Array<{ count: number; resolve: () => void }> = [];
  handle(request: RemotingCommand, context: ConnectionContext): Promise<RemotingCommand | null> {
    this.requests.push(request);
    for (const waiter of this.startWaiters.filter((w) => this.requests.length >= w.count)) waiter.resolve();
    this.startWaiters = this.startWaiters.filter((w) => this.requests.length < w.count);
    const answer = this.answer(request, context);
    this.answers.push(answer);
    return answer;
  }
  protected abstract answer(request: RemotingCommand, context: ConnectionContext): Promise<RemotingCommand | null>;
  async connectionClosed(context: ConnectionContext) {
    this.closed.push(context.channelId);
  }
  /**
   * Resolves once the requests handled so far are answered and the connection has taken their
   * answers: it awaited them before this did, so it has sent (or queued) each one already.
   */
  async idle(): Promise<void> {
    await Promise.all(this.answers);
  }
  /** Resolves once `count` requests have reached the handler. */
  started(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.startWaiters.push({ count, resolve }));
  }
}

/** Answers every request with its code, after holding those with an opaque in `held` until released. */
class EchoHandler extends RecordingHandler {
  private releases = new Map<number, () => void>();
  constructor(private readonly held: number[] = []) {
    super();
  }
  protected async answer(request: RemotingCommand, context: ConnectionContext) {
    if (request.code === 103) context.registeredBroker = true;
    if (this.held.includes(request.opaque)) await new Promise<void>((r) => this.releases.set(request.opaque, r));
    return createResponse(request, 0, `echo ${request.code}`, null, request.body);
  }
  release(opaque: number) {
    this.releases.get(opaque)!();
  }
}

function frame(code: number, opaque: number, flag = 0, body: Uint8Array | null = null): Uint8Array {
  return encodeCommand({
    code, language: "JAVA", version: 479, opaque, flag, remark: null, extFields: { a: "b" }, body, serializeType: "JSON",
  });
}

describe("RemotingConnection", () => {
  it("answers requests split at every byte offset", async () => {
    const stream = new Uint8Array([...frame(105, 1), ...frame(106, 2)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const sink = new FakeSink();
      const conn = new RemotingConnection("c", "peer", sink, new EchoHandler(), silentLogger);
      conn.onData(stream.subarray(0, cut));
      conn.onData(stream.subarray(cut));
      await sink.answered(2);
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
    await sink.answered(3);
    expect(sink.written).toHaveLength(1);
    expect(sink.responses().map((r) => r.opaque)).toEqual([1, 2, 3]);
  });

  it("sends responses as they complete, matched by opaque, and echoes negative opaques", async () => {
    const sink = new FakeSink();
    const handler = new EchoHandler([1]);
    const conn = new RemotingConnection("c", "peer", sink, handler, silentLogger);
    conn.onData(new Uint8Array([...frame(105, 1), ...frame(105, -2147483648)]));
    await sink.answered(1);
    expect(sink.responses().map((r) => r.opaque)).toEqual([-2147483648]);
    handler.release(1);
    await sink.answered(2);
    expect(sink.responses().map((r) => r.opaque)).toEqual([-2147483648, 1]);
    expect(sink.responses().every((r) => r.flag === 1)).toBe(true);
  });

  it("never answers a oneway request but still handles it", async () => {
    const sink = new FakeSink();
    const handler = new EchoHandler();
    const conn = new RemotingConnection("c", "peer", sink, handler, silentLogger);
    conn.onData(frame(904, 7, 2));
    conn.onData(frame(105, 8));
    await handler.idle();
    await sink.answered(1);
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
    await sink.until(() => sink.writes > 0);
    expect(conn.pendingWriteBytes).toBeGreaterThan(0);
    let rounds = 0;
    while (conn.pendingWriteBytes > 0 && rounds++ < 10_000) conn.onDrain();
    expect(conn.pendingWriteBytes).toBe(0);
    const responses = sink.responses();
    expect(responses.map((r) => r.opaque)).toEqual([1, 2]);
    expect(responses[0].body).toEqual(body);
  });

  it("closes on an oversized frame, a bad serialize type or a truncated header, without answering", () => {
    const oversized = new Uint8Array([0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0]);
    const badType = new Uint8Array([0, 0, 0, 6, 0x05, 0, 0, 2, 0x7b, 0x7d]);
    const badHeaderLength = new Uint8Array([0, 0, 0, 6, 0x00, 0, 0, 9, 0x7b, 0x7d]);
    const garbledJson = new Uint8Array([0, 0, 0, 7, 0x00, 0, 0, 3, 0x7b, 0x7b, 0x7b]);
    for (const bytes of [oversized, badType, badHeaderLength, garbledJson]) {
      const sink = new FakeSink();
      const handler = new EchoHandler();
      const conn = new RemotingConnection("c", "peer", sink, handler, silentLogger);
      conn.onData(bytes); // refused as it arrives: nothing reaches the handler to be answered later
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
    await handler.idle();
    client.onClose();
    const broker = new RemotingConnection("broker", "peer", new FakeSink(), handler, silentLogger);
    broker.onData(frame(103, 1));
    await handler.idle();
    broker.onClose();
    broker.onClose();
    expect(handler.closed).toEqual(["broker"]);
  });

  it("does not unregister brokers when the server itself shuts the connection", async () => {
    const handler = new EchoHandler();
    const conn = new RemotingConnection("broker", "peer", new FakeSink(), handler, silentLogger);
    conn.onData(frame(103, 1));
    await handler.idle();
    conn.close("server stopping", false);
    expect(handler.closed).toEqual([]);
  });
});

/** A sink that records pause/resume and can stop taking bytes (a peer that does not read). */
class PausableSink extends FakeSink {
  paused = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
}

/** A handler whose answers wait until released, one by one. */
class GatedHandler extends RecordingHandler {
  private gates: Array<() => void> = [];
  constructor(private readonly body: Uint8Array | null = null) {
    super();
  }
  protected async answer(request: RemotingCommand) {
    await new Promise<void>((r) => this.gates.push(r));
    return createResponse(request, 0, null, null, this.body);
  }
  release(n = 1) {
    for (const open of this.gates.splice(0, n)) open();
  }
}

describe("RemotingConnection limits", () => {
  it("handles at most maxInFlight requests at once and stops reading until answers go out", async () => {
    const sink = new PausableSink();
    const handler = new GatedHandler();
    const conn = new RemotingConnection("c", "peer", sink, handler, silentLogger, { limits: { maxInFlight: 2 } });
    conn.onData(new Uint8Array([...frame(105, 1), ...frame(105, 2), ...frame(105, 3), ...frame(105, 4), ...frame(105, 5)]));
    expect(handler.requests.map((r) => r.opaque)).toEqual([1, 2]);
    expect(conn.requestsInFlight).toBe(2);
    expect(sink.paused).toBe(true);
    handler.release(1);
    await handler.started(3);
    expect(handler.requests.map((r) => r.opaque)).toEqual([1, 2, 3]);
    expect(sink.paused).toBe(true);
    handler.release(2);
    await handler.started(5);
    handler.release(2);
    await sink.answered(5);
    expect(handler.requests).toHaveLength(5);
    expect(conn.requestsInFlight).toBe(0);
    expect(sink.paused).toBe(false);
    expect(sink.responses().map((r) => r.opaque)).toEqual([1, 2, 3, 4, 5]);
  });

  it("does not run requests still waiting when the connection closes", async () => {
    const handler = new GatedHandler();
    const conn = new RemotingConnection("c", "peer", new PausableSink(), handler, silentLogger, { limits: { maxInFlight: 1 } });
    conn.onData(new Uint8Array([...frame(105, 1), ...frame(105, 2), ...frame(105, 3)]));
    conn.onClose();
    handler.release(1);
    await handler.idle();
    expect(handler.requests.map((r) => r.opaque)).toEqual([1]);
  });

  it("stops reading a peer that does not read its answers, and closes it past maxPendingWriteBytes", async () => {
    const limits = { pendingWritePauseBytes: 5000, maxPendingWriteBytes: 10_000 };
    const sink = new PausableSink();
    sink.capacity = 0;
    const handler = new EchoHandler();
    const body = new Uint8Array(4000);
    const conn = new RemotingConnection("c", "peer", sink, handler, silentLogger, { limits });
    conn.onData(frame(105, 1, 0, body));
    await handler.idle();
    expect(sink.paused).toBe(false);
    conn.onData(frame(105, 2, 0, body));
    await handler.idle();
    expect(sink.paused).toBe(true);
    conn.onData(frame(105, 3, 0, body)); // bytes the kernel had buffered before the pause: they wait
    await handler.idle();
    expect(handler.requests).toHaveLength(2);
    expect(conn.isClosed).toBe(false);

    // requests already in flight together whose answers pass the cap: closed
    const sink2 = new PausableSink();
    sink2.capacity = 0;
    const conn2 = new RemotingConnection("c2", "peer", sink2, new EchoHandler(), silentLogger, { limits });
    conn2.onData(new Uint8Array([...frame(105, 1, 0, body), ...frame(105, 2, 0, body), ...frame(105, 3, 0, body)]));
    await sink2.until(() => sink2.ended);
    expect(conn2.isClosed).toBe(true);
  });

  it("starts no more requests of a chunk while its peer is behind on reading, and goes on once it reads", async () => {
    const sink = new PausableSink();
    sink.capacity = 0;
    const handler = new EchoHandler();
    const conn = new RemotingConnection("c", "peer", sink, handler, silentLogger, {
      limits: { maxInFlight: 2, pendingWritePauseBytes: 5000, maxPendingWriteBytes: 1 << 20 },
    });
    const frames = Array.from({ length: 50 }, (_, i) => [...frame(105, i + 1, 0, new Uint8Array(4000))]).flat();
    conn.onData(new Uint8Array(frames)); // all 50 in one chunk, as a kernel buffer delivers them
    await handler.idle();
    expect(handler.requests.length).toBeLessThanOrEqual(3);
    expect(sink.paused).toBe(true);
    sink.capacity = Infinity;
    conn.onDrain(); // from here each write makes room for the next requests
    await sink.answered(50);
    expect(handler.requests).toHaveLength(50);
    expect(sink.responses().map((r) => r.opaque)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(sink.paused).toBe(false);
  });

  it("counts unsent answers of all connections against a shared budget; the peer behind is closed", async () => {
    const pendingWrites = new ByteBudget(9000);
    const options = { limits: { pendingWritePauseBytes: 3000, maxPendingWriteBytes: 1 << 20 }, budgets: { pendingWrites } };
    const reader = new PausableSink();
    reader.capacity = 0;
    const handlerA = new EchoHandler();
    const a = new RemotingConnection("a", "peer", reader, handlerA, silentLogger, options);
    a.onData(frame(105, 1, 0, new Uint8Array(2500)));
    await handlerA.idle();
    const stuck = new PausableSink();
    stuck.capacity = 0;
    const b = new RemotingConnection("b", "peer", stuck, new EchoHandler(), silentLogger, options);
    b.onData(new Uint8Array([...frame(105, 1, 0, new Uint8Array(4000)), ...frame(105, 2, 0, new Uint8Array(4000))]));
    await stuck.until(() => stuck.ended);
    expect(b.isClosed).toBe(true); // over the budget and 8000 bytes behind
    expect(a.isClosed).toBe(false); // within its own pause threshold
    expect(pendingWrites.used).toBe(a.pendingWriteBytes);
    a.onClose();
    expect(pendingWrites.used).toBe(0);
  });

  it("answers SYSTEM_ERROR instead of an answer larger than a frame may be, or one that cannot be encoded", async () => {
    const sink = new FakeSink();
    const largeAnswer: RequestHandler = {
      handle: async (request) => createResponse(request, 0, null, null, new Uint8Array(2950)),
      connectionClosed: async () => {},
    };
    const conn = new RemotingConnection("c", "peer", sink, largeAnswer, silentLogger, { limits: { maxFrameBytes: 3000 } });
    conn.onData(frame(105, 1));
    await sink.answered(1);
    const [tooLarge] = sink.responses();
    expect(tooLarge.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(tooLarge.opaque).toBe(1);
    expect(tooLarge.remark).toMatch(/answer of \d+ bytes exceeds the frame limit of 3000 bytes/);
    expect(tooLarge.body).toBeNull();

    const hugeHeader: RequestHandler = {
      handle: async (request) => createResponse(request, 0, null, { value: "v".repeat(17 * 1024 * 1024) }, null),
      connectionClosed: async () => {},
    };
    const sink2 = new FakeSink();
    const conn2 = new RemotingConnection("c", "peer", sink2, hugeHeader, silentLogger, { limits: { maxFrameBytes: 64 << 20 } });
    conn2.onData(frame(101, 9));
    await sink2.answered(1);
    const [unencodable] = sink2.responses();
    expect(unencodable.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(unencodable.opaque).toBe(9);
    expect(unencodable.remark).toMatch(/answer cannot be encoded: header too large/);
  });

  it("notes when an incomplete frame started, for the frame deadline", () => {
    let now = 1000;
    const conn = new RemotingConnection("c", "peer", new FakeSink(), new EchoHandler(), silentLogger, { clock: () => now });
    const bytes = frame(105, 1);
    conn.onData(bytes.subarray(0, 3));
    expect(conn.frameStartedAt).toBe(1000);
    now = 2000;
    conn.onData(bytes.subarray(3, 10));
    expect(conn.frameStartedAt).toBe(1000); // still the same frame
    conn.onData(new Uint8Array([...bytes.subarray(10), ...frame(105, 2).subarray(0, 5)]));
    expect(conn.frameStartedAt).toBe(2000); // a new frame began
    now = 3000;
    conn.onData(frame(105, 2).subarray(5));
    expect(conn.frameStartedAt).toBeNull();
  });

  it("gives the partial-frame budget back when it closes", () => {
    const partialFrames = new ByteBudget(1 << 20);
    const conn = new RemotingConnection("c", "peer", new FakeSink(), new EchoHandler(), silentLogger, { budgets: { partialFrames } });
    conn.onData(frame(105, 1, 0, new Uint8Array(5000)).subarray(0, 3000));
    expect(partialFrames.used).toBe(2996);
    conn.close("test");
    expect(partialFrames.used).toBe(0);
  });

  it("takes the client's address from a PROXY protocol header, however the header is split", async () => {
    const header = new TextEncoder().encode("PROXY TCP4 10.9.8.7 10.0.0.1 40000 9876\r\n");
    const stream = new Uint8Array([...header, ...frame(105, 1)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const sink = new FakeSink();
      const seen: string[] = [];
      const conn = new RemotingConnection("c", "127.0.0.1", sink, new EchoHandler(), silentLogger, {
        onProxiedPeer: (c, socketAddress) => (seen.push(`${socketAddress}->${c.remoteAddress}`), null),
      });
      conn.onData(stream.subarray(0, cut));
      conn.onData(stream.subarray(cut));
      await sink.answered(1);
      expect(conn.remoteAddress).toBe("10.9.8.7");
      expect(seen).toEqual(["127.0.0.1->10.9.8.7"]);
      expect(sink.responses().map((r) => r.opaque)).toEqual([1]);
    }
  });

  it("closes on a malformed PROXY header, or when the proxied peer is refused", () => {
    const malformed = new RemotingConnection("c", "127.0.0.1", new FakeSink(), new EchoHandler(), silentLogger);
    malformed.onData(new TextEncoder().encode("PROXY TCP4 999.1.1.1 10.0.0.1 1 2\r\n"));
    expect(malformed.isClosed).toBe(true);
    const handler = new EchoHandler();
    const refused = new RemotingConnection("c", "127.0.0.1", new FakeSink(), handler, silentLogger, { onProxiedPeer: () => "too many" });
    refused.onData(new Uint8Array([...new TextEncoder().encode("PROXY TCP4 10.1.1.1 10.0.0.1 1 2\r\n"), ...frame(105, 1)]));
    expect(refused.isClosed).toBe(true); // refused as the header arrives, before any request is read
    expect(handler.requests).toEqual([]);
  });
});

