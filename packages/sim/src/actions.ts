/**
 * What a simulated CPU executes: the steps of x86-fault's protocol (faults, and the lock/mem/work
 * steps the writer reuses) plus the engine's own actions for work no fault generator describes — the
 * writer's fixed costs and cache-line batches, the page allocator's and LRU's lock sections, TLB
 * shootdowns. Also the cache-line layout of the objects the engine itself names (mm_struct fields,
 * the per-VMA lock, the split PTE lock) and the cost categories of the time breakdown.
 */
import type { Step } from '@vmakit/x86-fault';
import { WORK_UNITS } from './profile.js';
import type { SpinLock } from './sync/spinlock.js';

/**
 * Lines of struct mm_struct the model names. v6.12 places mmap_lock so that its count and owner
 * words sit in different cache lines (include/linux/mm_types.h comment above mmap_lock), and
 * mm_lock_seq after mmlist; Lespinasse's mmap_seq is given a line of its own (an assumption: its
 * placement is not in the stored sources).
 */
export const MM_LINE = Object.freeze({
  pageTableLock: 1,
  mmapLockCount: 2,
  mmapLockOwner: 3,
  mmLockSeq: 4,
  mmapSeq: 5,
});

/** Line of the separately allocated `struct vma_lock` (v6.4-v6.12), keyed under the VMA's id. */
export const VMA_LOCK_LINE = 100;
/** Line of a page-table page's split lock (in its struct ptdesc), keyed under the table's id. */
export const PTL_LINE = 64;
/** The line written when a VMA is write-marked or detached (vm_lock_seq / detached flag). */
export const VMA_MARK_LINE = 0;

/** Cost categories of the busy-time breakdown. */
export const COST_CATEGORIES = [
  ...WORK_UNITS,
  'cache',
  'vma-copy',
  'syscall',
  'index-alloc',
  'rcu',
  'zone-lock',
  'lru-lock',
  'tlb-shootdown',
  'tlb-ipi',
  'user',
] as const;

/** A cost category. */
export type CostCategory = (typeof COST_CATEGORIES)[number];

/** Index of each category. */
export const CAT: Readonly<Record<CostCategory, number>> = Object.freeze(
  Object.fromEntries(COST_CATEGORIES.map((c, i) => [c, i])) as Record<CostCategory, number>,
);

/** Fixed work of `ps` picoseconds. */
export interface SimWork {
  readonly op: 'sim-work';
  readonly ps: number;
  readonly cat: number;
}

/** Accesses of kind `access` (cache.ts READ/WRITE/RMW) to (object, line) pairs, flat. */
export interface SimLines {
  readonly op: 'sim-lines';
  readonly access: number;
  readonly pairs: readonly number[];
}

/** Take or drop one of the engine's own spinlocks (zone->lock, the lruvec lock). */
export interface SimLock {
  readonly op: 'sim-lock';
  readonly lock: SpinLock;
  /** Cache-line key of the lock word. */
  readonly key: number;
  readonly acquire: boolean;
  /** Wait-accounting kind (LOCK_KIND value). */
  readonly kind: number;
}

/** A TLB shootdown of the mm: IPIs to every other CPU running it. */
export interface SimShootdown {
  readonly op: 'sim-shootdown';
}

/** The engine's own actions. */
export type SimAction = SimWork | SimLines | SimLock | SimShootdown;

/** Anything a CPU executes. */
export type Action = Step | SimAction;

/** A fixed-work action. */
export function simWork(ps: number, cat: number): SimWork {
  return { op: 'sim-work', ps, cat };
}

/** A batch of cache-line accesses. */
export function simLines(access: number, pairs: readonly number[]): SimLines {
  return { op: 'sim-lines', access, pairs };
}

/** The shootdown action (stateless, shared). */
export const SHOOTDOWN: SimShootdown = Object.freeze({ op: 'sim-shootdown' });

/** Lock kinds for wait accounting and lock-table keys. */
export const LOCK_KIND = Object.freeze({
  mmap_lock: 0,
  vma_lock: 1,
  ptl: 2,
  page_table_lock: 3,
  zone: 4,
  lru: 5,
});

/** Lock kind names in LOCK_KIND order. */
export const LOCK_KIND_NAMES = ['mmap_lock', 'vma_lock', 'ptl', 'page_table_lock', 'zone', 'lru'] as const;
