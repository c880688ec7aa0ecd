/**
 * The maple-tree VMA index (Linux 6.1+): a range B-tree of 256-byte nodes laid out as the kernel's
 * allocation-range tree (16-slot leaves, 10-slot internal nodes with per-child largest gaps), with
 * the kernel's write paths and, in RCU mode (the VMA tree's mode since v6.4), copy-on-write node
 * replacement with deferred freeing.
 *
 * Complexity: find/lookup/prevOf/nextOf O(log n) (height · slots pivot compares); forEach
 * O(log n + k); stores O(log n) amortised plus O(nodes dropped) for a store spanning many ranges;
 * emptyArea/emptyAreaRev O(log n) guided by the gap arrays; validate O(n).
 */
import {
  checkRangeArgs,
  IndexContractError,
  type IndexEntry,
  type IndexOptions,
  type IndexProbe,
  type IndexStats,
  type LocklessReader,
  type LocklessSemantics,
  type RangeVisitor,
  type ReaderOutcome,
  type UnmappedAreaRequest,
  unmappedAreaVia,
  type VmaIndex,
} from '@vmakit/core';
import { emptyArea, emptyAreaRev } from './gap-search.js';
import { INDEX_MAX, NODE_BYTES } from './layout.js';
import { MapleTree, type UpdateFootprint } from './tree.js';
import { validateTree } from './validate.js';
import {
  findFast,
  findWalk,
  forEachRange,
  forEachRangeReverse,
  lookupFast,
  lookupWalk,
  nextOf,
  prevOf,
  rangeAt,
} from './walk.js';
import { Writer } from './write.js';

/** Options of createMapleIndex(). */
export interface MapleOptions extends IndexOptions {
  /**
   * RCU mode (MT_FLAGS_USE_RCU, default true as for the VMA tree since v6.4): writes replace nodes
   * copy-on-write and retired nodes wait for a grace period. False: nodes are modified in place and
   * reused at once; lockless readers are then unsafe.
   */
  readonly rcu?: boolean;
  /**
   * RCU mode: run a grace period automatically once this many retired nodes wait (a model of RCU
   * callback batching; 0 disables it, leaving reclamation to gracePeriod()). Default 256.
   */
  readonly reclaimBatch?: number;
}

const DEFAULT_RECLAIM_BATCH = 256;

function hex(v: number): string {
  return `0x${v.toString(16)}`;
}

/** A lockless reader of a MapleIndex. */
class MapleReader<E extends IndexEntry> implements LocklessReader<E> {
  outcome: ReaderOutcome = 'clean';
  path: number[] = [];
  open = true;

  constructor(
    private readonly index: MapleIndex<E>,
    /** Tree clock when the read-side critical section began. */
    readonly since: number,
  ) {}

  find(addr: number): E | null {
    if (!this.open) throw new IndexContractError('reader used after close()');
    return this.index.readerWalk(this, addr, true);
  }

  lookup(addr: number): E | null {
    if (!this.open) throw new IndexContractError('reader used after close()');
    return this.index.readerWalk(this, addr, false);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.index.readerClosed(this);
  }
}

/** The maple tree as a VmaIndex (registered as `maple`). */
export class MapleIndex<E extends IndexEntry> implements VmaIndex<E> {
  readonly name = 'maple';
  readonly era = 'maple-era' as const;
  /** `rcu` in RCU mode, `unsafe` when nodes are modified in place. */
  readonly semantics: LocklessSemantics;
  private readonly t: MapleTree<E>;
  private readonly writer: Writer<E>;
  private readonly checked: boolean;
  private readonly pageAligned: boolean;
  private readonly reclaimBatch: number;
  private depth = 0;
  private dirty = false;
  private versionNo = 0;
  private readonly readers = new Set<MapleReader<E>>();

  constructor(options: MapleOptions = {}) {
    const rcu = options.rcu ?? true;
    this.t = new MapleTree<E>(rcu);
    this.t.probe = options.probe ?? null;
    this.writer = new Writer(this.t);
    this.semantics = rcu ? 'rcu' : 'unsafe';
    this.checked = options.checked ?? false;
    this.pageAligned = options.pageAligned ?? this.checked;
    const batch = options.reclaimBatch ?? DEFAULT_RECLAIM_BATCH;
    if (!Number.isInteger(batch) || batch < 0) {
      throw new IndexContractError(`maple: reclaimBatch must be a non-negative integer, got ${batch}`);
    }
    this.reclaimBatch = batch;
  }

  /** Whether the tree runs in RCU mode. */
  get rcu(): boolean {
    return this.t.rcu;
  }

  get probe(): IndexProbe | null {
    return this.t.probe;
  }

  set probe(p: IndexProbe | null) {
    this.t.probe = p;
  }

  get size(): number {
    return this.t.count;
  }

  get version(): number {
    return this.versionNo;
  }

  /** O(height · slots). */
  find(addr: number, _tid?: number): E | null {
    return this.t.probe === null ? findFast(this.t, addr) : findWalk(this.t, addr, null);
  }

  /** O(height · slots). */
  lookup(addr: number, _tid?: number): E | null {
    return this.t.probe === null ? lookupFast(this.t, addr) : lookupWalk(this.t, addr, null);
  }

  /** O(height · slots). */
  prevOf(addr: number): E | null {
    return prevOf(this.t, addr);
  }

  /** O(height · slots). */
  nextOf(addr: number): E | null {
    return nextOf(this.t, addr);
  }

  /** O(height + visited). The visitor must not modify the index. */
  forEach(from: number, to: number, visit: RangeVisitor<E>): void {
    forEachRange(this.t, from, to, visit);
  }

  /** O(height + visited). The visitor must not modify the index. */
  forEachReverse(from: number, to: number, visit: RangeVisitor<E>): void {
    forEachRangeReverse(this.t, from, to, visit);
  }

  private checkRange(op: string, start: number, end: number): void {
    checkRangeArgs(op, start, end, this.pageAligned);
  }

  private checkEntry(op: string, entry: unknown): void {
    if (entry === null || entry === undefined) {
      throw new IndexContractError(`${op}: entry is ${entry}; use store(start, end, null) to clear a range`);
    }
    if (this.checked && !Number.isFinite((entry as IndexEntry).id)) {
      throw new IndexContractError(`${op}: entry has no numeric id`);
    }
  }

  /** Runs one tree write as an update (published at once outside a beginUpdate bracket). */
  private write(first: number, last: number, entry: E | null): void {
    this.writer.store(first, last, entry);
    this.dirty = true;
    if (this.depth === 0) this.publishNow();
  }

  private publishNow(): void {
    if (this.dirty) {
      this.versionNo++;
      this.dirty = false;
    }
    if (this.reclaimBatch > 0 && this.t.pendingFree >= this.reclaimBatch) this.gracePeriod();
  }

  /** mtree_insert_range(): O(log n). Throws IndexContractError when [start, end) is not empty. */
  insert(start: number, end: number, entry: E): void {
    this.checkRange('insert', start, end);
    this.checkEntry('insert', entry);
    const at = rangeAt(this.t, start);
    if (at !== null) {
      let clash = at.entry !== null ? at : null;
      if (clash === null && at.last < end - 1) clash = rangeAt(this.t, at.last + 1);
      if (clash !== null) {
        throw new IndexContractError(
          `insert: [${hex(start)}, ${hex(end)}) overlaps [${hex(clash.first)}, ${hex(clash.last + 1)})`,
        );
      }
    }
    this.write(start, end - 1, entry);
  }

  /** mas_store() over [start, end - 1]: O(log n) plus O(ranges dropped). */
  store(start: number, end: number, entry: E | null): void {
    this.checkRange('store', start, end);
    if (entry === undefined) throw new IndexContractError('store: entry is undefined');
    if (entry !== null && this.checked) this.checkEntry('store', entry);
    this.write(start, end - 1, entry);
  }

  /** Stores NULL over the range, which must be exactly a range mapped to `entry`. O(log n). */
  remove(start: number, end: number, entry: E): void {
    this.checkRange('remove', start, end);
    const at = rangeAt(this.t, start);
    if (at === null || at.entry !== entry || at.first !== start || at.last !== end - 1) {
      throw new IndexContractError(
        `remove: [${hex(start)}, ${hex(end)}) is not a range of the index mapped to that entry`,
      );
    }
    this.write(start, end - 1, null);
  }

  /** mtree_erase(): O(log n). */
  eraseAt(addr: number): E | null {
    if (!(addr >= 0 && addr <= INDEX_MAX)) return null;
    const at = rangeAt(this.t, addr);
    if (at === null || at.entry === null) return null;
    this.write(at.first, at.last, null);
    return at.entry;
  }

  /** mas_empty_area(): O(log n). */
  emptyArea(min: number, max: number, size: number): number {
    return emptyArea(this.t, min, max, size);
  }

  /** mas_empty_area_rev(): O(log n). */
  emptyAreaRev(min: number, max: number, size: number): number {
    return emptyAreaRev(this.t, min, max, size);
  }

  /** unmapped_area() / unmapped_area_topdown() over mas_empty_area, as v6.12 does. */
  unmappedArea(request: UnmappedAreaRequest): number {
    return unmappedAreaVia(this, request);
  }

  /** O(n). */
  validate(): void {
    validateTree(this.t);
  }

  stats(): IndexStats {
    const t = this.t;
    const paths = this.writer.paths;
    return {
      entries: t.count,
      nodes: t.liveNodes,
      height: t.height,
      bytes: t.liveNodes * NODE_BYTES,
      detail: {
        leaves: t.liveLeaves,
        internal: t.liveNodes - t.liveLeaves,
        allocations: t.allocations,
        retired: t.retiredTotal,
        freed: t.freedTotal,
        pendingFree: t.pendingFree,
        version: this.versionNo,
        'store.exactFit': paths.exactFit,
        'store.append': paths.append,
        'store.slotStore': paths.slotStore,
        'store.nodeStore': paths.nodeStore,
        'store.splitStore': paths.splitStore,
        'store.rebalance': paths.rebalance,
        'store.spanningStore': paths.spanningStore,
        'store.newRoot': paths.newRoot,
        'store.rootExpand': paths.rootExpand,
      },
    };
  }

  beginUpdate(): void {
    if (this.depth++ === 0) this.t.startTracking();
  }

  publish(): void {
    if (this.depth === 0) throw new IndexContractError('publish() without beginUpdate()');
    if (--this.depth === 0) {
      this.t.stopTracking();
      this.publishNow();
    }
  }

  openReader(): LocklessReader<E> {
    const reader = new MapleReader<E>(this, ++this.t.clock);
    this.readers.add(reader);
    return reader;
  }

  /**
   * Node ids the update in flight created, retired, or overwrote in place (empty lists outside a
   * beginUpdate()/publish() bracket). A lockless lookup whose path crosses a created or retired
   * node restarts (RCU mode) or misses (non-RCU mode, which also misses on nodes written in place).
   */
  nodesChangedDuringUpdate(): UpdateFootprint {
    return this.t.footprint();
  }

  /**
   * An RCU grace period: frees the retired nodes no open reader can still hold (all of them when
   * no reader is open). Returns the number freed. O(freed + open readers).
   */
  gracePeriod(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const r of this.readers) oldest = Math.min(oldest, r.since);
    return this.t.reclaim(oldest);
  }

  /** @internal A reader's walk, with the outcome the update in flight implies. */
  readerWalk(reader: MapleReader<E>, addr: number, find: boolean): E | null {
    const t = this.t;
    const path: number[] = [];
    let result = find ? findWalk(t, addr, path) : lookupWalk(t, addr, path);
    let outcome: ReaderOutcome = 'clean';
    if (this.depth > 0) {
      for (const id of path) {
        if (t.created.has(id) || t.retired.has(id)) {
          outcome = t.rcu ? 'restarted' : 'missed';
          break;
        }
        if (!t.rcu && t.written.has(id)) {
          outcome = 'missed';
          break;
        }
      }
    }
    if (outcome === 'missed') result = null;
    reader.outcome = outcome;
    reader.path = path;
    return result;
  }

  /** @internal */
  readerClosed(reader: MapleReader<E>): void {
    this.readers.delete(reader);
  }
}

/** Creates an empty maple-tree index (RCU mode unless `rcu: false`). */
export function createMapleIndex<E extends IndexEntry>(options?: MapleOptions): MapleIndex<E> {
  return new MapleIndex<E>(options);
}
