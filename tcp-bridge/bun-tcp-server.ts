import type { Socket, TCPSocketListener } from "bun";
import { ByteBudget } from "../shared/byte-budget";
import type { Logger } from "../shared/logger";
import { RemotingConnection, type ConnectionLimits, type RequestHandler } from "./remoting-connection";

/** Limits the listener applies besides each connection's own (edge/config/limits.ts). */
export interface ServerLimits extends ConnectionLimits {
  /** maxConnections */
  maxConnections: number;
  /** maxConnectionsPerPeer */
  maxConnectionsPerPeer: number;
  /** serverFrameDeadlineSeconds */
  frameDeadlineSeconds: number;
  /** serverPartialFrameBudgetBytes */
  partialFrameBudgetBytes: number;
  /** serverPendingWriteBudgetBytes */
  pendingWriteBudgetBytes: number;
}

export interface TcpServerOptions {
  hostname: string;
  port: number;
  handler: RequestHandler;
  log: Logger;
  /** Connections with neither a read nor a write for this long are closed (0 = never). */
  idleTimeoutSeconds: number;
  /**
   * Distinguishes this process's connections from other bridges' in the shared store, which reads
   * a channel's bridge as the part of its id before the last "-" (so: no "-" at the end of it).
   */
  instanceId: string;
  limits: ServerLimits;
}

export interface TcpServer {
  readonly port: number;
  readonly connectionCount: number;
  /** Connections closed at accept for passing maxConnections or maxConnectionsPerPeer. */
  readonly refusedConnections: number;
  stop(): Promise<void>;
}

/** How often idle and overdue connections are looked for. */
const SWEEP_MS = 1000;

/** The remoting listener on Bun sockets; all protocol work is in RemotingConnection. */
export function startTcpServer(options: TcpServerOptions): TcpServer {
  const { handler, log, limits } = options;
  const connections = new Set<RemotingConnection>();
  const perPeer = new Map<string, number>();
  const budgets = {
    partialFrames: new ByteBudget(limits.partialFrameBudgetBytes),
    pendingWrites: new ByteBudget(limits.pendingWriteBudgetBytes),
  };
  let sequence = 0;
  let refused = 0;

  const perPeerRefusal = (peer: string, open: number) =>
    `${open} connections from ${peer}, the limit is maxConnectionsPerPeer=${limits.maxConnectionsPerPeer}`;

  /** Refuses a connection past the caps: closed at once, before any byte of it is read. */
  function admit(peer: string): string | null {
    if (connections.size >= limits.maxConnections) return `${connections.size} connections open, the limit is maxConnections=${limits.maxConnections}`;
    const fromPeer = perPeer.get(peer) ?? 0;
    if (fromPeer >= limits.maxConnectionsPerPeer) return perPeerRefusal(peer, fromPeer);
    return null;
  }

  const listener: TCPSocketListener<RemotingConnection | undefined> = Bun.listen<RemotingConnection | undefined>({
    hostname: options.hostname,
    port: options.port,
    socket: {
      open(socket) {
        const peer = `${socket.remoteAddress}`;
        const refusal = admit(peer);
        if (refusal !== null) {
          refused++;
          log.warn({ msg: "connection refused", peer, reason: refusal });
          socket.end();
          return;
        }
        const sink = {
          write: (data: Uint8Array) => socket.write(data),
          end: () => socket.end(),
          pause: () => socket.pause(),
          resume: () => socket.resume(),
        };
        const channelId = `${options.instanceId}-${++sequence}`;
        const connection = new RemotingConnection(channelId, peer, sink, handler, log, { limits, budgets, onProxiedPeer });
        socket.data = connection;
        connections.add(connection);
        perPeer.set(peer, (perPeer.get(peer) ?? 0) + 1);
        log.debug({ msg: "connection opened", peer, channel: channelId });
      },
      data(socket, chunk) {
        socket.data?.onData(chunk);
      },
      drain(socket) {
        socket.data?.onDrain();
      },
      close(socket) {
        closeConnection(socket);
      },
      error(socket, err) {
        log.warn({ msg: "connection error", peer: socket.data?.remoteAddress, error: String(err) });
        closeConnection(socket);
      },
    },
  });

  /** A PROXY header named the client behind a load balancer: it is the peer the caps count. */
  function onProxiedPeer(connection: RemotingConnection, socketAddress: string): string | null {
    release(socketAddress);
    const fromPeer = perPeer.get(connection.remoteAddress) ?? 0;
    perPeer.set(connection.remoteAddress, fromPeer + 1);
    if (fromPeer >= limits.maxConnectionsPerPeer) {
      refused++;
      return perPeerRefusal(connection.remoteAddress, fromPeer);
    }
    return null;
  }

  function release(peer: string): void {
    const left = (perPeer.get(peer) ?? 1) - 1;
    if (left > 0) perPeer.set(peer, left);
    else perPeer.delete(peer);
  }

  function forget(connection: RemotingConnection): void {
    if (!connections.delete(connection)) return;
    release(connection.remoteAddress);
  }

  function closeConnection(socket: Socket<RemotingConnection | undefined>) {
    const connection = socket.data;
    if (!connection) return;
    forget(connection);
    connection.onClose();
  }

  const sweeper = setInterval(() => {
    const now = Date.now();
    const idleSince = now - options.idleTimeoutSeconds * 1000;
    const frameDue = now - limits.frameDeadlineSeconds * 1000;
    for (const connection of connections) {
      if (options.idleTimeoutSeconds > 0 && connection.lastActivity < idleSince) {
        forget(connection);
        connection.close(`idle for ${options.idleTimeoutSeconds}s`);
      } else if (connection.frameStartedAt !== null && connection.frameStartedAt < frameDue && !connection.isPaused) {
        // (a paused connection is not read: its frame cannot complete until the server resumes)
        forget(connection);
        connection.close(`frame incomplete after ${limits.frameDeadlineSeconds}s (serverFrameDeadlineSeconds)`);
      }
    }
  }, SWEEP_MS);
  sweeper.unref?.();

  return {
    get port() {
      return listener.port;
    },
    get connectionCount() {
      return connections.size;
    },
    get refusedConnections() {
      return refused;
    },
    async stop() {
      clearInterval(sweeper);
      listener.stop(true);
      for (const connection of connections) connection.close("server stopping", false);
      connections.clear();
      perPeer.clear();
    },
  };
}
