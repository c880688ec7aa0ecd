/**
 * mlock(2), mlock2(2), munlock(2), mlockall(2), munlockall(2): mm/mlock.c (v6.12). Locking sets
 * VM_LOCKED (and VM_LOCKONFAULT for MLOCK_ONFAULT / MCL_ONFAULT) on the VMAs, splitting and merging
 * them, and keeps locked_vm; the pages are then faulted in after the mmap lock is dropped.
 *
 * Like the kernel, a hole in the range stops the walk with -ENOMEM after locking the VMAs before it.
 */
import { PAGE_SIZE } from '../constants.js';
import { EINVAL, ENOMEM, EPERM } from '../errno.js';
import { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT } from '../uapi.js';
import { VM_LOCKED, VM_LOCKED_MASK, VM_LOCKONFAULT } from '../vm-flags.js';
import type { Vma } from '../vma.js';
import { canDoMlock, setVmaFlags, vmaSupportsMlock } from './accounting.js';
import { pageAlignU64 } from './arith.js';
import { U64_WRAP } from './consts.js';
import { vmaModifyFlags } from './merge.js';
import type { MmState } from './mm-state.js';

/** mlock_fixup(): set the lock flags of [start, end) of `vma`. Returns 0 or -errno and the new prev. */
function mlockFixup(
  mm: MmState,
  vma: Vma,
  prev: Vma | null,
  start: number,
  end: number,
  newFlags: number,
): { error: number; prev: Vma } {
  const oldFlags = vma.flags;
  // Special VMAs never get VM_LOCKED and do not count.
  if (newFlags === oldFlags || !vmaSupportsMlock(vma)) return { error: 0, prev: vma };
  const res = vmaModifyFlags(mm, prev, vma, start, end, newFlags, vma.flagsHigh);
  if (typeof res === 'number') return { error: res, prev: vma };
  let nrPages = (end - start) / PAGE_SIZE;
  if ((newFlags & VM_LOCKED) === 0) nrPages = -nrPages;
  else if ((oldFlags & VM_LOCKED) !== 0) nrPages = 0;
  mm.lockedVm += nrPages;
  mm.vmaStartWrite(res);
  setVmaFlags(res, newFlags);
  return { error: 0, prev: res };
}

/** apply_vma_lock_flags(): set `flags` (VM_LOCKED_MASK bits) on every VMA of [start, start + len). */
function applyVmaLockFlags(mm: MmState, start: number, len: number, flags: number): number {
  const end = start + len;
  if (end >= U64_WRAP) return -EINVAL;
  if (end === start) return 0;
  let vma = mm.index.lookup(start);
  if (vma === null) return -ENOMEM;
  let prev: Vma | null = start > vma.start ? vma : mm.index.prevOf(vma.start);
  let nstart = start;
  let tmp = vma.start;
  while (vma !== null && vma.start < end) {
    if (vma.start !== tmp) return -ENOMEM;
    const newFlags = ((vma.flags & ~VM_LOCKED_MASK) | flags) >>> 0;
    tmp = Math.min(vma.end, end);
    const r = mlockFixup(mm, vma, prev, nstart, tmp, newFlags);
    if (r.error !== 0) return r.error;
    prev = r.prev;
    tmp = r.prev.end;
    nstart = tmp;
    vma = mm.index.find(tmp);
  }
  return tmp < end ? -ENOMEM : 0;
}

/** count_mm_mlocked_page_nr(): pages of [start, start + len) already in VM_LOCKED VMAs. */
function countMlockedPages(mm: MmState, start: number, len: number): number {
  const end = start + len;
  let count = 0;
  mm.index.forEach(start, end, (_s, _e, vma) => {
    if ((vma.flags & VM_LOCKED) !== 0) {
      if (start > vma.start) count -= start - vma.start;
      if (end < vma.end) {
        count += end - vma.start;
        return true;
      }
      count += vma.end - vma.start;
    }
    return undefined;
  });
  return Math.floor(count / PAGE_SIZE);
}

/** The range mlock acts on: start rounded down, length rounded up to cover the same bytes. */
export function mlockRange(start: number, len: number): { start: number; len: number } {
  const off = start % PAGE_SIZE;
  return { start: start - off, len: pageAlignU64(len + off) };
}

/**
 * do_mlock() up to the population step (the caller populates after unlocking): -EPERM when locking
 * is not allowed at all, -ENOMEM over RLIMIT_MEMLOCK (pages already locked in the range not counted
 * twice) or for holes. `start`/`len` as given by mlockRange().
 */
export function doMlockLocked(mm: MmState, start: number, len: number, flags: number): number {
  mm.lockForWrite();
  const lockLimit = Math.floor(mm.rlimitMemlock / PAGE_SIZE);
  let locked = Math.floor(len / PAGE_SIZE) + mm.lockedVm;
  if (locked > lockLimit && !mm.capIpcLock) locked -= countMlockedPages(mm, start, len);
  if (locked <= lockLimit || mm.capIpcLock) return applyVmaLockFlags(mm, start, len, flags);
  return -ENOMEM;
}

/** The vm_flags mlock2() sets: VM_LOCKED, plus VM_LOCKONFAULT with MLOCK_ONFAULT; -EINVAL otherwise. */
export function mlock2Flags(flags: number): number {
  if ((flags & ~MLOCK_ONFAULT) !== 0) return -EINVAL;
  return (flags & MLOCK_ONFAULT) !== 0 ? (VM_LOCKED | VM_LOCKONFAULT) >>> 0 : VM_LOCKED;
}

/** munlock(2) under the lock. */
export function doMunlock(mm: MmState, start: number, len: number): number {
  mm.lockForWrite();
  return applyVmaLockFlags(mm, start, len, 0);
}

/** can_do_mlock() check shared by mlock, mlock2 and mlockall: 0 or -EPERM. */
export function mlockAllowed(mm: MmState): number {
  return canDoMlock(mm) ? 0 : -EPERM;
}

/**
 * apply_mlockall_flags(): update def_flags for MCL_FUTURE and, for MCL_CURRENT (or munlockall with
 * flags 0), every VMA; per-VMA errors are ignored.
 */
function applyMlockallFlags(mm: MmState, flags: number): number {
  mm.defFlags = (mm.defFlags & ~VM_LOCKED_MASK) >>> 0;
  if ((flags & MCL_FUTURE) !== 0) {
    mm.defFlags = (mm.defFlags | VM_LOCKED) >>> 0;
    if ((flags & MCL_ONFAULT) !== 0) mm.defFlags = (mm.defFlags | VM_LOCKONFAULT) >>> 0;
    if ((flags & MCL_CURRENT) === 0) return 0;
  }
  let toAdd = 0;
  if ((flags & MCL_CURRENT) !== 0) {
    toAdd |= VM_LOCKED;
    if ((flags & MCL_ONFAULT) !== 0) toAdd |= VM_LOCKONFAULT;
  }
  let prev: Vma | null = null;
  let vma = mm.index.find(0);
  while (vma !== null) {
    const newFlags = ((vma.flags & ~VM_LOCKED_MASK) | toAdd) >>> 0;
    const r = mlockFixup(mm, vma, prev, vma.start, vma.end, newFlags);
    prev = r.error !== 0 ? vma : r.prev;
    vma = mm.index.find(prev.end);
  }
  return 0;
}

/**
 * mlockall(2) under the lock: flags must be a non-empty combination of MCL_CURRENT, MCL_FUTURE and
 * MCL_ONFAULT other than MCL_ONFAULT alone (-EINVAL); -EPERM when locking is not allowed; -ENOMEM for
 * MCL_CURRENT when total_vm exceeds RLIMIT_MEMLOCK.
 */
export function doMlockall(mm: MmState, flags: number): number {
  if (flags === 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) !== 0 || flags === MCL_ONFAULT) {
    return -EINVAL;
  }
  if (!canDoMlock(mm)) return -EPERM;
  const lockLimit = Math.floor(mm.rlimitMemlock / PAGE_SIZE);
  mm.lockForWrite();
  if ((flags & MCL_CURRENT) === 0 || mm.totalVm <= lockLimit || mm.capIpcLock) {
    return applyMlockallFlags(mm, flags);
  }
  return -ENOMEM;
}

/** munlockall(2) under the lock. */
export function doMunlockall(mm: MmState): number {
  mm.lockForWrite();
  return applyMlockallFlags(mm, 0);
}
