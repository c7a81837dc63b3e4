import { describe, expect, it } from "vitest";
import { createLogger } from "../../shared/logger";
import { RetryQueue } from "../../tcp-bridge/retry-queue";
import { waitFor } from "../support/wait-for";

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger("debug", (line) => lines.push(JSON.parse(line))) };
}

/** The queue's delays are a few milliseconds: look often. */
const until = (check: () => boolean, what: string) => waitFor(check, what, 5000, 5);

describe("RetryQueue", () => {
  it("retries a failed attempt with growing delays until it succeeds, and logs both", async () => {
    const { lines, log } = capturingLog();
    const queue = new RetryQueue({ capacity: 10, maxAgeMs: 10_000, log, baseDelayMs: 5, maxDelayMs: 20 });
    let calls = 0;
    queue.add("close c-1", async () => {
      calls++;
      if (calls < 3) throw new Error("store unavailable");
    });
    expect(queue.size).toBe(1);
    await until(() => queue.size === 0, "the retry to succeed");
    expect(calls).toBe(3);
    expect(lines.some((l) => l.msg === "retry succeeded" && l.key === "close c-1")).toBe(true);
    queue.stop();
  });

  it("gives up an entry older than maxAgeMs, and the oldest entry when full", async () => {
    const { lines, log } = capturingLog();
    const queue = new RetryQueue({ capacity: 2, maxAgeMs: 30, log, baseDelayMs: 5, maxDelayMs: 5 });
    const failing = async () => {
      throw new Error("down");
    };
    queue.add("a", failing);
    queue.add("b", failing);
    queue.add("c", failing);
    expect(queue.size).toBe(2);
    expect(lines.find((l) => l.msg === "retry given up")).toMatchObject({ key: "a", reason: "retry queue full" });
    await until(() => queue.size === 0, "both entries to be given up");
    expect(queue.givenUp).toBe(3);
    queue.stop();
  });
});
