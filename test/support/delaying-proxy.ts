/**
 * A TCP proxy on a free loopback port that holds every reply of the upstream server back for a
 * while: a slow or far-away server, for tests of what a client does while it waits on one.
 */
import { connect, createServer, type Socket } from "node:net";

export interface DelayingProxy {
  port: number;
  close(): Promise<void>;
}

/** Forwards to 127.0.0.1:`upstreamPort`; requests pass at once, replies (and the close) `delayMs` later, in order. */
export function startDelayingProxy(upstreamPort: number, delayMs: number): Promise<DelayingProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => setTimeout(() => client.writable && client.write(chunk), delayMs));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => setTimeout(() => client.destroy(), delayMs));
    // a side that went away is handled by its close
    client.on("error", () => {});
    upstream.on("error", () => {});
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : 0,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          // connections still open would keep close() waiting
          for (const socket of sockets) socket.destroy();
        }),
      });
    });
  });
}
