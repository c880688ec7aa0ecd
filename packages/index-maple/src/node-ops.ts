/**
 * Node-level helpers shared by the read and write paths: locating a leaf, swapping a node for its
 * replacement, retiring subtrees and level ranges, and reporting a walk's cache-line reads.
 */
import {
  ARANGE,
  ARANGE_PIVOTS,
  LEAF,
  LEAF_PIVOTS,
  META_LINE,
  PARENT_LINE,
  pivotLine,
  SHIFT,
  slotLine,
} from './layout.js';
import type { MapleTree } from './tree.js';

/** The leaf whose range holds `index`. O(height). */
export function leafAt<E>(t: MapleTree<E>, index: number): number {
  const piv = t.piv;
  let n = t.root;
  while (t.type[n] !== LEAF) {
    const b = n << SHIFT;
    let o = 0;
    while (piv[b + o]! < index) o++;
    n = t.child[b + o]!;
  }
  return n;
}

/**
 * Puts new node `m` where `n` was (mas_replace_node / mas_put_in_tree): one pointer store in the
 * parent, or the tree's root pointer; `n` is retired.
 */
export function replaceNode<E>(t: MapleTree<E>, n: number, m: number): void {
  const p = t.parent[n]!;
  if (p < 0) {
    t.root = m;
    t.parent[m] = -1;
  } else {
    const s = t.pslot[n]!;
    t.child[(p << SHIFT) + s] = m;
    t.parent[m] = p;
    t.pslot[m] = s;
    t.wrote(p, slotLine(ARANGE, s));
  }
  t.retire(n);
}

/** Retires `n` and everything below it (mte_destroy_walk). O(nodes below). */
export function retireSubtree<E>(t: MapleTree<E>, n: number): void {
  if (n < 0) return;
  if (t.type[n] !== LEAF) {
    const b = n << SHIFT;
    const e = t.end[n]!;
    for (let i = 0; i <= e; i++) retireSubtree(t, t.child[b + i]!);
  }
  t.retire(n);
}

/**
 * Reports the lines a walk reads in node `n` to reach offset `o`. `dataEnd`: the walk first finds
 * the node's end (ma_data_end: the metadata of an arange node; for a leaf the last pivot, and the
 * metadata when that pivot is unused), as mtree_range_walk() and the write walk do; the plain
 * lookup walk (mtree_lookup_walk) scans pivots directly. Every walk reads the pivots up to `o`,
 * slot `o`, and `parent` for the dead-node check.
 */
export function readWalk<E>(t: MapleTree<E>, n: number, o: number, dataEnd: boolean): void {
  const probe = t.probe!;
  const id = t.id[n]!;
  const type = t.type[n]!;
  probe.read(id, PARENT_LINE);
  if (dataEnd) {
    if (type === LEAF) {
      probe.read(id, pivotLine(LEAF_PIVOTS - 1));
      if (t.end[n]! < LEAF_PIVOTS - 1) probe.read(id, META_LINE);
    } else {
      probe.read(id, META_LINE);
    }
  }
  let line = PARENT_LINE;
  const pivots = type === LEAF ? LEAF_PIVOTS : ARANGE_PIVOTS;
  for (let i = 0; i <= o && i < pivots; i++) {
    const l = pivotLine(i);
    if (l !== line) {
      probe.read(id, l);
      line = l;
    }
  }
  probe.read(id, slotLine(type, o));
}

/**
 * Retires the nodes of one depth from `first` to `last` inclusive (in index order). The list is
 * collected before any is retired, since retiring rewrites the parent link the walk follows.
 * O(nodes + height).
 */
export function retireRange<E>(t: MapleTree<E>, first: number, last: number): void {
  const doomed = [first];
  let x = first;
  while (x !== last) {
    x = t.nextAtLevel(x);
    if (x < 0) throw new Error('maple: level range does not reach its last node (write engine bug)');
    doomed.push(x);
  }
  for (const n of doomed) t.retire(n);
}
