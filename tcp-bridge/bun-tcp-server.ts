import type { Socket, TCPSocketListener } from "bun";
import type { Logger } from "./logger";
import { RemotingConnection, type RequestHandler } from "./remoting-connection";

export interface TcpServerOptions {
  hostname: string;
  port: number;
  handler: RequestHandler;
  log: Logger;
  /** Connections with neither a read nor a write for this long are closed (0 = never). */
  idleTimeoutSeconds: number;
  /** Distinguishes this process's connections from other bridges' in the shared store. */
  instanceId: string;
}

export interface TcpServer {
  readonly port: number;
  readonly connectionCount: number;
  stop(): Promise<void>;
}

/** How often idle connections are looked for. */
const IDLE_CHECK_MS = 1000;

/** The remoting listener on Bun sockets; all protocol work is in RemotingConnection. */
export function startTcpServer(options: TcpServerOptions): TcpServer {
  const { handler, log } = options;
  const connections = new Set<RemotingConnection>();
  let sequence = 0;

  const listener: TCPSocketListener<RemotingConnection | undefined> = Bun.listen<RemotingConnection | undefined>({
    hostname: options.hostname,
    port: options.port,
    socket: {
      open(socket) {
        const peer = `${socket.remoteAddress}`;
        const sink = {
          write: (data: Uint8Array) => socket.write(data),
          end: () => socket.end(),
        };
        const channelId = `${options.instanceId}-${++sequence}`;
        const connection = new RemotingConnection(channelId, peer, sink, handler, log);
        socket.data = connection;
        connections.add(connection);
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

  function closeConnection(socket: Socket<RemotingConnection | undefined>) {
    const connection = socket.data;
    if (!connection) return;
    connections.delete(connection);
    connection.onClose();
  }

  const idleTimer =
    options.idleTimeoutSeconds > 0
      ? setInterval(() => {
          const deadline = Date.now() - options.idleTimeoutSeconds * 1000;
          for (const connection of connections) {
            if (connection.lastActivity < deadline) {
              connections.delete(connection);
              connection.close(`idle for ${options.idleTimeoutSeconds}s`);
            }
          }
        }, IDLE_CHECK_MS)
      : null;
  idleTimer?.unref?.();

  return {
    get port() {
      return listener.port;
    },
    get connectionCount() {
      return connections.size;
    },
    async stop() {
      if (idleTimer) clearInterval(idleTimer);
      listener.stop(true);
      for (const connection of connections) connection.close("server stopping", false);
      connections.clear();
    },
  };
}
