/**
 * mremap(2): the system call, vma_to_resize(), mremap_to(), vma_expandable() and move_vma() of
 * mm/mremap.c (v6.12). Page-table moves are reported through MmObserver.movePageTables.
 *
 * As in the kernel, MREMAP_FIXED unmaps the destination (and a shrinking move unmaps the tail of the
 * source) before later checks can still fail; those unmaps are not undone.
 */
import { PAGE_SIZE } from '../constants.js';
import { EAGAIN, EFAULT, EINVAL, ENOMEM } from '../errno.js';
import { MAP_FIXED, MAP_SHARED, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE } from '../uapi.js';
import {
  VM_ACCOUNT,
  VM_DONTEXPAND,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_MAYSHARE,
  VM_PFNMAP,
  VM_SHARED,
} from '../vm-flags.js';
import type { Vma } from '../vma.js';
import { mayExpandVm, mlockFutureOk, setVmaFlags, vmStatAccount } from './accounting.js';
import { pageAlignU64, pagesOf } from './arith.js';
import { U64_WRAP } from './consts.js';
import { copyVma, vmaMergeExtend } from './merge.js';
import type { MmState } from './mm-state.js';
import { doVmiMunmap } from './munmap.js';
import { splitVma } from './split.js';
import { getUnmappedArea } from './unmapped-area.js';

/** What move_vma() and its callers report besides the result. */
interface MremapOutcome {
  /** The result: the new address or -errno. */
  ret: number;
  /** A VM_LOCKED mapping grew: populate its new part after unlocking. */
  locked: boolean;
  /** Where the mapping now starts (for that populate). */
  newAddr: number;
}

/**
 * move_vma(): copy the VMA to [newAddr, newAddr + newLen), move the page tables of the old range,
 * then unmap the old range (not with MREMAP_DONTUNMAP). Returns newAddr or -errno.
 */
function moveVma(
  mm: MmState,
  vma: Vma,
  oldAddr: number,
  oldLen: number,
  newLen: number,
  newAddr: number,
  flags: number,
  out: MremapOutcome,
): number {
  const vmFlags = vma.flags;
  const splitBefore = vma.start !== oldAddr;
  const splitAfter = vma.end !== oldAddr + oldLen;
  // Room for do_munmap() to split one VMA into three later.
  if (mm.mapCount >= mm.maxMapCount - 3) return -ENOMEM;
  // special_mapping_split(): a special mapping cannot be split.
  if (vma.kind === 'special' && (splitBefore || splitAfter)) return -EINVAL;

  const dontUnmap = (flags & MREMAP_DONTUNMAP) !== 0;
  if (dontUnmap && (vma.flags & VM_LOCKED) !== 0) {
    // Split a locked VMA first so locked_vm stays right for the part left behind.
    let err = 0;
    if (splitBefore) err = splitVma(mm, vma, oldAddr, true);
    if (err === 0 && splitAfter) err = splitVma(mm, vma, oldAddr + oldLen, false);
    if (err !== 0) return err;
  }

  mm.vmaStartWrite(vma);
  const newPgoff = vma.pgoff + (oldAddr - vma.start) / PAGE_SIZE;
  const copied = copyVma(mm, vma, newAddr, newLen, newPgoff, dontUnmap);
  if (copied === null) return -ENOMEM;
  vma = copied.vma;
  // Duplicating a shared mapping (old_len 0) moves no page tables.
  if (oldLen > 0) mm.movePageTables(oldAddr, newAddr, oldLen);

  let accountStart = false;
  let accountEnd = false;
  if ((vmFlags & VM_ACCOUNT) !== 0 && !dontUnmap) {
    // Hide VM_ACCOUNT so that unmapping the old range does not give back the commitment.
    setVmaFlags(vma, vma.flags & ~VM_ACCOUNT);
    if (vma.start < oldAddr) accountStart = true;
    if (vma.end > oldAddr + oldLen) accountEnd = true;
  }
  vmStatAccount(mm, vma.flags, vma.flagsHigh, pagesOf(newLen));

  if (dontUnmap) {
    setVmaFlags(vma, vma.flags & ~VM_LOCKED_MASK);
    if (vma.start === oldAddr && vma.end === oldAddr + oldLen) {
      // Its pages are gone: the old VMA is unfaulted again.
      vma.anonVma = null;
      if (vma.isAnonymous && vma.file === null) vma.pgoff = pagesOf(vma.start);
    }
    return newAddr;
  }

  if (doVmiMunmap(mm, oldAddr, oldLen, 'mremap') < 0) {
    accountStart = false;
    accountEnd = false;
  }
  if ((vmFlags & VM_LOCKED) !== 0) {
    mm.lockedVm += pagesOf(newLen);
    out.locked = true;
  }
  if (accountStart) {
    const left = mm.index.prevOf(oldAddr);
    if (left !== null) setVmaFlags(left, left.flags | VM_ACCOUNT);
  }
  if (accountEnd) {
    const right = mm.index.find(oldAddr);
    if (right !== null) setVmaFlags(right, right.flags | VM_ACCOUNT);
  }
  return newAddr;
}

/**
 * vma_to_resize(): the VMA at `addr`, checked for a resize from oldLen to newLen: -EFAULT when
 * nothing is mapped at addr or the range crosses the VMA's end, -EINVAL for duplicating a private
 * mapping (oldLen 0) or DONTUNMAP of a VM_DONTEXPAND/VM_PFNMAP VMA, -EFAULT for growing one,
 * -EAGAIN past RLIMIT_MEMLOCK, -ENOMEM past RLIMIT_AS/RLIMIT_DATA.
 */
function vmaToResize(mm: MmState, addr: number, oldLen: number, newLen: number, flags: number): Vma | number {
  const vma = mm.index.lookup(addr);
  if (vma === null) return -EFAULT;
  if (oldLen === 0 && (vma.flags & (VM_SHARED | VM_MAYSHARE)) === 0) return -EINVAL;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && (vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) !== 0) return -EINVAL;
  if (oldLen > vma.end - addr) return -EFAULT;
  if (newLen === oldLen) return vma;
  const pgoff = (addr - vma.start) / PAGE_SIZE + vma.pgoff;
  if (pgoff + pagesOf(newLen) >= U64_WRAP) return -EINVAL;
  if ((vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) !== 0) return -EFAULT;
  if (!mlockFutureOk(mm, vma.flags, newLen - oldLen)) return -EAGAIN;
  if (!mayExpandVm(mm, vma.flags, pagesOf(newLen - oldLen))) return -ENOMEM;
  return vma;
}

/** mremap_to(): MREMAP_FIXED and/or MREMAP_DONTUNMAP. */
function mremapTo(
  mm: MmState,
  addr: number,
  oldLen: number,
  newAddr: number,
  newLen: number,
  flags: number,
  out: MremapOutcome,
): number {
  if (newAddr % PAGE_SIZE !== 0) return -EINVAL;
  if (newLen > mm.taskSize || newAddr > mm.taskSize - newLen) return -EINVAL;
  // The old and new ranges may not overlap.
  if (addr + oldLen > newAddr && newAddr + newLen > addr) return -EINVAL;
  // Both ranges may be split in three: stay four maps below the limit.
  if (mm.mapCount + 2 >= mm.maxMapCount - 3) return -ENOMEM;
  if ((flags & MREMAP_FIXED) !== 0) {
    const ret = doVmiMunmap(mm, newAddr, newLen, 'mremap');
    if (ret !== 0) return ret;
  }
  if (oldLen > newLen) {
    const ret = doVmiMunmap(mm, addr + newLen, oldLen - newLen, 'mremap');
    if (ret !== 0) return ret;
    oldLen = newLen;
  }
  const vma = vmaToResize(mm, addr, oldLen, newLen, flags);
  if (typeof vma === 'number') return vma;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && !mayExpandVm(mm, vma.flags, pagesOf(oldLen))) return -ENOMEM;
  let mapFlags = 0;
  if ((flags & MREMAP_FIXED) !== 0) mapFlags |= MAP_FIXED;
  if ((vma.flags & VM_MAYSHARE) !== 0) mapFlags |= MAP_SHARED;
  const ret = getUnmappedArea(
    mm,
    vma.file,
    newAddr,
    newLen,
    vma.pgoff + (addr - vma.start) / PAGE_SIZE,
    mapFlags,
  );
  if (ret < 0) return ret;
  if ((flags & MREMAP_FIXED) === 0) newAddr = ret;
  return moveVma(mm, vma, addr, oldLen, newLen, newAddr, flags, out);
}

/** vma_expandable(): [vm_end, vm_end + delta) is free and within TASK_SIZE. */
function vmaExpandable(mm: MmState, vma: Vma, delta: number): boolean {
  const end = vma.end + delta;
  const v = mm.index.find(vma.end);
  if (v !== null && v.start < end) return false;
  return getUnmappedArea(mm, null, vma.start, end - vma.start, 0, MAP_FIXED) >= 0;
}

/**
 * mremap(2); takes the mmap write lock after the argument checks. Returns the new address or -errno; a grown VM_LOCKED mapping
 * is populated after the lock is dropped. Checks in the kernel's order: unknown flags, FIXED
 * without MAYMOVE, DONTUNMAP without MAYMOVE or with a size change → -EINVAL; misaligned address
 * → -EINVAL; zero new length → -EINVAL; nothing mapped at addr → -EFAULT.
 */
export function mremapSyscall(
  mm: MmState,
  addr: number,
  oldLen: number,
  newLen: number,
  flags: number,
  newAddr: number,
): number {
  if (flags > 0xffffffff || (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) !== 0)
    return -EINVAL;
  if ((flags & MREMAP_FIXED) !== 0 && (flags & MREMAP_MAYMOVE) === 0) return -EINVAL;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && ((flags & MREMAP_MAYMOVE) === 0 || oldLen !== newLen))
    return -EINVAL;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  oldLen = pageAlignU64(oldLen);
  newLen = pageAlignU64(newLen);
  if (newLen === 0) return -EINVAL;

  mm.lockForWrite();
  const out: MremapOutcome = { ret: -EINVAL, locked: false, newAddr };
  out.ret = mremapLocked(mm, addr, oldLen, newLen, flags, newAddr, out);
  if (out.ret < 0) out.locked = false;
  if (out.locked && newLen > oldLen) mm.populateAfterUnlock(out.newAddr + oldLen, newLen - oldLen, true);
  return out.ret;
}

function mremapLocked(
  mm: MmState,
  addr: number,
  oldLen: number,
  newLen: number,
  flags: number,
  newAddr: number,
  out: MremapOutcome,
): number {
  let vma = mm.index.lookup(addr);
  if (vma === null) return -EFAULT;

  if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0) {
    return mremapTo(mm, addr, oldLen, newAddr, newLen, flags, out);
  }

  // Shrinking always works: it only unmaps the tail.
  if (oldLen >= newLen) {
    if (oldLen === newLen) return addr;
    const ret = doVmiMunmap(mm, addr + newLen, oldLen - newLen, 'mremap');
    return ret !== 0 ? ret : addr;
  }

  const resized = vmaToResize(mm, addr, oldLen, newLen, flags);
  if (typeof resized === 'number') return resized;
  vma = resized;

  // The range runs to the end of the VMA: try to grow in place.
  if (oldLen === vma.end - addr) {
    const delta = newLen - oldLen;
    if (vmaExpandable(mm, vma, delta)) {
      const pages = pagesOf(delta);
      const grown = vmaMergeExtend(mm, vma, delta);
      if (grown === null) return -ENOMEM;
      vmStatAccount(mm, grown.flags, grown.flagsHigh, pages);
      if ((grown.flags & VM_LOCKED) !== 0) {
        mm.lockedVm += pages;
        out.locked = true;
        out.newAddr = addr;
      }
      return addr;
    }
  }

  if ((flags & MREMAP_MAYMOVE) === 0) return -ENOMEM;
  const mapFlags = (vma.flags & VM_MAYSHARE) !== 0 ? MAP_SHARED : 0;
  const target = getUnmappedArea(
    mm,
    vma.file,
    0,
    newLen,
    vma.pgoff + (addr - vma.start) / PAGE_SIZE,
    mapFlags,
  );
  if (target < 0) return target;
  out.newAddr = target;
  return moveVma(mm, vma, addr, oldLen, newLen, target, flags, out);
}
