/**
 * The write paths that replace nodes, after lib/maple_tree.c v6.12:
 * - split (mas_split): a leaf whose new contents overflow is split upwards; at each level the data
 *   is first pushed into a sibling with room (mas_push_data, left then right), which stops the
 *   ripple; otherwise the node splits in two (three in the rare 3-way case) and the parent takes
 *   the extra child; the first level that fits gets one new node published in its parent
 *   (mas_split_final_node); a root that splits grows the tree by one level.
 * - rebalance (mas_rebalance): a non-root leaf that would end below mt_min_slots is merged with its
 *   next sibling (else its previous one) and rebuilt upwards.
 * - spanning store (mas_wr_spanning_store / mas_spanning_rebalance): the left and right leaves'
 *   surviving data is combined, everything between is dropped, and each level up to the root is
 *   rebuilt; an insufficient level absorbs its nearest neighbour at the same depth, right first
 *   (mast_spanning_rebalance); a level that ends as one node covering the whole index space
 *   becomes the new root, lowering the tree.
 * New nodes are always allocated here (in both modes, as in the kernel); the replaced ones are
 * retired and become reusable at once (non-RCU) or after a grace period (RCU).
 */
import { BigNode, calcSplits, makeNode, noNullSplit } from './big-node.js';
import { maxGapOf, updateGap } from './gaps.js';
import { ARANGE, INDEX_MAX, LEAF, minOf, SHIFT, slotsOf } from './layout.js';
import { replaceNode, retireRange } from './node-ops.js';
import type { MapleTree } from './tree.js';

/** Rebuild engine bound to one tree; holds two scratch big nodes. */
export class Rebuilder<E> {
  private readonly t: MapleTree<E>;
  private cur = new BigNode<E>();
  private nxt = new BigNode<E>();
  private readonly made: number[] = [];

  constructor(t: MapleTree<E>) {
    this.t = t;
  }

  private load(init: BigNode<E>): void {
    this.cur.reset(init.type);
    this.cur.append(init);
  }

  private swap(): void {
    const c = this.cur;
    this.cur = this.nxt;
    this.nxt = c;
  }

  private done(): void {
    this.cur.clearEntries();
    this.nxt.clearEntries();
  }

  /** Cuts `big` into nodes at `splits`, the first starting at `min`; results in `this.made`. */
  private makeParts(big: BigNode<E>, splits: number[], min: number): void {
    const made = this.made;
    made.length = 0;
    let start = 0;
    for (const s of splits) {
      made.push(makeNode(this.t, big, start, s, min));
      min = big.piv[s]! + 1;
      start = s + 1;
    }
    made.push(makeNode(this.t, big, start, big.n - 1, min));
  }

  /** Appends the nodes in `this.made` as children of the level above. */
  private pushMade(into: BigNode<E>): void {
    const t = this.t;
    for (const m of this.made) into.pushChild(t.maxOf(m), m, maxGapOf(t, m));
  }

  /** mas_split(): `init` holds the overflowing new contents of leaf `x`. */
  split(x: number, init: BigNode<E>): void {
    const t = this.t;
    this.load(init);
    try {
      for (;;) {
        const cur = this.cur;
        if (cur.n <= slotsOf(cur.type)) {
          const m = makeNode(t, cur, 0, cur.n - 1, t.lo[x]!);
          replaceNode(t, x, m);
          updateGap(t, m);
          return;
        }
        const p = t.parent[x]!;
        if (p >= 0 && (this.push(x, true) || this.push(x, false))) return;
        this.makeParts(cur, calcSplits(cur), t.lo[x]!);
        const nxt = this.nxt;
        nxt.reset(ARANGE);
        if (p < 0) {
          this.pushMade(nxt);
          const root = makeNode(t, nxt, 0, nxt.n - 1, 0);
          t.root = root;
          t.height++;
          t.retire(x);
          return;
        }
        const s = t.pslot[x]!;
        const pe = t.end[p]!;
        t.readAll(p);
        if (s > 0) nxt.copyFrom(t, p, 0, s - 1);
        this.pushMade(nxt);
        if (s < pe) nxt.copyFrom(t, p, s + 1, pe);
        t.retire(x);
        x = p;
        this.swap();
      }
    } finally {
      this.done();
    }
  }

  /**
   * mas_push_data(): moves `x`'s overflowing contents and a sibling's into two nodes when together
   * they leave room (so no triple split can follow), then publishes one new parent. Returns false
   * when the sibling is missing or too full.
   */
  private push(x: number, left: boolean): boolean {
    const t = this.t;
    const cur = this.cur;
    const p = t.parent[x]!;
    const s = t.pslot[x]!;
    const pe = t.end[p]!;
    if (left ? s === 0 : s === pe) return false;
    const sib = t.child[(p << SHIFT) + (left ? s - 1 : s + 1)]!;
    const sibEnd = t.end[sib]!;
    const slots = slotsOf(cur.type);
    const slotTotal = cur.n - 1 + sibEnd;
    let space = 2 * slots - 2;
    if (cur.type === LEAF) space--;
    if (t.maxOf(x) === INDEX_MAX) space--;
    if (slotTotal >= space) return false;

    t.readAll(sib);
    const both = this.nxt;
    both.reset(cur.type);
    if (left) {
      both.copyFrom(t, sib, 0, sibEnd);
      both.append(cur);
    } else {
      both.append(cur);
      both.copyFrom(t, sib, 0, sibEnd);
    }
    const split = noNullSplit(both, left ? slots - 2 : slotTotal - (slots - 2));
    this.makeParts(both, [split], t.lo[left ? sib : x]!);

    const first = left ? s - 1 : s;
    const parentBig = this.cur;
    parentBig.reset(ARANGE);
    t.readAll(p);
    if (first > 0) parentBig.copyFrom(t, p, 0, first - 1);
    this.pushMade(parentBig);
    if (first + 1 < pe) parentBig.copyFrom(t, p, first + 2, pe);
    const m = makeNode(t, parentBig, 0, parentBig.n - 1, t.lo[p]!);
    t.retire(sib);
    t.retire(x);
    replaceNode(t, p, m);
    updateGap(t, m);
    return true;
  }

  /** mas_rebalance(): leaf `x`'s new contents `init` are below the minimum. */
  rebalance(x: number, init: BigNode<E>): void {
    this.run(x, x, init, true);
  }

  /** mas_wr_spanning_store(): `init` replaces leaves `left`..`right` and all between. */
  spanning(left: number, right: number, init: BigNode<E>): void {
    this.run(left, right, init, false);
  }

  /**
   * mas_spanning_rebalance(): rebuild level by level from the leaves to the root. At each level
   * the old nodes `L..R` are replaced by the items in `cur`.
   */
  private run(L: number, R: number, init: BigNode<E>, siblingFirst: boolean): void {
    const t = this.t;
    this.load(init);
    try {
      let level = 0;
      for (;;) {
        let cur = this.cur;
        const type = cur.type;
        let min = t.lo[L]!;
        let max = t.maxOf(R);
        if (!(min === 0 && max === INDEX_MAX) && cur.n - 1 < minOf(type)) {
          let right = -1;
          let left = -1;
          if (siblingFirst) {
            const p = t.parent[R]!;
            if (t.pslot[R]! < t.end[p]!) right = t.child[(p << SHIFT) + t.pslot[R]! + 1]!;
            else left = t.child[(p << SHIFT) + t.pslot[L]! - 1]!;
          } else {
            right = t.nextAtLevel(R);
            if (right < 0) left = t.prevAtLevel(L);
          }
          if (right >= 0) {
            t.readAll(right);
            cur.copyFrom(t, right, 0, t.end[right]!);
            R = right;
            max = t.maxOf(R);
          } else {
            t.readAll(left);
            const nxt = this.nxt;
            nxt.reset(type);
            nxt.copyFrom(t, left, 0, t.end[left]!);
            nxt.append(cur);
            this.swap();
            cur = this.cur;
            L = left;
            min = t.lo[L]!;
          }
        }
        siblingFirst = false;
        const whole = min === 0 && max === INDEX_MAX;
        const pL = t.parent[L]!;
        const pR = t.parent[R]!;
        const offL = t.pslot[L]!;
        const offR = t.pslot[R]!;
        retireRange(t, L, R);
        this.makeParts(cur, calcSplits(cur), min);
        const made = this.made;
        if (made.length === 1 && whole) {
          const root = made[0]!;
          t.parent[root] = -1;
          t.root = root;
          t.height = level + 1;
          let upL = pL;
          let upR = pR;
          while (upL >= 0) {
            const nextL = t.parent[upL]!;
            const nextR = t.parent[upR]!;
            retireRange(t, upL, upR);
            upL = nextL;
            upR = nextR;
          }
          return;
        }
        const nxt = this.nxt;
        nxt.reset(ARANGE);
        if (pL < 0) {
          this.pushMade(nxt);
          const root = makeNode(t, nxt, 0, nxt.n - 1, 0);
          t.root = root;
          t.height = level + 2;
          return;
        }
        t.readAll(pL);
        if (pR !== pL) t.readAll(pR);
        if (offL > 0) nxt.copyFrom(t, pL, 0, offL - 1);
        this.pushMade(nxt);
        const peR = t.end[pR]!;
        if (offR < peR) nxt.copyFrom(t, pR, offR + 1, peR);
        L = pL;
        R = pR;
        level++;
        this.swap();
      }
    } finally {
      this.done();
    }
  }
}
