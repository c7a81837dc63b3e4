/**
 * Polling with a deadline, for tests that wait on another process or on time-driven state.
 * Pure: the workerd tests (test/workers) import it too, so no node: APIs here.
 */

type Falsy = false | 0 | "" | null | undefined;

/**
 * Calls `check` every `intervalMs` until it returns a truthy value, and resolves to that value;
 * rejects once `timeoutMs` has passed. A check that throws counts as "not yet", and the error of
 * the last attempt is named in the rejection.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const value = await check();
      if (value) return value as Exclude<T, Falsy>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? "" : `: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
