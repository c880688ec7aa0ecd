/**
 * The two-sided Mann–Whitney U (Wilcoxon rank-sum) test benchstat uses to decide whether two sets
 * of benchmark samples differ: no normality assumption, only that samples are independent.
 * Exact null distribution when there are no ties and both samples are small; otherwise the normal
 * approximation with the tie-corrected variance and a continuity correction.
 */
import { assertFinite } from './descriptive.js';
import { normalUpperTail } from './normal.js';

/** Largest sample size per side for the exact distribution (its table is O(n1·n2·n1·n2)). */
export const EXACT_MAX_N = 50;

/** Outcome of a U test of samples x and y. */
export interface MannWhitneyResult {
  /** U of x: pairs (xi, yj) with xi > yj, plus half of the tied pairs. */
  readonly u: number;
  readonly n1: number;
  readonly n2: number;
  /** Two-sided p-value. */
  readonly p: number;
  readonly method: 'exact' | 'normal';
  /** True when any value occurs more than once in the pooled sample. */
  readonly ties: boolean;
}

/**
 * P(U <= u) under the null hypothesis for sample sizes m and n, by the recurrence
 * p(m, n, u) = m/(m+n)·p(m−1, n, u−n) + n/(m+n)·p(m, n−1, u) (the largest pooled value belongs to
 * x or to y). Probabilities, not counts, so nothing overflows. O(m·n·m·n) time, O(n·m·n) space.
 */
export function exactUDistribution(m: number, n: number): Float64Array {
  // row[j] holds the distribution of U for sizes (i, j) while row i is built.
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n; j++) prev.push(Float64Array.of(1)); // i = 0: U is always 0
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)]; // j = 0: U is always 0
    for (let j = 1; j <= n; j++) {
      const d = new Float64Array(i * j + 1);
      const fromX = prev[j]!; // largest value in x: it beats all j values of y
      const fromY = cur[j - 1]!; // largest value in y: beats nothing of x
      const px = i / (i + j);
      const py = j / (i + j);
      for (let u = 0; u < fromX.length; u++) d[u + j]! += px * fromX[u]!;
      for (let u = 0; u < fromY.length; u++) d[u]! += py * fromY[u]!;
      cur.push(d);
    }
    prev = cur;
  }
  return prev[n]!;
}

/** Mid-ranks of the pooled sample and the tie groups' sizes. O(N log N). */
function rankPooled(x: readonly number[], y: readonly number[]): { rankSumX: number; tieSizes: number[] } {
  const pooled = [...x.map((v) => ({ v, fromX: true })), ...y.map((v) => ({ v, fromX: false }))];
  pooled.sort((a, b) => a.v - b.v);
  let rankSumX = 0;
  const tieSizes: number[] = [];
  for (let i = 0; i < pooled.length; ) {
    let j = i;
    while (j + 1 < pooled.length && pooled[j + 1]!.v === pooled[i]!.v) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (pooled[k]!.fromX) rankSumX += midRank;
    if (j > i) tieSizes.push(j - i + 1);
    i = j + 1;
  }
  return { rankSumX, tieSizes };
}

/**
 * Two-sided Mann–Whitney U test of x against y. O((n1+n2) log(n1+n2)), plus the exact table when
 * used. @throws RangeError for an empty sample or a non-finite value.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  assertFinite(x, 'x');
  assertFinite(y, 'y');
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError(`Mann–Whitney U needs two non-empty samples (${n1}, ${n2})`);
  const { rankSumX, tieSizes } = rankPooled(x, y);
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const ties = tieSizes.length > 0;
  const mn = n1 * n2;
  if (!ties && n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N) {
    const dist = exactUDistribution(n1, n2);
    const lower = Math.min(u, mn - u); // the null distribution is symmetric about mn/2
    let cdf = 0;
    for (let k = 0; k <= lower; k++) cdf += dist[k]!;
    return { u, n1, n2, p: Math.min(1, 2 * cdf), method: 'exact', ties };
  }
  const bigN = n1 + n2;
  let tieTerm = 0;
  for (const t of tieSizes) tieTerm += t * t * t - t;
  const variance = (mn / 12) * (bigN + 1 - tieTerm / (bigN * (bigN - 1)));
  if (variance <= 0) return { u, n1, n2, p: 1, method: 'normal', ties }; // every value equal
  const z = Math.max(0, Math.abs(u - mn / 2) - 0.5) / Math.sqrt(variance);
  return { u, n1, n2, p: Math.min(1, 2 * normalUpperTail(z)), method: 'normal', ties };
}

/** The smallest two-sided p-value any data could give with sizes n1, n2 (2 / C(n1+n2, n1)). O(min(n1,n2)). */
export function minimumPValue(n1: number, n2: number): number {
  let c = 1;
  const k = Math.min(n1, n2);
  for (let i = 1; i <= k; i++) c = (c * (n1 + n2 - k + i)) / i;
  return Math.min(1, 2 / c);
}
