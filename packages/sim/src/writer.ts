/**
 * The write side of the address space as steps: one system call of a workload thread, in the order
 * the kernel (v6.12) runs it, so that faults on other CPUs interleave with it.
 *
 *  1. syscall entry; mmap_write_lock() — the rwsem write hold (a queued writer blocks new readers)
 *     and mmap_seq odd (core's MmStruct.writeLock()); madvise advice that only touches page tables
 *     takes the read lock instead;
 *  2. plan (predict.ts) and vma_start_write() of every VMA the call may change: down_write on the
 *     VMA's lock (waits for the faults holding it), vm_lock_seq = mm_lock_seq, up_write — from then on
 *     lock_vma_under_rcu() fails on it by the sequence check alone;
 *  3. half the call's fixed work, then the PTE-table locks of the ranges it zaps or changes;
 *  4. the call itself, executed atomically by MmStruct inside an index update bracket
 *     (index.beginUpdate() was called first; the bracket stays open): VMAs and page tables change
 *     now, lockless readers see the update as in flight;
 *  5. the rest of the fixed work and what the call cost: the index nodes and VMA lines it read and
 *     wrote (from the index probe), node allocations, call_rcu of what it freed;
 *  6. index.publish(): readers opened from now on see the new tree; detached VMAs and retired nodes
 *     go to RCU (or are freed at once by the free-without-RCU mutant);
 *  7. munmap-like calls downgrade to the read lock (mmap_write_downgrade: mm_lock_seq advances, the
 *     VMA write locks are released) before the page-table work, as do_vmi_align_munmap() does;
 *  8. the page-table work: PTE lines written, pages freed (per-CPU lists, zone->lock drains), tables
 *     allocated, and a TLB shootdown when PTEs were cleared or changed;
 *  9. mmap_write_unlock() (mm_lock_seq advances, mmap_seq even) or up_read, syscall exit.
 */
import type { MmStruct, Vma } from '@vmakit/core';
import { acquire, mem, release, type StepResult, work } from '@vmakit/x86-fault';
import { type Action, CAT, MM_LINE, SHOOTDOWN, simLines, simWork, VMA_MARK_LINE } from './actions.js';
import { READ, WRITE } from './cache.js';
import { madviseUnderReadLock, type WritePlan } from './predict.js';
import type { KernelCostName } from './profile.js';
import type { SyscallOp } from './syscall-op.js';

/** What an executed call did, for pricing. */
export interface WriterEffects {
  /** The system call's result. */
  readonly result: number;
  /** (object, line) pairs the call read in the index. */
  readonly reads: readonly number[];
  /** (object, line) pairs it wrote: index nodes and VMAs. */
  readonly writes: readonly number[];
  /** Index nodes allocated. */
  readonly nodeAllocs: number;
  /** Objects handed to call_rcu (VMAs and index nodes). */
  readonly rcuCalls: number;
  /** VMAs created, changed or freed. */
  readonly vmasTouched: number;
  /** (table, line) pairs of PTEs cleared, changed or moved. */
  readonly pteLines: readonly number[];
  /** Pages whose last mapping went away. */
  readonly pagesFreed: number;
  /** PTEs cleared or changed (a TLB flush is needed when > 0). */
  readonly ptesChanged: number;
  /** Pages populated (MAP_POPULATE, mlock). */
  readonly populated: number;
  /** Page-table pages allocated. */
  readonly tablesAllocated: number;
}

/** What the writer program needs from the engine. */
export interface WriterHost {
  readonly mm: MmStruct;
  /** Object id of the mm (mmap_lock, sequence counts). */
  readonly mmObj: number;
  /** Pages per per-CPU free-list batch (chunking of page frees). */
  readonly freeChunk: number;
  kernelPs(cpu: number, name: KernelCostName): number;
  /** Plan the call (charging its index reads to `cpu`). */
  plan(cpu: number, op: SyscallOp): WritePlan;
  /** vm_lock_seq = mm_lock_seq for `v` (the write lock is held). */
  premark(v: Vma): void;
  /** Object ids of the existing PTE tables covering `ranges`, in address order. */
  tables(ranges: readonly number[]): number[];
  /** Open the index update and run the call atomically. */
  execute(cpu: number, op: SyscallOp, plan: WritePlan): WriterEffects;
  /** Publish the index update; hand what the call freed to RCU. */
  publish(cpu: number): void;
}

const BODY: Readonly<Record<SyscallOp['op'], KernelCostName>> = {
  mmap: 'mmapBody',
  munmap: 'munmapBody',
  mprotect: 'mprotectBody',
  madvise: 'madviseBody',
  brk: 'brkBody',
  mremap: 'mremapBody',
};

/**
 * The system call `op` of a thread on `cpu` as a step program; returns the call's result. See the
 * file comment for the order of steps.
 */
export function* syscallProgram(
  h: WriterHost,
  cpu: number,
  op: SyscallOp,
): Generator<Action, number, StepResult> {
  const mmObj = h.mmObj;
  yield simWork(h.kernelPs(cpu, 'syscallEntry'), CAT.syscall);
  const write = op.op !== 'madvise' || !madviseUnderReadLock(op.advice);
  yield acquire('mmap_lock', mmObj, write ? 'write' : 'read');
  if (write) {
    h.mm.writeLock();
    yield mem('write', mmObj, MM_LINE.mmapSeq, 'mm');
  }
  const plan = h.plan(cpu, op);
  if (write) {
    for (const v of plan.vmas) {
      yield acquire('vma_lock', v.id, 'write');
      h.premark(v);
      yield mem('write', v.id, VMA_MARK_LINE, 'vma');
      yield release('vma_lock', v.id, 'write');
    }
  }
  // The call's fixed work is spread around its changes: half before (argument checks, the tree walk
  // to the range, VMA allocation), half after (accounting, freeing, the rest of the bookkeeping).
  const body = h.kernelPs(cpu, BODY[op.op]);
  const before = Math.floor(body / 2);
  yield simWork(before, CAT.syscall);
  const tables = h.tables(plan.ranges);
  for (const t of tables) yield acquire('ptl', t, 'spin');
  const eff = h.execute(cpu, op, plan);
  for (const t of tables) yield release('ptl', t, 'spin');

  yield simWork(body - before, CAT.syscall);
  if (eff.nodeAllocs > 0)
    yield simWork(eff.nodeAllocs * h.kernelPs(cpu, 'indexNodeAlloc'), CAT['index-alloc']);
  if (eff.vmasTouched > 0) yield simWork(eff.vmasTouched * h.kernelPs(cpu, 'perVma'), CAT.syscall);
  if (eff.rcuCalls > 0) yield simWork(eff.rcuCalls * h.kernelPs(cpu, 'callRcu'), CAT.rcu);
  if (eff.reads.length > 0) yield simLines(READ, eff.reads);
  if (eff.writes.length > 0) yield simLines(WRITE, eff.writes);
  h.publish(cpu);

  let downgraded = false;
  if (write && plan.downgrade && eff.result >= 0) {
    // mmap_write_downgrade(): the write section ends for seqcount readers and VMA locks.
    h.mm.writeUnlock();
    yield { op: 'downgrade', lock: 'mmap_lock', id: mmObj };
    yield simLines(WRITE, [mmObj, MM_LINE.mmLockSeq, mmObj, MM_LINE.mmapSeq]);
    downgraded = true;
  }

  if (eff.pteLines.length > 0) yield simLines(WRITE, eff.pteLines);
  for (let left = eff.pagesFreed; left > 0; left -= h.freeChunk) {
    yield work('page-free', Math.min(left, h.freeChunk));
  }
  if (eff.populated > 0) {
    yield work('page-alloc', eff.populated);
    yield work('page-zero', eff.populated);
    yield work('pte-install', eff.populated);
  }
  if (eff.tablesAllocated > 0) yield work('pgtable-alloc', eff.tablesAllocated);
  if (eff.ptesChanged > 0) yield SHOOTDOWN;

  if (write && !downgraded) {
    h.mm.writeUnlock();
    yield simLines(WRITE, [mmObj, MM_LINE.mmLockSeq, mmObj, MM_LINE.mmapSeq]);
    yield release('mmap_lock', mmObj, 'write');
  } else {
    yield release('mmap_lock', mmObj, 'read');
  }
  yield simWork(h.kernelPs(cpu, 'syscallExit'), CAT.syscall);
  return eff.result;
}
