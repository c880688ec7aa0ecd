/**
 * Gap search driven by the per-child largest-gap arrays: mas_empty_area() (lowest fit) and
 * mas_empty_area_rev() (highest fit), lib/maple_tree.c v6.12 (mas_awalk / mas_anode_descend,
 * mas_rev_awalk). A subtree whose recorded largest gap is smaller than the request is skipped
 * without being read; only subtrees that straddle the window's ends can be entered in vain, so a
 * search reads O(height) nodes.
 *
 * Each maximal empty run is exactly one NULL slot (no two NULL slots are adjacent anywhere), so a
 * fit is decided within one leaf slot, clipped to the window.
 */
import { EBUSY, EINVAL } from '@vmakit/core';
import { gapLine, INDEX_MAX, LEAF, META_LINE, pivotLine, SHIFT, slotLine } from './layout.js';
import type { MapleTree } from './tree.js';

function badRequest(min: number, max: number, size: number): boolean {
  return !(min <= max) || !(size > 0) || max - min < size - 1;
}

/** Probe reads of scanning node `n` (pivots, slots or gaps, metadata). */
function readScan<E>(t: MapleTree<E>, n: number): void {
  const probe = t.probe;
  if (probe === null) return;
  const id = t.id[n]!;
  const e = t.end[n]!;
  probe.read(id, META_LINE);
  probe.read(id, pivotLine(0));
  if (e > 6) probe.read(id, pivotLine(e));
  if (t.type[n] === LEAF) {
    probe.read(id, slotLine(LEAF, 0));
    if (e > 7) probe.read(id, slotLine(LEAF, e));
  } else {
    probe.read(id, gapLine(0));
    if (e > 3) probe.read(id, gapLine(e));
  }
}

function lowest<E>(t: MapleTree<E>, n: number, min: number, max: number, size: number): number {
  readScan(t, n);
  const b = n << SHIFT;
  const e = t.end[n]!;
  const piv = t.piv;
  const leaf = t.type[n] === LEAF;
  let start = t.lo[n]!;
  for (let i = 0; i <= e; i++) {
    const last = piv[b + i]!;
    if (start > max) return -1;
    if (last >= min) {
      if (leaf) {
        if (t.ent[b + i] === null) {
          const at = Math.max(start, min);
          if (Math.min(last, max) - at + 1 >= size) return at;
        }
      } else if (t.gap[b + i]! >= size) {
        const r = lowest(t, t.child[b + i]!, min, max, size);
        if (r >= 0) return r;
      }
    }
    start = last + 1;
  }
  return -1;
}

function highest<E>(t: MapleTree<E>, n: number, min: number, max: number, size: number): number {
  readScan(t, n);
  const b = n << SHIFT;
  const leaf = t.type[n] === LEAF;
  const piv = t.piv;
  for (let i = t.end[n]!; i >= 0; i--) {
    const start = t.slotMin(n, i);
    const last = piv[b + i]!;
    if (last < min) return -1;
    if (start > max) continue;
    if (leaf) {
      if (t.ent[b + i] === null) {
        const at = Math.min(last, max) - size + 1;
        if (at >= Math.max(start, min)) return at;
      }
    } else if (t.gap[b + i]! >= size) {
      const r = highest(t, t.child[b + i]!, min, max, size);
      if (r >= 0) return r;
    }
  }
  return -1;
}

/**
 * mas_empty_area(): the lowest index of `size` consecutive empty indexes within [min, max]
 * (inclusive); -EINVAL for a bad request, -EBUSY when nothing fits.
 */
export function emptyArea<E>(t: MapleTree<E>, min: number, max: number, size: number): number {
  if (badRequest(min, max, size)) return -EINVAL;
  if (t.root < 0) {
    const at = Math.max(0, min);
    return Math.min(INDEX_MAX, max) - at + 1 >= size ? at : -EBUSY;
  }
  const r = lowest(t, t.root, min, max, size);
  return r >= 0 ? r : -EBUSY;
}

/** mas_empty_area_rev(): the highest fit; returns the first index of the block. */
export function emptyAreaRev<E>(t: MapleTree<E>, min: number, max: number, size: number): number {
  if (badRequest(min, max, size)) return -EINVAL;
  if (t.root < 0) {
    const at = Math.min(INDEX_MAX, max) - size + 1;
    return at >= Math.max(0, min) ? at : -EBUSY;
  }
  const r = highest(t, t.root, min, max, size);
  return r >= 0 ? r : -EBUSY;
}
