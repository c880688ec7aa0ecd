/**
 * Structural check of the whole tree, in the spirit of the kernel's mt_validate()
 * (mas_validate_limits, mas_validate_parent_slot, mas_validate_child_slot, mas_validate_gaps,
 * mt_validate_nulls; lib/maple_tree.c v6.12) plus the bookkeeping this model adds (node states,
 * counters). Throws IndexInvariantError naming the node (id and number), its range and the slot.
 * O(nodes · slots).
 */
import { IndexInvariantError } from '@vmakit/core';
import { leafMaxGap } from './gaps.js';
import { ARANGE, INDEX_MAX, LEAF, minOf, SHIFT, slotsOf } from './layout.js';
import { DEAD, LIVE, type MapleTree } from './tree.js';

function hex(v: number): string {
  return `0x${v.toString(16)}`;
}

/** Checks every invariant; throws on the first broken one. */
export function validateTree<E>(t: MapleTree<E>): void {
  const fail = (msg: string): never => {
    throw new IndexInvariantError(`maple: ${msg}`);
  };
  if (t.root < 0) {
    if (t.height !== 0) fail(`empty tree has height ${t.height}`);
    if (t.count !== 0) fail(`empty tree counts ${t.count} entries`);
    if (t.liveNodes !== 0) fail(`empty tree has ${t.liveNodes} live nodes`);
    return;
  }
  if (t.parent[t.root] !== -1) fail(`root node #${t.id[t.root]} has parent ${t.parent[t.root]}`);
  let nodes = 0;
  let leaves = 0;
  let entries = 0;
  /** Whether the previous leaf slot in index order was NULL (for the no-adjacent-NULL rule). */
  let prevNull = false;
  let lastLeafEnd = -1;

  const visit = (n: number, min: number, max: number, depth: number): number => {
    const name = (): string =>
      `${t.type[n] === LEAF ? 'leaf' : 'arange'} node #${t.id[n]} (n${n}) [${hex(min)}, ${hex(max)}] at depth ${depth}`;
    if (n < 0 || n >= t.cap) fail(`node number ${n} out of range at depth ${depth}`);
    if (t.state[n] !== LIVE) fail(`${name()} is reachable but ${t.state[n] === 0 ? 'free' : 'dead'}`);
    nodes++;
    const type = t.type[n]!;
    const isLeaf = depth === t.height - 1;
    if (isLeaf !== (type === LEAF))
      fail(`${name()} has type ${type} but leaves are at depth ${t.height - 1}`);
    if (type !== LEAF && type !== ARANGE) fail(`${name()} has unknown type ${type}`);
    const e = t.end[n]!;
    const slots = slotsOf(type);
    if (e >= slots) fail(`${name()} metadata end ${e} exceeds ${slots - 1}`);
    if (n !== t.root && e < minOf(type)) {
      fail(`${name()} holds ${e + 1} slots (end ${e}) below the minimum end ${minOf(type)} (mt_min_slots)`);
    }
    if (t.lo[n] !== min) fail(`${name()} caches min ${hex(t.lo[n]!)} but its parent implies ${hex(min)}`);
    const b = n << SHIFT;
    let prev = min - 1;
    for (let i = 0; i < e; i++) {
      const p = t.piv[b + i]!;
      if (!(p > prev)) fail(`${name()} slot ${i}: pivot ${hex(p)} does not ascend past ${hex(prev)}`);
      if (!(p < max)) fail(`${name()} slot ${i}: pivot ${hex(p)} reaches the node max ${hex(max)}`);
      prev = p;
    }
    if (t.piv[b + e] !== max) {
      fail(`${name()} slot ${e}: max cell ${hex(t.piv[b + e]!)} differs from the implied max ${hex(max)}`);
    }
    for (let i = e + 1; i < 16; i++) {
      if (t.piv[b + i] !== 0) fail(`${name()} slot ${i}: pivot set beyond end ${e}`);
      if (type === LEAF && t.ent[b + i] !== null) fail(`${name()} slot ${i}: entry beyond end ${e}`);
      if (type !== LEAF && t.gap[b + i] !== 0) fail(`${name()} slot ${i}: gap beyond end ${e}`);
    }
    if (type === LEAF) {
      leaves++;
      let best = 0;
      for (let i = 0; i <= e; i++) {
        const x = t.ent[b + i];
        const first = t.slotMin(n, i);
        if (x === undefined) fail(`${name()} slot ${i}: undefined entry`);
        if (x === null) {
          if (prevNull) fail(`${name()} slot ${i}: NULL follows a NULL slot`);
          best = Math.max(best, t.piv[b + i]! - first + 1);
          prevNull = true;
        } else {
          entries++;
          prevNull = false;
        }
      }
      if (t.ent[b + e] === null && max !== INDEX_MAX)
        fail(`${name()} ends on a NULL slot but is not the last leaf`);
      if (min !== lastLeafEnd + 1)
        fail(`${name()} does not start right after the previous leaf (${hex(lastLeafEnd)})`);
      lastLeafEnd = max;
      if (best !== leafMaxGap(t, n)) fail(`${name()} gap computation disagrees with its slots`);
      return best;
    }
    let best = 0;
    let bestAt = 0;
    for (let i = 0; i <= e; i++) {
      const c = t.child[b + i]!;
      const cmin = t.slotMin(n, i);
      const cmax = t.piv[b + i]!;
      if (c < 0 || c >= t.cap) fail(`${name()} slot ${i}: no child`);
      if (t.parent[c] !== n)
        fail(`${name()} slot ${i}: child #${t.id[c]} has parent n${t.parent[c]}, not n${n}`);
      if (t.pslot[c] !== i) fail(`${name()} slot ${i}: child #${t.id[c]} records parent slot ${t.pslot[c]}`);
      const g = visit(c, cmin, cmax, depth + 1);
      if (t.gap[b + i] !== g) {
        fail(`${name()} slot ${i}: gap ${t.gap[b + i]} but child #${t.id[c]} has largest gap ${g}`);
      }
      if (g > best) {
        best = g;
        bestAt = i;
      }
    }
    if (t.gap[b + t.gapOff[n]!] !== best) {
      fail(
        `${name()} metadata gap offset ${t.gapOff[n]} (gap ${t.gap[b + t.gapOff[n]!]}) is not the largest (${best} at slot ${bestAt})`,
      );
    }
    return best;
  };

  visit(t.root, 0, INDEX_MAX, 0);
  if (lastLeafEnd !== INDEX_MAX) fail(`leaves end at ${hex(lastLeafEnd)}, not at the top of the index space`);
  if (nodes !== t.liveNodes)
    fail(`${nodes} nodes reachable but ${t.liveNodes} counted live (leaked or lost nodes)`);
  if (leaves !== t.liveLeaves) fail(`${leaves} leaves reachable but ${t.liveLeaves} counted`);
  if (entries !== t.count) fail(`${entries} entries in the leaves but size is ${t.count}`);
  for (let n = 0; n < t.cap; n++) {
    if (t.state[n] === DEAD && t.parent[n] !== n)
      fail(`dead node #${t.id[n]} (n${n}) is not marked dead (parent ${t.parent[n]})`);
  }
}
