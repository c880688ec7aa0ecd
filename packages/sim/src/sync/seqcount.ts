/**
 * The two sequence counts a fault reads, as seqcount readers see them:
 *
 * - mm->mmap_seq (Lespinasse's SPF series): bumped by mmap_write_lock() and mmap_write_unlock()
 *   (odd while a writer holds the lock); a reader that saw an even value and sees it unchanged later
 *   knows no writer ran in between (mmap_seq_read_start / mmap_seq_read_check);
 * - mm->mm_lock_seq (per-VMA locks, v6.4+): advanced when the write lock is released
 *   (vma_end_write_all), which unlocks every VMA whose vm_lock_seq equals the old value.
 *
 * The counts live in the MmStruct (core's mm-state.ts bumps them in writeLock()/writeUnlock()); the
 * simulator only reads them at the instant a step executes, which is what makes a step's result
 * depend on the interleaving.
 */
import type { MmApi } from '@vmakit/core';
import type { SeqName } from '@vmakit/x86-fault';

/** The current value of `seq` in `mm`. O(1). */
export function readSeq(mm: MmApi, seq: SeqName): number {
  return seq === 'mmap_seq' ? mm.mmapSeq : mm.mmLockSeq;
}

/** A read section may start: no writer in progress (the count is even). */
export function seqStable(value: number): boolean {
  return (value & 1) === 0;
}

/** mmap_seq_read_check(): the count still equals what the reader started from. */
export function seqUnchanged(mm: MmApi, seq: SeqName, expected: number): boolean {
  return readSeq(mm, seq) === expected;
}
