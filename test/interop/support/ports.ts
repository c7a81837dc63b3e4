import { createServer } from "node:net";

/** True when 127.0.0.1:port can be bound right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once("error", () => resolvePromise(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      server.close(() => resolvePromise(true));
    });
  });
}

/** A port the kernel just handed out on 127.0.0.1 (free at the time of the call). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

const handedOut = new Set<number>();

/**
 * A broker listen port P such that P-2 (the broker's "fast"/VIP remoting port), P and P+1 (used as
 * haListenPort) are all free and were not handed out before in this process.
 */
export async function freeBrokerPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = await freePort();
    const candidates = [base - 2, base, base + 1];
    if (base < 1100 || base > 65000 || candidates.some((p) => handedOut.has(p))) continue;
    const free = await Promise.all(candidates.map(isPortFree));
    if (free.every(Boolean)) {
      candidates.forEach((p) => handedOut.add(p));
      return base;
    }
  }
  throw new Error("could not find three free ports (P-2, P, P+1) for a broker");
}
