/**
 * The part of `cloudflare:test` (@cloudflare/vitest-pool-workers) these tests use, typed without
 * @cloudflare/workers-types (whose globals clash with the DOM and Bun types of the main project).
 */
declare module "cloudflare:test" {
  export const env: Record<string, unknown>;
  export interface TestExecutionContext {
    waitUntil(promise: Promise<unknown>): void;
    passThroughOnException(): void;
  }
  export function createExecutionContext(): TestExecutionContext;
  export function waitOnExecutionContext(ctx: TestExecutionContext): Promise<void>;
  export function createScheduledController(options?: { scheduledTime?: number | Date; cron?: string }): {
    readonly cron: string;
    readonly scheduledTime: number;
    noRetry(): void;
  };
}
