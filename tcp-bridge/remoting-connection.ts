import { ProtocolError } from "../shared/errors";
import { FrameDecoder } from "../shared/frame-decoder";
import { decodeCommand, encodeFrameHead, isOneway, isResponse, type RemotingCommand } from "../shared/remoting-command";
import type { Logger } from "./logger";

/** The part of a socket a connection needs: `write` may accept fewer bytes than given. */
export interface ByteSink {
  /** Returns the number of bytes taken (possibly fewer than given; negative when closed). */
  write(data: Uint8Array): number;
  end(): void;
}

/** What the bridge knows of one connection while handling its requests. */
export interface ConnectionContext {
  /** Unique across bridges and restarts; recorded with each broker registration it carries. */
  readonly channelId: string;
  readonly remoteAddress: string;
  readonly isClosed: boolean;
  /** Set once the connection carried a REGISTER_BROKER, so its close must be reported. */
  registeredBroker: boolean;
}

export interface RequestHandler {
  /** The response to send, or null for none. Must not throw for request-level problems. */
  handle(request: RemotingCommand, context: ConnectionContext): Promise<RemotingCommand | null>;
  connectionClosed(context: ConnectionContext): Promise<void>;
}

/** Past this many unsent bytes the peer is not reading: the connection is closed. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/**
 * One remoting connection, independent of the socket library: reassembles frames, hands each
 * request to the handler (concurrently; responses go out as they complete, matched by opaque),
 * and writes responses with a queue that survives partial writes until the socket drains.
 */
export class RemotingConnection implements ConnectionContext {
  registeredBroker = false;
  lastActivity: number;
  private readonly decoder = new FrameDecoder();
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private gathered: Uint8Array[] = [];
  private gatheredBytes = 0;
  private writeScheduled = false;
  private closed = false;

  constructor(
    readonly channelId: string,
    readonly remoteAddress: string,
    private readonly sink: ByteSink,
    private readonly handler: RequestHandler,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.lastActivity = clock();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes not yet taken by the socket. */
  get pendingWriteBytes(): number {
    return this.queuedBytes + this.gatheredBytes;
  }

  onData(chunk: Uint8Array): void {
    if (this.closed) return;
    this.lastActivity = this.clock();
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      return this.abort(err);
    }
    for (const frame of frames) {
      let command: RemotingCommand;
      try {
        command = decodeCommand(frame);
      } catch (err) {
        return this.abort(err);
      }
      // The frame may view the socket's receive buffer: keep our own copy of the body.
      if (command.body) command.body = command.body.slice();
      if (isResponse(command)) continue; // this server sends no requests of its own
      void this.process(command);
    }
  }

  onDrain(): void {
    this.flush();
  }

  /** The socket closed (by either side, or after an error): report it once. */
  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.gathered = [];
    this.gatheredBytes = 0;
    if (this.registeredBroker) this.reportClosed();
  }

  /** Tells the handler a broker-carrying connection is gone (also for a registration that lands after the close). */
  reportClosed(): void {
    this.handler.connectionClosed(this).catch((err) =>
      this.log.error({ msg: "unregister on close failed", channel: this.channelId, error: String(err) }),
    );
  }

  /**
   * Closes the connection (idle, protocol error, or server shutdown). A shutdown passes
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

  private async process(request: RemotingCommand): Promise<void> {
    let response: RemotingCommand | null;
    try {
      response = await this.handler.handle(request, this);
    } catch (err) {
      this.log.error({ msg: "request handling failed", code: request.code, peer: this.remoteAddress, error: String(err) });
      return;
    }
    if (response === null || isOneway(request) || this.closed) return;
    this.send(response);
  }

  /**
   * Responses that complete in the same turn of the event loop leave in one write: they are
   * gathered (frame head and body as they are) and copied once into the buffer written just after,
   * which saves a system call per response under load.
   */
  private send(response: RemotingCommand): void {
    this.lastActivity = this.clock();
    const head = encodeFrameHead(response);
    this.gathered.push(head);
    this.gatheredBytes += head.length;
    if (response.body && response.body.length > 0) {
      this.gathered.push(response.body);
      this.gatheredBytes += response.body.length;
    }
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => this.writeGathered());
    }
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
    if (this.queue.length > 0) return this.enqueue(data);
    const written = this.sink.write(data);
    if (written < 0) return this.onClose();
    if (written < data.length) this.enqueue(data.subarray(written));
  }

  private enqueue(frame: Uint8Array): void {
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) this.close("peer is not reading its responses");
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0];
      const written = this.sink.write(head);
      if (written < 0) return this.onClose();
      this.queuedBytes -= written;
      if (written < head.length) {
        this.queue[0] = head.subarray(written);
        return;
      }
      this.queue.shift();
    }
  }
}
