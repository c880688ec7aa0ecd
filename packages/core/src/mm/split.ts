/**
 * split_vma() and __split_vma() of mm/vma.c (v6.12): cut a VMA in two at a page boundary.
 */
import { PAGE_SIZE } from '../constants.js';
import { EINVAL, ENOMEM } from '../errno.js';
import type { Vma } from '../vma.js';
import type { MmState } from './mm-state.js';

/**
 * __split_vma(): split `vma` at `addr` (vma.start < addr < vma.end) without the map_count check. The
 * new VMA takes the part below `addr` when `newBelow`, else the part from `addr` up; `vma` keeps the
 * other part. Both are write-marked. Returns 0, or -EINVAL for a special mapping, which refuses to
 * be split (special_mapping_split()). O(1) index updates.
 */
export function splitVmaUnchecked(mm: MmState, vma: Vma, addr: number, newBelow: boolean): number {
  if (vma.kind === 'special') return -EINVAL;
  const n = vma.clone();
  n.pageProt = vma.pageProt;
  if (newBelow) {
    n.end = addr;
  } else {
    n.start = addr;
    n.pgoff += (addr - vma.start) / PAGE_SIZE;
  }
  mm.vmaStartWrite(vma);
  mm.vmaStartWrite(n);
  if (newBelow) {
    vma.pgoff += (addr - n.start) / PAGE_SIZE;
    vma.start = addr;
  } else {
    vma.end = addr;
  }
  // vma_complete(): storing the new part trims the old VMA's range in the index.
  mm.index.store(n.start, n.end, n);
  mm.mapCount++;
  return 0;
}

/** split_vma(): __split_vma() refused with -ENOMEM once map_count >= vm.max_map_count. */
export function splitVma(mm: MmState, vma: Vma, addr: number, newBelow: boolean): number {
  if (mm.mapCount >= mm.maxMapCount) return -ENOMEM;
  return splitVmaUnchecked(mm, vma, addr, newBelow);
}
