/**
 * A small seeded pseudo-random generator (SplitMix32 steps feeding a 53-bit float), so that layouts
 * and query arrays are identical for the same seed on every machine and Node version — Math.random()
 * cannot be seeded.
 */

/** Deterministic random source. */
export interface Rng {
  /** A float in [0, 1) with 53 random bits. O(1). */
  float(): number;
  /** An integer in [0, n) for a positive safe integer n (exact up to 2^53). O(1). */
  int(n: number): number;
  /** An integer in [lo, hi], log-uniformly distributed (small values as likely per octave). O(1). */
  logInt(lo: number, hi: number): number;
  /** True with probability p. O(1). */
  chance(p: number): boolean;
}

/** Creates a generator from an integer seed (any safe integer; only its low 32 bits matter). O(1). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  let state = seed >>> 0;
  // SplitMix32 (Steele, Lea, Flood 2014): a full-period 32-bit sequence with good mixing.
  const next32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const float = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  const int = (n: number): number => {
    if (!(n > 0) || !Number.isSafeInteger(n))
      throw new RangeError(`int(n) needs a positive safe integer, got ${n}`);
    return Math.floor(float() * n);
  };
  return {
    float,
    int,
    logInt(lo: number, hi: number): number {
      if (!(lo >= 1 && hi >= lo)) throw new RangeError(`logInt needs 1 <= lo <= hi, got ${lo}..${hi}`);
      const v = Math.floor(Math.exp(Math.log(lo) + float() * (Math.log(hi + 1) - Math.log(lo))));
      return Math.min(hi, Math.max(lo, v));
    },
    chance(p: number): boolean {
      return float() < p;
    },
  };
}

/**
 * A seed for one purpose derived from the run's seed and a label (FNV-1a over the label, mixed
 * with the seed), so that each layout and query array has its own stream and adding a layout does
 * not change the others. O(label length).
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
