/**
 * The `sdsl-rbtree` VMA index: the ranges in a js-sdsl `OrderedMap` (@js-sdsl/ordered-map 4.4.2), a
 * mutable red-black tree with C++-STL-style iterators, keyed by each range's end — the key the
 * kernel's rbtree-era find_vma() walked (vm_end, mm/mmap.c v5.4) — so that find_vma is one
 * `upperBound`. Only the library's public API is used.
 *
 * The tree is updated in place, so lockless readers are `unsafe` (like the kernel's rbtree): while an
 * update is open a lockless lookup may miss. The library hides its nodes, so the model is the
 * pessimistic one: every lockless lookup made while a bracketed update has changed the tree misses.
 *
 * Probe: each range is one 64-byte node (id from allocId). The comparator the library calls on each
 * node of a search path reports that node, so searches report their real path; iteration reports each
 * node visited; inserts write the new node and its parent (the last node compared), trims write the
 * node, erases write and retire it at once (no RCU). Rotations inside the library are not seen.
 *
 * Complexity: find/lookup/prevOf/nextOf O(log n); forEach(Reverse) O(log n + k); insert/remove/
 * eraseAt O(log n); store O((k + 1) log n) for k ranges overwritten; emptyArea/emptyAreaRev O(log n +
 * ranges scanned), O(n) worst case (no gap augmentation); stats/validate O(n).
 */
import { OrderedMap, type OrderedMapIterator } from '@js-sdsl/ordered-map';
import {
  allocId,
  checkRangeArgs,
  emptyAreaRevWalk,
  emptyAreaWalk,
  INDEX_MAX,
  IndexContractError,
  type IndexEntry,
  IndexInvariantError,
  type IndexOptions,
  type IndexProbe,
  type IndexStats,
  type LocklessReader,
  PAGE_SIZE,
  type RangeVisitor,
  type ReaderOutcome,
  type UnmappedAreaRequest,
  unmappedAreaVia,
  type VmaIndex,
} from '@vmakit/core';

/**
 * Kernel-equivalent bytes per range: the tree node (three links with the colour in the parent word,
 * 24 B, plus key and value pointers, 16 B) and the range record it points to (start, end, entry:
 * 24 B). The VMA itself is not counted.
 */
export const SDSL_RBTREE_NODE_BYTES = 64;

/** What the tree orders by: a range's end. Queries use a bare key; stored keys are Slots. */
interface Key {
  end: number;
}

/** One stored range: the tree's key object (ordered by `end`) and its node id for the probe. */
interface Slot<E> extends Key {
  start: number;
  readonly entry: E;
  readonly id: number;
}

type Iter<E> = OrderedMapIterator<Key, Slot<E>>;

const hex = (n: number) => `0x${n.toString(16)}`;

/** The `sdsl-rbtree` VmaIndex. */
export class SdslRbtreeIndex<E extends IndexEntry> implements VmaIndex<E> {
  readonly name = 'sdsl-rbtree';
  readonly semantics = 'unsafe' as const;
  readonly era = 'maple-era' as const;
  probe: IndexProbe | null;
  private readonly map: OrderedMap<Key, Slot<E>>;
  /** The key being searched for (the comparator reports every other key it sees). */
  private query: Key;
  /** The one search key, reused so that a query allocates nothing of its own. */
  private readonly searchKey: Key = { end: 0 };
  /** Id of the last node the comparator reported (the parent of an inserted node). */
  private lastNode = -1;
  /** Node ids a lockless reader's lookup crossed, when one is recording. */
  private path: number[] | null = null;
  private depth = 0;
  /** The open update bracket has changed the tree. */
  private dirty = false;
  private versionNo = 0;
  private readonly pageAligned: boolean;

  constructor(options: IndexOptions = {}) {
    this.pageAligned = options.pageAligned ?? options.checked ?? false;
    this.probe = options.probe ?? null;
    this.query = this.searchKey;
    // The library calls the comparator on every node of a search path: that is where reads are seen.
    this.map = new OrderedMap<Key, Slot<E>>([], (a, b) => {
      if (this.probe !== null || this.path !== null) {
        if (a !== this.query) this.saw((a as Slot<E>).id);
        if (b !== this.query) this.saw((b as Slot<E>).id);
      }
      return a.end - b.end;
    });
  }

  private saw(id: number): void {
    this.lastNode = id;
    this.probe?.read(id, 0);
    this.path?.push(id);
  }

  get size(): number {
    return this.map.size();
  }

  get version(): number {
    return this.versionNo;
  }

  /** The first range with end > addr, as an iterator (end() when none). One search. */
  private above(addr: number): Iter<E> {
    this.searchKey.end = addr;
    this.query = this.searchKey;
    return this.map.upperBound(this.searchKey);
  }

  /** The last range with end <= addr, as an iterator (end() when none). One search. */
  private atOrBelow(addr: number): Iter<E> {
    this.searchKey.end = addr;
    this.query = this.searchKey;
    return this.map.reverseLowerBound(this.searchKey);
  }

  /** The slot under an iterator, reported as read; null past the end. */
  private slotAt(it: Iter<E>): Slot<E> | null {
    if (!it.isAccessible()) return null;
    const slot = it.pointer[1];
    this.probe?.read(slot.id, 0);
    return slot;
  }

  find(addr: number): E | null {
    if (Number.isNaN(addr)) return null;
    return this.slotAt(this.above(addr))?.entry ?? null;
  }

  lookup(addr: number): E | null {
    if (Number.isNaN(addr)) return null;
    const slot = this.slotAt(this.above(addr));
    return slot !== null && slot.start <= addr ? slot.entry : null;
  }

  prevOf(addr: number): E | null {
    if (Number.isNaN(addr)) return null;
    return this.slotAt(this.atOrBelow(addr))?.entry ?? null;
  }

  nextOf(addr: number): E | null {
    if (Number.isNaN(addr)) return null;
    const it = this.above(addr);
    const slot = this.slotAt(it);
    if (slot === null || slot.start >= addr) return slot?.entry ?? null;
    return this.slotAt(it.next())?.entry ?? null;
  }

  forEach(from: number, to: number, visit: RangeVisitor<E>): void {
    if (!(from < to)) return;
    for (const it = this.above(from); ; it.next()) {
      const slot = this.slotAt(it);
      if (slot === null || slot.start >= to) return;
      if (visit(slot.start, slot.end, slot.entry) === true) return;
    }
  }

  forEachReverse(from: number, to: number, visit: RangeVisitor<E>): void {
    if (!(from < to)) return;
    this.descend(to, (slot) => slot.end <= from || visit(slot.start, slot.end, slot.entry) === true);
  }

  /**
   * Visits, in descending order, the ranges with start < `below`, until `visit` returns true.
   * A normal iterator throws when stepped before the first element, so the walk stops there.
   */
  private descend(below: number, visit: (slot: Slot<E>) => boolean): void {
    let it = this.above(below);
    let slot = this.slotAt(it);
    if (slot === null || slot.start >= below) {
      it = this.atOrBelow(below);
      slot = this.slotAt(it);
    }
    if (slot === null) return;
    const first = this.map.front()![1];
    for (;;) {
      if (visit(slot)) return;
      if (slot === first) return;
      slot = this.slotAt(it.pre())!;
    }
  }

  private checkRange(op: string, start: number, end: number): void {
    checkRangeArgs(op, start, end, this.pageAligned);
  }

  /** Marks a change: published now outside a bracket, at the outermost publish() inside one. */
  private changed(): void {
    if (this.depth === 0) this.versionNo++;
    else this.dirty = true;
  }

  /** Inserts a new node for [start, end); `hint` is the iterator of the range just above, if known. */
  private add(start: number, end: number, entry: E, hint?: Iter<E>): void {
    const slot: Slot<E> = { start, end, entry, id: allocId() };
    this.query = slot;
    this.lastNode = -1;
    if (hint?.isAccessible()) this.map.setElement(slot, slot, hint);
    else this.map.setElement(slot, slot);
    if (this.probe !== null) {
      this.probe.alloc(slot.id, SDSL_RBTREE_NODE_BYTES);
      this.probe.write(slot.id, 0);
      if (this.lastNode !== -1) this.probe.write(this.lastNode, 0);
    }
  }

  /** Unlinks a node by iterator; returns the iterator of the next range. */
  private drop(it: Iter<E>, slot: Slot<E>): Iter<E> {
    const next = this.map.eraseElementByIterator(it);
    if (this.probe !== null) {
      this.probe.write(slot.id, 0);
      this.probe.retire(slot.id, false);
    }
    return next;
  }

  insert(start: number, end: number, entry: E): void {
    this.checkRange('insert', start, end);
    const it = this.above(start);
    const next = this.slotAt(it);
    if (next !== null && next.start < end) {
      throw new IndexContractError(
        `insert: [${hex(start)}, ${hex(end)}) overlaps [${hex(next.start)}, ${hex(next.end)})`,
      );
    }
    this.add(start, end, entry, it);
    this.changed();
  }

  store(start: number, end: number, entry: E | null): void {
    this.checkRange('store', start, end);
    let it = this.above(start);
    let slot = this.slotAt(it);
    // A range that sticks out below the window keeps [slot.start, start) as a new, lower key.
    if (slot !== null && slot.start < start) {
      if (slot.end > end) {
        // It spans the window: its upper part keeps the key (end), its lower part is a new range.
        const lowStart = slot.start;
        slot.start = end;
        this.probe?.write(slot.id, 0);
        this.add(lowStart, start, slot.entry, it);
        if (entry !== null) this.add(start, end, entry, this.above(start));
        this.changed();
        return;
      }
      // Lowering the key in place keeps the order: nothing else lies in [start, slot.end).
      slot.end = start;
      this.probe?.write(slot.id, 0);
      slot = this.slotAt(it.next());
    }
    while (slot !== null && slot.end <= end) {
      it = this.drop(it, slot);
      slot = this.slotAt(it);
    }
    if (slot !== null && slot.start < end) {
      slot.start = end;
      this.probe?.write(slot.id, 0);
    }
    if (entry !== null) this.add(start, end, entry, this.above(start));
    this.changed();
  }

  remove(start: number, end: number, entry: E): void {
    this.checkRange('remove', start, end);
    const it = this.above(start);
    const slot = this.slotAt(it);
    if (slot === null || slot.start !== start || slot.end !== end || slot.entry !== entry) {
      throw new IndexContractError(
        `remove: [${hex(start)}, ${hex(end)}) is not a range of the index mapped to that entry`,
      );
    }
    this.drop(it, slot);
    this.changed();
  }

  eraseAt(addr: number): E | null {
    if (Number.isNaN(addr)) return null;
    const it = this.above(addr);
    const slot = this.slotAt(it);
    if (slot === null || slot.start > addr) return null;
    this.drop(it, slot);
    this.changed();
    return slot.entry;
  }

  emptyArea(min: number, max: number, size: number): number {
    const prevEnd = this.slotAt(this.atOrBelow(min))?.end ?? 0;
    return emptyAreaWalk(min, max, size, prevEnd, (visit) => {
      for (const it = this.above(min); ; it.next()) {
        const slot = this.slotAt(it);
        if (slot === null || visit(slot.start, slot.end)) return;
      }
    });
  }

  emptyAreaRev(min: number, max: number, size: number): number {
    const top = Math.floor(max);
    // The first range starting above max bounds the highest hole.
    const it = this.above(top);
    let above = this.slotAt(it);
    if (above !== null && above.start <= top) above = this.slotAt(it.next());
    const nextStart = above?.start ?? INDEX_MAX + 1;
    return emptyAreaRevWalk(min, max, size, nextStart, (visit) =>
      this.descend(top + 1, (slot) => visit(slot.start, slot.end)),
    );
  }

  unmappedArea(request: UnmappedAreaRequest): number {
    return unmappedAreaVia(this, request);
  }

  validate(): void {
    let count = 0;
    let prev: Slot<E> | null = null;
    const fail = (why: string): never => {
      throw new IndexInvariantError(`sdsl-rbtree: ${why}`);
    };
    this.map.forEach(([key, slot]) => {
      count++;
      // Messages are built only on failure: validate() runs after every operation in the tests.
      const at = () => `[${hex(slot.start)}, ${hex(slot.end)})`;
      if (key !== slot) fail(`range ${at()} is stored under another key`);
      if (!(slot.start < slot.end)) fail(`range ${at()} is empty`);
      if (slot.entry === null || slot.entry === undefined) fail(`range ${at()} maps to nothing`);
      if (this.pageAligned && (slot.start % PAGE_SIZE !== 0 || slot.end % PAGE_SIZE !== 0)) {
        fail(`range ${at()} is not page aligned`);
      }
      if (prev !== null && prev.end > slot.start) {
        fail(`ranges [${hex(prev.start)}, ${hex(prev.end)}) and ${at()} overlap or are out of order`);
      }
      prev = slot;
    });
    if (count !== this.map.size()) fail(`size() is ${this.map.size()} but ${count} ranges were visited`);
    // A red-black tree of n nodes is at most 2·log2(n + 1) high.
    const height = this.map.getHeight();
    if (height > 2 * Math.log2(count + 1))
      fail(`height ${height} exceeds the red-black bound for ${count} nodes`);
  }

  stats(): IndexStats {
    const n = this.map.size();
    return {
      entries: n,
      nodes: n,
      height: n > 0 ? this.map.getHeight() : 0,
      bytes: n * SDSL_RBTREE_NODE_BYTES,
      detail: { version: this.versionNo },
    };
  }

  beginUpdate(): void {
    this.depth++;
  }

  publish(): void {
    if (this.depth === 0) throw new IndexContractError('publish() without beginUpdate()');
    if (--this.depth > 0) return;
    if (this.dirty) this.versionNo++;
    this.dirty = false;
  }

  openReader(): LocklessReader<E> {
    let open = true;
    let outcome: ReaderOutcome = 'clean';
    let path: number[] = [];
    // The tree is rewritten in place (rotations, recolouring, unlinking): a lookup that runs while an
    // update has changed it may cross a half-made change, so it is reported as a miss.
    const walk = (addr: number, exact: boolean): E | null => {
      if (!open) throw new IndexContractError('reader used after close()');
      if (this.dirty) {
        outcome = 'missed';
        path = [];
        return null;
      }
      outcome = 'clean';
      path = [];
      const probe = this.probe;
      this.probe = null;
      this.path = path;
      try {
        return exact ? this.lookup(addr) : this.find(addr);
      } finally {
        this.path = null;
        this.probe = probe;
      }
    };
    return {
      find: (addr: number) => walk(addr, false),
      lookup: (addr: number) => walk(addr, true),
      get outcome(): ReaderOutcome {
        return outcome;
      },
      get path(): readonly number[] {
        return path;
      },
      close(): void {
        open = false;
      },
    };
  }
}

/** Creates an empty `sdsl-rbtree` index. O(1). */
export function createSdslRbtreeIndex<E extends IndexEntry>(options?: IndexOptions): SdslRbtreeIndex<E> {
  return new SdslRbtreeIndex<E>(options);
}
