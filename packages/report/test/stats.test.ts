import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialHalfCdf } from '../src/stats/binomial.js';
import { geomean, median } from '../src/stats/descriptive.js';
import { EXACT_MAX_N, exactUDistribution, mannWhitneyU, minimumPValue } from '../src/stats/mann-whitney.js';
import { medianInterval, minSamplesForInterval } from '../src/stats/median-ci.js';
import { erfc, normalCdf } from '../src/stats/normal.js';
import { prng } from './fixtures/sample.js';

/** C(n, k) exactly. */
function choose(n: number, k: number): bigint {
  let c = 1n;
  for (let i = 1; i <= k; i++) c = (c * BigInt(n - k + i)) / BigInt(i);
  return c;
}

/** Every k-subset of {0..n-1} (as index arrays). */
function* subsets(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield acc;
    return;
  }
  for (let i = start; i <= n - (k - acc.length); i++) yield* subsets(n, k, i + 1, [...acc, i]);
}

/** U of x against y by counting pairs (independent of the rank-sum formula). */
function uByPairs(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}

describe('erfc and the normal distribution', () => {
  // Reference values from CPython's math.erfc (an independent implementation).
  const cases: [number, number][] = [
    [0, 1],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047265],
    [3, 2.2090496998585438e-5],
    [5, 1.5374597944280351e-12],
    [10, 2.088487583762545e-45],
  ];
  it.each(cases)('erfc(%d)', (x, want) => {
    expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1e-13);
    expect(Math.abs(erfc(-x) - (2 - want))).toBeLessThan(1e-15);
  });

  it('Φ(1.96) and symmetry', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-1.5) + normalCdf(1.5)).toBeCloseTo(1, 15);
  });

  it('is continuous where the series hands over to the continued fraction', () => {
    const below = erfc(3 - 1e-9);
    const at = erfc(3);
    expect(Math.abs(below - at) / at).toBeLessThan(1e-7);
  });

  it('refuses NaN', () => {
    expect(() => erfc(Number.NaN)).toThrow(/NaN/);
  });
});

describe('Binomial(n, 1/2) cdf', () => {
  it('equals exact binomial sums', () => {
    for (const n of [1, 2, 5, 6, 10, 17, 40, 60]) {
      let acc = 0n;
      for (let j = 0; j <= n; j++) {
        acc += choose(n, j);
        const exact = Number((acc * 10n ** 18n) / 2n ** BigInt(n)) / 1e18;
        expect(binomialHalfCdf(n, j)).toBeCloseTo(exact, 12);
      }
    }
  });

  it('does not underflow to a wrong total for large n', () => {
    expect(binomialHalfCdf(5000, 2500)).toBeCloseTo(
      0.5 + (0.5 * Number((choose(5000, 2500) * 10n ** 18n) / 2n ** 5000n)) / 1e18,
      10,
    );
  });
});

describe('median confidence interval (order statistics)', () => {
  it('needs n >= 6 at 95 % (coverage 1 - 2·0.5^n of [min, max])', () => {
    expect(minSamplesForInterval(0.95)).toBe(6);
    expect(medianInterval([1, 2, 3, 4, 5])).toBeNull();
    const ci = medianInterval([1, 2, 3, 4, 5, 6])!;
    expect([ci.low, ci.high]).toEqual([1, 6]);
    expect(ci.coverage).toBeCloseTo(1 - 2 / 64, 15);
  });

  it('is the tightest interval whose exact coverage reaches 95 % (binomial sums)', () => {
    for (let n = 6; n <= 80; n++) {
      const sorted = Array.from({ length: n }, (_, i) => i);
      const ci = medianInterval(sorted)!;
      const k = ci.lowRank;
      expect(ci.highRank).toBe(n + 1 - k);
      expect([ci.low, ci.high]).toEqual([k - 1, n - k]);
      // Exact coverage with BigInt: 1 - 2·P(B <= k-1).
      let tail = 0n;
      for (let i = 0; i < k; i++) tail += choose(n, i);
      const coverage = 1 - (2 * Number((tail * 10n ** 15n) / 2n ** BigInt(n))) / 1e15;
      expect(ci.coverage).toBeCloseTo(coverage, 12);
      expect(coverage).toBeGreaterThanOrEqual(0.95);
      // One rank narrower would fall below 95 %.
      const tighter = 1 - (2 * Number(((tail + choose(n, k)) * 10n ** 15n) / 2n ** BigInt(n))) / 1e15;
      if (k < n / 2) expect(tighter).toBeLessThan(0.95);
    }
  });

  it('covers the true median at about its stated rate (fixed-seed simulation)', () => {
    const rnd = prng(2024);
    const n = 10;
    const trials = 4000;
    let covered = 0;
    let stated = 0;
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: n }, () => -Math.log(1 - rnd())).sort((a, b) => a - b); // Exp(1), median ln 2
      const ci = medianInterval(xs)!;
      stated = ci.coverage;
      if (ci.low <= Math.LN2 && Math.LN2 <= ci.high) covered++;
    }
    const se = Math.sqrt((stated * (1 - stated)) / trials);
    expect(Math.abs(covered / trials - stated)).toBeLessThan(4 * se);
  });
});

describe('Mann–Whitney U', () => {
  it('exact null distribution equals brute-force enumeration of rank assignments', () => {
    for (const [m, n] of [
      [1, 1],
      [2, 3],
      [3, 3],
      [4, 4],
      [3, 6],
      [5, 5],
      [6, 4],
      [7, 5],
    ] as const) {
      const counts = new Array<number>(m * n + 1).fill(0);
      let total = 0;
      for (const xs of subsets(m + n, m)) {
        const set = new Set(xs);
        const ys = [...Array(m + n).keys()].filter((i) => !set.has(i));
        counts[uByPairs(xs, ys)]!++;
        total++;
      }
      expect(total).toBe(Number(choose(m + n, m)));
      const dist = exactUDistribution(m, n);
      counts.forEach((c, u) => {
        expect(dist[u]).toBeCloseTo(c / total, 14);
      });
    }
  });

  it('hand-computed cases', () => {
    // Complete separation, 4 + 4: P(U = 0) = 1/C(8,4) = 1/70; two-sided 2/70.
    const r = mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]);
    expect(r.u).toBe(0);
    expect(r.method).toBe('exact');
    expect(r.p).toBeCloseTo(2 / 70, 15);
    // 3 + 3: the smallest possible p is 2/20 = 0.1.
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6]).p).toBeCloseTo(0.1, 15);
    // Identical-looking interleaving gives p = 1.
    expect(mannWhitneyU([1, 4], [2, 3]).p).toBe(1);
    // One inversion in 3 + 3: P(U <= 1) = 2/20, two-sided 0.2.
    expect(mannWhitneyU([1, 2, 4], [3, 5, 6]).p).toBeCloseTo(0.2, 15);
  });

  it('normal approximation with tie correction (hand-computed)', () => {
    // Pooled ranks: 1 | 2,2,2 -> 3 | 3,3 -> 5.5 | 4 -> 7 | 5,5 -> 8.5. R_x = 12.5, U = 2.5,
    // var = 20/12 · (10 − 36/72) = 15.8333, z = (7.5 − 0.5)/√var = 1.759186414825121,
    // p = erfc(z/√2) = 0.0785458509511907 (CPython).
    const r = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5, 5]);
    expect(r.ties).toBe(true);
    expect(r.method).toBe('normal');
    expect(r.u).toBe(2.5);
    expect(r.p).toBeCloseTo(0.0785458509511907, 12);
  });

  it('all values equal gives p = 1', () => {
    expect(mannWhitneyU([3, 3, 3, 3], [3, 3, 3, 3, 3]).p).toBe(1);
  });

  it('U agrees with pair counting, p is symmetric and invariant under monotone maps (property)', () => {
    const sample = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const r = mannWhitneyU(x, y);
        expect(r.u).toBe(uByPairs(x, y));
        expect(mannWhitneyU(y, x).p).toBeCloseTo(r.p, 12);
        expect(
          mannWhitneyU(
            x.map((v) => Math.exp(v / 7)),
            y.map((v) => Math.exp(v / 7)),
          ).p,
        ).toBeCloseTo(r.p, 12);
        expect(r.p).toBeGreaterThan(0);
        expect(r.p).toBeLessThanOrEqual(1);
      }),
      { seed: 20261126, numRuns: 300 },
    );
  });

  it('the normal approximation is close to the exact p at the exact limit', () => {
    const x = Array.from({ length: EXACT_MAX_N }, (_, i) => i * 2);
    const y = Array.from({ length: EXACT_MAX_N }, (_, i) => i * 2 + 9);
    const exact = mannWhitneyU(x, y);
    expect(exact.method).toBe('exact');
    const approx = mannWhitneyU([...x, 1e9], [...y, 1e9 + 1]); // 51 per side: normal
    expect(approx.method).toBe('normal');
    expect(exact.p).toBeGreaterThan(0.05);
    expect(Math.abs(approx.p - exact.p)).toBeLessThan(0.02);
  });

  it('smallest reachable p-values', () => {
    expect(minimumPValue(4, 4)).toBeCloseTo(2 / 70, 15);
    expect(minimumPValue(3, 3)).toBeCloseTo(0.1, 15);
    expect(minimumPValue(4, 3)).toBeCloseTo(2 / 35, 15);
    expect(minimumPValue(10, 10)).toBeCloseTo(2 / Number(choose(20, 10)), 18);
  });

  it('refuses empty or non-finite samples', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/non-empty/);
    expect(() => mannWhitneyU([1, Number.NaN], [1])).toThrow(/x\[1\]/);
  });
});

describe('descriptive statistics', () => {
  it('median and geomean', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(geomean([1, 4, 16])).toBeCloseTo(4, 14);
    expect(geomean([])).toBeNull();
    expect(() => geomean([1, 0])).toThrow(/non-positive/);
    expect(() => median([])).toThrow(/empty/);
  });
});
