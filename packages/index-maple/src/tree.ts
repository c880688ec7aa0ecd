/**
 * Storage and node lifetime of the maple tree: every node lives in a set of typed arrays indexed by
 * node number (pivots, child numbers, per-child gaps, metadata, parent links) and leaf entries live
 * in one JS array with the same indexing, so walks touch no per-node objects.
 *
 * Lifetime follows the kernel: a node that leaves the tree is marked dead (its parent link points
 * at itself, as mte_set_node_dead() does) and is either reused at once (non-RCU mode: the kernel
 * pushes it back on the allocation state) or handed to RCU and reused only after a grace period
 * (RCU mode: ma_free_rcu()). Sources: lib/maple_tree.c v6.12 (mte_set_node_dead, ma_free_rcu,
 * mas_topiary_node, mas_push_node).
 */
import { allocId, type IndexProbe } from '@vmakit/core';
import { LEAF, NODE_BYTES, SHIFT, STRIDE } from './layout.js';

/** Node state: on the free list. */
export const FREE = 0;
/** Node state: part of the tree (or being built by the write in progress). */
export const LIVE = 1;
/** Node state: removed from the tree, waiting for an RCU grace period. */
export const DEAD = 2;

const INITIAL_CAPACITY = 64;

/** What one update did to the node set, as node ids (see MapleIndex.nodesChangedDuringUpdate). */
export interface UpdateFootprint {
  /** Nodes allocated and linked in by the update. */
  readonly created: readonly number[];
  /** Nodes the update removed from the tree. */
  readonly retired: readonly number[];
  /** Nodes still in the tree whose words the update overwrote in place. */
  readonly writtenInPlace: readonly number[];
}

/**
 * The node arrays, the root, and the allocation/retirement bookkeeping. Read and write algorithms
 * live in their own modules and work on this object directly.
 */
export class MapleTree<E> {
  /** Node capacity of the arrays. */
  cap = 0;
  /** Pivots: inclusive upper bound of slot i at [n * 16 + i]; cell [n * 16 + end] holds the node max. */
  piv = new Float64Array(0);
  /** Child node numbers of internal nodes at [n * 16 + i]. */
  child = new Int32Array(0);
  /** Largest gap below child i of an internal node at [n * 16 + i] (maple_arange_64.gap). */
  gap = new Float64Array(0);
  /** Leaf entries at [n * 16 + i]; null is an empty range. */
  ent: (E | null)[] = [];
  /** Metadata end: offset of the last used slot. */
  end = new Uint8Array(0);
  /** enum maple_type: LEAF or ARANGE. */
  type = new Uint8Array(0);
  /** Metadata gap: offset of the largest gap of an internal node. */
  gapOff = new Uint8Array(0);
  /** Parent node number, -1 for the root, the node itself once dead. */
  parent = new Int32Array(0);
  /** Offset of the node in its parent (encoded in the kernel's parent pointer). */
  pslot = new Uint8Array(0);
  /** The node's implied minimum, cached (the kernel derives it while walking). */
  lo = new Float64Array(0);
  /** Stable identity of the current incarnation of the node (allocId), named to probes. */
  id = new Float64Array(0);
  /** FREE, LIVE or DEAD. */
  state = new Uint8Array(0);

  /** Root node number, -1 when the tree is empty. */
  root = -1;
  /** Levels, 0 when empty; leaves are at depth height - 1. */
  height = 0;
  /** Ranges stored (non-NULL leaf slots). */
  count = 0;

  /** RCU mode (MT_FLAGS_USE_RCU): writes copy nodes instead of modifying them in place. */
  readonly rcu: boolean;
  /** Memory-traffic observer. */
  probe: IndexProbe | null = null;

  /** Nodes in the tree. */
  liveNodes = 0;
  /** Leaves in the tree. */
  liveLeaves = 0;
  /** Nodes ever allocated. */
  allocations = 0;
  /** Nodes ever removed from the tree. */
  retiredTotal = 0;
  /** Nodes returned to the free list (at once in non-RCU mode, after a grace period in RCU mode). */
  freedTotal = 0;

  private readonly freeList: number[] = [];
  private next = 0;
  /** Nodes retired by the write in progress; released when it ends. */
  private readonly opRetired: number[] = [];
  /** Retired nodes waiting for a grace period, with the clock value at retirement. */
  private readonly pending: number[] = [];
  private readonly pendingSeq: number[] = [];
  /** Logical clock: advances at the end of each write and at each reader start. */
  clock = 0;

  /** True while an update bracket is open: node changes are recorded for lockless readers. */
  tracking = false;
  readonly created = new Set<number>();
  readonly retired = new Set<number>();
  readonly written = new Set<number>();

  constructor(rcu: boolean) {
    this.rcu = rcu;
    this.grow(INITIAL_CAPACITY);
  }

  private grow(cap: number): void {
    const words = cap * STRIDE;
    const piv = new Float64Array(words);
    piv.set(this.piv);
    this.piv = piv;
    const child = new Int32Array(words);
    child.set(this.child);
    this.child = child;
    const gap = new Float64Array(words);
    gap.set(this.gap);
    this.gap = gap;
    for (let i = this.ent.length; i < words; i++) this.ent.push(null);
    const end = new Uint8Array(cap);
    end.set(this.end);
    this.end = end;
    const type = new Uint8Array(cap);
    type.set(this.type);
    this.type = type;
    const gapOff = new Uint8Array(cap);
    gapOff.set(this.gapOff);
    this.gapOff = gapOff;
    const parent = new Int32Array(cap);
    parent.set(this.parent);
    this.parent = parent;
    const pslot = new Uint8Array(cap);
    pslot.set(this.pslot);
    this.pslot = pslot;
    const lo = new Float64Array(cap);
    lo.set(this.lo);
    this.lo = lo;
    const id = new Float64Array(cap);
    id.set(this.id);
    this.id = id;
    const state = new Uint8Array(cap);
    state.set(this.state);
    this.state = state;
    this.cap = cap;
  }

  /**
   * A cleared node of `type` whose range starts at `min` (mas_pop_node). O(1) amortised.
   * The caller fills slots, pivots, end and links it in.
   */
  alloc(type: number, min: number): number {
    let n: number;
    if (this.freeList.length > 0) n = this.freeList.pop()!;
    else {
      if (this.next === this.cap) this.grow(this.cap * 2);
      n = this.next++;
    }
    // Plain loops: for sixteen cells they beat the fill() calls.
    const b = n << SHIFT;
    const piv = this.piv;
    if (type === LEAF) {
      const ent = this.ent;
      for (let i = b; i < b + STRIDE; i++) {
        piv[i] = 0;
        ent[i] = null;
      }
    } else {
      const gap = this.gap;
      const child = this.child;
      for (let i = b; i < b + STRIDE; i++) {
        piv[i] = 0;
        gap[i] = 0;
        child[i] = -1;
      }
    }
    this.type[n] = type;
    this.end[n] = 0;
    this.gapOff[n] = 0;
    this.parent[n] = -1;
    this.pslot[n] = 0;
    this.lo[n] = min;
    this.state[n] = LIVE;
    const id = allocId();
    this.id[n] = id;
    this.allocations++;
    this.liveNodes++;
    if (type === LEAF) this.liveLeaves++;
    if (this.tracking) this.created.add(id);
    if (this.probe !== null) this.probe.alloc(id, NODE_BYTES);
    return n;
  }

  /**
   * Takes `n` out of the tree: marks it dead (parent points at itself, mte_set_node_dead) and
   * queues it for release when the write ends. Its words are otherwise left intact, as a reader
   * that still holds it would find them.
   */
  retire(n: number): void {
    this.state[n] = DEAD;
    this.parent[n] = n;
    this.liveNodes--;
    if (this.type[n] === LEAF) {
      this.liveLeaves--;
      this.count -= this.entriesIn(n);
    }
    this.retiredTotal++;
    this.opRetired.push(n);
    const id = this.id[n]!;
    if (this.tracking) this.retired.add(id);
    if (this.probe !== null) this.probe.retire(id, this.rcu);
  }

  /** Ends a write: retired nodes go to the free list (non-RCU) or wait for a grace period (RCU). */
  endWrite(): void {
    this.clock++;
    const list = this.opRetired;
    if (list.length === 0) return;
    if (this.rcu) {
      for (const n of list) {
        this.pending.push(n);
        this.pendingSeq.push(this.clock);
      }
    } else {
      for (const n of list) this.release(n);
    }
    list.length = 0;
  }

  private release(n: number): void {
    if (this.type[n] === LEAF) {
      // Drop entry references so removed VMAs can be collected.
      const b = n << SHIFT;
      for (let i = b; i < b + STRIDE; i++) this.ent[i] = null;
    }
    this.state[n] = FREE;
    this.freeList.push(n);
    this.freedTotal++;
  }

  /** Retired nodes not yet freed. */
  get pendingFree(): number {
    return this.pending.length;
  }

  /**
   * Frees the retired nodes that no reader can hold: those retired before `oldestReader` (the clock
   * value at which the oldest open reader started; Infinity when none). Returns how many.
   * O(freed).
   */
  reclaim(oldestReader: number): number {
    let k = 0;
    while (k < this.pending.length && this.pendingSeq[k]! < oldestReader) {
      this.release(this.pending[k]!);
      k++;
    }
    if (k > 0) {
      this.pending.splice(0, k);
      this.pendingSeq.splice(0, k);
    }
    return k;
  }

  /**
   * Records an in-place store of a pivot, slot or the end metadata (what a lockless lookup reads)
   * to `line` of live node `n`.
   */
  wrote(n: number, line: number): void {
    if (this.tracking) this.written.add(this.id[n]!);
    if (this.probe !== null) this.probe.write(this.id[n]!, line);
  }

  /**
   * Records an in-place store that lookups never read: a gap, the gap metadata or the parent link
   * (only writers under the lock use them).
   */
  wroteAux(n: number, line: number): void {
    if (this.probe !== null) this.probe.write(this.id[n]!, line);
  }

  /** Non-NULL slots of leaf `n`. O(slots). */
  entriesIn(n: number): number {
    const b = n << SHIFT;
    const e = b + this.end[n]!;
    let k = 0;
    for (let i = b; i <= e; i++) if (this.ent[i] !== null) k++;
    return k;
  }

  /** Reports reads of every line of `n` (a writer copying the node). */
  readAll(n: number): void {
    const probe = this.probe;
    if (probe === null) return;
    const id = this.id[n]!;
    for (let line = 0; line < 4; line++) probe.read(id, line);
  }

  /** Reports a freshly built node as written in full (all four lines). */
  filled(n: number): void {
    const probe = this.probe;
    if (probe === null) return;
    const id = this.id[n]!;
    for (let line = 0; line < 4; line++) probe.write(id, line);
  }

  /** The node's implied maximum (cached in the cell after its last pivot). */
  maxOf(n: number): number {
    return this.piv[(n << SHIFT) + this.end[n]!]!;
  }

  /** Lower bound of slot `i` of node `n`. */
  slotMin(n: number, i: number): number {
    return i === 0 ? this.lo[n]! : this.piv[(n << SHIFT) + i - 1]! + 1;
  }

  /** The next node at the same depth, in index order, or -1. O(height). */
  nextAtLevel(n: number): number {
    let up = 0;
    let x = n;
    for (;;) {
      const p = this.parent[x]!;
      if (p < 0) return -1;
      const s = this.pslot[x]!;
      if (s < this.end[p]!) {
        x = this.child[(p << SHIFT) + s + 1]!;
        break;
      }
      x = p;
      up++;
    }
    while (up-- > 0) x = this.child[x << SHIFT]!;
    return x;
  }

  /** The previous node at the same depth, or -1. O(height). */
  prevAtLevel(n: number): number {
    let up = 0;
    let x = n;
    for (;;) {
      const p = this.parent[x]!;
      if (p < 0) return -1;
      const s = this.pslot[x]!;
      if (s > 0) {
        x = this.child[(p << SHIFT) + s - 1]!;
        break;
      }
      x = p;
      up++;
    }
    while (up-- > 0) x = this.child[(x << SHIFT) + this.end[x]!]!;
    return x;
  }

  /** Starts recording node changes for lockless readers. */
  startTracking(): void {
    this.tracking = true;
  }

  /** Stops recording and forgets the recorded changes. */
  stopTracking(): void {
    this.tracking = false;
    this.created.clear();
    this.retired.clear();
    this.written.clear();
  }

  /** The changes recorded since tracking started. */
  footprint(): UpdateFootprint {
    const sorted = (ids: Iterable<number>): number[] => [...ids].sort((a, b) => a - b);
    const inPlace = [...this.written].filter((id) => !this.created.has(id) && !this.retired.has(id));
    return {
      created: sorted(this.created),
      retired: sorted(this.retired),
      writtenInPlace: sorted(inPlace),
    };
  }
}
