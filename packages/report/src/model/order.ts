/**
 * Deterministic ordering of names: well-known names first in a meaningful order (the baseline
 * first), then everything else by code unit (never locale-dependent).
 */

/** Fault strategies, from the Linux baseline to the newest mechanism. */
export const STRATEGY_ORDER = ['mmap-lock', 'spf-copy-attrs', 'spf-copy-vma', 'per-vma-lock'] as const;
/** Indexes in history order, then the reference and the benchmark baselines. */
export const INDEX_ORDER = [
  'rbtree',
  'maple',
  'persistent-rbtree',
  'cow-btree',
  'reference',
  'limit',
  'raw:sorted-btree',
  'raw:functional-red-black-tree',
] as const;
/** Benchmark operations in the order `vmakit bench` defines them (bench/src/ops.ts). */
export const OP_ORDER = [
  'find-random',
  'find-seq',
  'find-seq-cached',
  'lookup-random',
  'iterate-all',
  'iterate-range',
  'gap-topdown',
  'churn-insert-remove',
  'churn-mmap',
  'churn-mprotect',
] as const;

/** Code-unit comparison (what `sort()` does by default), usable in comparators. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator putting `known` names first, in that order, then the rest by code unit. */
export function knownFirst(known: readonly string[]): (a: string, b: string) => number {
  const rank = new Map(known.map((k, i) => [k, i]));
  return (a, b) => {
    const ra = rank.get(a) ?? known.length;
    const rb = rank.get(b) ?? known.length;
    return ra - rb || byCodeUnit(a, b);
  };
}

/** Distinct values, sorted by `cmp`. */
export function distinct<T>(values: Iterable<T>, cmp: (a: T, b: T) => number): T[] {
  return [...new Set(values)].sort(cmp);
}

/** Groups `items` by a string key built from several parts, keeping first-seen order of keys. */
export function groupBy<T>(
  items: readonly T[],
  keyOf: (t: T) => readonly (string | number)[],
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = JSON.stringify(keyOf(it));
    const g = out.get(k);
    if (g === undefined) out.set(k, [it]);
    else g.push(it);
  }
  return out;
}

/** The baseline among `names`: `preferred` when present, else the first name. */
export function baselineOf(names: readonly string[], preferred: string): string | undefined {
  return names.includes(preferred) ? preferred : names[0];
}
