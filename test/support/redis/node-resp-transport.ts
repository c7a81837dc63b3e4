/**
 * A small RESP2 client over node:net (Node, Bun, Deno's node compatibility), and a RedisTransport
 * on top of it. Used by the development REST proxy and by tests that talk to Redis directly; the
 * production transports are upstash-transport.ts (REST) and bun-resp-transport.ts (Bun).
 *
 * One connection, pipelined: replies come back in request order. A command block written with
 * `sendBlock` goes out in one write, so a MULTI … EXEC block is never interleaved with other
 * callers' commands. Bulk strings are decoded as UTF-8; error replies reject with RedisReplyError.
 */
import { Socket, connect } from "node:net";
import {
  DEFAULT_REDIS_TIMEOUT_MS,
  RedisReplyError,
  RedisTransportError,
  describeCommand,
  evalWithFallback,
  withTimeout,
  type RedisScript,
  type RedisTransport,
} from "../../../edge/store/redis/redis-transport";

/** A decoded RESP2 reply: an error reply is an Error value inside arrays (e.g. EXEC results). */
export type RespValue = string | number | null | Error | RespValue[];

interface Pending {
  resolve: (value: RespValue) => void;
  reject: (err: Error) => void;
}

const CRLF = Buffer.from("\r\n");

export function encodeCommand(args: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg), "utf8");
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `offset`; returns null when the buffer does not hold a whole reply yet. */
export function parseReply(buf: Buffer, offset: number): { value: RespValue; next: number } | null {
  if (offset >= buf.length) return null;
  const lineEnd = buf.indexOf(CRLF, offset);
  if (lineEnd < 0) return null;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString("utf8", offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, next: after };
    case "-":
      return { value: new RedisReplyError(line), next: after };
    case ":":
      return { value: Number(line), next: after };
    case "$": {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return null;
      return { value: buf.toString("utf8", after, after + len), next: after + len + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return null;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new RedisTransportError(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

export class RespConnection {
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending[] = [];

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly password: string | null = null,
  ) {}

  static fromUrl(url: string): RespConnection {
    const u = new URL(url);
    const password = u.password ? decodeURIComponent(u.password) : null;
    return new RespConnection(u.hostname || "127.0.0.1", Number(u.port || 6379), password);
  }

  /** Sends one command and resolves with its reply (rejects on an error reply). */
  async send(args: string[]): Promise<RespValue> {
    const [reply] = await this.sendBlock([args]);
    if (reply instanceof Error) throw reply;
    return reply;
  }

  /** Sends several commands in one write; resolves with every reply, error replies as Error values. */
  async sendBlock(commands: string[][]): Promise<RespValue[]> {
    const socket = await this.open();
    const replies = commands.map(
      () => new Promise<RespValue>((resolve, reject) => this.pending.push({ resolve, reject })),
    );
    socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  private open(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      socket.once("connect", () => {
        if (this.password !== null) {
          // written before anyone else can write, so it is the first command on the connection
          this.pending.push({
            resolve: (reply) => {
              if (reply instanceof Error) socket.destroy(reply);
            },
            reject: () => undefined,
          });
          socket.write(encodeCommand(["AUTH", this.password]));
        }
        this.socket = socket;
        this.connecting = null;
        resolve(socket);
      });
      socket.on("data", (chunk: Buffer) => this.onData(chunk));
      socket.on("error", (err) => {
        if (this.connecting && !this.socket) {
          this.connecting = null;
          reject(new RedisTransportError(`cannot connect to Redis at ${this.host}:${this.port}: ${err.message}`));
        }
        this.fail(new RedisTransportError(`Redis connection error: ${err.message}`));
      });
      socket.on("close", () => {
        if (this.socket === socket) this.socket = null;
        this.fail(new RedisTransportError("Redis connection closed"));
      });
    });
    return this.connecting;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    for (;;) {
      let parsed: { value: RespValue; next: number } | null;
      try {
        parsed = parseReply(this.buffer, offset);
      } catch (err) {
        this.socket?.destroy();
        this.fail(err as Error);
        return;
      }
      if (!parsed) break;
      offset = parsed.next;
      this.pending.shift()?.resolve(parsed.value);
    }
    this.buffer = offset >= this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
  }

  private fail(err: Error): void {
    const pending = this.pending;
    this.pending = [];
    this.buffer = Buffer.alloc(0);
    for (const p of pending) p.reject(err);
  }

  close(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    this.fail(new RedisTransportError("Redis connection closed"));
  }
}

export interface NodeRespTransportOptions {
  url: string;
  timeoutMs?: number;
}

/** RedisTransport over RespConnection (RESP2 reply shapes for `command`). */
export class NodeRespTransport implements RedisTransport {
  private readonly conn: RespConnection;
  private readonly timeoutMs: number;

  constructor(options: NodeRespTransportOptions) {
    this.conn = RespConnection.fromUrl(options.url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  }

  eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    return withTimeout(
      evalWithFallback((cmd) => this.conn.send(cmd), script, keys, args),
      this.timeoutMs,
      describeCommand([], script),
    );
  }

  command(args: string[]): Promise<unknown> {
    return withTimeout(this.conn.send(args), this.timeoutMs, describeCommand(args));
  }

  async close(): Promise<void> {
    this.conn.close();
  }
}
