/**
 * Read-side walks: mtree_load() (lookup), mt_find() (find), neighbour queries in the manner of
 * mas_next()/mas_prev(), and ordered iteration (mt_for_each). Sources: lib/maple_tree.c v6.12
 * mtree_range_walk(), mtree_lookup_walk(), mas_next_slot(), mas_prev_slot().
 *
 * Every node keeps its implied maximum in the cell after its last pivot, so the pivot scan needs no
 * bound check: an address at or below INDEX_MAX always stops within the node. Because no two NULL
 * slots are ever adjacent and only the rightmost leaf may end on NULL, the first range at or above
 * an address is in the slot holding it or the next slot of the same leaf.
 */
import type { RangeVisitor } from '@vmakit/core';
import { INDEX_MAX, LEAF, SHIFT } from './layout.js';
import { readWalk } from './node-ops.js';
import type { MapleTree } from './tree.js';

/** Where the last `walkTo` ended: leaf and slot offset. */
export interface WalkResult {
  node: number;
  offset: number;
}

/**
 * Descends to the leaf slot holding `addr` (0 <= addr <= INDEX_MAX, tree not empty), reporting
 * reads to the probe and pushing visited node ids onto `path` when given. O(height · slots).
 */
export function walkTo<E>(
  t: MapleTree<E>,
  addr: number,
  out: WalkResult,
  path: number[] | null,
  dataEnd = true,
): void {
  const piv = t.piv;
  const probe = t.probe;
  let n = t.root;
  for (;;) {
    const b = n << SHIFT;
    let o = 0;
    while (piv[b + o]! < addr) o++;
    if (probe !== null) readWalk(t, n, o, dataEnd);
    if (path !== null) path.push(t.id[n]!);
    if (t.type[n] === LEAF) {
      out.node = n;
      out.offset = o;
      return;
    }
    n = t.child[b + o]!;
  }
}

/** find_vma() via mt_find(): the first range with end > addr, without a probe. O(height · slots). */
export function findFast<E>(t: MapleTree<E>, addr: number): E | null {
  let n = t.root;
  if (n < 0 || !(addr <= INDEX_MAX)) return null;
  const piv = t.piv;
  const child = t.child;
  for (let h = t.height; h > 1; h--) {
    let b = n << SHIFT;
    while (piv[b]! < addr) b++;
    n = child[b]!;
  }
  const base = n << SHIFT;
  let b = base;
  while (piv[b]! < addr) b++;
  const e = t.ent[b]!;
  if (e !== null) return e;
  return b - base < t.end[n]! ? t.ent[b + 1]! : null;
}

/** vma_lookup() via mtree_load(): the range holding addr, without a probe. O(height · slots). */
export function lookupFast<E>(t: MapleTree<E>, addr: number): E | null {
  let n = t.root;
  if (n < 0 || !(addr <= INDEX_MAX)) return null;
  const piv = t.piv;
  const child = t.child;
  for (let h = t.height; h > 1; h--) {
    let b = n << SHIFT;
    while (piv[b]! < addr) b++;
    n = child[b]!;
  }
  let b = n << SHIFT;
  while (piv[b]! < addr) b++;
  return t.ent[b]!;
}

const scratch: WalkResult = { node: 0, offset: 0 };

/** find() with probe reports and an optional path. */
export function findWalk<E>(t: MapleTree<E>, addr: number, path: number[] | null): E | null {
  if (t.root < 0 || !(addr <= INDEX_MAX)) return null;
  walkTo(t, Math.max(0, addr), scratch, path);
  const n = scratch.node;
  const o = scratch.offset;
  const b = n << SHIFT;
  const e = t.ent[b + o]!;
  if (e !== null) return e;
  return o < t.end[n]! ? t.ent[b + o + 1]! : null;
}

/** lookup() with probe reports and an optional path. */
export function lookupWalk<E>(t: MapleTree<E>, addr: number, path: number[] | null): E | null {
  if (t.root < 0 || !(addr <= INDEX_MAX)) return null;
  walkTo(t, Math.max(0, addr), scratch, path, false);
  return t.ent[(scratch.node << SHIFT) + scratch.offset]!;
}

/** The slot holding `addr`: its entry (null for a gap) and inclusive bounds. */
export interface SlotRange<E> {
  entry: E | null;
  first: number;
  last: number;
}

/** mas_walk(): entry and bounds of the slot holding addr; null when the tree is empty. */
export function rangeAt<E>(t: MapleTree<E>, addr: number): SlotRange<E> | null {
  if (t.root < 0) return null;
  walkTo(t, Math.min(Math.max(0, addr), INDEX_MAX), scratch, null);
  const n = scratch.node;
  const o = scratch.offset;
  const b = n << SHIFT;
  return { entry: t.ent[b + o]!, first: t.slotMin(n, o), last: t.piv[b + o]! };
}

/** First non-NULL slot after slot `o` of leaf `n`, crossing into following leaves. */
function entryAfter<E>(t: MapleTree<E>, n: number, o: number): E | null {
  for (;;) {
    const b = n << SHIFT;
    const e = t.end[n]!;
    for (let i = o + 1; i <= e; i++) {
      const x = t.ent[b + i]!;
      if (x !== null) return x;
    }
    n = t.nextAtLevel(n);
    if (n < 0) return null;
    if (t.probe !== null) t.readAll(n);
    o = -1;
  }
}

/** Last non-NULL slot before slot `o` of leaf `n`, crossing into preceding leaves. */
function entryBefore<E>(t: MapleTree<E>, n: number, o: number): E | null {
  for (;;) {
    const b = n << SHIFT;
    for (let i = o - 1; i >= 0; i--) {
      const x = t.ent[b + i]!;
      if (x !== null) return x;
    }
    n = t.prevAtLevel(n);
    if (n < 0) return null;
    if (t.probe !== null) t.readAll(n);
    o = t.end[n]! + 1;
  }
}

/** The first range with start >= addr (mas_next from the slot holding addr). O(height · slots). */
export function nextOf<E>(t: MapleTree<E>, addr: number): E | null {
  if (t.root < 0 || !(addr <= INDEX_MAX)) return null;
  const a = Math.max(0, addr);
  walkTo(t, a, scratch, null);
  const n = scratch.node;
  const o = scratch.offset;
  const x = t.ent[(n << SHIFT) + o]!;
  if (x !== null && t.slotMin(n, o) >= a) return x;
  return entryAfter(t, n, o);
}

/** The last range with end <= addr (mas_prev from the slot holding addr). O(height · slots). */
export function prevOf<E>(t: MapleTree<E>, addr: number): E | null {
  if (t.root < 0 || !(addr > 0)) return null;
  // INDEX_MAX itself is never occupied, so walking there finds every range below a larger addr.
  walkTo(t, Math.min(addr, INDEX_MAX), scratch, null);
  return entryBefore(t, scratch.node, scratch.offset);
}

/** Visits ranges of the subtree at `n` (min `lo`) meeting [from, to), ascending. True = stop. */
function eachIn<E>(t: MapleTree<E>, n: number, from: number, to: number, visit: RangeVisitor<E>): boolean {
  const b = n << SHIFT;
  const e = t.end[n]!;
  const piv = t.piv;
  if (t.probe !== null) t.readAll(n);
  let i = 0;
  while (i < e && piv[b + i]! < from) i++;
  if (t.type[n] === LEAF) {
    for (; i <= e; i++) {
      const start = t.slotMin(n, i);
      if (start >= to) return true;
      const x = t.ent[b + i]!;
      if (x !== null && visit(start, piv[b + i]! + 1, x) === true) return true;
    }
    return false;
  }
  for (; i <= e; i++) {
    if (t.slotMin(n, i) >= to) return true;
    if (eachIn(t, t.child[b + i]!, from, to, visit)) return true;
  }
  return false;
}

/** Visits ranges of the subtree at `n` meeting [from, to), descending. True = stop. */
function eachRev<E>(t: MapleTree<E>, n: number, from: number, to: number, visit: RangeVisitor<E>): boolean {
  const b = n << SHIFT;
  const e = t.end[n]!;
  const piv = t.piv;
  if (t.probe !== null) t.readAll(n);
  const top = to - 1;
  let i = 0;
  while (i < e && piv[b + i]! < top) i++;
  if (t.type[n] === LEAF) {
    for (; i >= 0; i--) {
      const last = piv[b + i]!;
      if (last < from) return true;
      const x = t.ent[b + i]!;
      if (x !== null && visit(t.slotMin(n, i), last + 1, x) === true) return true;
    }
    return false;
  }
  for (; i >= 0; i--) {
    if (piv[b + i]! < from) return true;
    if (eachRev(t, t.child[b + i]!, from, to, visit)) return true;
  }
  return false;
}

/** mt_for_each over [from, to): ascending. O(height + visited). */
export function forEachRange<E>(t: MapleTree<E>, from: number, to: number, visit: RangeVisitor<E>): void {
  if (t.root < 0 || !(from < to)) return;
  eachIn(t, t.root, from, to, visit);
}

/** Reverse iteration over [from, to): descending. O(height + visited). */
export function forEachRangeReverse<E>(
  t: MapleTree<E>,
  from: number,
  to: number,
  visit: RangeVisitor<E>,
): void {
  if (t.root < 0 || !(from < to)) return;
  eachRev(t, t.root, from, to, visit);
}
