/**
 * A distribution-free confidence interval for the median from order statistics, the interval
 * benchstat prints as `± x%` (golang.org/x/perf benchmath, "AssumeNothing"). For a continuous
 * distribution, [x_(k), x_(n+1-k)] covers the median with probability 1 − 2·P(B ≤ k−1),
 * B ~ Binomial(n, 1/2); the widest k whose coverage still reaches the confidence level is chosen.
 */
import { binomialHalfCdf } from './binomial.js';

/** An interval [low, high] around the median and its exact coverage. */
export interface MedianInterval {
  readonly low: number;
  readonly high: number;
  /** The exact coverage probability 1 − 2·P(B ≤ k−1), at least the requested confidence. */
  readonly coverage: number;
  /** 1-based ranks of the bounds in the sorted sample: k and n + 1 − k. */
  readonly lowRank: number;
  readonly highRank: number;
}

/** The smallest n for which a finite interval at `confidence` exists (6 at 0.95). O(n²) worst. */
export function minSamplesForInterval(confidence = 0.95): number {
  checkConfidence(confidence);
  for (let n = 1; n < 10_000; n++) if (2 * binomialHalfCdf(n, 0) <= 1 - confidence) return n;
  throw new RangeError(`no sample size below 10000 reaches confidence ${confidence}`);
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1) (${confidence})`);
}

/**
 * The order-statistic interval for the median of an ascending sample, or null when n is too
 * small for any interval to reach `confidence` (n < 6 at 0.95: even [min, max] covers only
 * 1 − 2·0.5^n). O(n).
 */
export function medianInterval(sorted: readonly number[], confidence = 0.95): MedianInterval | null {
  checkConfidence(confidence);
  const n = sorted.length;
  const alphaHalf = (1 - confidence) / 2;
  // Largest k (k <= n/2) with P(B <= k-1) <= alpha/2; the cdf grows with k, so walk up.
  let k = 0;
  let tail = 0;
  for (let cand = 1; cand <= Math.floor(n / 2); cand++) {
    const t = binomialHalfCdf(n, cand - 1);
    if (t > alphaHalf) break;
    k = cand;
    tail = t;
  }
  if (k === 0) return null;
  return {
    low: sorted[k - 1]!,
    high: sorted[n - k]!,
    coverage: 1 - 2 * tail,
    lowRank: k,
    highRank: n + 1 - k,
  };
}
