import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REGISTER_BODY_ERROR_PREFIX } from "../../shared/register-body";
import { decodesOffThread, OFF_THREAD_REGISTER_BODY_BYTES } from "../../tcp-bridge/body-decoder";
import { DEFAULT_BODY_LIMITS } from "../../tcp-bridge/register-body-job";

const ROOT = resolve(__dirname, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");
const failed = (reason: string) => `BodyDecodeError: ${REGISTER_BODY_ERROR_PREFIX}: ${reason}`;

describe("which register bodies are decoded off the event loop", () => {
  const bytes = (n: number) => new Uint8Array(n);
  it("plain bodies from OFF_THREAD_REGISTER_BODY_BYTES on", () => {
    expect(OFF_THREAD_REGISTER_BODY_BYTES).toBe(256 * 1024);
    expect(decodesOffThread(bytes(OFF_THREAD_REGISTER_BODY_BYTES - 1), false, DEFAULT_BODY_LIMITS)).toBe(false);
    expect(decodesOffThread(bytes(OFF_THREAD_REGISTER_BODY_BYTES), false, DEFAULT_BODY_LIMITS)).toBe(true);
  });
  it("compressed bodies by what they may inflate to (deflate's ratio reaches ~1032:1)", () => {
    expect(decodesOffThread(bytes(200), true, DEFAULT_BODY_LIMITS)).toBe(false);
    expect(decodesOffThread(bytes(300), true, DEFAULT_BODY_LIMITS)).toBe(true);
    expect(decodesOffThread(bytes(300), true, { ...DEFAULT_BODY_LIMITS, maxRegisterBodyInflatedBytes: 64 * 1024 })).toBe(false);
  });
});

describe("register-body Worker (scenarios run under Bun)", () => {
  let seen: Record<string, any>;
  beforeAll(() => {
    const run = spawnSync(BUN, ["test/tcp-bridge/register-body-worker.scenarios.ts"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    if (run.status !== 0) throw new Error(`scenarios failed (${run.status}): ${run.stderr}`);
    seen = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  }, 90_000);

  it("decodes bodies exactly as the event loop does, in both forms", () => {
    expect(seen.sameAsEventLoop).toEqual([true, true]);
  });

  it("answers hostile bodies with their remark and keeps serving with the same Worker", () => {
    expect(seen.bomb).toBe(failed("compressed body inflates to more than 33554432 bytes (maxRegisterBodyInflatedBytes)"));
    expect(seen.deep).toBe(failed("JSON nested deeper than 512 levels (maxJsonDepth)"));
    expect(seen.afterHostile).toBe(5);
    expect(seen.workersAfterHostile).toBe(1);
  });

  it("takes a large body over without copying, while the event loop runs on", () => {
    expect(seen.handedOver).toBe(true);
    expect(seen.events).toEqual(["event loop turned", "decoded"]);
    expect(seen.afterClose).toBe(failed("decoder closed"));
  });

  it("a Worker that throws, exits or hangs fails its one body; a fresh Worker decodes the next ones", () => {
    expect(seen.thrown).toEqual({ failed: failed("decoding worker failed: decoder bug"), next: 20, later: 30, workersStarted: 2 });
    expect(seen.exited).toEqual({ failed: failed("decoding worker exited"), next: 20, later: 30, workersStarted: 2 });
    expect(seen.hung).toEqual({ failed: failed("no answer from the decoding worker within 500 ms"), next: 20, later: 30, workersStarted: 2 });
  });

  it("the bridge's body decoder gives the same tables on either path and refuses a bomb in the Worker", () => {
    expect(seen.decoder).toEqual({ small: 3, big: 50_000 });
    expect(seen.decoderBomb).toBe(failed("compressed body inflates to more than 33554432 bytes (maxRegisterBodyInflatedBytes)"));
  });
});
