/**
 * Gap search by descending the rb_subtree_gap augmentation, as unmapped_area() and
 * unmapped_area_topdown() of mm/mmap.c (<= v6.0) did, answering the contract's mas_empty_area /
 * mas_empty_area_rev questions (inclusive bounds, lowest or highest fit, -EINVAL / -EBUSY).
 *
 * The gap of a node is [end of its list predecessor (or 0), its start - 1]; the gap above the last
 * VMA is [highest_vm_end, INDEX_MAX]. A subtree is entered only when its rb_subtree_gap is large
 * enough and its address range can still hold a fit, so a search costs O(log n) node visits plus
 * the climb back from dead ends.
 */
import { EBUSY, EINVAL, type IndexEntry } from '@vmakit/core';
import { type GapTree, NIL } from './gap-tree.js';

/** Top of the index space, as in the reference index. */
const INDEX_MAX = Number.MAX_SAFE_INTEGER;

function badRequest(min: number, max: number, size: number): boolean {
  return min > max || size <= 0 || max - min < size - 1;
}

/** Start of the gap below node n (end of its predecessor, or 0). */
function gapStart<E extends IndexEntry>(t: GapTree<E>, n: number): number {
  const p = t.prev(n);
  if (p === NIL) return 0;
  t.readNode(p);
  return t.end(p);
}

/**
 * Lowest `size`-long empty run inside [min, max]: in-order walk, left subtrees first while they may
 * hold a fit, as unmapped_area(). Returns the run's first index, -EINVAL or -EBUSY.
 */
export function emptyAreaLowest<E extends IndexEntry>(
  tree: GapTree<E>,
  min: number,
  max: number,
  size: number,
): number {
  if (badRequest(min, max, size)) return -EINVAL;
  // A node's gap can fit only if it ends (the node's start) at or above min + size, and only if
  // it starts at or below max - size + 1; gaps are met in ascending order.
  const lowEnd = min + size;
  const highStart = max - size + 1;
  let n = tree.root;
  if (tree.probe !== null) tree.probe.read(tree.mmId, 0);
  if (n !== NIL && tree.gap(n) >= size) {
    let down = true;
    for (;;) {
      tree.readNode(n);
      if (down) {
        const l = tree.left(n);
        if (l !== NIL && tree.start(n) >= lowEnd && tree.gap(l) >= size) {
          n = l;
          continue;
        }
      }
      const gs = gapStart(tree, n);
      // Every later gap, the highest included, starts even higher.
      if (gs > highStart) return -EBUSY;
      const lo = Math.max(gs, min);
      if (tree.start(n) - lo >= size) return lo;
      const r = tree.right(n);
      if (r !== NIL && tree.gap(r) >= size) {
        n = r;
        down = true;
        continue;
      }
      // Climb to the first ancestor entered from its left: it is next in address order.
      let c = n;
      n = tree.parent(n);
      while (n !== NIL && tree.right(n) === c) {
        c = n;
        n = tree.parent(n);
      }
      if (n === NIL) break;
      down = false;
    }
  }
  // The gap above the last VMA ("check_highest").
  const gs = tree.highestEnd;
  const lo = Math.max(gs, min);
  const top = Math.min(max, INDEX_MAX);
  return lo + size - 1 <= top ? lo : -EBUSY;
}

/**
 * Highest `size`-long empty run inside [min, max]: the gap above the last VMA first, then a reverse
 * in-order walk, right subtrees first, as unmapped_area_topdown(). Returns the run's first index.
 */
export function emptyAreaHighest<E extends IndexEntry>(
  tree: GapTree<E>,
  min: number,
  max: number,
  size: number,
): number {
  if (badRequest(min, max, size)) return -EINVAL;
  const top = Math.min(max, INDEX_MAX);
  const above = Math.max(tree.highestEnd, min);
  if (top - size + 1 >= above) return top - size + 1;
  const lowEnd = min + size;
  const highStart = max - size + 1;
  let n = tree.root;
  if (tree.probe !== null) tree.probe.read(tree.mmId, 0);
  if (n === NIL || tree.gap(n) < size) return -EBUSY;
  let down = true;
  for (;;) {
    tree.readNode(n);
    const gs = gapStart(tree, n);
    if (down) {
      // Gaps to the right start above this one's start: skip them when that is already too high.
      const r = tree.right(n);
      if (r !== NIL && gs <= highStart && tree.gap(r) >= size) {
        n = r;
        continue;
      }
    }
    const s = tree.start(n);
    // Every earlier gap ends even lower.
    if (s < lowEnd) return -EBUSY;
    const idx = Math.min(s - 1, max) - size + 1;
    if (idx >= Math.max(gs, min)) return idx;
    const l = tree.left(n);
    if (l !== NIL && tree.gap(l) >= size) {
      n = l;
      down = true;
      continue;
    }
    // Climb to the first ancestor entered from its right: it is next in descending order.
    let c = n;
    n = tree.parent(n);
    while (n !== NIL && tree.left(n) === c) {
      c = n;
      n = tree.parent(n);
    }
    if (n === NIL) return -EBUSY;
    down = false;
  }
}
