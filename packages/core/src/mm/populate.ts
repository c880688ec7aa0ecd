/**
 * Prefaulting: __mm_populate() and populate_vma_page_range() of mm/gup.c (v6.12), reduced to what
 * the address-space model decides — which ranges get faulted in, with write or read faults — and
 * reported through MmObserver.populate. The faults themselves belong to the fault model.
 */
import { EFAULT } from '../errno.js';
import { VM_ACCESS_FLAGS, VM_IO, VM_LOCKONFAULT, VM_PFNMAP, VM_SHARED, VM_WRITE } from '../vm-flags.js';
import type { Vma } from '../vma.js';
import type { MmState } from './mm-state.js';

/**
 * populate_vma_page_range(): VM_LOCKONFAULT VMAs are skipped, PROT_NONE VMAs fail with -EFAULT,
 * private writable VMAs get write faults (to break COW), others read faults.
 */
export function populateVmaPageRange(mm: MmState, vma: Vma, start: number, end: number): number {
  if ((vma.flags & VM_LOCKONFAULT) !== 0) return 0;
  if ((vma.flags & VM_ACCESS_FLAGS) === 0) return -EFAULT;
  mm.notifyPopulate(start, end, (vma.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE);
  return 0;
}

/**
 * __mm_populate(): fault in the mapped parts of [start, start + len), VMA by VMA, skipping VM_IO /
 * VM_PFNMAP VMAs. Returns 0 or the first error (unless `ignoreErrors`, as mm_populate() passes).
 * O(k) lookups for k VMAs.
 */
export function mmPopulate(mm: MmState, start: number, len: number, ignoreErrors: boolean): number {
  const end = start + len;
  let nstart = start;
  while (nstart < end) {
    const vma = mm.index.find(nstart);
    if (vma === null || vma.start >= end) break;
    const nend = Math.min(end, vma.end);
    if ((vma.flags & (VM_IO | VM_PFNMAP)) === 0) {
      if (nstart < vma.start) nstart = vma.start;
      const r = populateVmaPageRange(mm, vma, nstart, nend);
      if (r < 0 && !ignoreErrors) return r;
    }
    nstart = nend;
  }
  return 0;
}
