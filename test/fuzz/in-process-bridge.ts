/**
 * The bridge's request path in this process, without sockets: the Hono app on the embedded store,
 * the RemotingRequestHandler over it (as `tcp-bridge/main.ts` assembles them), and
 * RemotingConnections writing into byte sinks. Every handle() is tracked, so a test knows when
 * the server is idle and what each request was answered.
 */
import { defaultNamesrvConfig } from "../../edge/config/namesrv-config";
import { createNamesrv } from "../../edge/namesrv";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { FrameDecoder } from "../../shared/frame-decoder";
import { decodeCommand, encodeCommand, type RemotingCommand } from "../../shared/remoting-command";
import { createLogger } from "../../shared/logger";
import { RemotingConnection, type ConnectionContext, type RequestHandler } from "../../tcp-bridge/remoting-connection";
import type { ByteSink } from "../../tcp-bridge/transport";
import { RemotingRequestHandler } from "../../tcp-bridge/remoting-request-handler";

export interface HandledRequest {
  request: RemotingCommand;
  /** the handler's answer (null: none); undefined when handle() rejected */
  response: RemotingCommand | null | undefined;
  /** what handle() rejected with (it must not) */
  rejection?: unknown;
}

/** Delegates to the real handler and keeps count of what is running. */
class TrackingHandler implements RequestHandler {
  inFlight = 0;

  constructor(
    private readonly inner: RequestHandler,
    private readonly onHandled: (handled: HandledRequest) => void,
  ) {}

  async handle(request: RemotingCommand, context: ConnectionContext): Promise<RemotingCommand | null> {
    this.inFlight++;
    try {
      const response = await this.inner.handle(request, context);
      this.onHandled({ request, response });
      return response;
    } catch (rejection) {
      this.onHandled({ request, response: undefined, rejection });
      throw rejection;
    } finally {
      this.inFlight--;
    }
  }

  async connectionClosed(context: ConnectionContext): Promise<void> {
    this.inFlight++;
    try {
      await this.inner.connectionClosed(context);
    } finally {
      this.inFlight--;
    }
  }
}

/** A connection whose socket is a byte sink; what the server writes is decoded as it arrives. */
export class SinkConnection implements ByteSink {
  readonly responses: RemotingCommand[] = [];
  /** answers that did not decode (the server must never write one) */
  readonly malformed: string[] = [];
  ended = false;
  readonly connection: RemotingConnection;
  private readonly decoder = new FrameDecoder();

  constructor(channelId: string, handler: RequestHandler, log: ReturnType<typeof createLogger>) {
    this.connection = new RemotingConnection(channelId, "127.0.0.1:1", this, handler, log);
  }

  write(data: Uint8Array): number {
    if (this.ended) return -1;
    try {
      for (const frame of this.decoder.push(data.slice())) this.responses.push(decodeCommand(frame));
    } catch (err) {
      this.malformed.push(String(err));
    }
    return data.length;
  }

  end(): void {
    this.ended = true;
  }

  get closed(): boolean {
    return this.connection.isClosed;
  }
}

export class InProcessBridge {
  readonly handled: HandledRequest[] = [];
  /** error-level log entries of the bridge and the app */
  readonly errors: Record<string, unknown>[] = [];
  private readonly handler: TrackingHandler;
  private readonly log = createLogger("error", (line) => this.errors.push(JSON.parse(line) as Record<string, unknown>));
  private sequence = 0;
  private nextOpaque = 1;

  constructor() {
    const store = new EmbeddedStore({ kvConfigPath: null });
    const { port } = createNamesrv(store, defaultNamesrvConfig("/nonexistent-namesrv-home"), { log: this.log });
    this.handler = new TrackingHandler(new RemotingRequestHandler(port, this.log), (h) => this.handled.push(h));
  }

  connect(): SinkConnection {
    return new SinkConnection(`fuzz-${++this.sequence}`, this.handler, this.log);
  }

  /** Resolves once nothing is being handled and every answer is written (rejects after `timeoutMs`). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietTurns = 0;
    while (quietTurns < 2) {
      if (Date.now() > deadline) throw new Error(`still handling ${this.handler.inFlight} request(s) after ${timeoutMs} ms`);
      await new Promise((resolve) => setImmediate(resolve));
      quietTurns = this.handler.inFlight === 0 ? quietTurns + 1 : 0;
    }
  }

  /** Sends `request` on `conn` and resolves with its answer. */
  async ask(conn: SinkConnection, request: RemotingCommand): Promise<RemotingCommand> {
    const opaque = this.nextOpaque++;
    conn.connection.onData(encodeCommand({ ...request, opaque }));
    await this.idle();
    const answer = conn.responses.find((r) => r.opaque === opaque);
    if (!answer) throw new Error(`no answer to request ${request.code} (opaque ${opaque})`);
    return answer;
  }
}
