/**
 * Order statistics and means used by compare-runs. Every function takes finite numbers only and
 * says which argument was bad otherwise.
 */

/** Throws a RangeError naming `what` unless every value is a finite number. O(n). */
export function assertFinite(values: readonly number[], what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RangeError(`${what}[${i}] is not a finite number (${String(v)})`);
  }
}

/** A sorted copy (ascending, numeric). O(n log n). */
export function sortedCopy(values: readonly number[], what = 'values'): number[] {
  assertFinite(values, what);
  return [...values].sort((a, b) => a - b);
}

/** The median of an ascending array (mean of the two middle values for even n). O(1). */
export function medianOfSorted(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('median of an empty sample');
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of any array. O(n log n). */
export function median(values: readonly number[]): number {
  return medianOfSorted(sortedCopy(values));
}

/**
 * The geometric mean of positive values, exp(mean(ln x)); null for an empty list.
 * O(n). @throws RangeError when a value is not positive (the geomean of a zero is meaningless).
 */
export function geomean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  assertFinite(values, 'geomean values');
  let sum = 0;
  for (const v of values) {
    if (v <= 0) throw new RangeError(`geomean of a non-positive value (${v})`);
    sum += Math.log(v);
  }
  return Math.exp(sum / values.length);
}
