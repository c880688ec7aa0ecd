/**
 * The Linux <= 6.0 VMA index as a VmaIndex: the augmented red-black tree (mm->mm_rb with
 * rb_subtree_gap), the sorted VMA list, mm->highest_vm_end and the per-thread vmacache.
 *
 * Complexity: find/lookup O(1) on a vmacache hit, else O(log n); prevOf/nextOf O(log n) (one walk,
 * then O(1) through vm_prev/vm_next); forEach/forEachReverse O(log n + k); insert/remove/eraseAt
 * O(log n); store O((k + 1) log n) for k ranges overlapped; emptyArea/emptyAreaRev O(log n)
 * typical via the gap augmentation; validate/stats O(n).
 */
import {
  allocId,
  checkRangeArgs,
  IndexContractError,
  type IndexEntry,
  type IndexOptions,
  type IndexProbe,
  type IndexStats,
  type LocklessReader,
  type RangeVisitor,
  type UnmappedAreaRequest,
  unmappedAreaVia,
  type VmaIndex,
} from '@vmakit/core';
import { emptyAreaHighest, emptyAreaLowest } from './gap-search.js';
import { GapTree, LINKAGE_BYTES, NIL } from './gap-tree.js';
import { openLocklessReader } from './lockless-reader.js';
import { validateGapTree } from './validate.js';
import { VMACACHE_BYTES, Vmacache } from './vmacache.js';

/**
 * mm_struct fields the index owns: mmap (list head), mm_rb (root), vmacache_seqnum and
 * highest_vm_end, 8 bytes each (include/linux/mm_types.h, v5.4).
 */
const MM_BYTES = 32;

/** Options of the rbtree index. */
export interface RbtreeIndexOptions extends IndexOptions {
  /**
   * VMACACHE_SHIFT: 12 (hash on the page number, as in v3.15's include/linux/vmacache.h; the
   * default) or 21 (hash on the PMD, mm/vmacache.c from v5.1).
   */
  readonly vmacacheShift?: number;
}

function hex(x: number): string {
  return `0x${x.toString(16)}`;
}

/** The rbtree-era VMA index (registered as `rbtree`). */
export class RbtreeIndex<E extends IndexEntry> implements VmaIndex<E> {
  readonly name = 'rbtree';
  readonly semantics = 'unsafe' as const;
  readonly era = 'rbtree-era' as const;
  private readonly tree: GapTree<E>;
  private readonly cache: Vmacache;
  private readonly checked: boolean;
  private readonly pageAligned: boolean;
  /** Depth of nested beginUpdate() brackets. */
  private depth = 0;
  private versionNo = 0;
  /** A mutation happened inside the open bracket. */
  private dirty = false;

  constructor(options: RbtreeIndexOptions = {}) {
    this.checked = options.checked ?? false;
    this.pageAligned = options.pageAligned ?? this.checked;
    const shift = options.vmacacheShift ?? 12;
    if (!Number.isInteger(shift) || shift < 0 || shift > 52) {
      throw new IndexContractError(`rbtree: vmacacheShift ${shift} is not an integer in [0, 52]`);
    }
    this.tree = new GapTree<E>(allocId());
    this.tree.probe = options.probe ?? null;
    this.cache = new Vmacache(shift);
  }

  get probe(): IndexProbe | null {
    return this.tree.probe;
  }

  set probe(p: IndexProbe | null) {
    this.tree.probe = p;
  }

  get size(): number {
    return this.tree.size;
  }

  get version(): number {
    return this.versionNo;
  }

  // ---- argument checks ----------------------------------------------------------------------

  private checkAddr(op: string, addr: number, tid?: number): void {
    if (!Number.isSafeInteger(addr) || addr < 0) {
      throw new IndexContractError(`${op}: address ${addr} is not a non-negative safe integer`);
    }
    if (tid !== undefined && !Number.isSafeInteger(tid)) {
      throw new IndexContractError(`${op}: thread id ${tid} is not an integer`);
    }
  }

  private checkRange(op: string, start: number, end: number): void {
    checkRangeArgs(op, start, end, this.pageAligned);
  }

  private checkEntry(op: string, entry: E | null): void {
    if (entry === null || typeof entry !== 'object' || typeof entry.id !== 'number') {
      throw new IndexContractError(`${op}: entry must be an object with a numeric id, got ${String(entry)}`);
    }
  }

  // ---- queries ------------------------------------------------------------------------------

  /** find_vma(addr) of the thread `tid`: vmacache first, then the tree walk. */
  private findNode(addr: number, tid: number | undefined): number {
    if (tid === undefined) return this.tree.firstEndAbove(addr);
    const hit = this.cache.find(this.tree, tid, addr);
    if (hit !== NIL) return hit;
    const n = this.tree.firstEndAbove(addr);
    if (n !== NIL) this.cache.update(this.tree, tid, addr, n);
    return n;
  }

  /** find_vma(): O(1) on a vmacache hit, else O(log n). */
  find(addr: number, tid?: number): E | null {
    if (this.checked) this.checkAddr('find', addr, tid);
    const n = this.findNode(addr, tid);
    return n === NIL ? null : this.tree.entry[n]!;
  }

  /** vma_lookup(): find_vma() and a start check. O(1) on a vmacache hit, else O(log n). */
  lookup(addr: number, tid?: number): E | null {
    if (this.checked) this.checkAddr('lookup', addr, tid);
    const n = this.findNode(addr, tid);
    return n !== NIL && this.tree.start(n) <= addr ? this.tree.entry[n]! : null;
  }

  /** find_vma_prev()'s answer: vm_prev of find_vma(addr), or the last VMA. O(log n). */
  prevOf(addr: number): E | null {
    if (this.checked) this.checkAddr('prevOf', addr);
    const n = this.tree.firstEndAbove(addr);
    const p = n === NIL ? this.tree.tail : this.tree.prev(n);
    return p === NIL ? null : this.tree.entry[p]!;
  }

  /** The first VMA starting at or above addr: find_vma() or its vm_next. O(log n). */
  nextOf(addr: number): E | null {
    if (this.checked) this.checkAddr('nextOf', addr);
    let n = this.tree.firstEndAbove(addr);
    if (n !== NIL && this.tree.start(n) < addr) n = this.tree.next(n);
    return n === NIL ? null : this.tree.entry[n]!;
  }

  /**
   * One walk to the first VMA ending above `from`, then vm_next. O(log n + k). A visitor may update
   * the index: iteration then resumes at the first range ending above the one just visited.
   */
  forEach(from: number, to: number, visit: RangeVisitor<E>): void {
    // An empty window intersects nothing, even a range straddling it.
    if (!(from < to)) return;
    const t = this.tree;
    let n = t.firstEndAbove(from);
    while (n !== NIL && t.start(n) < to) {
      const end = t.end(n);
      const mods = t.mods;
      if (t.probe !== null) t.readNode(n);
      if (visit(t.start(n), end, t.entry[n]!) === true) return;
      n = t.mods === mods ? t.next(n) : t.firstEndAbove(end);
    }
  }

  /**
   * One walk to the last VMA starting below `to`, then vm_prev. O(log n + k). A visitor may update
   * the index: iteration then resumes at the last range starting below the one just visited.
   */
  forEachReverse(from: number, to: number, visit: RangeVisitor<E>): void {
    if (!(from < to)) return;
    const t = this.tree;
    let n = t.lastStartBelow(to);
    while (n !== NIL && t.end(n) > from) {
      const start = t.start(n);
      const mods = t.mods;
      if (t.probe !== null) t.readNode(n);
      if (visit(start, t.end(n), t.entry[n]!) === true) return;
      n = t.mods === mods ? t.prev(n) : t.lastStartBelow(start);
    }
  }

  // ---- updates ------------------------------------------------------------------------------

  private mutated(): void {
    if (this.depth === 0) this.versionNo++;
    else this.dirty = true;
  }

  /** __vma_unlink_common / detach_vmas_to_be_unmapped: unlink, free, kill every thread's cache. */
  private unlinkNode(n: number): void {
    this.tree.unlink(n);
    this.cache.invalidate();
    if (this.tree.probe !== null) this.tree.probe.write(this.tree.mmId, 0);
  }

  /** mtree_insert_range(): the range must be free. O(log n). */
  insert(start: number, end: number, entry: E): void {
    this.checkRange('insert', start, end);
    this.checkEntry('insert', entry);
    const t = this.tree;
    const n = t.firstEndAbove(start);
    if (n !== NIL && t.start(n) < end) {
      throw new IndexContractError(
        `insert: [${hex(start)}, ${hex(end)}) overlaps [${hex(t.start(n))}, ${hex(t.end(n))})`,
      );
    }
    t.link(start, end, entry);
    this.mutated();
  }

  /**
   * mas_store() semantics with rbtree-era steps: a VMA spanning the window is split (vma_adjust
   * trims it, __insert_vm_struct links the tail, same entry), straddlers are trimmed in place,
   * VMAs inside are unlinked (or, when one already maps to `entry`, moved in place as vma_adjust
   * expands a VMA), then the new VMA is linked. Clearing coverage (entry null) kills the vmacache,
   * as detach_vmas_to_be_unmapped() did. O((k + 1) log n).
   */
  store(start: number, end: number, entry: E | null): void {
    this.checkRange('store', start, end);
    if (entry !== null) this.checkEntry('store', entry);
    const t = this.tree;
    let n = t.firstEndAbove(start);
    let cleared = false;
    if (n !== NIL && t.start(n) < start && t.end(n) > end) {
      // One VMA spans the window: split it; both sides keep its entry.
      const tailEnd = t.end(n);
      const kept = t.entry[n]!;
      t.setEnd(n, start);
      t.link(end, tailEnd, kept);
      if (entry !== null) t.link(start, end, entry);
      else this.cache.invalidate();
      this.mutated();
      return;
    }
    if (n !== NIL && t.start(n) < start && t.end(n) > start) {
      t.setEnd(n, start);
      cleared = true;
      n = t.next(n);
    }
    let reuse = NIL;
    while (n !== NIL && t.end(n) <= end) {
      const after = t.next(n);
      if (entry !== null && reuse === NIL && t.entry[n] === entry) {
        reuse = n;
      } else {
        this.unlinkNode(n);
      }
      n = after;
    }
    if (n !== NIL && t.start(n) < end) {
      t.setStart(n, end);
      cleared = true;
    }
    if (entry === null) {
      if (cleared) this.cache.invalidate();
    } else if (reuse !== NIL) {
      // Grow or move in place: the neighbours were trimmed or unlinked first, so order holds.
      if (t.start(reuse) !== start) t.setStart(reuse, start);
      if (t.end(reuse) !== end) t.setEnd(reuse, end);
    } else {
      t.link(start, end, entry);
    }
    this.mutated();
  }

  /** Unlink the VMA [start, end) mapped to `entry`. O(log n). */
  remove(start: number, end: number, entry: E): void {
    this.checkRange('remove', start, end);
    const t = this.tree;
    const n = t.firstEndAbove(start);
    if (n === NIL || t.start(n) !== start || t.end(n) !== end || t.entry[n] !== entry) {
      throw new IndexContractError(
        `remove: [${hex(start)}, ${hex(end)}) is not a range of the index mapped to that entry`,
      );
    }
    this.unlinkNode(n);
    this.mutated();
  }

  /** Unlink the VMA containing addr. O(log n). */
  eraseAt(addr: number): E | null {
    if (this.checked) this.checkAddr('eraseAt', addr);
    const t = this.tree;
    const n = t.firstEndAbove(addr);
    if (n === NIL || t.start(n) > addr) return null;
    const entry = t.entry[n]!;
    this.unlinkNode(n);
    this.mutated();
    return entry;
  }

  // ---- gap search ---------------------------------------------------------------------------

  /** Lowest fit by the augmented descent of unmapped_area(). O(log n) typical. */
  emptyArea(min: number, max: number, size: number): number {
    return emptyAreaLowest(this.tree, min, max, size);
  }

  /** Highest fit by the augmented descent of unmapped_area_topdown(). O(log n) typical. */
  emptyAreaRev(min: number, max: number, size: number): number {
    return emptyAreaHighest(this.tree, min, max, size);
  }

  /**
   * Placement with alignment and stack guard gaps: the v6.12 algorithm over this index's raw gap
   * search (unmappedAreaVia), so that every index places mappings identically.
   */
  unmappedArea(request: UnmappedAreaRequest): number {
    return unmappedAreaVia(this, request);
  }

  // ---- checks and statistics ----------------------------------------------------------------

  /** Red-black rules, order, links, list, every rb_subtree_gap, highest_vm_end, vmacache. O(n). */
  validate(): void {
    validateGapTree(this.tree, this.cache);
  }

  /** Shape, linkage bytes in the rbtree-era layout and the vmacache counters. O(n) (height). */
  stats(): IndexStats {
    const n = this.tree.size;
    return {
      entries: n,
      nodes: n,
      height: this.tree.height(),
      bytes: n * LINKAGE_BYTES + MM_BYTES + this.cache.threadCount * VMACACHE_BYTES,
      detail: {
        VMACACHE_FIND_CALLS: this.cache.findCalls,
        VMACACHE_FIND_HITS: this.cache.findHits,
        vmacacheMisses: this.cache.findCalls - this.cache.findHits,
        vmacacheSeqnum: this.cache.seqnum,
        vmacacheThreads: this.cache.threadCount,
        highestVmEnd: this.tree.highestEnd,
        version: this.versionNo,
      },
    };
  }

  // ---- lockless readers ---------------------------------------------------------------------

  beginUpdate(): void {
    if (this.depth++ === 0) {
      this.dirty = false;
      this.tree.restructured = new Map();
    }
  }

  publish(): void {
    if (this.depth === 0) throw new IndexContractError('publish() without beginUpdate()');
    if (--this.depth === 0) {
      if (this.dirty) this.versionNo++;
      this.dirty = false;
      this.tree.restructured = null;
    }
  }

  /** A reader walking the live tree; it misses when it crosses a node restructured in flight. */
  openReader(): LocklessReader<E> {
    return openLocklessReader(this.tree);
  }

  /**
   * Ids of the nodes (VMAs: the rb_node is embedded in the VMA) whose links or colour the update in
   * flight has changed, ascending; empty when no update is open. O(k log k).
   */
  restructuredDuringUpdate(): readonly number[] {
    const r = this.tree.restructured;
    if (r === null) return [];
    return [...new Set(r.values())].sort((a, b) => a - b);
  }
}

/** Creates an empty rbtree index. */
export function createRbtreeIndex<E extends IndexEntry>(options?: RbtreeIndexOptions): RbtreeIndex<E> {
  return new RbtreeIndex<E>(options);
}
