/**
 * The contract every VMA index implements: an ordered map from disjoint half-open address ranges
 * [start, end) to entries, with the queries the mm layer and the fault path need, the range
 * updates that insert, remove, shrink, grow and replace VMAs, gap search, self-validation, size
 * statistics and an observable model of what a lockless reader sees during an update.
 *
 * Ranges are integers below 2^53. An index never reads an entry's fields except `id` (to name the
 * cache lines it touches) and `guardBelow`/`guardAbove` (stack guard gaps in unmappedArea).
 */
import type { Vma } from './vma.js';

/**
 * What a lookup that runs without the mmap lock may observe while a writer updates the index.
 * - `unsafe`: in-place restructuring (the kernel rbtree): a lockless lookup may miss (return
 *   nothing) but never returns a wrong entry.
 * - `rcu`: copy-on-write nodes retired through RCU (maple tree in RCU mode): readers see old or new
 *   nodes and re-walk when they meet a dead node.
 * - `snapshot`: immutable versions published by one pointer swap: a reader sees exactly the version
 *   published before it started.
 */
export type LocklessSemantics = 'unsafe' | 'rcu' | 'snapshot';

/** Which `vm_area_struct` layout an index implies: the rbtree era embeds tree links in each VMA. */
export type IndexEra = 'rbtree-era' | 'maple-era';

/** What an index needs from an entry. `Vma` satisfies it. */
export interface IndexEntry {
  /** Identity, used to name the entry's cache lines for a cost model. */
  readonly id: number;
  /** Bytes below the range that must stay free (stack guard gap); 0 when absent. */
  readonly guardBelow?: number;
  /** Bytes above the range that must stay free; 0 when absent. */
  readonly guardAbove?: number;
}

/** Called for each range in order; return `true` to stop. */
export type RangeVisitor<E> = (start: number, end: number, entry: E) => boolean | undefined;

/** Size of an index as the kernel would lay it out. */
export interface IndexStats {
  /** Ranges stored. */
  readonly entries: number;
  /** Structural nodes (one per range for a binary tree; tree nodes for a B-tree). */
  readonly nodes: number;
  /** Levels from the root to the deepest node (0 when empty). */
  readonly height: number;
  /** Estimated bytes of index structure, using the kernel's node sizes where modelled. */
  readonly bytes: number;
  /** Index-specific counters (vmacache hits, nodes retired to RCU, versions kept, ...). */
  readonly detail: Readonly<Record<string, number>>;
}

/**
 * Receives the memory traffic of index operations so that a simulator can cost them. Node ids come
 * from `allocId()`; an index that embeds its links in the entry (the rbtree era) reports the entry's
 * id. `line` is the 64-byte line within the node.
 */
export interface IndexProbe {
  read(node: number, line: number): void;
  write(node: number, line: number): void;
  /** A node of `bytes` bytes was allocated. */
  alloc(node: number, bytes: number): void;
  /** A node left the structure; `deferred` when it is freed only after an RCU grace period. */
  retire(node: number, deferred: boolean): void;
}

/** A gap-search request with the fields of `struct vm_unmapped_area_info`. */
export interface UnmappedAreaRequest {
  /** Bytes wanted (> 0). */
  readonly length: number;
  /** Lowest acceptable address (callers apply mmap_min_addr). */
  readonly lowLimit: number;
  /** The block must end at or below this address. */
  readonly highLimit: number;
  /** Alignment mask (0 for none), e.g. 2 MiB - 1 for THP-aligned placement. */
  readonly alignMask?: number;
  /** The block's start is congruent to alignOffset modulo alignMask + 1. */
  readonly alignOffset?: number;
  /** Extra room below the block (shadow stacks), `info->start_gap`. */
  readonly startGap?: number;
  /** Highest fit (unmapped_area_topdown) instead of lowest (unmapped_area). */
  readonly topDown: boolean;
}

/** How a lockless lookup went. */
export type ReaderOutcome = 'clean' | 'restarted' | 'missed';

/**
 * A reader that walks the index without the mmap lock (under RCU). What it sees while an update
 * is in flight (between `beginUpdate()` and `publish()`) follows the index's semantics:
 * `unsafe` — a lookup whose path crosses a node the update restructured misses (returns null,
 * outcome `missed`); `rcu` — a lookup that meets a node replaced by the update re-walks from the
 * root (outcome `restarted`) and returns the new state; `snapshot` — lookups answer from the version
 * published when the reader was opened.
 */
export interface LocklessReader<E> {
  /** find_vma() as this reader sees it. */
  find(addr: number): E | null;
  /** vma_lookup() as this reader sees it. */
  lookup(addr: number): E | null;
  /** Outcome of the last lookup. */
  readonly outcome: ReaderOutcome;
  /** Node ids the last lookup crossed, root first. */
  readonly path: readonly number[];
  /** Ends the read-side critical section (lets retired versions be reclaimed). */
  close(): void;
}

/**
 * An ordered range map from disjoint [start, end) ranges to entries: the kernel's VMA tree.
 *
 * Complexity notes on each implementation's methods; the reference index is O(n) per update.
 */
export interface VmaIndex<E extends IndexEntry = Vma> {
  /** Registered name, e.g. `maple`. */
  readonly name: string;
  /** What lockless readers may see. */
  readonly semantics: LocklessSemantics;
  /** The vm_area_struct layout this index implies. */
  readonly era: IndexEra;
  /** Number of ranges. */
  readonly size: number;
  /** Bumped each time an update is published. */
  readonly version: number;
  /** Memory-traffic observer, or null. */
  probe: IndexProbe | null;

  /** find_vma(): the first range with end > addr. `tid` selects a per-thread cache where modelled. */
  find(addr: number, tid?: number): E | null;
  /** vma_lookup(): the range containing addr. */
  lookup(addr: number, tid?: number): E | null;
  /** The last range with end <= addr (the VMA before a gap or before the VMA at addr). */
  prevOf(addr: number): E | null;
  /** The first range with start >= addr. */
  nextOf(addr: number): E | null;
  /** Visit, in ascending order, every range that intersects [from, to). */
  forEach(from: number, to: number, visit: RangeVisitor<E>): void;
  /** Visit, in descending order, every range that intersects [from, to). */
  forEachReverse(from: number, to: number, visit: RangeVisitor<E>): void;

  /** Map [start, end) to `entry`; the range must be empty (mtree_insert_range), else IndexContractError. */
  insert(start: number, end: number, entry: E): void;
  /**
   * Map [start, end) to `entry`, or clear it with null, overwriting what was there: ranges inside are
   * dropped, ranges that straddle an edge are trimmed (and one that spans the window keeps both
   * sides), as mas_store() does.
   */
  store(start: number, end: number, entry: E | null): void;
  /** Remove the range [start, end), which must currently map to `entry`, else IndexContractError. */
  remove(start: number, end: number, entry: E): void;
  /** Remove the whole range containing addr (mtree_erase); returns its entry or null. */
  eraseAt(addr: number): E | null;

  /**
   * mas_empty_area(): the lowest index of a run of `size` empty indexes within [min, max]
   * (inclusive bounds). Returns the index, -EINVAL for a bad request, -EBUSY when nothing fits.
   */
  emptyArea(min: number, max: number, size: number): number;
  /** mas_empty_area_rev(): like emptyArea but the highest fit; returns the block's first index. */
  emptyAreaRev(min: number, max: number, size: number): number;
  /**
   * unmapped_area() / unmapped_area_topdown(): an address for a new mapping honouring alignment
   * and the entries' guard gaps, or -ENOMEM.
   */
  unmappedArea(request: UnmappedAreaRequest): number;

  /** Check every structural invariant; throws IndexInvariantError naming the first broken one. */
  validate(): void;
  /** Size and shape. */
  stats(): IndexStats;

  /**
   * Start an update: mutations until the matching `publish()` form one update as lockless readers
   * see it. Calls nest (a simulator may hold an update open around a whole system call while the mm
   * layer brackets its own steps); only the outermost `publish()` publishes. Mutations made outside
   * any bracket are published one by one.
   */
  beginUpdate(): void;
  /** Close the bracket opened by `beginUpdate()`; the outermost one publishes. */
  publish(): void;
  /** Open a lockless reader (see LocklessReader for what it observes). */
  openReader(): LocklessReader<E>;
}

/** Options every index factory accepts. */
export interface IndexOptions {
  /**
   * Checked mode: also reject misaligned ranges (not page multiples) and run extra argument checks.
   * Overlapping inserts and removing what is absent are always rejected.
   */
  readonly checked?: boolean;
  /** Require page-aligned ranges (default true in checked mode; kernel vectors use byte ranges). */
  readonly pageAligned?: boolean;
  /** Initial probe. */
  readonly probe?: IndexProbe | null;
}

/** Builds an empty index. */
export type IndexFactory = <E extends IndexEntry>(options?: IndexOptions) => VmaIndex<E>;
