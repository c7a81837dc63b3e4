import type { Random } from "./random";

/**
 * How far the generators go. The suite runs many small inputs in seconds; the live fuzzer may
 * send what only a real server should have to survive (multi-megabyte values, JSON nested a
 * hundred thousand levels, compressed bodies that inflate past the inflation limit).
 */
export interface FuzzProfile {
  /** deepest JSON nesting generated */
  maxNestingDepth: number;
  /** largest string value, body or garbage run, in bytes */
  maxValueBytes: number;
  /** topics in the largest generated registration */
  maxTopicsPerRegistration: number;
  /** what a compressed register body may inflate to at most (decompression bombs); 0: none */
  maxInflatedBytes: number;
  /** how often a size is drawn up to the profile's largest rather than up to a kilobyte */
  hugeChance: number;
}

export const SUITE_PROFILE: FuzzProfile = {
  maxNestingDepth: 100_000,
  maxValueBytes: 64 * 1024,
  maxTopicsPerRegistration: 200,
  maxInflatedBytes: 1024 * 1024,
  hugeChance: 0.1,
};

export const LIVE_PROFILE: FuzzProfile = {
  maxNestingDepth: 100_000,
  maxValueBytes: 4 * 1024 * 1024,
  maxTopicsPerRegistration: 20_000,
  maxInflatedBytes: 48 * 1024 * 1024,
  hugeChance: 0.01,
};

/** A size for a value or a run of bytes: mostly up to a kilobyte, now and then up to the largest. */
export function valueSize(rng: Random, profile: FuzzProfile): number {
  return rng.size(rng.chance(profile.hugeChance) ? profile.maxValueBytes : Math.min(1024, profile.maxValueBytes));
}
