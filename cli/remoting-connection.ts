import { connect, type Socket } from "node:net";
import { FrameDecoder } from "../shared/frame-decoder";
import { decodeCommand, encodeCommand, type RemotingCommand } from "../shared/remoting-command";
import { signedExtFields } from "../shared/request-signature";
import { CliError } from "./cli-error";

/** The version the CLI announces: a 5.3.3 client, so every NameServer answers in standard JSON. */
const CLIENT_VERSION = 479;

export interface RemotingCredentials {
  accessKey: string;
  secretKey: string;
}

/**
 * One remoting connection to a NameServer: requests matched to responses by opaque, each with a
 * deadline, signed as AclClientRPCHook signs them when credentials are given.
 */
export class RemotingConnection {
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, { resolve: (cmd: RemotingCommand) => void; reject: (err: Error) => void }>();
  private nextOpaque = 1;
  private failure: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly credentials: RemotingCredentials | null,
    private readonly timeoutMs: number,
  ) {
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const frame of this.decoder.push(new Uint8Array(chunk))) {
          const cmd = decodeCommand(frame);
          if (cmd.body) cmd.body = cmd.body.slice();
          this.pending.get(cmd.opaque)?.resolve(cmd);
          this.pending.delete(cmd.opaque);
        }
      } catch (err) {
        this.fail(new CliError(`bad answer from the NameServer: ${(err as Error).message}`));
        socket.destroy();
      }
    });
    socket.on("error", (err) => this.fail(new CliError(`connection to the NameServer failed: ${err.message}`)));
    socket.on("close", () => this.fail(new CliError("the NameServer closed the connection")));
  }

  static open(addr: string, credentials: RemotingCredentials | null, timeoutMs: number): Promise<RemotingConnection> {
    const { host, port } = splitAddress(addr);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new CliError(`cannot connect to ${addr} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new RemotingConnection(socket, credentials, timeoutMs));
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(new CliError(`cannot connect to ${addr}: ${err.message}`));
      });
    });
  }

  async request(code: number, extFields: Record<string, string> | null, body: Uint8Array | null = null): Promise<RemotingCommand> {
    if (this.failure) throw this.failure;
    let fields = extFields;
    if (this.credentials) fields = await signedExtFields(this.credentials, extFields ?? {}, body);
    const opaque = this.nextOpaque++;
    const bytes = encodeCommand({
      code,
      language: "JAVA",
      version: CLIENT_VERSION,
      opaque,
      flag: 0,
      remark: null,
      extFields: fields,
      body,
      serializeType: "JSON",
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(opaque);
        reject(new CliError(`no answer to request ${code} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(opaque, {
        resolve: (cmd) => {
          clearTimeout(timer);
          resolve(cmd);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.socket.write(bytes);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 500).unref?.();
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}

/** host:port, IPv6 in brackets. */
export function splitAddress(addr: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(addr.trim());
  if (!match) throw new CliError(`not a host:port address: ${addr}`, null, 2);
  return { host: match[1], port: Number(match[2]) };
}
