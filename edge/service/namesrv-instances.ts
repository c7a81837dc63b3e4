import type { NamesrvInstance, Store } from "../store/store";

/**
 * The NameServer instances of a deployment, for the address server: each Bun server records its
 * advertised remoting address with a deadline and refreshes it; those still within their deadline
 * are listed. With the embedded store the only instance is this process.
 */
export class NamesrvInstances {
  constructor(
    private readonly store: Store,
    private readonly ttlMillis: number,
    private readonly clock: () => number = Date.now,
  ) {}

  register(addr: string): Promise<void> {
    return this.store.registerInstance(addr, this.clock(), this.ttlMillis);
  }

  list(): Promise<NamesrvInstance[]> {
    return this.store.listInstances(this.clock());
  }

  /** What Java's TopAddressing expects: `host:port;host:port`, nothing else. */
  async addressList(): Promise<string> {
    return (await this.list()).map((instance) => instance.addr).join(";");
  }
}
