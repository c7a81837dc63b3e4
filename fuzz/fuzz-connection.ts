/**
 * One fuzz connection to the server: sends one input at a time and tells what became of it,
 * measured against what the server's own codecs say must happen (ConnectionModel): every answer
 * due arrives, a protocol error closes the connection, nothing else is answered.
 */
import { connect, type Socket } from "node:net";
import { FrameDecoder } from "../shared/frame-decoder";
import { decodeCommand, type RemotingCommand } from "../shared/remoting-command";
import { ConnectionModel } from "../test/fuzz/connection-model";

export interface InputOutcome {
  /** requests the server read, each with its answer (null: none seen, it may still have run) and how long it took */
  ran: Array<{ request: RemotingCommand; response: RemotingCommand | null; ms: number }>;
  /** the server closed the connection */
  closed: boolean;
  /** the server closed although every frame was well-formed (limits may do that) */
  unexpectedClose: boolean;
  /** a close was due but did not come */
  notClosed: string | null;
  /** answers due that never came although the connection stayed open */
  unanswered: string[];
}

interface InFlight {
  due: Set<number>;
  received: Map<number, RemotingCommand>;
  receivedMs: Map<number, number>;
  sentAt: number;
}

export class FuzzConnection {
  private readonly decoder = new FrameDecoder();
  private readonly model = new ConnectionModel();
  private closedByServer = false;
  private current: InFlight | null = null;
  private wake: (() => void) | null = null;
  /** answers to no request that wanted one */
  readonly strayAnswers: string[] = [];
  /** answers that do not decode */
  readonly malformedAnswers: string[] = [];
  /** bytes of an incomplete frame the server holds from this connection */
  pendingBytes = 0;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.onData(new Uint8Array(chunk)));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closedByServer = true;
      this.wake?.();
    });
  }

  static open(port: number): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.off("error", reject);
        resolve(new FuzzConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  /** The connection takes no more inputs: closed, or the server must close it. */
  get finished(): boolean {
    return this.closedByServer || this.model.isClosed || this.socket.destroyed;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Writes `bytes` and waits for what must follow (at most `timeoutMs`). */
  async send(bytes: Uint8Array, timeoutMs: number): Promise<InputOutcome> {
    const prediction = this.model.push(bytes);
    this.pendingBytes = prediction.pendingBytes;
    const flight: InFlight = {
      due: new Set(prediction.answered.map((r) => r.opaque)),
      received: new Map(),
      receivedMs: new Map(),
      sentAt: performance.now(),
    };
    this.current = flight;
    this.socket.write(bytes);
    const allAnswered = () => [...flight.due].every((opaque) => flight.received.has(opaque));
    const done = prediction.closes !== null ? () => this.closedByServer : () => this.closedByServer || allAnswered();
    const inTime = await this.until(done, timeoutMs);
    this.current = null;

    const outcome: InputOutcome = {
      ran: prediction.requests.map((request) => ({
        request,
        response: flight.received.get(request.opaque) ?? null,
        ms: flight.receivedMs.get(request.opaque) ?? 0,
      })),
      closed: this.closedByServer,
      unexpectedClose: prediction.closes === null && this.closedByServer,
      notClosed: prediction.closes !== null && !inTime ? prediction.closes : null,
      unanswered: [],
    };
    if (!inTime && prediction.closes === null) {
      for (const request of prediction.answered) {
        if (!flight.received.has(request.opaque)) outcome.unanswered.push(`request ${request.code} (opaque ${request.opaque})`);
      }
    }
    // After a timeout what the server holds of this connection is unknown: it is not used again.
    if (!inTime) this.close();
    return outcome;
  }

  private until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, timeoutMs);
      this.wake = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.wake = null;
        resolve(true);
      };
    });
  }

  private onData(chunk: Uint8Array): void {
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.malformedAnswers.push(String(err));
      this.socket.destroy();
      return;
    }
    const now = performance.now();
    for (const frame of frames) {
      let response: RemotingCommand;
      try {
        response = decodeCommand(frame);
      } catch (err) {
        this.malformedAnswers.push(String(err));
        continue;
      }
      const flight = this.current;
      if (!flight || !flight.due.has(response.opaque) || flight.received.has(response.opaque)) {
        this.strayAnswers.push(`code ${response.code}, opaque ${response.opaque}: ${String(response.remark).slice(0, 120)}`);
        continue;
      }
      if (response.body) response.body = response.body.slice();
      flight.received.set(response.opaque, response);
      flight.receivedMs.set(response.opaque, now - flight.sentAt);
    }
    this.wake?.();
  }
}
