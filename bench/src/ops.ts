/**
 * The benchmarked operations. Each op has one loop body per flavour of structure (an index through
 * the VmaIndex contract, the limit array, or a raw library through its own API). A loop body is
 * compiled into a fresh function for every structure (see compileLoop) and processes `n` inputs from
 * position `i0`, folding every answer into an accumulator that it returns, so that nothing can be
 * optimised away and the result doubles as a checksum for the correctness check.
 */

/** Operation names, in the order they run (read-only ones first, then the ones that update). */
export const INDEX_BENCH_OPS = [
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

/** One benchmarked operation. */
export type IndexBenchOp = (typeof INDEX_BENCH_OPS)[number];

/** How a structure is driven. */
export type Flavor = 'index' | 'limit' | 'raw:sorted-btree' | 'raw:functional-red-black-tree';

/** What an op measures and how. */
export interface OpSpec {
  readonly name: IndexBenchOp;
  /** One line for reports: what one operation is. */
  readonly unit: string;
  /** True when the op updates the structure (it restores the contents, not necessarily the shape). */
  readonly updates: boolean;
  /** Which QuerySet array drives it (its length bounds the cursor); null for iterate-all. */
  readonly input: 'random' | 'sequential' | 'windowFrom' | 'gapReqs' | 'mprMid' | null;
  /**
   * Inputs consumed per timed sample (= operations per sample); for iterate-all, the VMAs a sample
   * should visit at least (whole walks: max(1, floor(batch / VMAs)) of them).
   */
  readonly batch: number;
  /** Loop bodies by flavour; a flavour without one does not take part. Parameters: t, d, i0, n. */
  readonly loops: Partial<Record<Flavor, string>>;
}

const MAX = 'Number.MAX_SAFE_INTEGER';

/** iterate-all: VMAs one sample visits at least, in whole walks. */
export const ITERATE_ALL_VMAS_PER_SAMPLE = 4096;

/** Whole walks per iterate-all sample for a layout of `vmas` VMAs. */
export function iterateAllWalks(vmas: number): number {
  return Math.max(1, Math.floor(ITERATE_ALL_VMAS_PER_SAMPLE / vmas));
}

// The loop bodies are plain JavaScript (they are compiled with new Function). `t` is the structure,
// `d` the QuerySet, inputs i0 .. i0+n-1. Accumulators add entry ids (ids are >= 1, so a null answer
// where an entry was due changes the sum), page numbers of addresses, or sizes.
const INDEX_FIND = (array: string, method: string): string => `
  const q = d.${array}; let acc = 0;
  for (let i = i0, e = i0 + n; i < e; i++) { const v = t.${method}(q[i]); if (v !== null) acc += v.id; }
  return acc;`;

const BTREE_FIND = (array: string, lookup: boolean): string => `
  const q = d.${array}; const pair = [0, null]; let acc = 0;
  for (let i = i0, e = i0 + n; i < e; i++) {
    const a = q[i]; const p = t.getPairOrNextHigher(a, pair);
    if (p !== undefined${lookup ? ' && p[1].start <= a' : ''}) acc += p[1].id;
  }
  return acc;`;

const FRBT_FIND = (array: string, lookup: boolean): string => `
  const q = d.${array}; const tree = t.tree; let acc = 0;
  for (let i = i0, e = i0 + n; i < e; i++) {
    const a = q[i]; const it = tree.gt(a);
    if (it.valid${lookup ? ' && it.value.start <= a' : ''}) acc += it.value.id;
  }
  return acc;`;

// iterate-all: n whole walks (n > 1 only for small layouts, to keep samples well above the timer's cost).
const INDEX_ITERATE_ALL = `
  let acc = 0;
  const visit = (s, e, v) => { acc += v.id; return undefined; };
  for (let w = 0; w < n; w++) t.forEach(0, ${MAX}, visit);
  return acc;`;

const INDEX_ITERATE_RANGE = `
  const f = d.windowFrom, g = d.windowTo; let acc = 0;
  const visit = (s, e, v) => { acc += v.id; return undefined; };
  for (let i = i0, e = i0 + n; i < e; i++) t.forEach(f[i], g[i], visit);
  return acc;`;

const CHURN_INSERT_REMOVE_INDEX = `
  const a = d.gapAnswers, l = d.churnLen, en = d.churnEntry; let acc = 0;
  for (let i = i0, e = i0 + n; i < e; i++) {
    const s = a[i], x = s + l[i]; t.insert(s, x, en[i]); acc += t.size; t.remove(s, x, en[i]);
  }
  return acc;`;

/** Every op, by name. */
export const OP_SPECS: Readonly<Record<IndexBenchOp, OpSpec>> = {
  'find-random': {
    name: 'find-random',
    unit: 'find_vma() of a random address (75 % in VMAs, 20 % in gaps, 5 % above)',
    updates: false,
    input: 'random',
    batch: 1024,
    loops: {
      index: INDEX_FIND('random', 'find'),
      limit: INDEX_FIND('random', 'find'),
      'raw:sorted-btree': BTREE_FIND('random', false),
      'raw:functional-red-black-tree': FRBT_FIND('random', false),
    },
  },
  'find-seq': {
    name: 'find-seq',
    unit: 'find_vma() of the next page of a sequential walk (up to 256 pages per VMA)',
    updates: false,
    input: 'sequential',
    batch: 1024,
    loops: {
      index: INDEX_FIND('sequential', 'find'),
      limit: INDEX_FIND('sequential', 'find'),
      'raw:sorted-btree': BTREE_FIND('sequential', false),
      'raw:functional-red-black-tree': FRBT_FIND('sequential', false),
    },
  },
  'find-seq-cached': {
    name: 'find-seq-cached',
    unit: 'find-seq with a thread id (tid 0), so that a modelled per-thread cache (vmacache) takes part',
    updates: false,
    input: 'sequential',
    batch: 1024,
    loops: {
      index: `
        const q = d.sequential; let acc = 0;
        for (let i = i0, e = i0 + n; i < e; i++) { const v = t.find(q[i], 0); if (v !== null) acc += v.id; }
        return acc;`,
      limit: INDEX_FIND('sequential', 'find'),
    },
  },
  'lookup-random': {
    name: 'lookup-random',
    unit: 'vma_lookup() of a random address (same addresses as find-random)',
    updates: false,
    input: 'random',
    batch: 1024,
    loops: {
      index: INDEX_FIND('random', 'lookup'),
      limit: INDEX_FIND('random', 'lookup'),
      'raw:sorted-btree': BTREE_FIND('random', true),
      'raw:functional-red-black-tree': FRBT_FIND('random', true),
    },
  },
  'iterate-all': {
    name: 'iterate-all',
    unit: 'one VMA visited by a forEach over the whole index (whole walks, as many per sample as fit 4,096 VMAs)',
    updates: false,
    input: null,
    batch: ITERATE_ALL_VMAS_PER_SAMPLE,
    loops: {
      index: INDEX_ITERATE_ALL,
      limit: INDEX_ITERATE_ALL,
      'raw:sorted-btree': `
        let acc = 0; const visit = (k, v) => { acc += v.id; };
        for (let w = 0; w < n; w++) t.forEachPair(visit);
        return acc;`,
      'raw:functional-red-black-tree': `
        let acc = 0; const visit = (k, v) => { acc += v.id; }; const tree = t.tree;
        for (let w = 0; w < n; w++) tree.forEach(visit);
        return acc;`,
    },
  },
  'iterate-range': {
    name: 'iterate-range',
    unit: 'one forEach over a window spanning up to 16 VMAs',
    updates: false,
    input: 'windowFrom',
    batch: 128,
    loops: {
      index: INDEX_ITERATE_RANGE,
      limit: INDEX_ITERATE_RANGE,
      'raw:sorted-btree': `
        const f = d.windowFrom, g = d.windowTo; const stop = { break: 1 }; let acc = 0; let to = 0;
        const visit = (k, v) => { if (v.start >= to) return stop; acc += v.id; return undefined; };
        for (let i = i0, e = i0 + n; i < e; i++) { to = g[i]; t.forRange(f[i], ${MAX}, true, visit); }
        return acc;`,
      'raw:functional-red-black-tree': `
        const f = d.windowFrom, g = d.windowTo; const tree = t.tree; let acc = 0; let to = 0;
        const visit = (k, v) => { if (v.start >= to) return true; acc += v.id; return false; };
        for (let i = i0, e = i0 + n; i < e; i++) { to = g[i]; tree.forEach(visit, f[i] + 1); }
        return acc;`,
    },
  },
  'gap-topdown': {
    name: 'gap-topdown',
    unit: 'unmappedArea() top-down for a typical mmap length (no update)',
    updates: false,
    input: 'gapReqs',
    batch: 128,
    loops: {
      index: `
        const r = d.gapReqs; let acc = 0;
        for (let i = i0, e = i0 + n; i < e; i++) acc += t.unmappedArea(r[i]) / 4096;
        return acc;`,
    },
  },
  'churn-insert-remove': {
    name: 'churn-insert-remove',
    unit: 'insert of a VMA into a known gap, then its removal',
    updates: true,
    input: 'gapReqs',
    batch: 64,
    loops: {
      index: CHURN_INSERT_REMOVE_INDEX,
      'raw:sorted-btree': `
        const a = d.gapAnswers, l = d.churnLen, en = d.churnEntry; let acc = 0;
        for (let i = i0, e = i0 + n; i < e; i++) {
          const k = a[i] + l[i] - 1; t.set(k, en[i]); acc += t.size; t.delete(k);
        }
        return acc;`,
      'raw:functional-red-black-tree': `
        const a = d.gapAnswers, l = d.churnLen, en = d.churnEntry; let tree = t.tree; let acc = 0;
        for (let i = i0, e = i0 + n; i < e; i++) {
          const k = a[i] + l[i]; tree = tree.insert(k, en[i]); acc += tree.length; tree = tree.remove(k);
        }
        t.tree = tree;
        return acc;`,
    },
  },
  'churn-mmap': {
    name: 'churn-mmap',
    unit: 'mmap()+munmap() in the index: unmappedArea() top-down, insert, remove',
    updates: true,
    input: 'gapReqs',
    batch: 64,
    loops: {
      index: `
        const r = d.gapReqs, en = d.churnEntry; let acc = 0;
        for (let i = i0, e = i0 + n; i < e; i++) {
          const req = r[i]; const s = t.unmappedArea(req);
          if (s < 0) return -1;
          const x = s + req.length; t.insert(s, x, en[i]); acc += s / 4096; t.remove(s, x, en[i]);
        }
        return acc;`,
    },
  },
  'churn-mprotect': {
    name: 'churn-mprotect',
    unit: 'mprotect()-like split of one page out of a VMA (store), then the re-merge (store)',
    updates: true,
    input: 'mprMid',
    batch: 64,
    loops: {
      index: `
        const s0 = d.mprStart, e0 = d.mprEnd, m = d.mprMid, en = d.mprEntry, pc = d.mprPiece; let acc = 0;
        for (let i = i0, e = i0 + n; i < e; i++) {
          const mid = m[i]; t.store(mid, mid + 4096, pc[i]); acc += t.size; t.store(s0[i], e0[i], en[i]);
        }
        return acc;`,
    },
  },
};

/** A compiled loop: (structure, queries, first input, count) → accumulator. */
export type CompiledLoop = (t: unknown, d: unknown, i0: number, n: number) => number;

/**
 * Compiles a loop body into a new function. Every structure gets its own compiled copy so that V8's
 * inline caches at `t.find(...)` see one class only (monomorphic, inlinable), as they would in a
 * program that uses one index: sharing one loop across five index classes would make its call sites
 * megamorphic and penalise whichever structure runs later. Only the fixed bodies above are compiled.
 */
export function compileLoop(body: string): CompiledLoop {
  return new Function('t', 'd', 'i0', 'n', `'use strict';${body}`) as CompiledLoop;
}
