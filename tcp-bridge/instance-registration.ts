import type { Logger } from "../shared/logger";

export interface InstanceRegistration {
  stop(): void;
}

/**
 * Keeps this server listed by the address server: registers its advertised address now and again
 * every `refreshSeconds`, so the entry outlives each TTL while the process lives and lapses soon
 * after it dies. A failed refresh is logged and retried at the next tick (the store may be back).
 */
export function startInstanceRegistration(options: {
  register: (addr: string) => Promise<void>;
  addr: string;
  refreshSeconds: number;
  log: Logger;
}): InstanceRegistration {
  const { register, addr, log } = options;
  let failing = false;
  const tick = async () => {
    try {
      await register(addr);
      if (failing) log.info({ msg: "NameServer instance registered again", addr });
      failing = false;
    } catch (err) {
      if (!failing) log.warn({ msg: "NameServer instance registration failed; the address server may stop listing this instance", addr, error: String(err) });
      failing = true;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.refreshSeconds * 1000);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
