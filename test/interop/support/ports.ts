import { freePort, isPortFree } from "../../support/ports.js";

/** Ports given to a process of this run (a broker's three, a NameServer's two): never given twice. */
const handedOut = new Set<number>();

/**
 * A free port no process of this run was given: a broker binds P-2 and P+1 besides P, so a port that
 * is free now may be one a broker started earlier is about to bind.
 */
export async function freeInteropPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await freePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("could not find a free port not handed out before");
}

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
