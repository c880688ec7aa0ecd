/**
 * A VMA index on an immutable (persistent) red-black tree, after Bonsai (Clements, Kaashoek and
 * Zeldovich, "Scalable Address Spaces Using RCU Balanced Trees", ASPLOS 2012): every update builds
 * a new version by path copying and publishes it with one reference swap, so a lockless reader sees
 * exactly the version that was published when it started, and the nodes an update replaces are
 * freed only after the readers that might still see them are gone.
 *
 * Ranges are keyed by their end, so find_vma (first range with end > addr) is one `gt` lookup and
 * the range before an address is one `le` lookup. The node value is a StoredRange record.
 *
 * Bonsai itself is a weight-balanced tree written for this purpose; functional-red-black-tree is a
 * red-black tree with the same persistence discipline (new nodes on the path, old nodes never
 * written), so it models the same read side and the same O(log n) allocation per update.
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
  type NodeShape,
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
import { checkRbVersion } from './check-version.js';
import {
  type RbCursor,
  type RbNode,
  type RbVersion,
  rbEmpty,
  rbFind,
  rbFirstAbove,
  rbForEachFrom,
  rbInsertNew,
  rbLastAtOrBelow,
  rbRemoveExisting,
  rbReplaceValue,
} from './frbt-adapter.js';

type Node<E> = RbNode<StoredRange<E>>;
type Version<E> = RbVersion<StoredRange<E>>;
type Cursor<E> = RbCursor<StoredRange<E>>;

/**
 * Bytes of one tree node modelled as a C structure: colour, key, value pointer, left, right and
 * subtree count, one 8-byte word each (rbtree.js `RBNode`); it fits one 64-byte cache line.
 */
export const RBTREE_NODE_MODEL_BYTES = 48;

/**
 * JavaScript heap bytes per stored range in steady state (one published version, no reader),
 * entries themselves excluded. Measured on Node 20.20.2 (x64) with a throwaway script run under
 * `node --expose-gc`: build an index of N page-aligned ranges near 0x7f00_0000_0000 with the entries
 * allocated beforehand, call global.gc() twice, divide the growth of `heapUsed` by N. For N from
 * 10 000 to 200 000, in sequential and shuffled order, the 12 runs gave 210-260 bytes, median 228.
 * The library's node plus the StoredRange record and its boxed 64-bit numbers alone take 160-174
 * bytes (same method on a bare tree); the accounting Map's entry for the node is the rest. A C
 * Bonsai node would be RBTREE_NODE_MODEL_BYTES.
 */
export const RBTREE_HEAP_BYTES_PER_ENTRY = 228;

const SHAPE: NodeShape<Node<unknown>> = {
  forEachChild(node, visit) {
    if (node.left !== null) visit(node.left);
    if (node.right !== null) visit(node.right);
  },
  nodeBytes: RBTREE_NODE_MODEL_BYTES,
};

/** How the version plumbing sees a library version: persistent, so it is its own draft. */
const VERSIONS: VersionedTree<Version<unknown>, Node<unknown>> = {
  rootOf: (t) => t.root,
  sizeOf: (t) => t.length,
  startDraft: (t) => t,
};

const hex = (x: number): string => `0x${x.toString(16)}`;

/**
 * The persistent red-black tree index (registered as `persistent-rbtree`, semantics `snapshot`).
 *
 * Complexity (n ranges): find/lookup/prevOf/nextOf O(log n); forEach/forEachReverse O(log n + k);
 * insert/remove/eraseAt O(log n) time and O(log n) new nodes; store O((k + 1) log n) for k ranges
 * overwritten; emptyArea/emptyAreaRev O(log n + ranges scanned), O(n) worst case (no gap
 * augmentation); publish O(log n) for the node accounting; validate/stats O(n).
 */
export class PersistentRbtreeIndex<E extends IndexEntry> implements VmaIndex<E> {
  readonly name = 'persistent-rbtree';
  readonly semantics = 'snapshot' as const;
  readonly era = 'maple-era' as const;
  probe: IndexProbe | null;
  private readonly pageAligned: boolean;
  /** The published version, the draft of an update in flight, brackets, reader pins, node accounting. */
  private readonly versions: PublishedVersions<Version<E>, Node<E>>;
  private readonly tracker: VersionTracker<Node<E>>;

  constructor(options: IndexOptions = {}) {
    this.pageAligned = options.pageAligned ?? options.checked ?? false;
    this.probe = options.probe ?? null;
    this.versions = new PublishedVersions<Version<E>, Node<E>>(
      VERSIONS as VersionedTree<Version<E>, Node<E>>,
      rbEmpty(),
      SHAPE as NodeShape<Node<E>>,
      () => this.probe,
    );
    this.tracker = this.versions.tracker;
  }

  get size(): number {
    return this.current().length;
  }

  get version(): number {
    return this.versions.version;
  }

  /** What the writer sees: the draft when an update is in flight. */
  private current(): Version<E> {
    return this.versions.current;
  }

  /**
   * Reports the nodes the library's descent for `key` crosses. `leftOnEqual` selects the descent of
   * ge/lt/find (equal keys go left) rather than gt/le; it is the same walk rbtree.js performs.
   */
  private readPath(t: Version<E>, key: number, leftOnEqual: boolean): void {
    const probe = this.probe;
    if (probe === null) return;
    for (let n = t.root; n !== null; ) {
      probe.read(this.tracker.idOf(n), 0);
      const d = key - n.key;
      n = d < 0 || (leftOnEqual && d === 0) ? n.left : n.right;
    }
  }

  private readNode(node: Node<E>): void {
    this.probe?.read(this.tracker.idOf(node), 0);
  }

  /** First range with end > addr (find_vma). */
  private firstAbove(t: Version<E>, addr: number): Cursor<E> | null {
    this.readPath(t, addr, false);
    return rbFirstAbove(t, addr);
  }

  /** Last range with end <= addr. */
  private lastAtOrBelow(t: Version<E>, addr: number): Cursor<E> | null {
    this.readPath(t, addr, false);
    return rbLastAtOrBelow(t, addr);
  }

  /** Last range with start <= x (inclusive) or start < x. */
  private lastStartingBelow(t: Version<E>, x: number, inclusive: boolean): Cursor<E> | null {
    const c = this.firstAbove(t, x);
    if (c !== null && (inclusive ? c.value.start <= x : c.value.start < x)) return c;
    return rbLastAtOrBelow(t, x);
  }

  /**
   * Visits ranges with end > addr in ascending order until visit returns true: the library's
   * in-order walk, or a cursor walk when a probe wants the nodes.
   */
  private ascending(t: Version<E>, addr: number, visit: (r: StoredRange<E>) => boolean): void {
    if (this.probe !== null) {
      this.walk(this.firstAbove(t, addr), true, visit);
      return;
    }
    if (Number.isNaN(addr)) return;
    // Keys (ends) are integers: end > addr exactly when end >= floor(addr) + 1.
    rbForEachFrom(t, Math.floor(addr) + 1, visit);
  }

  /** Visits ranges from cursor c onwards (or backwards) until visit returns true. */
  private walk(c: Cursor<E> | null, forward: boolean, visit: (r: StoredRange<E>) => boolean): void {
    let first = true;
    while (c?.valid) {
      if (!first) this.readNode(c.node);
      first = false;
      if (visit(c.value)) return;
      if (forward) c.next();
      else c.prev();
    }
  }

  find(addr: number): E | null {
    return this.firstAbove(this.current(), addr)?.value.entry ?? null;
  }

  lookup(addr: number): E | null {
    const c = this.firstAbove(this.current(), addr);
    return c !== null && c.value.start <= addr ? c.value.entry : null;
  }

  prevOf(addr: number): E | null {
    return this.lastAtOrBelow(this.current(), addr)?.value.entry ?? null;
  }

  nextOf(addr: number): E | null {
    const c = this.firstAbove(this.current(), addr);
    if (c === null) return null;
    if (c.value.start < addr) {
      c.next();
      if (!c.valid) return null;
      this.readNode(c.node);
    }
    return c.value.entry;
  }

  forEach(from: number, to: number, visit: RangeVisitor<E>): void {
    // An empty window intersects nothing, not even a range straddling it.
    if (!(from < to)) return;
    this.ascending(this.current(), from, (r) => {
      if (r.start >= to) return true;
      return visit(r.start, r.end, r.entry) === true;
    });
  }

  forEachReverse(from: number, to: number, visit: RangeVisitor<E>): void {
    if (!(from < to)) return;
    this.walk(this.lastStartingBelow(this.current(), to, false), false, (r) => {
      if (r.end <= from) return true;
      return visit(r.start, r.end, r.entry) === true;
    });
  }

  private checkRange(op: string, start: number, end: number): void {
    checkRangeArgs(op, start, end, this.pageAligned);
  }

  private checkEntry(op: string, entry: E | null | undefined): void {
    requireEntry(op, entry);
  }

  /** The draft of an update: the writer's private next version. */
  private writable(): Version<E> {
    return this.versions.writable();
  }

  /** Ends an update whose new version is `next`: published now unless inside a bracket. */
  private commit(next: Version<E>): void {
    this.versions.setDraft(next);
    this.versions.updated();
  }

  insert(start: number, end: number, entry: E): void {
    this.checkRange('insert', start, end);
    this.checkEntry('insert', entry);
    const c = this.firstAbove(this.current(), start);
    if (c !== null && c.value.start < end) {
      throw new IndexContractError(
        `insert: [${hex(start)}, ${hex(end)}) overlaps [${hex(c.value.start)}, ${hex(c.value.end)})`,
      );
    }
    this.commit(rbInsertNew(this.writable(), end, { start, end, entry }));
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
    let d = this.writable();
    const first = hits[0];
    const last = hits[hits.length - 1];
    // The last hit keeps its key (its end) when it sticks out above the window: only its value changes.
    const keepLast = last !== undefined && last.end > end;
    for (let i = 0; i < hits.length; i++) {
      if (i === hits.length - 1 && keepLast) break;
      d = rbRemoveExisting(d, hits[i]!.end);
    }
    if (first !== undefined && first.start < start) {
      d = rbInsertNew(d, start, { start: first.start, end: start, entry: first.entry });
    }
    if (entry !== null) d = rbInsertNew(d, end, { start, end, entry });
    if (keepLast) d = rbReplaceValue(d, last.end, { start: end, end: last.end, entry: last.entry });
    this.commit(d);
  }

  remove(start: number, end: number, entry: E): void {
    this.checkRange('remove', start, end);
    const t = this.current();
    this.readPath(t, end, true);
    const c = rbFind(t, end);
    if (c === null || c.value.start !== start || c.value.entry !== entry) {
      throw new IndexContractError(
        `remove: [${hex(start)}, ${hex(end)}) is not a range of the index mapped to that entry`,
      );
    }
    this.commit(rbRemoveExisting(this.writable(), end));
  }

  eraseAt(addr: number): E | null {
    const c = this.firstAbove(this.current(), addr);
    if (c === null || c.value.start > addr) return null;
    const { end, entry } = c.value;
    this.commit(rbRemoveExisting(this.writable(), end));
    return entry;
  }

  /** mas_empty_area() by walking ranges upwards from min: O(log n + ranges scanned), O(n) worst case. */
  emptyArea(min: number, max: number, size: number): number {
    const t = this.current();
    return emptyAreaWalk(min, max, size, this.lastAtOrBelow(t, min)?.value.end ?? 0, (visit) =>
      this.ascending(t, min, (r) => visit(r.start, r.end)),
    );
  }

  /** mas_empty_area_rev() by walking ranges downwards from max: O(log n + ranges scanned), O(n) worst case. */
  emptyAreaRev(min: number, max: number, size: number): number {
    const t = this.current();
    const above = this.firstAbove(t, max);
    if (above !== null && above.value.start <= max) above.next();
    const nextStart = above?.valid ? above.value.start : INDEX_MAX + 1;
    return emptyAreaRevWalk(min, max, size, nextStart, (visit) =>
      this.walk(this.lastStartingBelow(t, max, true), false, (r) => visit(r.start, r.end)),
    );
  }

  /** unmapped_area()/unmapped_area_topdown() over emptyArea (guard gaps included). */
  unmappedArea(request: UnmappedAreaRequest): number {
    return unmappedAreaVia(this, request);
  }

  /**
   * Checks the writer's version (red-black shape, counts, order, no overlap, size), that the
   * published version is still exactly the tree the last update built and that all its nodes were
   * accounted for, and that every version an open reader pins is intact. O(n × versions checked).
   */
  validate(): void {
    const fail = (detail: string): never => {
      throw new IndexInvariantError(`persistent-rbtree: ${detail}`);
    };
    const check = (t: Version<E>, what: string, nodeCheck?: (node: Node<E>) => string | null): void => {
      const n = checkRbVersion(t.root, what, this.pageAligned, nodeCheck);
      if (n !== t.length) fail(`${what} holds ${n} ranges but reports ${t.length}`);
    };
    const draft = this.versions.draft;
    if (draft !== null) check(draft, 'draft');
    check(this.versions.published, 'published');
    // The accounting walk at publish tags every new node, the root first.
    const root = this.versions.published.root;
    if (root !== null && !this.tracker.isPublishedNode(root))
      fail('the published root was not accounted for at publish');
    this.versions.checkRecord(fail);
    for (const pinned of this.versions.pinnedVersions()) {
      const what = `version ${pinned.version} pinned by a reader`;
      if (pinned.tree.root !== pinned.root) fail(`${what} has a different root than when published`);
      const n = checkRbVersion(pinned.root, what, this.pageAligned);
      if (n !== pinned.size) fail(`${what} holds ${n} ranges, ${pinned.size} when published`);
    }
  }

  /**
   * Size and shape: one node per range; `height` is the longest root-to-leaf path; `bytes` uses the
   * measured heap cost per range (RBTREE_HEAP_BYTES_PER_ENTRY). O(n).
   */
  stats(): IndexStats {
    const t = this.current();
    let height = 0;
    const stack: Array<[Node<E>, number]> = t.root === null ? [] : [[t.root, 1]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop()!;
      height = Math.max(height, depth);
      if (node.left !== null) stack.push([node.left, depth + 1]);
      if (node.right !== null) stack.push([node.right, depth + 1]);
    }
    const n = t.length;
    return {
      entries: n,
      nodes: n,
      height,
      bytes: n * RBTREE_HEAP_BYTES_PER_ENTRY,
      detail: {
        version: this.versions.version,
        ...this.versions.counters(),
        heapBytesPerEntry: RBTREE_HEAP_BYTES_PER_ENTRY,
        modelNodeBytes: RBTREE_NODE_MODEL_BYTES,
        modelBytes: n * RBTREE_NODE_MODEL_BYTES,
      },
    };
  }

  /**
   * The node accounting of stats().detail without stats()'s O(n) shape walk: nodes allocated and
   * retired by the last and all published updates, open readers, versions they retain and retired
   * nodes still waiting for them. O(readers).
   */
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
   * A lockless reader pinned to the version published now: its answers never change, whatever the
   * writer publishes later, and it keeps that version's retired nodes from being freed until
   * close(). `path` lists the node ids of the last lookup's descent (computed when asked).
   */
  openReader(): LocklessReader<E> {
    return this.versions.openReader<E>(
      (tree, addr) => {
        this.readPath(tree, addr, false);
        return rbFirstAbove(tree, addr)?.value;
      },
      (pinned, addr) => {
        const path: number[] = [];
        for (let n = pinned.root; n !== null; n = addr - n.key < 0 ? n.left : n.right) {
          path.push(this.tracker.idOf(n));
        }
        return path;
      },
    );
  }
}

/** Creates an empty persistent red-black tree index. */
export function createPersistentRbtreeIndex<E extends IndexEntry>(
  options?: IndexOptions,
): PersistentRbtreeIndex<E> {
  return new PersistentRbtreeIndex<E>(options);
}
