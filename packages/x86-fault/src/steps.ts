/**
 * The step protocol. Every fault path is written once, as a generator that yields a `Step` at each
 * point where an interleaving with another CPU matters, and is resumed with the step's result:
 *
 * - a synchronous driver (runFault) resolves every step at once on one CPU: locks are always free,
 *   sequence counts are read from the mm, so a fault runs deterministically to completion;
 * - a multi-CPU simulator runs many generators interleaved by virtual time, owns the state of every
 *   lock (who holds what, who waits), prices each step with a cost model and resumes a generator
 *   when its step completes — a blocking acquire only once the lock is granted.
 *
 * Semantics of each step and of the value it is resumed with:
 *
 * | op           | meaning                                                       | resumed with              |
 * |--------------|---------------------------------------------------------------|---------------------------|
 * | `acquire`    | take lock (`lock`, `id`) in `mode`                             | `true` once held; for the |
 * |              |                                                               | `-try` modes `false` when |
 * |              |                                                               | the lock was busy         |
 * | `release`    | drop a lock held in `mode`                                    | —                         |
 * | `downgrade`  | mmap_write_downgrade(): the write hold becomes a read hold     | —                         |
 * | `rcu`        | rcu_read_lock() (`enter`) / rcu_read_unlock()                 | —                         |
 * | `seq-read`   | read a sequence count (mm->mmap_seq or mm->mm_lock_seq)       | the value read            |
 * | `seq-check`  | re-read it and compare with `expected` (smp_rmb + compare)    | `true` when unchanged     |
 * | `lookup`     | a VMA lookup that already ran; `lines` are the (node, line)   | —                         |
 * |              | pairs the index reported through its IndexProbe               |                           |
 * | `vma-copy`   | a copy of VMA `vma`: `bytes` bytes over cache `lines`          | —                         |
 * | `mem`        | one cache-line access (read / write / atomic RMW) of `obj`    | —                         |
 * | `work`       | `count` units of fixed work a cost model prices               | —                         |
 * | `abort`      | a fast path gave up (`reason`); the fallback path follows     | —                         |
 *
 * Lock identities: `mmap_lock` and `page_table_lock` name the mm (its object id), `vma_lock` names a
 * VMA (`Vma.id`; the separately allocated vma_lock of v6.4-v6.12), `ptl` names a page-table page (its
 * object id; the split PTE lock, which on x86-64 also serves as the PMD-table lock). The state of the
 * locks belongs to the driver, never to the steps. The per-VMA lock's writer side is MmStruct's
 * vma_start_write(), announced through MmObserver.vmaStartWrite and ended in bulk by
 * mmap_write_unlock() (MmObserver.writeUnlocking); a driver that models per-VMA locks takes the VMA
 * lock for writing there, so a fault's `read-try` on `vma_lock` fails while a writer has marked it.
 *
 * Aborts and fallback: a fast path (speculative fault, per-VMA lock) that cannot finish releases what
 * it holds (yielding the releases), counts its reason in the vmstat, yields an `abort` step and
 * returns to the shared do_user_addr_fault(), which continues on the mmap_lock path exactly as the
 * kernel's `goto lock_mmap` does. A driver needs no special handling for aborts.
 *
 * Lifetime: a step object (and its arrays) is only valid until the generator is resumed; a driver
 * that keeps steps must copy them. Constant steps are shared frozen objects.
 */
import type { LocklessSemantics, ReaderOutcome, Vma, VmaLayoutName } from '@vmakit/core';

/** Which lock a lock step names. */
export type LockKind = 'mmap_lock' | 'vma_lock' | 'page_table_lock' | 'ptl';

/**
 * How a lock is taken: rwsem `read` / `write` (sleeping, blocking), `read-try` (down_read_trylock /
 * mmap_read_trylock), spinlock `spin` (blocking) / `spin-try` (spin_trylock).
 */
export type LockMode = 'read' | 'write' | 'read-try' | 'spin' | 'spin-try';

/** The mode a held lock is released in. */
export type HeldMode = 'read' | 'write' | 'spin';

/** The sequence counts a fault reads. */
export type SeqName = 'mmap_seq' | 'mm_lock_seq';

/** Units of fixed work a cost model prices. */
export type WorkUnit =
  /** Exception entry: the #PF trap, register save, do_user_addr_fault() prologue. */
  | 'fault-entry'
  /** Return to user space after the fault. */
  | 'fault-exit'
  /** A page allocation (alloc_pages + memcg charge). */
  | 'page-alloc'
  /** A page returned to the allocator. */
  | 'page-free'
  /** Clearing a 4 KiB page (clear_user_highpage). */
  | 'page-zero'
  /** Copying a 4 KiB page (COW, private file write). */
  | 'page-copy'
  /** Installing a PTE with its rmap / LRU / counter bookkeeping. */
  | 'pte-install'
  /** A TLB shootdown / local flush of one page. */
  | 'tlb-flush'
  /** Allocating and zeroing one page-table page. */
  | 'pgtable-alloc'
  /** Reading one page from storage (major fault, readahead). */
  | 'io-read'
  /** A file system's ->page_mkwrite(). */
  | 'page-mkwrite'
  /** anon_vma_prepare() building a new anon_vma. */
  | 'anon-vma-prepare'
  /** expand_stack_locked(): growing a stack VMA. */
  | 'stack-expand'
  /** Building and queueing a signal. */
  | 'signal'
  /** Emulating a legacy vsyscall. */
  | 'vsyscall-emulate'
  /** Oops / die path. */
  | 'oops';

/** What a `mem` step touches, for cost models that tell object kinds apart. */
export type MemWhat = 'vma' | 'pgd' | 'pud' | 'pmd' | 'pte' | 'page' | 'page-cache' | 'mm';

/** The kind of cache-line access. */
export type MemAccess = 'read' | 'write' | 'rmw';

/** Take a lock. */
export interface AcquireStep {
  readonly op: 'acquire';
  readonly lock: LockKind;
  readonly id: number;
  readonly mode: LockMode;
}

/** Release a lock. */
export interface ReleaseStep {
  readonly op: 'release';
  readonly lock: LockKind;
  readonly id: number;
  readonly mode: HeldMode;
}

/** mmap_write_downgrade(). */
export interface DowngradeStep {
  readonly op: 'downgrade';
  readonly lock: 'mmap_lock';
  readonly id: number;
}

/** rcu_read_lock() / rcu_read_unlock(). */
export interface RcuStep {
  readonly op: 'rcu';
  readonly enter: boolean;
}

/** Read a sequence count; resumed with its value. `id` is the mm's object id. */
export interface SeqReadStep {
  readonly op: 'seq-read';
  readonly seq: SeqName;
  readonly id: number;
}

/** Re-read a sequence count and compare; resumed with `true` when it still equals `expected`. */
export interface SeqCheckStep {
  readonly op: 'seq-check';
  readonly seq: SeqName;
  readonly id: number;
  readonly expected: number;
}

/** A VMA lookup (already performed) and the memory it touched. */
export interface LookupStep {
  readonly op: 'lookup';
  /** Without the mmap lock (through a LocklessReader). */
  readonly lockless: boolean;
  readonly addr: number;
  /** find_vma (first VMA ending above addr) or vma_lookup / mas_walk (the VMA containing addr). */
  readonly kind: 'find' | 'lookup';
  /** Flat (node id, line) pairs reported by the index's probe; empty when line collection is off. */
  readonly lines: readonly number[];
  /** The reader's outcome (`clean` for locked lookups). */
  readonly outcome: ReaderOutcome;
  /** The index's lockless semantics, so a safety checker can flag unsafe walks. */
  readonly semantics: LocklessSemantics;
  /** Id of the VMA found, or -1. */
  readonly found: number;
  /** The VMA found (for safety checkers that follow what a fault used), or null. */
  readonly vma: Vma | null;
}

/** A copy of a VMA (speculative faults): `bytes` bytes over the VMA's cache `lines`. */
export interface VmaCopyStep {
  readonly op: 'vma-copy';
  readonly vma: number;
  readonly layout: VmaLayoutName;
  readonly bytes: number;
  readonly lines: readonly number[];
}

/** One cache-line access. */
export interface MemStep {
  readonly op: 'mem';
  readonly access: MemAccess;
  readonly obj: number;
  readonly line: number;
  readonly what: MemWhat;
}

/** Fixed work. */
export interface WorkStep {
  readonly op: 'work';
  readonly unit: WorkUnit;
  readonly count: number;
}

/** A fast path gave up; `reason` is the vmstat counter it bumped (e.g. SPF_ABORT_ODD, vma_lock_abort). */
export interface AbortStep {
  readonly op: 'abort';
  readonly reason: string;
}

/** Everything a fault generator yields. */
export type Step =
  | AcquireStep
  | ReleaseStep
  | DowngradeStep
  | RcuStep
  | SeqReadStep
  | SeqCheckStep
  | LookupStep
  | VmaCopyStep
  | MemStep
  | WorkStep
  | AbortStep;

/** What a generator is resumed with: boolean for acquire / seq-check, number for seq-read. */
export type StepResult = boolean | number | undefined;

/** The generator type of every fault path returning `R`. */
export type StepGen<R> = Generator<Step, R, StepResult>;

/** rcu_read_lock(). */
export const RCU_ENTER: RcuStep = Object.freeze({ op: 'rcu', enter: true });
/** rcu_read_unlock(). */
export const RCU_EXIT: RcuStep = Object.freeze({ op: 'rcu', enter: false });

const WORK_ONE: Partial<Record<WorkUnit, WorkStep>> = {};

/** A work step; single units come from a frozen cache so the hot path does not allocate. */
export function work(unit: WorkUnit, count = 1): WorkStep {
  if (count === 1) {
    let s = WORK_ONE[unit];
    if (s === undefined) {
      s = Object.freeze({ op: 'work', unit, count: 1 });
      WORK_ONE[unit] = s;
    }
    return s;
  }
  return { op: 'work', unit, count };
}

/** A lock acquisition step. */
export function acquire(lock: LockKind, id: number, mode: LockMode): AcquireStep {
  return { op: 'acquire', lock, id, mode };
}

/** A lock release step. */
export function release(lock: LockKind, id: number, mode: HeldMode): ReleaseStep {
  return { op: 'release', lock, id, mode };
}

/** A cache-line access step. */
export function mem(access: MemAccess, obj: number, line: number, what: MemWhat): MemStep {
  return { op: 'mem', access, obj, line, what };
}

const ABORTS = new Map<string, AbortStep>();

/** An abort step (cached per reason). */
export function abortStep(reason: string): AbortStep {
  let s = ABORTS.get(reason);
  if (s === undefined) {
    s = Object.freeze({ op: 'abort', reason });
    ABORTS.set(reason, s);
  }
  return s;
}

/** One-line text of a step, for traces and test failure messages. */
export function describeStep(s: Step): string {
  switch (s.op) {
    case 'acquire':
    case 'release':
      return `${s.op} ${s.lock}#${s.id} ${s.mode}`;
    case 'downgrade':
      return `downgrade ${s.lock}#${s.id}`;
    case 'rcu':
      return s.enter ? 'rcu_read_lock' : 'rcu_read_unlock';
    case 'seq-read':
      return `seq-read ${s.seq}#${s.id}`;
    case 'seq-check':
      return `seq-check ${s.seq}#${s.id} == ${s.expected}`;
    case 'lookup':
      return `lookup ${s.kind} 0x${s.addr.toString(16)} ${s.lockless ? 'lockless' : 'locked'} ${s.outcome} -> ${s.found}`;
    case 'vma-copy':
      return `vma-copy #${s.vma} ${s.layout} ${s.bytes} B`;
    case 'mem':
      return `mem ${s.access} ${s.what}#${s.obj}:${s.line}`;
    case 'work':
      return `work ${s.unit} x${s.count}`;
    case 'abort':
      return `abort ${s.reason}`;
  }
}
