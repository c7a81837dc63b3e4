/**
 * The fuzzer's seeded random numbers (mulberry32): every input is a pure function of the seed and
 * its index, so any input of any run can be made again from those two numbers alone.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The generator of input `index` of a run seeded with `seed`: independent of every other input. */
  static forInput(seed: number, index: number): Random {
    let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return new Random((h ^ (h >>> 16)) >>> 0);
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** A signed 32-bit integer. */
  int32(): number {
    return this.next() | 0;
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One of `choices`, each as likely as its weight. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    let total = 0;
    for (const [w] of choices) total += w;
    let r = this.float() * total;
    for (const [w, value] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    return choices[choices.length - 1][1];
  }

  /**
   * A size up to `max`, most often small: sizes spread evenly over orders of magnitude, so both
   * tiny and near-limit values come up.
   */
  size(max: number): number {
    if (max <= 0) return 0;
    return Math.min(max, Math.floor(Math.exp(this.float() * Math.log(max + 1))) - 1 + this.int(2));
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next();
      out[i] = v;
      if (i + 1 < n) out[i + 1] = v >>> 8;
      if (i + 2 < n) out[i + 2] = v >>> 16;
      if (i + 3 < n) out[i + 3] = v >>> 24;
    }
    return out;
  }
}
