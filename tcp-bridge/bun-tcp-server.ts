import type { Socket, TCPSocketListener } from "bun";
import { ByteBudget } from "../shared/byte-budget";
import type { Logger } from "../shared/logger";
import { RemotingConnection, type ConnectionLimits, type RequestHandler } from "./remoting-connection";
import { classifyFirstBytes } from "./tls/first-bytes";
import { TlsSession, type ListenerTls } from "./tls/tls-session";

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
  /** Plain and TLS on this one port, told apart by the first byte (none: plain only, as before). */
  tls?: ListenerTls;
  /** SO_REUSEPORT, so that the processes of NAMESRV_WORKERS share the port (Linux; every one must set it). */
  reusePort?: boolean;
}

/** One accepted socket: its connection, and the TLS session under it once the first bytes asked for one. */
interface Link {
  connection: RemotingConnection;
  /** The first bytes while the transport is undecided (null once decided). */
  sniffed: Uint8Array | null;
  tls: TlsSession | null;
}

export interface TcpServer {
  readonly port: number;
  readonly connectionCount: number;
  /** Connections closed at accept for passing maxConnections or maxConnectionsPerPeer. */
  readonly refusedConnections: number;
  /** Closes the listening socket only: open connections are served until stop (graceful shutdown). */
  stopAccepting(): void;
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

  const listener: TCPSocketListener<Link | undefined> = Bun.listen<Link | undefined>({
    hostname: options.hostname,
    port: options.port,
    // bun-types 1.4.5 declares reusePort on the connect options only (oven-sh/bun#41899); Bun.listen honours it
    ...({ reusePort: options.reusePort === true } as object),
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
        const link: Link = { connection: undefined as unknown as RemotingConnection, sniffed: options.tls ? new Uint8Array(0) : null, tls: null };
        const sink = {
          write: (data: Uint8Array) => (link.tls === null ? socket.write(data) : link.tls.write(data)),
          end: () => (link.tls === null ? socket.end() : link.tls.end()),
          pause: () => {
            socket.pause();
            link.tls?.pause();
          },
          resume: () => {
            socket.resume();
            link.tls?.resume();
          },
        };
        const channelId = `${options.instanceId}-${++sequence}`;
        const connection = new RemotingConnection(channelId, peer, sink, handler, log, { limits, budgets, onProxiedPeer });
        link.connection = connection;
        socket.data = link;
        connections.add(connection);
        perPeer.set(peer, (perPeer.get(peer) ?? 0) + 1);
        log.debug({ msg: "connection opened", peer, channel: channelId });
      },
      data(socket, chunk) {
        const link = socket.data;
        if (!link) return;
        if (link.tls !== null) link.tls.receive(chunk);
        else if (link.sniffed !== null) sniff(socket, link, chunk);
        else link.connection.onData(chunk);
      },
      drain(socket) {
        const link = socket.data;
        if (link?.tls) link.tls.socketDrained();
        else link?.connection.onDrain();
      },
      close(socket) {
        closeConnection(socket);
      },
      error(socket, err) {
        log.warn({ msg: "connection error", peer: socket.data?.connection.remoteAddress, error: String(err) });
        closeConnection(socket);
      },
    },
  });

  /**
   * The first bytes of a connection, until they show plain remoting or a TLS handshake (after any
   * PROXY header, which the connection reads as usual).
   */
  function sniff(socket: Socket<Link | undefined>, link: Link, chunk: Uint8Array): void {
    const tls = options.tls!;
    const seen = link.sniffed!.length === 0 ? chunk : new Uint8Array([...link.sniffed!, ...chunk]);
    const decision = classifyFirstBytes(seen, tls.mode);
    if (decision.kind === "more") {
      link.sniffed = seen.slice();
      return;
    }
    link.sniffed = null;
    const { connection } = link;
    if (decision.kind === "plain") return connection.onData(seen);
    if (decision.kind === "refuse") {
      forget(connection);
      return connection.close(decision.reason);
    }
    if (decision.offset > 0) connection.onData(seen.subarray(0, decision.offset));
    const secureContext = tls.secureContext();
    if (connection.isClosed || secureContext === null) {
      if (!connection.isClosed) connection.close("TLS is off");
      forget(connection);
      return;
    }
    link.tls = new TlsSession(socket, { secureContext, needClientAuth: tls.needClientAuth, authClient: tls.authClient }, {
      data: (plain) => connection.onData(plain),
      drain: () => connection.onDrain(),
      secure: (subject) => {
        connection.clientCertificateSubject = subject;
        log.debug({ msg: "TLS session", peer: connection.remoteAddress, channel: connection.channelId, clientCertificateSubject: subject });
      },
      failed: (reason) => log.info({ msg: "TLS session failed", peer: connection.remoteAddress, channel: connection.channelId, reason }),
    });
    link.tls.receive(seen.subarray(decision.offset));
  }

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

  function closeConnection(socket: Socket<Link | undefined>) {
    const link = socket.data;
    if (!link) return;
    link.tls?.socketClosed();
    forget(link.connection);
    link.connection.onClose();
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
  let listening = true;

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
    stopAccepting() {
      if (listening) listener.stop(false);
      listening = false;
    },
    async stop() {
      clearInterval(sweeper);
      listener.stop(true);
      listening = false;
      for (const connection of connections) connection.close("server stopping", false);
      connections.clear();
      perPeer.clear();
    },
  };
}
