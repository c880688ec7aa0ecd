/**
 * A VMA index on a copy-on-write B+ tree (sorted-btree): an update `clone()`s the published tree
 * (O(1): the root is marked shared), mutates the clone — the library copies each shared node on the
 * path it writes, so the published tree's nodes are never changed — then `freeze()`s it and
 * publishes it with one reference swap. Readers keep the frozen version they opened.
 *
 * This is the maple tree's RCU write model reduced to its essence (copy the nodes you change,
 * publish the new root, free the old nodes after a grace period), without the maple tree's
 * in-place fast paths or dead-node restarts: a reader here never restarts because it holds a whole
 * immutable version.
 *
 * Ranges are keyed by their last byte (`end - 1`, like maple pivots, which are inclusive), so
 * `getPairOrNextHigher(addr)` is find_vma: the first range with end - 1 >= addr, i.e. end > addr.
 * Addresses are integers; a fractional query is rounded so that the answers stay exact.
 */
import {
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
  PublishedVersions,
  type RangeVisitor,
  requireEntry,
  type StoredRange,
  type TrackerCounters,
  type UnmappedAreaRequest,
  unmappedAreaVia,
  type VersionedTree,
  type VersionTracker,
  type VmaIndex,
} from '@vmakit/core';
import {
  type BTree,
  btAbove,
  btAtOrAbove,
  btAtOrBelow,
  btCheckValid,
  btCreate,
  btDeleteExisting,
  btInsertNew,
  btReplaceValue,
  btRoot,
  type RawBNode,
} from './btree-adapter.js';

/**
 * Default keys per node: 16, the slot count of a 64-bit maple node (MAPLE_RANGE64_SLOTS,
 * include/linux/maple_tree.h; 256-byte nodes). Copy-on-write copies whole nodes, so each level of
 * an update costs O(node size): 16 copies half the bytes of the library's default 32 per level and
 * adds at most one level at VMA-count scale (65 530 ranges: height 4-5 instead of 3-4), and it keeps
 * the height comparable with the maple index.
 */
export const COW_BTREE_DEFAULT_NODE_SIZE = 16;

/**
 * JavaScript heap bytes per stored range in steady state (one published version, no reader),
 * entries excluded, at the default node size. Measured on Node 20.20.2 (x64) with a throwaway
 * script under `node --expose-gc`: build an index of N page-aligned ranges near 0x7f00_0000_0000
 * with the entries allocated beforehand, call global.gc() twice and divide the growth of `heapUsed`
 * by N. For N from 10 000 to 200 000, sequential and shuffled order, the 12 runs gave 123-143 bytes,
 * median 129 (sequential builds pack leaves fuller). Node size 32 gave 103-109 (two runs); other
 * sizes were not measured and stats() uses this figure for them too.
 */
export const COW_BTREE_HEAP_BYTES_PER_ENTRY = 129;

/** Options of the copy-on-write B-tree index. */
export interface CowBtreeOptions extends IndexOptions {
  /** Keys per node, 4..256 (default COW_BTREE_DEFAULT_NODE_SIZE). */
  readonly maxNodeSize?: number;
}

/** Bytes of a node modelled as a C structure: an 8-byte header, then `size` keys and `size` slots. */
function modelNodeBytes(size: number): number {
  return 8 + 16 * size;
}

const LINE_BYTES = 64;

/** How the version plumbing sees a library tree: cloned (O(1)) to start a draft, frozen at publish. */
const VERSIONS: VersionedTree<BTree<StoredRange<unknown>>, RawBNode> = {
  rootOf: btRoot,
  sizeOf: (t) => t.size,
  startDraft: (t) => t.clone(),
  seal: (t) => t.freeze(),
};

const hex = (x: number): string => `0x${x.toString(16)}`;

/**
 * The copy-on-write B+ tree index (registered as `cow-btree`, semantics `snapshot`).
 *
 * Complexity (n ranges, node size B): find/lookup/prevOf/nextOf O(log n); forEach/forEachReverse
 * O(log n + k); insert/remove/eraseAt O(B log_B n) time (a copied node costs O(B)) and O(log_B n)
 * new nodes; store O((k + 1) B log_B n); emptyArea/emptyAreaRev O(log n + ranges scanned), O(n) worst
 * case (no gap augmentation); publish O(B log_B n) for the node accounting; validate/stats O(n).
 */
export class CowBtreeIndex<E extends IndexEntry> implements VmaIndex<E> {
  readonly name = 'cow-btree';
  readonly semantics = 'snapshot' as const;
  readonly era = 'maple-era' as const;
  probe: IndexProbe | null;
  /** Keys per node. */
  readonly maxNodeSize: number;
  private readonly pageAligned: boolean;
  private readonly nodeBytes: number;
  /** The published (frozen) tree, the writer's clone while an update is in flight, reader pins, node accounting. */
  private readonly versions: PublishedVersions<BTree<StoredRange<E>>, RawBNode>;
  private readonly tracker: VersionTracker<RawBNode>;

  constructor(options: CowBtreeOptions = {}) {
    const size = options.maxNodeSize ?? COW_BTREE_DEFAULT_NODE_SIZE;
    if (!Number.isInteger(size) || size < 4 || size > 256) {
      throw new IndexContractError(`cow-btree: maxNodeSize must be an integer from 4 to 256, got ${size}`);
    }
    this.maxNodeSize = size;
    this.nodeBytes = modelNodeBytes(size);
    this.pageAligned = options.pageAligned ?? options.checked ?? false;
    this.probe = options.probe ?? null;
    this.versions = new PublishedVersions<BTree<StoredRange<E>>, RawBNode>(
      VERSIONS as VersionedTree<BTree<StoredRange<E>>, RawBNode>,
      btCreate<StoredRange<E>>(size),
      {
        forEachChild(node, visit) {
          const c = node.children;
          if (c !== undefined) for (let i = 0; i < c.length; i++) visit(c[i]!);
        },
        nodeBytes: this.nodeBytes,
      },
      () => this.probe,
    );
    this.tracker = this.versions.tracker;
  }

  get size(): number {
    return this.current().size;
  }

  get version(): number {
    return this.versions.version;
  }

  private current(): BTree<StoredRange<E>> {
    return this.versions.current;
  }

  /** Line of key i / slot i in the C model of a node. */
  private keyLine(i: number): number {
    return Math.floor((8 + 8 * i) / LINE_BYTES);
  }

  private slotLine(i: number): number {
    return Math.floor((8 + 8 * this.maxNodeSize + 8 * i) / LINE_BYTES);
  }

  /**
   * Replays the library's key-directed descent for `key`: per node, the lines of the keys its
   * binary search compares (b+tree.js `indexOf`) and of the slot it follows. Exact for
   * getPairOrNextHigher (find/lookup); the other queries follow the same path, and a neighbouring
   * leaf the library may step into is not reported. Returns the nodes crossed, root first.
   */
  private descend(tree: BTree<StoredRange<E>>, key: number, probe: IndexProbe | null): RawBNode[] {
    const path: RawBNode[] = [];
    let node: RawBNode | undefined = btRoot(tree);
    while (node !== undefined) {
      path.push(node);
      const keys: readonly number[] = node.keys;
      let lo = 0;
      let hi: number = keys.length;
      let mid: number = hi >> 1;
      let found = -1;
      const id = probe === null ? 0 : this.tracker.idOf(node);
      while (lo < hi) {
        probe?.read(id, this.keyLine(mid));
        const c = keys[mid]! - key;
        if (c < 0) lo = mid + 1;
        else if (c > 0) hi = mid;
        else {
          found = mid;
          break;
        }
        mid = (lo + hi) >> 1;
      }
      const i: number = found >= 0 ? found : mid;
      if (i < keys.length) probe?.read(id, this.slotLine(i));
      const children: readonly RawBNode[] | undefined = node.children;
      node = children === undefined || i >= children.length ? undefined : children[i];
    }
    return path;
  }

  private readPath(tree: BTree<StoredRange<E>>, key: number): void {
    if (this.probe !== null) this.descend(tree, key, this.probe);
  }

  /**
   * Reports the lines of every node holding keys in [lo, hi] (an iteration from lo to hi walks
   * exactly those leaves and the internal slots leading to them).
   */
  private readSpan(tree: BTree<StoredRange<E>>, lo: number, hi: number): void {
    const probe = this.probe;
    if (probe === null || !(lo <= hi)) return;
    const visit = (node: RawBNode): void => {
      const id = this.tracker.idOf(node);
      const lines = new Set<number>();
      const keys = node.keys;
      for (let i = 0; i < keys.length; i++) {
        if (keys[i]! < lo) continue;
        lines.add(this.keyLine(i));
        lines.add(this.slotLine(i));
        if (node.children !== undefined) visit(node.children[i]!);
        if (keys[i]! >= hi) break;
      }
      for (const line of lines) probe.read(id, line);
    };
    visit(btRoot(tree));
  }

  /** The range with the smallest end > addr (find_vma). */
  private firstAbove(tree: BTree<StoredRange<E>>, addr: number): StoredRange<E> | undefined {
    if (Number.isNaN(addr)) return undefined;
    const key = Math.floor(addr);
    this.readPath(tree, key);
    return btAtOrAbove(tree, key);
  }

  /** The range with the largest end <= addr. */
  private lastAtOrBelow(tree: BTree<StoredRange<E>>, addr: number): StoredRange<E> | undefined {
    if (Number.isNaN(addr)) return undefined;
    const key = Math.floor(addr) - 1;
    this.readPath(tree, key);
    return btAtOrBelow(tree, key);
  }

  /** The last range with start <= x (x an integer). */
  private lastStartingAtOrBelow(tree: BTree<StoredRange<E>>, x: number): StoredRange<E> | undefined {
    const c = this.firstAbove(tree, x);
    if (c !== undefined && c.start <= x) return c;
    return this.lastAtOrBelow(tree, x);
  }

  /** Visits ranges with end > addr in ascending order until visit returns true. */
  private ascending(tree: BTree<StoredRange<E>>, addr: number, visit: (r: StoredRange<E>) => boolean): void {
    if (Number.isNaN(addr)) return;
    const lo = Math.floor(addr);
    let last = Number.NaN;
    tree.forRange(lo, INDEX_MAX, true, (key, r) => {
      last = key;
      return visit(r) ? { break: true } : undefined;
    });
    this.readSpan(tree, lo, last);
  }

  /** Visits ranges with key <= highKey in descending order until visit returns true. */
  private descending(
    tree: BTree<StoredRange<E>>,
    high: StoredRange<E> | undefined,
    visit: (r: StoredRange<E>) => boolean,
  ): void {
    if (high === undefined) return;
    const it = tree.entriesReversed(high.end - 1);
    let lowest = high.end - 1;
    for (let step = it.next(); !step.done; step = it.next()) {
      lowest = step.value[0];
      if (visit(step.value[1])) break;
    }
    this.readSpan(tree, lowest, high.end - 1);
  }

  find(addr: number): E | null {
    return this.firstAbove(this.current(), addr)?.entry ?? null;
  }

  lookup(addr: number): E | null {
    const r = this.firstAbove(this.current(), addr);
    return r !== undefined && r.start <= addr ? r.entry : null;
  }

  prevOf(addr: number): E | null {
    return this.lastAtOrBelow(this.current(), addr)?.entry ?? null;
  }

  nextOf(addr: number): E | null {
    const t = this.current();
    const r = this.firstAbove(t, addr);
    if (r === undefined) return null;
    if (r.start >= addr) return r.entry;
    this.readPath(t, r.end);
    return btAbove(t, r.end - 1)?.entry ?? null;
  }

  forEach(from: number, to: number, visit: RangeVisitor<E>): void {
    // An empty window intersects nothing, not even a range straddling it.
    if (!(from < to)) return;
    this.ascending(this.current(), from, (r) => r.start >= to || visit(r.start, r.end, r.entry) === true);
  }

  forEachReverse(from: number, to: number, visit: RangeVisitor<E>): void {
    if (!(from < to)) return;
    const t = this.current();
    // Ranges with start < to are those with start <= ceil(to) - 1 (starts are integers).
    const high = this.lastStartingAtOrBelow(t, Math.ceil(to) - 1);
    this.descending(t, high, (r) => r.end <= from || visit(r.start, r.end, r.entry) === true);
  }

  private checkRange(op: string, start: number, end: number): void {
    checkRangeArgs(op, start, end, this.pageAligned);
  }

  private checkEntry(op: string, entry: E | null | undefined): void {
    requireEntry(op, entry);
  }

  /** The writer's private copy: an O(1) clone of the published tree on the update's first write. */
  private writable(): BTree<StoredRange<E>> {
    return this.versions.writable();
  }

  /** Ends an update: frozen and published now unless inside a bracket. */
  private autoPublish(): void {
    this.versions.updated();
  }

  insert(start: number, end: number, entry: E): void {
    this.checkRange('insert', start, end);
    this.checkEntry('insert', entry);
    const r = this.firstAbove(this.current(), start);
    if (r !== undefined && r.start < end) {
      throw new IndexContractError(
        `insert: [${hex(start)}, ${hex(end)}) overlaps [${hex(r.start)}, ${hex(r.end)})`,
      );
    }
    btInsertNew(this.writable(), end - 1, { start, end, entry });
    this.autoPublish();
  }

  store(start: number, end: number, entry: E | null): void {
    this.checkRange('store', start, end);
    if (entry === undefined) this.checkEntry('store', entry);
    const hits: StoredRange<E>[] = [];
    this.ascending(this.current(), start, (r) => {
      if (r.start >= end) return true;
      hits.push(r);
      return false;
    });
    const d = this.writable();
    const first = hits[0];
    const last = hits[hits.length - 1];
    // The last hit keeps its key (end - 1) when it sticks out above the window: only its value changes.
    const keepLast = last !== undefined && last.end > end;
    for (let i = 0; i < hits.length; i++) {
      if (i === hits.length - 1 && keepLast) break;
      btDeleteExisting(d, hits[i]!.end - 1);
    }
    if (first !== undefined && first.start < start) {
      btInsertNew(d, start - 1, { start: first.start, end: start, entry: first.entry });
    }
    if (entry !== null) btInsertNew(d, end - 1, { start, end, entry });
    if (keepLast) btReplaceValue(d, last.end - 1, { start: end, end: last.end, entry: last.entry });
    this.autoPublish();
  }

  remove(start: number, end: number, entry: E): void {
    this.checkRange('remove', start, end);
    const t = this.current();
    this.readPath(t, end - 1);
    const r = t.get(end - 1);
    if (r === undefined || r.start !== start || r.entry !== entry) {
      throw new IndexContractError(
        `remove: [${hex(start)}, ${hex(end)}) is not a range of the index mapped to that entry`,
      );
    }
    btDeleteExisting(this.writable(), end - 1);
    this.autoPublish();
  }

  eraseAt(addr: number): E | null {
    const r = this.firstAbove(this.current(), addr);
    if (r === undefined || r.start > addr) return null;
    btDeleteExisting(this.writable(), r.end - 1);
    this.autoPublish();
    return r.entry;
  }

  /** mas_empty_area() by walking ranges upwards from min: O(log n + ranges scanned), O(n) worst case. */
  emptyArea(min: number, max: number, size: number): number {
    const t = this.current();
    return emptyAreaWalk(min, max, size, this.lastAtOrBelow(t, min)?.end ?? 0, (visit) =>
      this.ascending(t, min, (r) => visit(r.start, r.end)),
    );
  }

  /** mas_empty_area_rev() by walking ranges downwards from max: O(log n + ranges scanned), O(n) worst case. */
  emptyAreaRev(min: number, max: number, size: number): number {
    const t = this.current();
    const top = Math.floor(max);
    let above = this.firstAbove(t, top);
    if (above !== undefined && above.start <= top) above = btAbove(t, above.end - 1);
    const nextStart = above?.start ?? INDEX_MAX + 1;
    return emptyAreaRevWalk(min, max, size, nextStart, (visit) =>
      this.descending(t, this.lastStartingAtOrBelow(t, top), (r) => visit(r.start, r.end)),
    );
  }

  /** unmapped_area()/unmapped_area_topdown() over emptyArea (guard gaps included). */
  unmappedArea(request: UnmappedAreaRequest): number {
    return unmappedAreaVia(this, request);
  }

  /** Checks one version: the library's checkValid, then key = end - 1, global order, no overlap, size. */
  private checkVersion(tree: BTree<StoredRange<E>>, what: string): number {
    btCheckValid(tree, what);
    let prevEnd = Number.NEGATIVE_INFINITY;
    let count = 0;
    let fault: string | null = null;
    tree.forEach((r, key) => {
      if (fault !== null) return;
      if (r === null || typeof r !== 'object') fault = `key ${key} holds no range`;
      else if (key !== r.end - 1)
        fault = `key ${key} is not the last byte of its range [${hex(r.start)}, ${hex(r.end)})`;
      else if (!(r.start < r.end)) fault = `range [${hex(r.start)}, ${hex(r.end)}) is empty`;
      else if (r.start < prevEnd)
        fault = `range [${hex(r.start)}, ${hex(r.end)}) overlaps the range ending at ${hex(prevEnd)}`;
      else if (r.entry === null || r.entry === undefined)
        fault = `range [${hex(r.start)}, ${hex(r.end)}) maps to nothing`;
      else if (this.pageAligned && (r.start % PAGE_SIZE !== 0 || r.end % PAGE_SIZE !== 0)) {
        fault = `range [${hex(r.start)}, ${hex(r.end)}) is not page aligned`;
      } else {
        prevEnd = r.end;
        count++;
      }
    });
    if (fault !== null) throw new IndexInvariantError(`cow-btree (${what}): ${fault}`);
    if (count !== tree.size) {
      throw new IndexInvariantError(`cow-btree (${what}): holds ${count} ranges but reports ${tree.size}`);
    }
    return count;
  }

  /**
   * Checks the writer's version and the published one (library validity, order, no overlap, size),
   * that the published version is frozen and is exactly the tree the last update built, with all
   * its nodes accounted for, and that every version an open reader pins still has its root and
   * size. O(n × versions checked).
   */
  validate(): void {
    const fail = (detail: string): never => {
      throw new IndexInvariantError(`cow-btree: ${detail}`);
    };
    const { draft, published } = this.versions;
    if (draft !== null) {
      if (draft.isFrozen) fail('the draft is frozen');
      this.checkVersion(draft, 'draft');
    }
    this.checkVersion(published, 'published');
    if (!published.isFrozen) fail('the published version is not frozen');
    this.versions.checkRecord(fail);
    if (!this.tracker.isFullyPublished(btRoot(published))) {
      fail('the published version has nodes that were not accounted for at publish');
    }
    for (const pinned of this.versions.pinnedVersions()) {
      const what = `version ${pinned.version} pinned by a reader`;
      if (btRoot(pinned.tree) !== pinned.root) fail(`${what} has a different root than when published`);
      const n = this.checkVersion(pinned.tree, what);
      if (n !== pinned.size) fail(`${what} holds ${n} ranges, ${pinned.size} when published`);
    }
  }

  /** Size and shape; `bytes` uses the measured heap cost per range (COW_BTREE_HEAP_BYTES_PER_ENTRY). O(n / B). */
  stats(): IndexStats {
    const t = this.current();
    let nodes = 0;
    const stack: RawBNode[] = [btRoot(t)];
    while (stack.length > 0) {
      const node = stack.pop()!;
      nodes++;
      if (node.children !== undefined) for (const c of node.children) stack.push(c);
    }
    const n = t.size;
    if (n === 0) nodes = 0;
    return {
      entries: n,
      nodes,
      height: n === 0 ? 0 : t.height + 1,
      bytes: n * COW_BTREE_HEAP_BYTES_PER_ENTRY,
      detail: {
        version: this.versions.version,
        ...this.versions.counters(),
        maxNodeSize: this.maxNodeSize,
        heapBytesPerEntry: COW_BTREE_HEAP_BYTES_PER_ENTRY,
        modelNodeBytes: this.nodeBytes,
        modelBytes: nodes * this.nodeBytes,
      },
    };
  }

  /** The node accounting of stats().detail without the shape walk. O(readers). */
  accounting(): TrackerCounters {
    return this.versions.counters();
  }

  beginUpdate(): void {
    this.versions.beginUpdate();
  }

  publish(): void {
    this.versions.publish();
  }

  /**
   * A lockless reader pinned to the frozen version published now: its answers never change, and it
   * keeps that version's retired nodes from being freed until close(). `path` lists the node ids of
   * the last lookup's descent, root to leaf (computed when asked).
   */
  openReader(): LocklessReader<E> {
    return this.versions.openReader<E>(
      (tree, addr) => this.firstAbove(tree, addr),
      (pinned, addr) =>
        Number.isNaN(addr)
          ? []
          : this.descend(pinned.tree, Math.floor(addr), null).map((n) => this.tracker.idOf(n)),
    );
  }
}

/** Creates an empty copy-on-write B-tree index. */
export function createCowBtreeIndex<E extends IndexEntry>(options?: CowBtreeOptions): CowBtreeIndex<E> {
  return new CowBtreeIndex<E>(options);
}
