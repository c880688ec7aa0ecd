/**
 * brk(2): the system call, check_brk_limits() and do_brk_flags() of mm/mmap.c (v6.12), without
 * CONFIG_COMPAT_BRK (the heap may not shrink below start_brk).
 */
import { PAGE_SIZE } from '../constants.js';
import { EAGAIN, ENOMEM } from '../errno.js';
import { MAP_FIXED } from '../uapi.js';
import { VM_ACCOUNT, VM_DATA_DEFAULT_FLAGS, VM_LOCKED, VM_SOFTDIRTY } from '../vm-flags.js';
import { Vma } from '../vma.js';
import { mayExpandVm, mlockFutureOk, setVmaFlags } from './accounting.js';
import { pageAlignU64, pagesOf } from './arith.js';
import { vmaMergeNewRange, vmgForNewRange } from './merge.js';
import type { MmState } from './mm-state.js';
import { doVmiAlignMunmap } from './munmap.js';
import { getUnmappedArea } from './unmapped-area.js';

/** check_data_rlimit(): heap plus data segment within RLIMIT_DATA. */
function dataRlimitExceeded(mm: MmState, brk: number): boolean {
  if (!Number.isFinite(mm.rlimitData)) return false;
  return brk - mm.startBrk + (mm.endData - mm.startData) > mm.rlimitData;
}

/** check_brk_limits(): the range is a valid MAP_FIXED target and RLIMIT_MEMLOCK allows it. */
function checkBrkLimits(mm: MmState, addr: number, len: number): number {
  const mapped = getUnmappedArea(mm, null, addr, len, 0, MAP_FIXED);
  if (mapped < 0) return mapped;
  return mlockFutureOk(mm, mm.defFlags, len) ? 0 : -EAGAIN;
}

/**
 * do_brk_flags(): extend `vma` (the heap VMA, when it ends at addr and its flags still match) by len
 * bytes, or create a new anonymous VMA [addr, addr + len). 0 or -ENOMEM.
 */
export function doBrkFlags(mm: MmState, vma: Vma | null, addr: number, len: number, flags: number): number {
  flags = (flags | VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm.defFlags) >>> 0;
  const pages = pagesOf(len);
  if (!mayExpandVm(mm, flags, pages)) return -ENOMEM;
  if (mm.mapCount > mm.maxMapCount) return -ENOMEM;

  let result: Vma | null = null;
  if (vma !== null && vma.end === addr) {
    const vmg = vmgForNewRange(addr, addr + len, flags, 0, pagesOf(addr));
    vmg.prev = vma;
    vmg.justExpand = true;
    result = vmaMergeNewRange(mm, vmg);
  }
  if (result === null) {
    result = new Vma({ start: addr, end: addr + len, flags, pgoff: pagesOf(addr), name: '[heap]', mm });
    mm.vmaStartWrite(result);
    mm.index.store(addr, addr + len, result);
    mm.mapCount++;
  }
  mm.totalVm += pages;
  mm.dataVm += pages;
  if ((flags & VM_LOCKED) !== 0) mm.lockedVm += pages;
  if (mm.softDirty) setVmaFlags(result, result.flags | VM_SOFTDIRTY);
  return 0;
}

/**
 * brk(2), entirely under the mmap write lock: returns the new break, or the old one when the request is
 * refused (below start_brk, over RLIMIT_DATA, colliding with a mapping or its stack guard gap,
 * over RLIMIT_AS / RLIMIT_MEMLOCK). Moving the break within a page changes no VMA. Shrinking
 * unmaps [PAGE_ALIGN(new), PAGE_ALIGN(old)). O(log n) plus the unmap.
 */
export function brkSyscall(mm: MmState, brk: number): number {
  mm.lockForWrite();
  const origbrk = mm.brkValue;
  const refuse = (): number => {
    mm.brkValue = origbrk;
    return origbrk;
  };
  if (brk < mm.startBrk) return refuse();
  if (dataRlimitExceeded(mm, brk)) return refuse();

  const newbrk = pageAlignU64(brk);
  const oldbrk = pageAlignU64(mm.brkValue);
  if (oldbrk === newbrk) {
    mm.brkValue = brk;
    return brk;
  }

  if (brk <= mm.brkValue) {
    // Always allow shrinking, provided something is mapped in the range.
    const brkvma = mm.index.find(newbrk);
    if (brkvma === null || brkvma.start >= oldbrk) return refuse();
    mm.brkValue = brk;
    if (doVmiAlignMunmap(mm, brkvma, newbrk, oldbrk, 'brk') !== 0) return refuse();
    return brk;
  }

  if (checkBrkLimits(mm, oldbrk, newbrk - oldbrk) !== 0) return refuse();
  // The expansion plus a guard page must stay clear of the next VMA's start gap.
  const limit = newbrk + PAGE_SIZE + mm.stackGuardGap;
  const next = mm.index.find(oldbrk);
  if (next !== null && next.start < limit && newbrk + PAGE_SIZE > Math.max(0, next.start - next.guardBelow)) {
    return refuse();
  }
  // vma_prev_limit(&vmi, start_brk): the VMA before the gap at oldbrk, if that gap starts above start_brk.
  const before = mm.index.prevOf(oldbrk);
  const brkvma = before !== null && before.end > mm.startBrk ? before : null;
  if (doBrkFlags(mm, brkvma, oldbrk, newbrk - oldbrk, 0) < 0) return refuse();
  mm.brkValue = brk;
  if ((mm.defFlags & VM_LOCKED) !== 0) mm.populateAfterUnlock(oldbrk, newbrk - oldbrk, true);
  return brk;
}
