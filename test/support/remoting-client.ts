import { Socket, connect } from "node:net";
import { FrameDecoder } from "../../shared/frame-decoder";
import { decodeCommand, encodeCommand, type RemotingCommand } from "../../shared/remoting-command";

export interface RequestOptions {
  extFields?: Record<string, string>;
  body?: Uint8Array | string | null;
  version?: number;
  serializeType?: "JSON" | "ROCKETMQ";
  oneway?: boolean;
  opaque?: number;
  language?: RemotingCommand["language"];
}

/** A minimal remoting client for tests: sends requests and matches responses by opaque. */
export class RemotingTestClient {
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, (cmd: RemotingCommand) => void>();
  private nextOpaque = 1;
  readonly received: RemotingCommand[] = [];
  closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk) => {
      for (const frame of this.decoder.push(new Uint8Array(chunk as Buffer))) {
        const cmd = decodeCommand(frame);
        if (cmd.body) cmd.body = cmd.body.slice();
        this.received.push(cmd);
        this.pending.get(cmd.opaque)?.(cmd);
        this.pending.delete(cmd.opaque);
      }
    });
    socket.on("error", () => {});
  }

  static connect(port: number, host = "127.0.0.1"): Promise<RemotingTestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RemotingTestClient(socket)));
      socket.once("error", reject);
    });
  }

  encode(code: number, options: RequestOptions = {}): { opaque: number; bytes: Uint8Array } {
    const opaque = options.opaque ?? this.nextOpaque++;
    const body = typeof options.body === "string" ? new TextEncoder().encode(options.body) : (options.body ?? null);
    const bytes = encodeCommand({
      code,
      language: options.language ?? "JAVA",
      version: options.version ?? 479,
      opaque,
      flag: options.oneway ? 2 : 0,
      remark: null,
      extFields: options.extFields ?? null,
      body,
      serializeType: options.serializeType ?? "JSON",
    });
    return { opaque, bytes };
  }

  /** Sends a request and resolves with its response (rejects after `timeoutMs`). */
  request(code: number, options: RequestOptions = {}, timeoutMs = 5000): Promise<RemotingCommand> {
    const { opaque, bytes } = this.encode(code, options);
    return this.expect(opaque, timeoutMs, () => this.socket.write(bytes));
  }

  /** Waits for the response with `opaque`, after running `send`. */
  expect(opaque: number, timeoutMs: number, send: () => void): Promise<RemotingCommand> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(opaque);
        reject(new Error(`no response to opaque ${opaque} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(opaque, (cmd) => {
        clearTimeout(timer);
        resolve(cmd);
      });
      send();
    });
  }

  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

export const text = (cmd: RemotingCommand) => (cmd.body ? new TextDecoder().decode(cmd.body) : null);
