import { ByteBudget, unlimitedBudget } from "../shared/byte-budget";
import { MAX_FRAME_LENGTH, ResponseCode } from "../shared/codes";
import { ProtocolError } from "../shared/errors";
import { FrameDecoder } from "../shared/frame-decoder";
import { DEFAULT_MAX_JSON_DEPTH } from "../shared/fastjson-reader";
import { createResponse, decodeCommandWithin, encodeFrameHead, isOneway, isResponse, type RemotingCommand } from "../shared/remoting-command";
import type { Logger } from "../shared/logger";
import { readProxyHeader } from "./proxy-protocol";
import type { ByteSink } from "./transport";


/** What the bridge knows of one connection while handling its requests. */
export interface ConnectionContext {
  /** Unique across bridges and restarts; recorded with each broker registration it carries. */
  readonly channelId: string;
  readonly remoteAddress: string;
  readonly isClosed: boolean;
  /** Set once the connection carried a REGISTER_BROKER, so its close must be reported. */
  registeredBroker: boolean;
  /** CN of the TLS client certificate, when tls.server.trustCertPath verified it (else null). */
  readonly clientCertificateSubject: string | null;
}

export interface RequestHandler {
  /** The response to send, or null for none. Must not throw for request-level problems. */
  handle(request: RemotingCommand, context: ConnectionContext): Promise<RemotingCommand | null>;
  connectionClosed(context: ConnectionContext): Promise<void>;
}

/** What one connection may make the server hold (see edge/config/limits.ts for the keys). */
export interface ConnectionLimits {
  /** serverSocketMaxFrameBytes: frames in and answers out */
  maxFrameBytes: number;
  /** maxInFlightPerConnection */
  maxInFlight: number;
  /** maxJsonDepth: of a JSON header */
  maxJsonDepth: number;
  /** serverPendingWritePauseBytes */
  pendingWritePauseBytes: number;
  /** serverMaxPendingWriteBytes */
  maxPendingWriteBytes: number;
}

/** Budgets shared by every connection of a server. */
export interface SharedBudgets {
  /** serverPartialFrameBudgetBytes: bytes of incomplete frames */
  partialFrames: ByteBudget;
  /** serverPendingWriteBudgetBytes: unsent answer bytes */
  pendingWrites: ByteBudget;
}

export interface ConnectionOptions {
  limits?: Partial<ConnectionLimits>;
  budgets?: Partial<SharedBudgets>;
  clock?: () => number;
  /**
   * Told when a PROXY protocol header named the client's real address (now `remoteAddress`);
   * returns a reason to refuse the connection, or null to keep it.
   */
  onProxiedPeer?: (connection: RemotingConnection, socketAddress: string) => string | null;
}

const NO_LIMITS: ConnectionLimits = {
  maxFrameBytes: MAX_FRAME_LENGTH,
  maxJsonDepth: DEFAULT_MAX_JSON_DEPTH,
  maxInFlight: Number.POSITIVE_INFINITY,
  pendingWritePauseBytes: Number.POSITIVE_INFINITY,
  maxPendingWriteBytes: 64 * 1024 * 1024,
};

/**
 * One remoting connection, independent of the socket library: reassembles frames, hands each
 * request to the handler (concurrently, up to `maxInFlight`; responses go out as they complete,
 * matched by opaque), and writes responses with a queue that survives partial writes until the
 * socket drains.
 *
 * Back-pressure: while the connection has `maxInFlight` requests being handled, or more unsent
 * answer bytes than `pendingWritePauseBytes`, it stops reading its socket (decoded requests that
 * arrived in the same chunk wait in a small backlog), so a client that pipelines without limit or
 * never reads makes the server hold a bounded amount for it. Past `maxPendingWriteBytes`, or past
 * the shared budget while behind on reading, the connection is closed.
 */
export class RemotingConnection implements ConnectionContext {
  registeredBroker = false;
  /** Set by the listener when a TLS handshake verified a client certificate. */
  clientCertificateSubject: string | null = null;
  lastActivity: number;
  /** When the first byte of the incomplete frame arrived (null: none pending). */
  frameStartedAt: number | null = null;
  private readonly limits: ConnectionLimits;
  private readonly budgets: SharedBudgets;
  private readonly clock: () => number;
  private readonly decoder: FrameDecoder;
  /** Decoded requests waiting for an in-flight slot. */
  private backlog: RemotingCommand[] = [];
  private backlogHead = 0;
  private inFlight = 0;
  private paused = false;
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private gathered: Uint8Array[] = [];
  private gatheredBytes = 0;
  /** Unsent bytes counted in the shared pending-writes budget. */
  private budgeted = 0;
  private writeScheduled = false;
  private closed = false;
  /** The first bytes of the connection, until it is known whether they start a PROXY header. */
  private preamble: Uint8Array | null = new Uint8Array(0);
  private readonly onProxiedPeer: ConnectionOptions["onProxiedPeer"];

  constructor(
    readonly channelId: string,
    /** The socket's peer, or the client's address a PROXY protocol header named. */
    public remoteAddress: string,
    private readonly sink: ByteSink,
    private readonly handler: RequestHandler,
    private readonly log: Logger,
    options: ConnectionOptions = {},
  ) {
    this.limits = { ...NO_LIMITS, ...options.limits };
    this.budgets = {
      partialFrames: options.budgets?.partialFrames ?? unlimitedBudget(),
      pendingWrites: options.budgets?.pendingWrites ?? unlimitedBudget(),
    };
    this.clock = options.clock ?? Date.now;
    this.onProxiedPeer = options.onProxiedPeer;
    this.decoder = new FrameDecoder(this.limits.maxFrameBytes, this.budgets.partialFrames);
    this.lastActivity = this.clock();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes not yet taken by the socket. */
  get pendingWriteBytes(): number {
    return this.queuedBytes + this.gatheredBytes;
  }

  /** Requests being handled now. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** True while the connection does not read its socket (back-pressure). */
  get isPaused(): boolean {
    return this.paused;
  }

  onData(chunk: Uint8Array): void {
    if (this.closed) return;
    const now = this.clock();
    this.lastActivity = now;
    if (this.preamble !== null) {
      const rest = this.readPreamble(chunk);
      if (rest === null) {
        if (this.preamble !== null && this.frameStartedAt === null) this.frameStartedAt = now;
        return;
      }
      chunk = rest;
    }
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      return this.abort(err);
    }
    if (this.decoder.pendingBytes === 0) this.frameStartedAt = null;
    else if (frames.length > 0 || this.frameStartedAt === null) this.frameStartedAt = now;
    for (const frame of frames) {
      let command: RemotingCommand;
      try {
        command = decodeCommandWithin(frame, this.limits);
      } catch (err) {
        return this.abort(err);
      }
      // The frame may view the socket's receive buffer: keep our own copy of the body.
      if (command.body) command.body = command.body.slice();
      if (isResponse(command)) continue; // this server sends no requests of its own
      this.backlog.push(command);
    }
    this.dispatch();
  }

  /**
   * Takes the connection's first bytes until they are known to start a PROXY protocol header or
   * not; returns what belongs to the remoting stream, or null while undecided (or closed).
   */
  private readPreamble(chunk: Uint8Array): Uint8Array | null {
    const seen = this.preamble!.length === 0 ? chunk : new Uint8Array([...this.preamble!, ...chunk]);
    const header = readProxyHeader(seen);
    switch (header.kind) {
      case "more":
        this.preamble = seen.slice();
        return null;
      case "none":
        this.preamble = null;
        return seen;
      case "invalid":
        this.preamble = null;
        this.abort(new ProtocolError(header.reason));
        return null;
      case "proxy": {
        this.preamble = null;
        this.frameStartedAt = null;
        if (header.sourceAddress !== null) {
          const socketAddress = this.remoteAddress;
          this.remoteAddress = header.sourceAddress;
          this.log.debug({ msg: "PROXY protocol header", version: header.version, peer: this.remoteAddress, via: socketAddress, channel: this.channelId });
          const refusal = this.onProxiedPeer?.(this, socketAddress) ?? null;
          if (refusal !== null) {
            this.close(refusal);
            return null;
          }
        }
        return seen.subarray(header.length);
      }
    }
  }

  onDrain(): void {
    this.flush();
  }

  /** The socket closed (by either side, or after an error): report it once. */
  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.backlog = [];
    this.backlogHead = 0;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.gathered = [];
    this.gatheredBytes = 0;
    this.account();
    this.decoder.dispose();
    if (this.registeredBroker) this.reportClosed();
  }

  /** Tells the handler a broker-carrying connection is gone (also for a registration that lands after the close). */
  reportClosed(): void {
    this.handler.connectionClosed(this).catch((err) =>
      this.log.error({ msg: "unregister on close failed", channel: this.channelId, error: String(err) }),
    );
  }

  /**
   * Closes the connection (idle, protocol error, a limit, or server shutdown). A shutdown passes
   * `unregister = false`: the brokers did not go away, this server did.
   */
  close(reason: string, unregister = true): void {
    if (this.closed) return;
    this.log.info({ msg: "closing connection", peer: this.remoteAddress, channel: this.channelId, reason });
    if (!unregister) this.registeredBroker = false;
    this.sink.end();
    this.onClose();
  }

  private abort(err: unknown): void {
    const reason = err instanceof ProtocolError ? err.message : `decode failure: ${String(err)}`;
    this.log.warn({ msg: "bad frame", peer: this.remoteAddress, error: reason });
    this.close(reason);
  }

  /** Room to start another request: a slot in flight, and a peer keeping up with its answers. */
  private get canStart(): boolean {
    return this.inFlight < this.limits.maxInFlight && this.pendingWriteBytes <= this.limits.pendingWritePauseBytes;
  }

  /** Starts waiting requests while there is room, then decides whether to read on. */
  private dispatch(): void {
    while (this.backlogHead < this.backlog.length && this.canStart && !this.closed) {
      const request = this.backlog[this.backlogHead++];
      this.inFlight++;
      void this.process(request);
    }
    if (this.backlogHead === this.backlog.length && this.backlogHead > 0) {
      this.backlog = [];
      this.backlogHead = 0;
    }
    this.updateReading();
  }

  private updateReading(): void {
    if (this.closed) return;
    const hold = this.backlogHead < this.backlog.length || !this.canStart;
    if (hold === this.paused) return;
    this.paused = hold;
    if (hold) this.sink.pause?.();
    else this.sink.resume?.();
  }

  private async process(request: RemotingCommand): Promise<void> {
    let response: RemotingCommand | null = null;
    try {
      response = await this.handler.handle(request, this);
    } catch (err) {
      this.log.error({ msg: "request handling failed", code: request.code, peer: this.remoteAddress, error: String(err) });
    }
    this.inFlight--;
    if (response !== null && !isOneway(request) && !this.closed) this.send(response);
    this.dispatch();
  }

  /**
   * Responses that complete in the same turn of the event loop leave in one write: they are
   * gathered (frame head and body as they are) and copied once into the buffer written just after,
   * which saves a system call per response under load. Gathered bytes count as unsent.
   */
  private send(response: RemotingCommand): void {
    this.lastActivity = this.clock();
    const head = this.frameHead(response);
    const body = head.fitsBody && response.body && response.body.length > 0 ? response.body : null;
    this.gathered.push(head.bytes);
    this.gatheredBytes += head.bytes.length;
    if (body) {
      this.gathered.push(body);
      this.gatheredBytes += body.length;
    }
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => this.writeGathered());
    }
    this.checkPendingWrites();
  }

  /**
   * The frame head of `response`, or of a SYSTEM_ERROR in its place when the answer cannot be
   * framed (a header over 16 MiB, or a frame over the limit clients accept): the client learns
   * why instead of waiting for an answer that never comes.
   */
  private frameHead(response: RemotingCommand): { bytes: Uint8Array; fitsBody: boolean } {
    let reason: string;
    try {
      const bytes = encodeFrameHead(response);
      const frameBytes = bytes.length + (response.body?.length ?? 0);
      if (frameBytes <= this.limits.maxFrameBytes) return { bytes, fitsBody: true };
      reason = `answer of ${frameBytes} bytes exceeds the frame limit of ${this.limits.maxFrameBytes} bytes`;
    } catch (err) {
      reason = `answer cannot be encoded: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.log.warn({ msg: "answer refused", peer: this.remoteAddress, code: response.code, opaque: response.opaque, reason });
    const bytes = encodeFrameHead(createResponse(response, ResponseCode.SYSTEM_ERROR, reason, null, null));
    return { bytes, fitsBody: false };
  }

  private writeGathered(): void {
    this.writeScheduled = false;
    if (this.closed || this.gathered.length === 0) return;
    let data: Uint8Array;
    if (this.gathered.length === 1) {
      data = this.gathered[0];
    } else {
      data = new Uint8Array(this.gatheredBytes);
      let offset = 0;
      for (const frame of this.gathered) {
        data.set(frame, offset);
        offset += frame.length;
      }
    }
    this.gathered = [];
    this.gatheredBytes = 0;
    if (this.queue.length > 0) {
      this.enqueue(data);
    } else {
      const written = this.sink.write(data);
      if (written < 0) return this.onClose();
      if (written < data.length) this.enqueue(data.subarray(written));
    }
    this.account();
    this.dispatch();
  }

  private enqueue(frame: Uint8Array): void {
    this.queue.push(frame);
    this.queuedBytes += frame.length;
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0];
      const written = this.sink.write(head);
      if (written < 0) return this.onClose();
      this.queuedBytes -= written;
      if (written < head.length) {
        this.queue[0] = head.subarray(written);
        break;
      }
      this.queue.shift();
    }
    this.account();
    this.dispatch();
  }

  /** Brings this connection's share of the pending-writes budget up to date. */
  private account(): void {
    const now = this.pendingWriteBytes;
    if (now > this.budgeted) this.budgets.pendingWrites.take(now - this.budgeted);
    else if (now < this.budgeted) this.budgets.pendingWrites.give(this.budgeted - now);
    this.budgeted = now;
  }

  /** Closes a connection whose unsent answers pass its cap, or the shared budget while it is behind. */
  private checkPendingWrites(): void {
    this.account();
    const pending = this.pendingWriteBytes;
    if (pending > this.limits.maxPendingWriteBytes) {
      this.close(`peer is not reading its responses: ${pending} bytes unsent, the limit is ${this.limits.maxPendingWriteBytes}`);
    } else if (this.budgets.pendingWrites.used > this.budgets.pendingWrites.limit && pending > this.limits.pendingWritePauseBytes) {
      this.close(
        `unsent answers of all connections hold ${this.budgets.pendingWrites.used} bytes, the limit is ${this.budgets.pendingWrites.limit}; this peer is behind by ${pending}`,
      );
    } else {
      this.updateReading();
    }
  }
}
