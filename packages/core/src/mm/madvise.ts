/**
 * madvise(2): do_madvise(), madvise_walk_vmas(), madvise_vma_behavior() and madvise_update_vma() of
 * mm/madvise.c (v6.12), with ksm_madvise() (mm/ksm.c) and hugepage_madvise() (mm/khugepaged.c) for
 * the flag-changing advice.
 *
 * Advice that only moves pages (WILLNEED, COLD, PAGEOUT, COLLAPSE) changes nothing the model keeps
 * and succeeds on any mapped range it accepts. MADV_FREE is reported as a zap: lazily freed pages may
 * be discarded at any time, and a fault model cannot rely on them. Like the kernel, advice over a
 * range with holes is applied to the mapped parts and then fails with -ENOMEM; a per-VMA error stops
 * the walk, keeping the changes made before it.
 */
import { EACCES, EAGAIN, EINVAL, ENOMEM, EPERM } from '../errno.js';
import {
  MADV_COLD,
  MADV_COLLAPSE,
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_HUGEPAGE,
  MADV_HWPOISON,
  MADV_KEEPONFORK,
  MADV_MERGEABLE,
  MADV_NOHUGEPAGE,
  MADV_NORMAL,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_RANDOM,
  MADV_REMOVE,
  MADV_SEQUENTIAL,
  MADV_SOFT_OFFLINE,
  MADV_UNMERGEABLE,
  MADV_WILLNEED,
  MADV_WIPEONFORK,
} from '../uapi.js';
import {
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_HUGEPAGE,
  VM_HUGETLB,
  VM_IO,
  VM_LOCKED,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_MERGEABLE,
  VM_MIXEDMAP,
  VM_NOHUGEPAGE,
  VM_PFNMAP,
  VM_RAND_READ,
  VM_READ,
  VM_SEQ_READ,
  VM_SHARED,
  VM_SPECIAL,
  VM_WIPEONFORK,
  VM_WRITE,
  VMH_DROPPABLE,
} from '../vm-flags.js';
import type { Vma } from '../vma.js';
import { setVmaFlags } from './accounting.js';
import { pageAlignU64 } from './arith.js';
import { U64_WRAP } from './consts.js';
import { anonNameOf, vmaModifyFlagsName } from './merge.js';
import type { MmState } from './mm-state.js';

/** madvise_need_mmap_write(): advice that changes vm_flags takes the mmap lock for writing. */
export function madviseNeedsWriteLock(advice: number): boolean {
  switch (advice) {
    case MADV_REMOVE:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_FREE:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
    case MADV_COLLAPSE:
      return false;
    default:
      return true;
  }
}

/** madvise_behavior_valid() with CONFIG_KSM and CONFIG_MEMORY_FAILURE; THP advice per MmConfig.thp. */
function madviseBehaviorValid(mm: MmState, advice: number): boolean {
  switch (advice) {
    case MADV_DOFORK:
    case MADV_DONTFORK:
    case MADV_NORMAL:
    case MADV_SEQUENTIAL:
    case MADV_RANDOM:
    case MADV_REMOVE:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_FREE:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
    case MADV_SOFT_OFFLINE:
    case MADV_HWPOISON:
      return true;
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_COLLAPSE:
      return mm.thp;
    default:
      return false;
  }
}

/** The walk's `prev` (NULL after advice that drops the mmap lock). */
interface PrevRef {
  prev: Vma | null;
}

type Visit = (mm: MmState, vma: Vma, ref: PrevRef, start: number, end: number, advice: number) => number;

/** vma_ksm_compatible(). */
function vmaKsmCompatible(vma: Vma): boolean {
  const bad = VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_HUGETLB | VM_MIXEDMAP;
  return (vma.flags & bad) === 0 && (vma.flagsHigh & VMH_DROPPABLE) === 0;
}

/**
 * madvise_update_vma(): give [start, end) of `vma` the new flags (and anon name), merging or
 * splitting. 0 or -errno.
 */
function madviseUpdateVma(
  mm: MmState,
  vma: Vma,
  ref: PrevRef,
  start: number,
  end: number,
  newFlags: number,
  anonName: string | null,
): number {
  if (newFlags === vma.flags && anonName === anonNameOf(vma)) {
    ref.prev = vma;
    return 0;
  }
  const res = vmaModifyFlagsName(mm, ref.prev, vma, start, end, newFlags, vma.flagsHigh, anonName);
  if (typeof res === 'number') return res;
  ref.prev = res;
  mm.vmaStartWrite(res);
  setVmaFlags(res, newFlags);
  return 0;
}

/** madvise_dontneed_free(): DONTNEED / DONTNEED_LOCKED / FREE on one VMA's part. */
function madviseDontneedFree(
  mm: MmState,
  vma: Vma,
  ref: PrevRef,
  start: number,
  end: number,
  advice: number,
): number {
  ref.prev = vma;
  let forbidden = VM_PFNMAP;
  if (advice !== MADV_DONTNEED_LOCKED) forbidden |= VM_LOCKED;
  if ((vma.flags & forbidden) !== 0) return -EINVAL;
  if (start === end) return 0;
  // MADV_FREE works on anonymous memory only.
  if (advice === MADV_FREE && !vma.isAnonymous) return -EINVAL;
  mm.zap(start, end, 'madvise');
  return 0;
}

/** madvise_vma_behavior(): apply `advice` to [start, end) of `vma`. */
function madviseVmaBehavior(
  mm: MmState,
  vma: Vma,
  ref: PrevRef,
  start: number,
  end: number,
  advice: number,
): number {
  let newFlags = vma.flags;
  switch (advice) {
    case MADV_REMOVE:
      ref.prev = null;
      if ((vma.flags & VM_LOCKED) !== 0) return -EINVAL;
      if (vma.file === null) return -EINVAL;
      if ((vma.flags & (VM_SHARED | VM_MAYWRITE)) !== (VM_SHARED | VM_MAYWRITE)) return -EACCES;
      // Punching a hole in the file removes the pages from every mapping of the range.
      mm.zap(start, end, 'madvise');
      return 0;
    case MADV_WILLNEED:
      // Read-ahead of a regular file drops the mmap lock: the walk continues from `start`.
      ref.prev = vma.file !== null && vma.file.shmem !== true ? null : vma;
      return 0;
    case MADV_COLD:
    case MADV_PAGEOUT:
      ref.prev = vma;
      if ((vma.flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB)) !== 0) return -EINVAL;
      return 0;
    case MADV_FREE:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
      return madviseDontneedFree(mm, vma, ref, start, end, advice);
    case MADV_COLLAPSE:
      ref.prev = vma;
      return 0;
    case MADV_NORMAL:
      newFlags = newFlags & ~VM_RAND_READ & ~VM_SEQ_READ;
      break;
    case MADV_SEQUENTIAL:
      newFlags = (newFlags & ~VM_RAND_READ) | VM_SEQ_READ;
      break;
    case MADV_RANDOM:
      newFlags = (newFlags & ~VM_SEQ_READ) | VM_RAND_READ;
      break;
    case MADV_DONTFORK:
      newFlags |= VM_DONTCOPY;
      break;
    case MADV_DOFORK:
      if ((vma.flags & VM_IO) !== 0) return -EINVAL;
      newFlags &= ~VM_DONTCOPY;
      break;
    case MADV_WIPEONFORK:
      if (vma.file !== null || (vma.flags & VM_SHARED) !== 0) return -EINVAL;
      newFlags |= VM_WIPEONFORK;
      break;
    case MADV_KEEPONFORK:
      if ((vma.flagsHigh & VMH_DROPPABLE) !== 0) return -EINVAL;
      newFlags &= ~VM_WIPEONFORK;
      break;
    case MADV_DONTDUMP:
      newFlags |= VM_DONTDUMP;
      break;
    case MADV_DODUMP:
      if ((newFlags & VM_SPECIAL) !== 0 || (vma.flagsHigh & VMH_DROPPABLE) !== 0) return -EINVAL;
      newFlags &= ~VM_DONTDUMP;
      break;
    case MADV_MERGEABLE:
      if ((vma.flags & VM_MERGEABLE) === 0 && vmaKsmCompatible(vma)) newFlags |= VM_MERGEABLE;
      break;
    case MADV_UNMERGEABLE:
      newFlags &= ~VM_MERGEABLE;
      break;
    case MADV_HUGEPAGE:
      newFlags = (newFlags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
      break;
    case MADV_NOHUGEPAGE:
      newFlags = (newFlags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
      break;
  }
  const err = madviseUpdateVma(mm, vma, ref, start, end, newFlags >>> 0, anonNameOf(vma));
  // madvise() reports a temporary lack of resources (a refused split) as -EAGAIN.
  return err === -ENOMEM ? -EAGAIN : err;
}

/**
 * madvise_walk_vmas(): visit every VMA part in [start, end); unmapped parts are skipped but make the
 * result -ENOMEM; a visit error stops the walk. O(k) for k VMAs.
 */
function madviseWalkVmas(mm: MmState, start: number, end: number, advice: number, visit: Visit): number {
  let vma = mm.index.find(start);
  const ref: PrevRef = { prev: mm.index.prevOf(start) };
  if (vma !== null && start > vma.start) ref.prev = vma;
  let unmappedError = 0;
  for (;;) {
    if (vma === null) return -ENOMEM;
    if (start < vma.start) {
      unmappedError = -ENOMEM;
      start = vma.start;
      if (start >= end) break;
    }
    const tmp = Math.min(vma.end, end);
    const error = visit(mm, vma, ref, start, tmp, advice);
    if (error !== 0) return error;
    start = tmp;
    if (ref.prev !== null && start < ref.prev.end) start = ref.prev.end;
    if (start >= end) break;
    vma = ref.prev !== null ? mm.index.find(ref.prev.end) : mm.index.find(start);
  }
  return unmappedError;
}

/** madvise_populate(): fault the range in; -ENOMEM at a hole, -EINVAL where access is not allowed. */
function madvisePopulate(mm: MmState, start: number, end: number, advice: number): number {
  const write = advice === MADV_POPULATE_WRITE;
  while (start < end) {
    const vma = mm.index.lookup(start);
    if (vma === null) return -ENOMEM;
    if ((vma.flags & (VM_IO | VM_PFNMAP)) !== 0) return -EINVAL;
    if (write ? (vma.flags & VM_WRITE) === 0 : (vma.flags & VM_READ) === 0) return -EINVAL;
    const stop = Math.min(end, vma.end);
    mm.notifyPopulate(start, stop, write);
    start = stop;
  }
  return 0;
}

/**
 * do_madvise(): checks in the kernel's order — unknown advice, misaligned start, a length that wraps
 * → -EINVAL; empty range → 0; MADV_HWPOISON / MADV_SOFT_OFFLINE without CAP_SYS_ADMIN → -EPERM.
 * Takes the mmap write lock after these checks when madviseNeedsWriteLock() says so.
 */
export function doMadvise(mm: MmState, start: number, lenIn: number, advice: number): number {
  if (!madviseBehaviorValid(mm, advice)) return -EINVAL;
  if (start % 4096 !== 0) return -EINVAL;
  const len = pageAlignU64(lenIn);
  if (lenIn !== 0 && len === 0) return -EINVAL;
  const end = start + len;
  if (end >= U64_WRAP) return -EINVAL;
  if (end === start) return 0;
  if (advice === MADV_HWPOISON || advice === MADV_SOFT_OFFLINE) return -EPERM;
  // Advice that changes vm_flags takes the lock for writing; the rest only reads.
  if (madviseNeedsWriteLock(advice)) mm.lockForWrite();
  if (advice === MADV_POPULATE_READ || advice === MADV_POPULATE_WRITE) {
    return madvisePopulate(mm, start, end, advice);
  }
  return madviseWalkVmas(mm, start, end, advice, madviseVmaBehavior);
}
