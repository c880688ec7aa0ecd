/**
 * Gap bookkeeping of an allocation-range tree: the largest run of empty indexes below each child,
 * kept in the parent's gap array, with the offset of the largest one in the node metadata.
 * Sources: lib/maple_tree.c v6.12 mas_leaf_max_gap(), ma_max_gap(), mas_parent_gap(),
 * mas_update_gap().
 */
import { gapLine, LEAF, META_LINE, SHIFT } from './layout.js';
import type { MapleTree } from './tree.js';

/**
 * Largest number of consecutive empty indexes in leaf `n`: its NULL slots' sizes. O(slots).
 * Empty runs never continue into a neighbouring leaf (no two NULLs are adjacent anywhere in the
 * tree), so a leaf's own slots give its exact gap.
 */
export function leafMaxGap<E>(t: MapleTree<E>, n: number): number {
  const b = n << SHIFT;
  const end = t.end[n]!;
  const piv = t.piv;
  const ent = t.ent;
  let best = 0;
  let start = t.lo[n]!;
  for (let i = 0; i <= end; i++) {
    const last = piv[b + i]!;
    if (ent[b + i] === null) {
      const size = last - start + 1;
      if (size > best) best = size;
    }
    start = last + 1;
  }
  return best;
}

/** Largest gap below node `n`: computed for a leaf, read from the metadata for an internal node. */
export function maxGapOf<E>(t: MapleTree<E>, n: number): number {
  if (t.type[n] === LEAF) return leafMaxGap(t, n);
  return t.gap[(n << SHIFT) + t.gapOff[n]!]!;
}

/** Sets the gap metadata of internal node `n` from its gap array (ma_max_gap). O(slots). */
export function setMetaGap<E>(t: MapleTree<E>, n: number): number {
  const b = n << SHIFT;
  const end = t.end[n]!;
  const gap = t.gap;
  let best = gap[b]!;
  let off = 0;
  for (let i = 1; i <= end; i++) {
    if (gap[b + i]! > best) {
      best = gap[b + i]!;
      off = i;
    }
  }
  t.gapOff[n] = off;
  return best;
}

/**
 * Sets gap `s` of internal node `p` to `g` and carries the change upwards while a node's largest
 * gap changes (mas_parent_gap). The gap words are written in place in both modes: only writers,
 * under the lock, read them. O(height · slots) worst case, O(1) when nothing changes.
 */
export function setParentGap<E>(t: MapleTree<E>, p: number, s: number, g: number): void {
  const gap = t.gap;
  for (;;) {
    const pb = p << SHIFT;
    if (gap[pb + s] === g) return;
    const metaOff = t.gapOff[p]!;
    const oldMax = gap[pb + metaOff]!;
    gap[pb + s] = g;
    t.wroteAux(p, gapLine(s));
    let newMax: number;
    if (g > oldMax) {
      newMax = g;
      if (metaOff !== s) {
        t.gapOff[p] = s;
        t.wroteAux(p, META_LINE);
      }
    } else if (s === metaOff && g < oldMax) {
      newMax = setMetaGap(t, p);
      if (t.gapOff[p] !== metaOff) t.wroteAux(p, META_LINE);
    } else {
      newMax = oldMax;
    }
    if (newMax === oldMax) return;
    const up = t.parent[p]!;
    if (up < 0) return;
    s = t.pslot[p]!;
    p = up;
    g = newMax;
  }
}

/** Brings the parent's record of `n`'s largest gap up to date (mas_update_gap). */
export function updateGap<E>(t: MapleTree<E>, n: number): void {
  const p = t.parent[n]!;
  if (p < 0) return;
  setParentGap(t, p, t.pslot[n]!, maxGapOf(t, n));
}
