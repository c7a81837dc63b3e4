/**
 * Decodes REGISTER_BROKER bodies in a Bun Worker (register-body-worker.ts), one at a time, so that
 * the event loop keeps answering route queries while a large registration is decoded.
 *
 * A Worker that fails (an uncaught error, an exit, no answer in time) fails only the body it was
 * decoding, with a remark; it is dropped and the next body gets a fresh one.
 */
import { BodyDecodeError } from "../shared/errors";
import { REGISTER_BODY_ERROR_PREFIX } from "../shared/register-body";
import type { RegisterBodyJob } from "./register-body-job";
import type { PackedRegisterBody } from "./register-body-packing";

/** What the event loop posts to the Worker. */
export interface RegisterBodyRequest {
  id: number;
  job: RegisterBodyJob;
}

/** What the Worker answers: the packed body, or the remark of a body that does not decode. */
export type RegisterBodyReply = { id: number; ok: true; packed: PackedRegisterBody } | { id: number; ok: false; remark: string };

/** A decode that takes longer than this is taken for a hung Worker (large bodies take under a second). */
export const REGISTER_BODY_WORKER_TIMEOUT_MS = 30_000;

export interface RegisterBodyWorkerOptions {
  /** Starts a Worker running register-body-worker.ts (tests start others). */
  spawn?: () => Worker;
  timeoutMs?: number;
}

interface Pending {
  request: RegisterBodyRequest;
  resolve(packed: PackedRegisterBody): void;
  reject(err: BodyDecodeError): void;
}

export function spawnRegisterBodyWorker(): Worker {
  return new Worker(new URL("./register-body-worker.ts", import.meta.url).href);
}

export class RegisterBodyWorker {
  private worker: Worker | null = null;
  private current: Pending | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private started = 0;

  constructor(private readonly options: RegisterBodyWorkerOptions = {}) {}

  /** Workers started so far: the first, and one after each failure. */
  get workersStarted(): number {
    return this.started;
  }

  /** The packed decoded body; rejects with BodyDecodeError (the remark to answer). */
  decode(job: RegisterBodyJob): Promise<PackedRegisterBody> {
    if (this.closed) return Promise.reject(failure("decoder closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, job }, resolve, reject });
      this.runNext();
    });
  }

  /** Stops the Worker; bodies not decoded yet fail. */
  close(): void {
    this.closed = true;
    this.drop();
    for (const pending of this.queue.splice(0)) pending.reject(failure("decoder closed"));
  }

  private runNext(): void {
    if (this.current || this.queue.length === 0) return;
    const pending = this.queue.shift()!;
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (err) {
      pending.reject(failure(`cannot start a decoding worker: ${String(err)}`));
      return this.runNext();
    }
    this.current = pending;
    const timeoutMs = this.options.timeoutMs ?? REGISTER_BODY_WORKER_TIMEOUT_MS;
    this.timer = setTimeout(() => this.fail(`no answer from the decoding worker within ${timeoutMs} ms`), timeoutMs);
    const body = pending.request.job.body;
    // A body that owns its buffer is handed over rather than copied.
    const transfer = body && ownsBuffer(body) ? [body.buffer as ArrayBuffer] : [];
    try {
      worker.postMessage(pending.request, transfer);
    } catch (err) {
      this.fail(`cannot post to the decoding worker: ${String(err)}`);
    }
  }

  private start(): Worker {
    const worker = (this.options.spawn ?? spawnRegisterBodyWorker)();
    this.started++;
    this.worker = worker;
    worker.addEventListener("message", (event: MessageEvent<RegisterBodyReply>) => {
      if (worker === this.worker) this.answered(event.data);
    });
    worker.addEventListener("error", (event: ErrorEvent) => {
      event.preventDefault?.();
      if (worker === this.worker) this.fail(`decoding worker failed: ${errorText(event)}`);
    });
    worker.addEventListener("messageerror", () => {
      if (worker === this.worker) this.fail("decoding worker sent an unreadable answer");
    });
    worker.addEventListener("close", () => {
      if (worker === this.worker) this.fail("decoding worker exited");
    });
    return worker;
  }

  private answered(reply: RegisterBodyReply): void {
    const pending = this.current;
    if (!pending || reply.id !== pending.request.id) return;
    this.settle();
    if (reply.ok) pending.resolve(reply.packed);
    else pending.reject(new BodyDecodeError(reply.remark));
    this.runNext();
  }

  /** The Worker cannot be trusted any more: its body fails, a fresh Worker takes the next. */
  private fail(reason: string): void {
    const pending = this.current;
    this.drop();
    pending?.reject(failure(reason));
    this.runNext();
  }

  private drop(): void {
    this.settle();
    const worker = this.worker;
    this.worker = null;
    worker?.terminate();
  }

  private settle(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
  }
}

/** The error's own message: Bun puts a source excerpt before it, on lines of their own. */
function errorText(event: ErrorEvent): string {
  if (event.error instanceof Error) return String(event.error);
  const lines = (event.message ?? "").split("\n").map((line) => line.trim());
  return lines.find((line) => line.startsWith("error: "))?.slice("error: ".length) ?? lines.find((line) => line !== "") ?? "error";
}

function failure(reason: string): BodyDecodeError {
  return new BodyDecodeError(`${REGISTER_BODY_ERROR_PREFIX}: ${reason}`);
}

function ownsBuffer(bytes: Uint8Array): boolean {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}
