/**
 * The Binomial(n, 1/2) distribution that order-statistic confidence intervals for a median rest on:
 * the count of samples below the true median is Binomial(n, 1/2) for a continuous distribution.
 */

/**
 * P(B <= j) for B ~ Binomial(n, 1/2). Summed in log space so that large n does not underflow
 * the first terms into a wrong total. O(j).
 */
export function binomialHalfCdf(n: number, j: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`binomial n must be a natural number (${n})`);
  if (j < 0) return 0;
  if (j >= n) return 1;
  const ln2n = n * Math.LN2;
  let logC = 0; // ln C(n, 0)
  let sum = 0;
  for (let i = 0; i <= j; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i);
    sum += Math.exp(logC - ln2n);
  }
  return Math.min(1, sum);
}
