/**
 * Full consistency check of the rbtree-era index, in the spirit of mm/mmap.c's CONFIG_DEBUG_VM_RB
 * (browse_rb, validate_mm_rb, validate_mm) plus the red-black rules of lib/rbtree.c: every fact is
 * recomputed from the tree itself and compared with what is stored. O(n).
 */
import { type IndexEntry, IndexInvariantError } from '@vmakit/core';
import { BLACK, type GapTree, NIL, RED } from './gap-tree.js';
import type { Vmacache } from './vmacache.js';

function hex(x: number): string {
  return `0x${x.toString(16)}`;
}

/** Throws IndexInvariantError naming the first broken invariant. */
export function validateGapTree<E extends IndexEntry>(tree: GapTree<E>, cache: Vmacache): void {
  const fail = (msg: string): never => {
    throw new IndexInvariantError(`rbtree: ${msg}`);
  };
  const name = (n: number): string =>
    `node ${n} [${hex(tree.start(n))}, ${hex(tree.end(n))}) (id ${tree.id(n)})`;
  const bound = tree.highWater;
  const inTree = new Uint8Array(bound);

  // In-order walk with explicit stack; checks handles, parent links and cycles on the way.
  const order: number[] = [];
  if (tree.root !== NIL) {
    if (tree.parent(tree.root) !== NIL)
      fail(`root ${name(tree.root)} has a parent (${tree.parent(tree.root)})`);
    if (tree.color(tree.root) !== BLACK) fail(`root ${name(tree.root)} is red`);
  }
  const stack: number[] = [];
  let n = tree.root;
  while (n !== NIL || stack.length > 0) {
    while (n !== NIL) {
      if (n < 0 || n >= bound || tree.entry[n] === undefined) fail(`link to a free or invalid record ${n}`);
      if (inTree[n] !== 0) fail(`${name(n)} is reachable twice (cycle or shared subtree)`);
      inTree[n] = 1;
      const c = tree.color(n);
      if (c !== RED && c !== BLACK) fail(`${name(n)} has colour ${c}`);
      for (const ch of [tree.left(n), tree.right(n)]) {
        if (ch === NIL) continue;
        if (ch < 0 || ch >= bound) fail(`${name(n)} links to invalid record ${ch}`);
        if (tree.parent(ch) !== n) fail(`parent link of node ${ch} is ${tree.parent(ch)}, expected ${n}`);
        if (c === RED && tree.color(ch) === RED) fail(`red ${name(n)} has a red child ${name(ch)}`);
      }
      stack.push(n);
      n = tree.left(n);
    }
    n = stack.pop()!;
    order.push(n);
    n = tree.right(n);
  }

  // Address order, non-empty ranges, no overlap.
  const ownGap = new Float64Array(bound);
  for (let k = 0; k < order.length; k++) {
    const x = order[k]!;
    if (!(tree.start(x) < tree.end(x))) fail(`${name(x)} is empty or inverted`);
    const prevEnd = k === 0 ? 0 : tree.end(order[k - 1]!);
    if (k > 0 && prevEnd > tree.start(x)) {
      fail(`${name(order[k - 1]!)} and ${name(x)} overlap or are out of order`);
    }
    ownGap[x] = tree.start(x) - prevEnd;
  }

  // Black heights and rb_subtree_gap, bottom-up (children before parents: reverse pre-order).
  const pre: number[] = [];
  if (tree.root !== NIL) {
    const st = [tree.root];
    while (st.length > 0) {
      const x = st.pop()!;
      pre.push(x);
      if (tree.left(x) !== NIL) st.push(tree.left(x));
      if (tree.right(x) !== NIL) st.push(tree.right(x));
    }
  }
  const blackHeight = new Int32Array(bound);
  const maxGap = new Float64Array(bound);
  for (let k = pre.length - 1; k >= 0; k--) {
    const x = pre[k]!;
    const l = tree.left(x);
    const r = tree.right(x);
    const bl = l === NIL ? 1 : blackHeight[l]!;
    const br = r === NIL ? 1 : blackHeight[r]!;
    if (bl !== br) fail(`black heights differ below ${name(x)}: left ${bl}, right ${br}`);
    blackHeight[x] = bl + (tree.color(x) === BLACK ? 1 : 0);
    let g = ownGap[x]!;
    if (l !== NIL && maxGap[l]! > g) g = maxGap[l]!;
    if (r !== NIL && maxGap[r]! > g) g = maxGap[r]!;
    maxGap[x] = g;
    if (tree.gap(x) !== g) fail(`rb_subtree_gap of ${name(x)} is ${tree.gap(x)}, recomputed ${g}`);
  }

  // The VMA list must be the in-order sequence, linked both ways.
  let x = tree.head;
  let before = NIL;
  for (let k = 0; k < order.length; k++) {
    if (x !== order[k]) {
      fail(`list position ${k} holds node ${x}, in-order walk has ${name(order[k]!)}`);
    }
    if (tree.prev(x) !== before) fail(`vm_prev of ${name(x)} is ${tree.prev(x)}, expected ${before}`);
    before = x;
    x = tree.next(x);
  }
  if (x !== NIL) fail(`list continues past the last tree node with node ${x}`);
  if (tree.tail !== before) fail(`list tail is ${tree.tail}, expected ${before}`);

  const highest = order.length === 0 ? 0 : tree.end(order[order.length - 1]!);
  if (tree.highestEnd !== highest)
    fail(`highest_vm_end is ${hex(tree.highestEnd)}, expected ${hex(highest)}`);
  if (tree.size !== order.length) fail(`map_count is ${tree.size}, tree holds ${order.length}`);

  cache.forEachLiveSlot((tid, slot, node) => {
    if (node < 0 || node >= bound || inTree[node] === 0) {
      fail(`vmacache of thread ${tid} slot ${slot} holds node ${node}, which is not in the tree`);
    }
  });
}
