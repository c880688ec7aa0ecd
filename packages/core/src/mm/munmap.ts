/**
 * Unmapping, as mm/vma.c (v6.12) does it in three steps: vms_gather_munmap_vmas() splits the VMAs at
 * both ends of the range and marks the ones inside detached, the caller then clears the range in the
 * tree (or overwrites it with a new VMA, for MAP_FIXED), and vms_complete_munmap_vmas() zaps the page
 * tables, fixes the accounting and frees the VMAs. do_vmi_munmap() is munmap(2).
 */
import { PAGE_SIZE } from '../constants.js';
import { EINVAL, ENOMEM } from '../errno.js';
import { VM_ACCOUNT, VM_LOCKED } from '../vm-flags.js';
import type { Vma } from '../vma.js';
import { isDataMapping, isExecMapping, isStackMapping } from './accounting.js';
import type { ZapReason } from './api.js';
import { pageAlignU64 } from './arith.js';
import type { MmState } from './mm-state.js';
import { splitVmaUnchecked } from './split.js';

/** struct vma_munmap_struct. */
export interface MunmapState {
  /** First VMA of the range (before splitting), or null when the range is empty. */
  readonly vma: Vma | null;
  readonly start: number;
  readonly end: number;
  readonly reason: ZapReason;
  prev: Vma | null;
  next: Vma | null;
  /** The detached VMAs, in address order (the kernel's mas_detach tree). */
  readonly detached: Vma[];
  nrPages: number;
  lockedVm: number;
  nrAccounted: number;
  execVm: number;
  stackVm: number;
  dataVm: number;
  /** PTEs of the detached VMAs still have to be cleared. */
  clearPtes: boolean;
}

/** init_vma_munmap(). */
export function initMunmap(vma: Vma | null, start: number, end: number, reason: ZapReason): MunmapState {
  return {
    vma,
    start: vma !== null ? start : 0,
    end: vma !== null ? end : 0,
    reason,
    prev: null,
    next: null,
    detached: [],
    nrPages: 0,
    lockedVm: 0,
    nrAccounted: 0,
    execVm: 0,
    stackVm: 0,
    dataVm: 0,
    clearPtes: false,
  };
}

/** reattach_vmas(): undo the detaching (splits stay, as in the kernel). */
export function reattachVmas(vms: MunmapState): void {
  for (const v of vms.detached) v.detached = false;
  vms.detached.length = 0;
}

/**
 * vms_gather_munmap_vmas(): split the first and last VMA at the range boundaries and detach every VMA
 * inside. Fails with -ENOMEM before any change when splitting the first VMA in three would exceed
 * vm.max_map_count (the count may go one above the limit temporarily otherwise), or with -EINVAL
 * when a special mapping would have to be split. Returns 0 or -errno. O(k) index updates for k VMAs.
 */
export function gatherMunmapVmas(mm: MmState, vms: MunmapState): number {
  const first = vms.vma!;
  if (vms.start > first.start) {
    if (vms.end < first.end && mm.mapCount >= mm.maxMapCount) return -ENOMEM;
    const err = splitVmaUnchecked(mm, first, vms.start, true);
    if (err !== 0) return err;
  }
  vms.prev = mm.index.prevOf(vms.start);
  let v = mm.index.find(vms.start);
  while (v !== null && v.start < vms.end) {
    if (v.end > vms.end) {
      const err = splitVmaUnchecked(mm, v, vms.end, false);
      if (err !== 0) {
        reattachVmas(vms);
        return err;
      }
    }
    mm.vmaStartWrite(v);
    vms.detached.push(v);
    v.detached = true;
    const pages = v.pages;
    vms.nrPages += pages;
    if ((v.flags & VM_LOCKED) !== 0) vms.lockedVm += pages;
    if ((v.flags & VM_ACCOUNT) !== 0) vms.nrAccounted += pages;
    if (isExecMapping(v.flags)) vms.execVm += pages;
    else if (isStackMapping(v.flags, v.flagsHigh)) vms.stackVm += pages;
    else if (isDataMapping(v.flags)) vms.dataVm += pages;
    v = mm.index.find(v.end);
  }
  vms.next = mm.index.find(vms.end);
  vms.clearPtes = true;
  return 0;
}

/** vms_clear_ptes(): zap the page tables of the detached VMAs (once). */
function clearPtes(mm: MmState, vms: MunmapState): void {
  if (!vms.clearPtes) return;
  for (const v of vms.detached) mm.zap(Math.max(v.start, vms.start), Math.min(v.end, vms.end), vms.reason);
  vms.clearPtes = false;
}

/** vms_clean_up_area(): clear the PTEs while the VMAs are still in the tree (MAP_FIXED). */
export function cleanUpArea(mm: MmState, vms: MunmapState): void {
  if (vms.nrPages === 0) return;
  clearPtes(mm, vms);
}

/** vms_complete_munmap_vmas(): the point of no return — account and free the detached VMAs. */
export function completeMunmapVmas(mm: MmState, vms: MunmapState): void {
  mm.mapCount -= vms.detached.length;
  mm.lockedVm -= vms.lockedVm;
  if (vms.nrPages === 0) return;
  clearPtes(mm, vms);
  mm.totalVm -= vms.nrPages;
  mm.execVm -= vms.execVm;
  mm.stackVm -= vms.stackVm;
  mm.dataVm -= vms.dataVm;
  for (const v of vms.detached) mm.releaseVma(v);
}

/**
 * vms_abort_munmap_vmas(): give the VMAs back when a MAP_FIXED mapping fails after gathering. The
 * kernel can do so while their PTEs are intact, which is always the case for the failures modelled
 * (may_expand_vm); the splits made by the gather step remain.
 */
export function abortMunmapVmas(mm: MmState, vms: MunmapState): void {
  if (vms.nrPages === 0) return;
  if (vms.clearPtes) {
    reattachVmas(vms);
    return;
  }
  mm.index.store(vms.start, vms.end, null);
  completeMunmapVmas(mm, vms);
}

/** do_vmi_align_munmap(): unmap the page-aligned [start, end) starting at `vma`. 0 or -errno. */
export function doVmiAlignMunmap(
  mm: MmState,
  vma: Vma,
  start: number,
  end: number,
  reason: ZapReason,
): number {
  const vms = initMunmap(vma, start, end, reason);
  const err = gatherMunmapVmas(mm, vms);
  if (err !== 0) return err;
  mm.index.store(start, end, null);
  completeMunmapVmas(mm, vms);
  return 0;
}

/**
 * do_vmi_munmap(): munmap [start, start + PAGE_ALIGN(len)). -EINVAL for a misaligned start, a range
 * beyond TASK_SIZE or an empty range; 0 when nothing is mapped there. O(k) for k VMAs unmapped.
 */
export function doVmiMunmap(mm: MmState, start: number, len: number, reason: ZapReason): number {
  if (start % PAGE_SIZE !== 0 || start > mm.taskSize || len > mm.taskSize - start) return -EINVAL;
  const end = start + pageAlignU64(len);
  if (end === start) return -EINVAL;
  const vma = mm.index.find(start);
  if (vma === null || vma.start >= end) return 0;
  return doVmiAlignMunmap(mm, vma, start, end, reason);
}

/** munmap(2): __vm_munmap() takes the write lock before any check. */
export function munmapSyscall(mm: MmState, start: number, len: number): number {
  mm.lockForWrite();
  return doVmiMunmap(mm, start, len, 'munmap');
}
