/**
 * The "big node": a scratch list of (pivot, slot, gap) items wider than any node, into which a
 * write gathers the new contents of one level before cutting them into nodes, as the kernel's
 * struct maple_big_node does. Also the split-point rules of mab_calc_split() and
 * mab_no_null_split(), and the construction of nodes from a slice of items.
 * Sources: lib/maple_tree.c v6.12 (maple_big_node, mab_calc_split, mab_middle_node,
 * mab_no_null_split, mab_mas_cp, mas_adopt_children).
 */
import { setMetaGap } from './gaps.js';
import { LEAF, minOf, PARENT_LINE, SHIFT, slotsOf } from './layout.js';
import type { MapleTree } from './tree.js';

/** Enough for two full leaves, the three pieces of a store and an absorbed neighbour. */
const CAPACITY = 64;

/** Items of one level being rebuilt. */
export class BigNode<E> {
  readonly piv = new Float64Array(CAPACITY);
  readonly child = new Int32Array(CAPACITY);
  readonly gap = new Float64Array(CAPACITY);
  readonly ent: (E | null)[] = new Array<E | null>(CAPACITY).fill(null);
  /** Items held. */
  n = 0;
  /** Node type the items will go into. */
  type = LEAF;

  reset(type: number): void {
    this.n = 0;
    this.type = type;
  }

  private room(): number {
    if (this.n >= CAPACITY) throw new Error('maple: big node overflow (write engine bug)');
    return this.n++;
  }

  /** Appends a leaf item: `entry` (or NULL) up to and including `last`. */
  pushEntry(last: number, entry: E | null): void {
    const i = this.room();
    this.piv[i] = last;
    this.ent[i] = entry;
  }

  /** Appends a child covering up to `last` whose largest gap is `gap`. */
  pushChild(last: number, child: number, gap: number): void {
    const i = this.room();
    this.piv[i] = last;
    this.child[i] = child;
    this.gap[i] = gap;
  }

  /** Appends slots `from..to` (inclusive) of node `n`. */
  copyFrom(t: MapleTree<E>, n: number, from: number, to: number): void {
    const b = n << SHIFT;
    if (t.type[n] === LEAF) {
      for (let i = from; i <= to; i++) this.pushEntry(t.piv[b + i]!, t.ent[b + i]!);
    } else {
      for (let i = from; i <= to; i++) this.pushChild(t.piv[b + i]!, t.child[b + i]!, t.gap[b + i]!);
    }
  }

  /** Appends all items of `other`. */
  append(other: BigNode<E>): void {
    for (let i = 0; i < other.n; i++) {
      const k = this.room();
      this.piv[k] = other.piv[i]!;
      this.child[k] = other.child[i]!;
      this.gap[k] = other.gap[i]!;
      this.ent[k] = other.ent[i]!;
    }
  }

  /** True when item `i` is a NULL leaf slot. */
  isNull(i: number): boolean {
    return this.type === LEAF && this.ent[i] === null;
  }

  /** Drops entry references so retired entries can be collected. */
  clearEntries(): void {
    if (this.type === LEAF) this.ent.fill(null, 0, this.n);
  }
}

/**
 * mab_no_null_split(): a node other than the last must not end on a NULL slot, so a split point on
 * a NULL moves right when the right side stays sufficient, else left.
 */
export function noNullSplit<E>(big: BigNode<E>, split: number): number {
  if (!big.isNull(split)) return split;
  const lastIdx = big.n - 1;
  if (split < slotsOf(big.type) - 1 && lastIdx - split > minOf(big.type)) return split + 1;
  return split - 1;
}

/**
 * Split points for items that need more than one node (mab_calc_split without bulk mode): halves,
 * or thirds in the rare 3-way case where the items cannot fit two nodes. Returns the last item
 * index of each node but the final one.
 */
export function calcSplits<E>(big: BigNode<E>): number[] {
  const lastIdx = big.n - 1;
  const slots = slotsOf(big.type);
  if (lastIdx < slots) return [];
  let split = lastIdx >> 1;
  if (lastIdx >= 2 * slots || (big.isNull(split) && lastIdx >= 2 * slots - 1)) {
    split = Math.floor(lastIdx / 3);
    const mid = split * 2;
    return [noNullSplit(big, split), noNullSplit(big, mid)];
  }
  return [noNullSplit(big, split)];
}

/**
 * Builds a node from items `a..z` of `big`, starting at `min`, and adopts its children
 * (mab_mas_cp + mas_adopt_children). Reported to the probe as allocated and written in full.
 * O(slots).
 */
export function makeNode<E>(t: MapleTree<E>, big: BigNode<E>, a: number, z: number, min: number): number {
  const type = big.type;
  const count = z - a + 1;
  if (count > slotsOf(type) || count <= 0) {
    throw new Error(`maple: ${count} items do not fit one node (write engine bug)`);
  }
  const n = t.alloc(type, min);
  const b = n << SHIFT;
  const piv = t.piv;
  for (let i = 0; i < count; i++) piv[b + i] = big.piv[a + i]!;
  if (type === LEAF) {
    const ent = t.ent;
    let k = 0;
    for (let i = 0; i < count; i++) {
      const e = big.ent[a + i]!;
      ent[b + i] = e;
      if (e !== null) k++;
    }
    t.count += k;
  } else {
    const child = t.child;
    const gap = t.gap;
    for (let i = 0; i < count; i++) {
      const c = big.child[a + i]!;
      child[b + i] = c;
      gap[b + i] = big.gap[a + i]!;
      t.parent[c] = n;
      t.pslot[c] = i;
      t.wroteAux(c, PARENT_LINE);
    }
  }
  t.end[n] = count - 1;
  if (type !== LEAF) setMetaGap(t, n);
  t.filled(n);
  return n;
}
