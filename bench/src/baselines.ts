/**
 * The baselines measured next to the indexes in the same run:
 * - `limit`: binary search over a sorted Float64Array of vm_end values — the fastest possible
 *   find_vma(), a floor no tree can beat (it cannot be updated cheaply);
 * - `raw:sorted-btree`: the B+ tree library used directly, keyed by vm_end - 1 (like maple pivots)
 *   so that getPairOrNextHigher(addr) is find_vma(addr);
 * - `raw:functional-red-black-tree`: the persistent red-black tree used directly, keyed by vm_end
 *   so that gt(addr) is find_vma(addr).
 * The benchmark loops call the libraries' own API; the readers here serve only the correctness
 * check, which needs one answer per query.
 */
import createRBTree from 'functional-red-black-tree';
import type { BenchVma } from './entry.js';
import type { BenchLayout } from './layouts.js';
import { BTree, type BTreeOf } from './sorted-btree.js';

/** Largest address any query uses as an open upper bound. */
export const ADDR_MAX = Number.MAX_SAFE_INTEGER;

/** Sorted parallel arrays: find_vma by binary search on vm_end. */
export class LimitArray {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  readonly entries: BenchVma[];
  readonly size: number;

  /** Copies the layout's arrays (so that a memory measurement counts them). O(n). */
  constructor(layout: BenchLayout) {
    this.starts = layout.starts.slice();
    this.ends = layout.ends.slice();
    this.entries = layout.entries.slice();
    this.size = layout.vmas;
  }

  /** find_vma(): the first VMA with end > addr. O(log n). */
  find(addr: number): BenchVma | null {
    const ends = this.ends;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo < ends.length ? this.entries[lo]! : null;
  }

  /** vma_lookup(): the VMA containing addr. O(log n). */
  lookup(addr: number): BenchVma | null {
    const ends = this.ends;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo < ends.length && this.starts[lo]! <= addr ? this.entries[lo]! : null;
  }

  /** Visits the VMAs intersecting [from, to) in order; `true` from visit stops. O(log n + k). */
  forEach(
    from: number,
    to: number,
    visit: (start: number, end: number, e: BenchVma) => boolean | undefined,
  ): void {
    if (!(from < to)) return;
    const { starts, ends, entries } = this;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! > from) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < ends.length && starts[i]! < to; i++) {
      if (visit(starts[i]!, ends[i]!, entries[i]!) === true) return;
    }
  }
}

function compareNumbers(a: number, b: number): number {
  return a - b;
}

/** A sorted-btree with the layout's VMAs, keyed by end - 1, inserted in the layout's order. O(n log n). */
export function buildSortedBtree(layout: BenchLayout): BTreeOf<number, BenchVma> {
  const tree = new BTree<number, BenchVma>(undefined, compareNumbers);
  for (const k of layout.order) tree.set(layout.ends[k]! - 1, layout.entries[k]!);
  return tree;
}

/** The persistent tree type (the library's own). */
export type FrbTree = createRBTree.Tree<number, BenchVma>;

/** Mutable holder of the current version of a persistent tree (each update returns a new tree). */
export interface FrbHolder {
  tree: FrbTree;
}

/** A functional-red-black-tree with the layout's VMAs keyed by end. O(n log n). */
export function buildFrbTree(layout: BenchLayout): FrbHolder {
  let tree = createRBTree<number, BenchVma>(compareNumbers);
  for (const k of layout.order) tree = tree.insert(layout.ends[k]!, layout.entries[k]!);
  return { tree };
}

/** One (start, end, entry) triple as a structure reports it. */
export type RangeTriple = readonly [start: number, end: number, entry: BenchVma];

/** sorted-btree answers for the correctness check. */
export const btreeReader = {
  find(t: BTreeOf<number, BenchVma>, addr: number): BenchVma | null {
    return t.getPairOrNextHigher(addr)?.[1] ?? null;
  },
  lookup(t: BTreeOf<number, BenchVma>, addr: number): BenchVma | null {
    const v = t.getPairOrNextHigher(addr)?.[1];
    return v !== undefined && v.start <= addr ? v : null;
  },
  /** Ranges meeting [from, to); the end comes from the key, the start from the entry. */
  range(t: BTreeOf<number, BenchVma>, from: number, to: number): RangeTriple[] {
    const out: RangeTriple[] = [];
    if (!(from < to)) return out;
    for (const [k, v] of t.entries(from)) {
      if (v.start >= to) break;
      out.push([v.start, k + 1, v]);
    }
    return out;
  },
  size(t: BTreeOf<number, BenchVma>): number {
    return t.size;
  },
};

/** functional-red-black-tree answers for the correctness check. */
export const frbReader = {
  find(h: FrbHolder, addr: number): BenchVma | null {
    const it = h.tree.gt(addr);
    return it.valid ? it.value! : null;
  },
  lookup(h: FrbHolder, addr: number): BenchVma | null {
    const it = h.tree.gt(addr);
    return it.valid && it.value!.start <= addr ? it.value! : null;
  },
  range(h: FrbHolder, from: number, to: number): RangeTriple[] {
    const out: RangeTriple[] = [];
    if (!(from < to)) return out;
    for (const it = h.tree.gt(from); it.valid && it.value!.start < to; it.next()) {
      out.push([it.value!.start, it.key!, it.value!]);
    }
    return out;
  },
  size(h: FrbHolder): number {
    return h.tree.length;
  },
};
