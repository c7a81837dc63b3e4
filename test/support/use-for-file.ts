/**
 * Something a test file starts once before its tests and stops after them (a redis-server, a
 * Cluster, a Sentinel group): read `.current` in tests. A failed start fails the file's tests with
 * a message pointing at the beforeAll error.
 */
import { afterAll, beforeAll } from "vitest";

export function useForFile<T extends { stop(): Promise<void> }>(what: string, start: () => Promise<T>, startTimeoutMs?: number): { readonly current: T } {
  const holder: { current: T | null } = { current: null };
  beforeAll(async () => {
    holder.current = await start();
  }, startTimeoutMs);
  afterAll(async () => {
    await holder.current?.stop();
  });
  return {
    get current(): T {
      if (!holder.current) throw new Error(`${what} not started (see the beforeAll error above)`);
      return holder.current;
    },
  };
}
