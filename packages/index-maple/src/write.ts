/**
 * Range stores (mas_store): the write walk, the choice of write path and the in-place fast paths,
 * following lib/maple_tree.c v6.12: mas_wr_walk() / mas_is_span_wr() decide whether the store spans
 * nodes, mas_wr_extend_null() merges a NULL store with NULL neighbours so no two NULL slots are ever
 * adjacent, mas_wr_new_end() sizes the result and mas_wr_store_type() picks one of: exact fit,
 * new root, append, slot store, node store, split, rebalance or spanning store. Splits, rebalances
 * and spanning stores are in rebuild.ts.
 *
 * Mode differences are the kernel's: in RCU mode a node store copies the leaf and publishes the
 * copy with one pointer store in the parent, appends are not used (a reader may have cached the
 * node end) and a slot store is used only when it moves a single boundary; outside RCU mode node
 * stores, appends and slot stores rewrite the leaf in place.
 */
import { BigNode, makeNode } from './big-node.js';
import { updateGap } from './gaps.js';
import {
  INDEX_MAX,
  LEAF,
  LEAF_MIN,
  LEAF_SLOTS,
  META_LINE,
  pivotLine,
  SHIFT,
  STRIDE,
  slotLine,
} from './layout.js';
import { leafAt, readWalk, replaceNode, retireSubtree } from './node-ops.js';
import { Rebuilder } from './rebuild.js';
import type { MapleTree } from './tree.js';

/** Which write path a store took (mas->store_type), counted in stats. */
export type StoreType =
  | 'exactFit'
  | 'newRoot'
  | 'rootExpand'
  | 'append'
  | 'slotStore'
  | 'nodeStore'
  | 'splitStore'
  | 'rebalance'
  | 'spanningStore';

/** Write engine bound to one tree. */
export class Writer<E> {
  private readonly t: MapleTree<E>;
  private readonly big = new BigNode<E>();
  private readonly rebuild: Rebuilder<E>;
  /** How many stores took each path. */
  readonly paths: Record<StoreType, number> = {
    exactFit: 0,
    newRoot: 0,
    rootExpand: 0,
    append: 0,
    slotStore: 0,
    nodeStore: 0,
    splitStore: 0,
    rebalance: 0,
    spanningStore: 0,
  };

  constructor(t: MapleTree<E>) {
    this.t = t;
    this.rebuild = new Rebuilder(t);
  }

  /**
   * Stores `entry` (null clears) over the inclusive range [index, last] (mas_store). The caller
   * validated the range. O(height) plus O(nodes replaced) for spanning stores.
   */
  store(index: number, last: number, entry: E | null): void {
    const t = this.t;
    try {
      if (t.root < 0) {
        if (entry !== null) this.rootExpand(index, last, entry);
        return;
      }
      const piv = t.piv;
      const probe = t.probe;
      let n = t.root;
      for (;;) {
        const b = n << SHIFT;
        let o = 0;
        while (piv[b + o]! < index) o++;
        if (probe !== null) readWalk(t, n, o, true);
        const rmax = piv[b + o]!;
        if (t.type[n] === LEAF) break;
        // mas_is_span_wr(): the store leaves this child, or a NULL would end it.
        if (last > rmax || (last === rmax && entry === null && last !== INDEX_MAX)) {
          this.spanning(index, last, entry);
          return;
        }
        n = t.child[b + o]!;
      }
      this.leafStore(n, index, last, entry);
    } finally {
      this.big.clearEntries();
      t.endWrite();
    }
  }

  /** mas_root_expand(): the first store into an empty tree makes a root leaf. */
  private rootExpand(index: number, last: number, entry: E): void {
    const big = this.big;
    big.reset(LEAF);
    if (index > 0) big.pushEntry(index - 1, null);
    big.pushEntry(last, entry);
    if (last < INDEX_MAX) big.pushEntry(INDEX_MAX, null);
    const n = makeNode(this.t, big, 0, big.n - 1, 0);
    this.t.root = n;
    this.t.height = 1;
    this.paths.rootExpand++;
  }

  /** mas_new_root(): a store over the whole index space replaces the tree. */
  private newRoot(entry: E | null): void {
    const t = this.t;
    retireSubtree(t, t.root);
    t.root = -1;
    t.height = 0;
    this.paths.newRoot++;
    if (entry === null) return;
    const big = this.big;
    big.reset(LEAF);
    big.pushEntry(INDEX_MAX, entry);
    t.root = makeNode(t, big, 0, 0, 0);
    t.height = 1;
  }

  /** A store contained in leaf `n` (the leaf part of mas_wr_store_type / mas_wr_store_entry). */
  private leafStore(n: number, index: number, last: number, entry: E | null): void {
    const t = this.t;
    const b = n << SHIFT;
    const piv = t.piv;
    const ent = t.ent;
    const e = t.end[n]!;
    let o = 0;
    while (piv[b + o]! < index) o++;
    let rmin = t.slotMin(n, o);
    let rmax = piv[b + o]!;
    let content = ent[b + o]!;
    // mas_wr_end_piv(): the slot holding `last`.
    let oe = o;
    while (oe < e && last > piv[b + oe]!) oe++;
    let endPiv = piv[b + oe]!;
    if (entry === null) {
      // mas_wr_extend_null(): absorb NULL neighbours into the NULL being stored.
      if (ent[b + oe] === null) last = endPiv;
      else if (last === endPiv && oe !== e && ent[b + oe + 1] === null) {
        oe++;
        last = piv[b + oe]!;
        endPiv = last;
      }
      if (content === null) index = rmin;
      else if (index === rmin && o > 0 && ent[b + o - 1] === null) {
        o--;
        rmin = t.slotMin(n, o);
        index = rmin;
        rmax = piv[b + o]!;
        content = ent[b + o]!;
      }
    }
    // mas_wr_new_end()
    let newEnd = e + 2 - (oe - o);
    if (rmin === index) newEnd--;
    if (endPiv === last) newEnd--;

    if (rmin === index && rmax === last) {
      this.exactFit(n, o, entry, content);
      return;
    }
    if (index === 0 && last === INDEX_MAX) {
      this.newRoot(entry);
      return;
    }
    const isRoot = n === t.root;
    if (newEnd < LEAF_MIN && !isRoot) {
      this.paths.rebalance++;
      this.fillLeafBig(n, o, oe, index, last, entry, rmin, endPiv, content);
      this.rebuild.rebalance(n, this.big);
      return;
    }
    if (newEnd >= LEAF_SLOTS) {
      this.paths.splitStore++;
      this.fillLeafBig(n, o, oe, index, last, entry, rmin, endPiv, content);
      this.rebuild.split(n, this.big);
      return;
    }
    if (!t.rcu && o === e) {
      this.append(n, o, index, last, entry, rmax, content, newEnd);
      return;
    }
    if (newEnd === e && (!t.rcu || oe - o === 1)) {
      this.slotStore(n, o, oe, index, last, entry, rmin);
      return;
    }
    this.paths.nodeStore++;
    this.fillLeafBig(n, o, oe, index, last, entry, rmin, endPiv, content);
    this.nodeStore(n);
  }

  /** wr_exact_fit: the store covers exactly one slot; one pointer store in place (both modes). */
  private exactFit(n: number, o: number, entry: E | null, content: E | null): void {
    const t = this.t;
    this.paths.exactFit++;
    t.ent[(n << SHIFT) + o] = entry;
    t.wrote(n, slotLine(LEAF, o));
    t.count += (entry !== null ? 1 : 0) - (content !== null ? 1 : 0);
    if ((entry === null) !== (content === null)) updateGap(t, n);
  }

  /** mas_wr_append(): non-RCU store into the last slot that adds one or two slots at the end. */
  private append(
    n: number,
    o: number,
    index: number,
    last: number,
    entry: E | null,
    rmax: number,
    content: E | null,
    newEnd: number,
  ): void {
    const t = this.t;
    this.paths.append++;
    const b = n << SHIFT;
    const piv = t.piv;
    const ent = t.ent;
    const e = o;
    const before = t.entriesIn(n);
    const max = piv[b + e]!;
    if (newEnd === e + 1) {
      if (last === rmax) {
        ent[b + e + 1] = entry;
        piv[b + e] = index - 1;
      } else {
        ent[b + e + 1] = content;
        ent[b + e] = entry;
        piv[b + e] = last;
      }
    } else {
      ent[b + e + 2] = content;
      ent[b + e + 1] = entry;
      piv[b + e + 1] = last;
      piv[b + e] = index - 1;
    }
    piv[b + newEnd] = max;
    t.end[n] = newEnd;
    for (let i = e; i <= newEnd; i++) {
      t.wrote(n, slotLine(LEAF, i));
      t.wrote(n, pivotLine(i));
    }
    t.wrote(n, META_LINE);
    t.count += t.entriesIn(n) - before;
    if (content === null || entry === null) updateGap(t, n);
  }

  /** mas_wr_slot_store(): the slot count is unchanged; move one (or, non-RCU, two) boundaries. */
  private slotStore(
    n: number,
    o: number,
    oe: number,
    index: number,
    last: number,
    entry: E | null,
    rmin: number,
  ): void {
    const t = this.t;
    this.paths.slotStore++;
    const b = n << SHIFT;
    const piv = t.piv;
    const ent = t.ent;
    const before = t.entriesIn(n);
    let gapChange = ent[b + o] === null || ent[b + o + 1] === null;
    if (oe - o === 1) {
      if (index === rmin) {
        ent[b + o] = entry;
        piv[b + o] = last;
        t.wrote(n, slotLine(LEAF, o));
      } else {
        ent[b + o + 1] = entry;
        piv[b + o] = index - 1;
        t.wrote(n, slotLine(LEAF, o + 1));
      }
      t.wrote(n, pivotLine(o));
    } else {
      gapChange ||= ent[b + o + 2] === null;
      ent[b + o + 1] = entry;
      piv[b + o] = index - 1;
      piv[b + o + 1] = last;
      t.wrote(n, slotLine(LEAF, o + 1));
      t.wrote(n, pivotLine(o));
      t.wrote(n, pivotLine(o + 1));
    }
    t.count += t.entriesIn(n) - before;
    if (entry === null || gapChange) updateGap(t, n);
  }

  /**
   * mas_store_b_node(): the leaf's new contents — slots before the store, the kept head of the first
   * overwritten slot, the new range, the kept tail of the last overwritten slot, slots after.
   */
  private fillLeafBig(
    n: number,
    o: number,
    oe: number,
    index: number,
    last: number,
    entry: E | null,
    rmin: number,
    endPiv: number,
    content: E | null,
  ): void {
    const t = this.t;
    const big = this.big;
    const b = n << SHIFT;
    t.readAll(n);
    big.reset(LEAF);
    if (o > 0) big.copyFrom(t, n, 0, o - 1);
    if (rmin < index) big.pushEntry(index - 1, content);
    big.pushEntry(last, entry);
    if (endPiv > last) big.pushEntry(endPiv, t.ent[b + oe]!);
    if (oe < t.end[n]!) big.copyFrom(t, n, oe + 1, t.end[n]!);
  }

  /**
   * mas_wr_node_store(): the new contents fit the leaf. RCU: build a copy and publish it in the
   * parent; otherwise overwrite the leaf in place.
   */
  private nodeStore(n: number): void {
    const t = this.t;
    const big = this.big;
    if (t.rcu) {
      const m = makeNode(t, big, 0, big.n - 1, t.lo[n]!);
      replaceNode(t, n, m);
      updateGap(t, m);
      return;
    }
    const b = n << SHIFT;
    const piv = t.piv;
    const ent = t.ent;
    const oldEnd = t.end[n]!;
    const before = t.entriesIn(n);
    for (let i = 0; i < big.n; i++) {
      piv[b + i] = big.piv[i]!;
      ent[b + i] = big.ent[i]!;
    }
    for (let i = big.n; i < STRIDE; i++) {
      piv[b + i] = 0;
      ent[b + i] = null;
    }
    t.end[n] = big.n - 1;
    const top = Math.max(oldEnd, big.n - 1);
    for (let i = 0; i <= top; i++) {
      t.wrote(n, slotLine(LEAF, i));
      t.wrote(n, pivotLine(i));
    }
    t.wrote(n, META_LINE);
    t.count += t.entriesIn(n) - before;
    updateGap(t, n);
  }

  /**
   * mas_wr_spanning_store(): the store reaches past the leaf holding `index` (or would leave it
   * ending on NULL). Gather the left leaf's head, the new range and the right leaf's tail (the leaf
   * holding last + 1) into one big node and rebuild upwards; everything between is dropped.
   */
  private spanning(index: number, last: number, entry: E | null): void {
    const t = this.t;
    if (index === 0 && last === INDEX_MAX) {
      this.newRoot(entry);
      return;
    }
    this.paths.spanningStore++;
    const left = leafAt(t, index);
    const right = leafAt(t, last < INDEX_MAX ? last + 1 : INDEX_MAX);
    const lb = left << SHIFT;
    const rb = right << SHIFT;
    let lo = 0;
    while (t.piv[lb + lo]! < index) lo++;
    let lmin = t.slotMin(left, lo);
    let lcontent = t.ent[lb + lo]!;
    let ro = 0;
    const rkey = last < INDEX_MAX ? last + 1 : INDEX_MAX;
    while (t.piv[rb + ro]! < rkey) ro++;
    if (entry === null) {
      // mas_extend_spanning_null()
      if (lcontent === null) index = lmin;
      if (index === lmin && lo > 0 && t.ent[lb + lo - 1] === null) {
        lo--;
        lmin = t.slotMin(left, lo);
        index = lmin;
        lcontent = t.ent[lb + lo]!;
      }
      if (last < INDEX_MAX && t.ent[rb + ro] === null) {
        last = t.piv[rb + ro]!;
        ro++;
      }
      if (index === 0 && last === INDEX_MAX) {
        this.newRoot(null);
        return;
      }
    }
    const big = this.big;
    t.readAll(left);
    t.readAll(right);
    big.reset(LEAF);
    if (lo > 0) big.copyFrom(t, left, 0, lo - 1);
    if (lmin < index) big.pushEntry(index - 1, lcontent);
    big.pushEntry(last, entry);
    if (last < INDEX_MAX && ro <= t.end[right]!) big.copyFrom(t, right, ro, t.end[right]!);
    this.rebuild.spanning(left, right, big);
  }
}
