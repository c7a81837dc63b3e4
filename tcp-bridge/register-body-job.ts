/**
 * One REGISTER_BROKER body to decode, and its decoding under the bridge's limits: the same
 * function runs on the event loop for small bodies and in the register-body Worker for large ones.
 */
import { inflateSync } from "node:zlib";
import { DEFAULT_MAX_JSON_DEPTH } from "../shared/fastjson-reader";
import type { RegisterBrokerBody } from "../shared/model";
import {
  DEFAULT_MAX_REGISTER_BODY_INFLATED_BYTES,
  DEFAULT_MAX_TOPICS_PER_REGISTRATION,
  decodeRegisterBrokerBody,
} from "../shared/register-body";

/** The limits a request body is decoded under; named as the configuration keys that set them. */
export interface BodyLimits {
  maxJsonDepth: number;
  maxRegisterBodyInflatedBytes: number;
  maxTopicsPerRegistration: number;
}

export const DEFAULT_BODY_LIMITS: Readonly<BodyLimits> = {
  maxJsonDepth: DEFAULT_MAX_JSON_DEPTH,
  maxRegisterBodyInflatedBytes: DEFAULT_MAX_REGISTER_BODY_INFLATED_BYTES,
  maxTopicsPerRegistration: DEFAULT_MAX_TOPICS_PER_REGISTRATION,
};

/** The limits of `source` (a NameServer configuration, say), copied. */
export function bodyLimitsOf(source: BodyLimits): BodyLimits {
  return {
    maxJsonDepth: source.maxJsonDepth,
    maxRegisterBodyInflatedBytes: source.maxRegisterBodyInflatedBytes,
    maxTopicsPerRegistration: source.maxTopicsPerRegistration,
  };
}

export interface RegisterBodyJob {
  body: Uint8Array | null;
  /** `version` of the request */
  version: number;
  /** `compressed` request header field */
  compressed: boolean;
  /** the time of the request, for a body without a DataVersion */
  now: number;
  limits: BodyLimits;
}

/** zlib inflate that stops at `maxOutputLength` bytes (throwing a RangeError) instead of growing on. */
export function boundedInflate(bytes: Uint8Array, maxOutputLength: number): Uint8Array {
  const out = inflateSync(bytes, { maxOutputLength });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Decodes the job's body; throws BodyDecodeError with the remark to answer. */
export function decodeRegisterBodyJob(job: RegisterBodyJob): RegisterBrokerBody {
  return decodeRegisterBrokerBody(job.body, {
    version: job.version,
    compressed: job.compressed,
    inflate: boundedInflate,
    now: job.now,
    maxJsonDepth: job.limits.maxJsonDepth,
    maxInflatedBytes: job.limits.maxRegisterBodyInflatedBytes,
    maxTopics: job.limits.maxTopicsPerRegistration,
  });
}
