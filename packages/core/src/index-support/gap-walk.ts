/**
 * mas_empty_area() / mas_empty_area_rev() (lib/maple_tree.c) for an index that keeps no per-subtree
 * gap: walk the stored ranges in order and test each hole between neighbours. Bounds are inclusive,
 * like the maple tree's [min, max].
 *
 * Complexity: O(log n + k) where k is the number of ranges passed before a fit is found — O(n) in
 * the worst case (many holes that are each too small). The kernel's trees avoid this with gap
 * augmentation (rb_subtree_gap before 6.1, maple_arange_64 gap[] since); neither library used here
 * has an augmentation hook.
 */
import { EBUSY, EINVAL } from '../errno.js';

/** Top of the index space (the maple tree's ULONG_MAX, as far as JavaScript numbers reach). */
export const INDEX_MAX = Number.MAX_SAFE_INTEGER;

/** Visits ranges in one direction; the visitor returns true to stop. */
export type RangeWalk = (visit: (start: number, end: number) => boolean) => void;

/** True for the requests mas_empty_area() rejects with -EINVAL. */
function badRequest(min: number, max: number, size: number): boolean {
  return min > max || size <= 0 || max - min < size - 1;
}

/**
 * Lowest index of `size` empty indexes within [min, max].
 * `prevEnd`: end of the last range with end <= min (0 when none). `ascending` visits, in order, the
 * ranges with end > min. Returns the index, -EINVAL or -EBUSY.
 */
export function emptyAreaWalk(
  min: number,
  max: number,
  size: number,
  prevEnd: number,
  ascending: RangeWalk,
): number {
  if (badRequest(min, max, size)) return -EINVAL;
  let result = -EBUSY;
  // A hole is [first, last], inclusive; it may be empty (last < first) between touching ranges.
  const fits = (first: number, last: number): boolean => {
    if (last < first || last < min || first > max) return false;
    const index = Math.max(first, min);
    if (index + size - 1 <= Math.min(last, max)) {
      result = index;
      return true;
    }
    return false;
  };
  let cursor = prevEnd;
  let done = false;
  ascending((start, end) => {
    if (fits(cursor, start - 1)) return (done = true);
    cursor = end;
    return (done = cursor > max);
  });
  if (!done) fits(cursor, INDEX_MAX);
  return result;
}

/**
 * Highest fit of `size` empty indexes within [min, max]; returns the block's first index, -EINVAL
 * or -EBUSY. `nextStart`: start of the first range with start > max (INDEX_MAX + 1 when none).
 * `descending` visits, in reverse order, the ranges with start <= max.
 */
export function emptyAreaRevWalk(
  min: number,
  max: number,
  size: number,
  nextStart: number,
  descending: RangeWalk,
): number {
  if (badRequest(min, max, size)) return -EINVAL;
  let result = -EBUSY;
  const fits = (first: number, last: number): boolean => {
    if (last < first || last < min || first > max) return false;
    const index = Math.min(last, max) - size + 1;
    if (index >= Math.max(first, min)) {
      result = index;
      return true;
    }
    return false;
  };
  let ceiling = nextStart - 1;
  let done = false;
  descending((start, end) => {
    if (fits(end, ceiling)) return (done = true);
    ceiling = start - 1;
    return (done = ceiling < min);
  });
  if (!done) fits(0, ceiling);
  return result;
}
