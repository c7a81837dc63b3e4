/**
 * Every request body the bridge reads, decoded under its limits (BodyLimits). Small register
 * bodies are decoded on the event loop, where that is cheapest; a body that may take longer than a
 * few milliseconds goes to a Worker, so that other clients keep being answered meanwhile.
 */
import { decodeDataVersion, decodeTopicRouteData } from "../shared/body-codec";
import type { DataVersion, RegisterBrokerBody, TopicRouteData } from "../shared/model";
import { bodyLimitsOf, DEFAULT_BODY_LIMITS, decodeRegisterBodyJob, type BodyLimits } from "./register-body-job";
import { unpackRegisterBody } from "./register-body-packing";
import { RegisterBodyWorker } from "./register-body-worker-client";

/**
 * Register bodies of at least this many bytes (after inflating, at worst) are decoded by the
 * Worker. About 1,500 topics: a few milliseconds to decode on the event loop.
 */
export const OFF_THREAD_REGISTER_BODY_BYTES = 256 * 1024;

/** The most a deflate stream inflates per byte (258-byte matches coded in two bits each). */
const DEFLATE_MAX_RATIO = 1032;

/** Whether a register body may take long enough to decode that it belongs off the event loop. */
export function decodesOffThread(body: Uint8Array, compressed: boolean, limits: BodyLimits): boolean {
  const worstBytes = compressed ? Math.min(body.length * DEFLATE_MAX_RATIO, limits.maxRegisterBodyInflatedBytes) : body.length;
  return worstBytes >= OFF_THREAD_REGISTER_BODY_BYTES;
}

/** A Worker for large register bodies where the runtime has Workers (Bun); none elsewhere. */
function defaultRegisterBodyWorker(): RegisterBodyWorker | null {
  return typeof Worker === "function" ? new RegisterBodyWorker() : null;
}

export class BodyDecoder {
  readonly limits: Readonly<BodyLimits>;

  /** `worker` null: every body is decoded on the event loop. */
  constructor(
    limits: BodyLimits = DEFAULT_BODY_LIMITS,
    private readonly worker: RegisterBodyWorker | null = defaultRegisterBodyWorker(),
  ) {
    this.limits = Object.freeze(bodyLimitsOf(limits));
  }

  /**
   * A REGISTER_BROKER body in any of its forms. Rejects with BodyDecodeError, whose message is the
   * remark to answer. A body decoded by the Worker has its buffer handed over to it.
   */
  async registerBrokerBody(body: Uint8Array | null, version: number, compressed: boolean): Promise<RegisterBrokerBody> {
    const job = { body, version, compressed, now: Date.now(), limits: this.limits };
    if (!this.worker || !body || !decodesOffThread(body, compressed, this.limits)) return decodeRegisterBodyJob(job);
    return unpackRegisterBody(await this.worker.decode(job));
  }

  /** A REGISTER_TOPIC_IN_NAMESRV body. Throws BodyDecodeError (BodyTooDeepError past maxJsonDepth). */
  topicRouteData(body: Uint8Array): TopicRouteData {
    return decodeTopicRouteData(body, this.limits.maxJsonDepth);
  }

  /** A QUERY_DATA_VERSION body. Throws BodyDecodeError. */
  dataVersion(body: Uint8Array): DataVersion {
    return decodeDataVersion(body, Date.now(), this.limits.maxJsonDepth);
  }

  /** Stops the Worker (bodies it has not decoded yet fail). */
  close(): void {
    this.worker?.close();
  }
}
