/**
 * The structures a run measures: every index plug-in given by the caller, plus the baselines. A
 * subject knows how to load a layout and how to read answers back for the correctness check.
 */
import type { IndexPlugin, VmaIndex } from '@vmakit/core';
import {
  ADDR_MAX,
  btreeReader,
  buildFrbTree,
  buildSortedBtree,
  type FrbHolder,
  frbReader,
  LimitArray,
  type RangeTriple,
} from './baselines.js';
import type { BenchVma } from './entry.js';
import type { BenchLayout } from './layouts.js';
import { type Flavor, type IndexBenchOp, OP_SPECS } from './ops.js';
import type { BTreeOf } from './sorted-btree.js';

/** Reads answers out of a structure (used by the correctness check, never timed). */
export interface Reader {
  find(t: unknown, addr: number): BenchVma | null;
  lookup(t: unknown, addr: number): BenchVma | null;
  range(t: unknown, from: number, to: number): RangeTriple[];
  size(t: unknown): number;
}

/** A measured structure. */
export interface Subject {
  /** Row label: the plug-in's name, or the baseline's (`limit`, `raw:...`). */
  readonly name: string;
  readonly kind: 'index' | 'baseline';
  readonly flavor: Flavor;
  /** For indexes: the plug-in. */
  readonly plugin: IndexPlugin | null;
  /** A new structure holding the layout's VMAs, inserted in the layout's order. */
  build(layout: BenchLayout): unknown;
  readonly reader: Reader;
}

/** Names of the baselines, in report order. */
export const BASELINE_NAMES = ['limit', 'raw:sorted-btree', 'raw:functional-red-black-tree'] as const;

/** Loads a layout into any index, in insertion order. O(n · insert). */
export function buildIndex(plugin: IndexPlugin, layout: BenchLayout): VmaIndex<BenchVma> {
  const index = plugin.create<BenchVma>();
  const { starts, ends, entries } = layout;
  for (const k of layout.order) index.insert(starts[k]!, ends[k]!, entries[k]!);
  return index;
}

const indexReader: Reader = {
  find: (t, a) => (t as VmaIndex<BenchVma>).find(a),
  lookup: (t, a) => (t as VmaIndex<BenchVma>).lookup(a),
  range(t, from, to) {
    const out: RangeTriple[] = [];
    (t as VmaIndex<BenchVma>).forEach(from, to, (s, e, v) => {
      out.push([s, e, v]);
      return undefined;
    });
    return out;
  },
  size: (t) => (t as VmaIndex<BenchVma>).size,
};

/** The subject measuring an index plug-in. */
export function indexSubject(plugin: IndexPlugin): Subject {
  return {
    name: plugin.meta.name,
    kind: 'index',
    flavor: 'index',
    plugin,
    build: (layout) => buildIndex(plugin, layout),
    reader: indexReader,
  };
}

/** The three baselines. */
export function baselineSubjects(): Subject[] {
  const limit: Subject = {
    name: 'limit',
    kind: 'baseline',
    flavor: 'limit',
    plugin: null,
    build: (layout) => new LimitArray(layout),
    reader: {
      find: (t, a) => (t as LimitArray).find(a),
      lookup: (t, a) => (t as LimitArray).lookup(a),
      range(t, from, to) {
        const out: RangeTriple[] = [];
        (t as LimitArray).forEach(from, to, (s, e, v) => {
          out.push([s, e, v]);
          return undefined;
        });
        return out;
      },
      size: (t) => (t as LimitArray).size,
    },
  };
  const btree: Subject = {
    name: 'raw:sorted-btree',
    kind: 'baseline',
    flavor: 'raw:sorted-btree',
    plugin: null,
    build: buildSortedBtree,
    reader: {
      find: (t, a) => btreeReader.find(t as BTreeOf<number, BenchVma>, a),
      lookup: (t, a) => btreeReader.lookup(t as BTreeOf<number, BenchVma>, a),
      range: (t, from, to) => btreeReader.range(t as BTreeOf<number, BenchVma>, from, to),
      size: (t) => btreeReader.size(t as BTreeOf<number, BenchVma>),
    },
  };
  const frbt: Subject = {
    name: 'raw:functional-red-black-tree',
    kind: 'baseline',
    flavor: 'raw:functional-red-black-tree',
    plugin: null,
    build: buildFrbTree,
    reader: {
      find: (t, a) => frbReader.find(t as FrbHolder, a),
      lookup: (t, a) => frbReader.lookup(t as FrbHolder, a),
      range: (t, from, to) => frbReader.range(t as FrbHolder, from, to),
      size: (t) => frbReader.size(t as FrbHolder),
    },
  };
  return [limit, btree, frbt];
}

/** True when the subject takes part in the op (it has a loop body for it). */
export function supports(subject: Subject, op: IndexBenchOp): boolean {
  return OP_SPECS[op].loops[subject.flavor] !== undefined;
}

/** Every range of a structure, ascending. O(n). */
export function contentsOf(subject: Subject, target: unknown): RangeTriple[] {
  return subject.reader.range(target, 0, ADDR_MAX);
}
