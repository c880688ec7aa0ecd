/**
 * mprotect(2) and pkey_mprotect(2): do_mprotect_pkey() and mprotect_fixup() of mm/mprotect.c (v6.12).
 *
 * Like the kernel, a call that fails part-way (a hole in the range: -ENOMEM; a VMA that may not get
 * the requested access: -EACCES; vm.max_map_count reached while splitting: -ENOMEM) keeps the
 * changes already made to the VMAs before the failing one.
 */
import { PAGE_SIZE } from '../constants.js';
import { EACCES, EINVAL, ENOMEM } from '../errno.js';
import { PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ, PROT_SEM, PROT_WRITE } from '../uapi.js';
import {
  calcVmProtBits,
  VM_ACCESS_FLAGS,
  VM_ACCOUNT,
  VM_GROWSDOWN,
  VM_HUGETLB,
  VM_LOCKED,
  VM_NORESERVE,
  VM_SHARED,
  VM_WRITE,
  VMH_PKEY_MASK,
  VMH_PKEY_SHIFT,
  withPkey,
} from '../vm-flags.js';
import type { Vma } from '../vma.js';
import { mayExpandVm, setVmaFlags, vmaSetPageProt, vmStatAccount } from './accounting.js';
import { pageAlignU64 } from './arith.js';
import { vmaModifyFlags } from './merge.js';
import type { MmState } from './mm-state.js';
import { archOverrideMprotectPkey, mmPkeyIsAllocated } from './pkeys.js';

/** Result of mprotect_fixup(): 0 or -errno, and the VMA now covering the range (the new *pprev). */
interface FixupResult {
  readonly error: number;
  readonly vma: Vma;
}

/**
 * mprotect_fixup(): give [start, end) of `vma` the flags `newFlags`/`newFlagsHigh`, merging or
 * splitting as needed, then queue change_protection(). VM_ACCOUNT is gained when a private mapping
 * first becomes writable and dropped when an anonymous VMA that never faulted becomes read-only.
 */
export function mprotectFixup(
  mm: MmState,
  vma: Vma,
  prev: Vma | null,
  start: number,
  end: number,
  newFlags: number,
  newFlagsHigh: number,
): FixupResult {
  const oldFlags = vma.flags;
  const oldFlagsHigh = vma.flagsHigh;
  const nrpages = (end - start) / PAGE_SIZE;
  if (newFlags === oldFlags && newFlagsHigh === oldFlagsHigh) return { error: 0, vma };

  if ((newFlags & VM_WRITE) !== 0) {
    if (!mayExpandVm(mm, newFlags, nrpages) && mayExpandVm(mm, oldFlags, nrpages))
      return { error: -ENOMEM, vma };
    if ((oldFlags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)) === 0) {
      newFlags = (newFlags | VM_ACCOUNT) >>> 0;
    }
  } else if ((oldFlags & VM_ACCOUNT) !== 0 && vma.isAnonymous && vma.anonVma === null) {
    newFlags = (newFlags & ~VM_ACCOUNT) >>> 0;
  }

  const res = vmaModifyFlags(mm, prev, vma, start, end, newFlags, newFlagsHigh);
  if (typeof res === 'number') return { error: res, vma };
  vma = res;
  mm.vmaStartWrite(vma);
  setVmaFlags(vma, newFlags, newFlagsHigh);
  vmaSetPageProt(mm, vma);
  mm.changeProtection(start, end, vma);

  // A private locked VMA becoming writable is faulted in now to break COW.
  if ((oldFlags & (VM_WRITE | VM_SHARED | VM_LOCKED)) === VM_LOCKED && (newFlags & VM_WRITE) !== 0) {
    mm.populateLocked(start, end, true);
  }
  vmStatAccount(mm, oldFlags, oldFlagsHigh, -nrpages);
  vmStatAccount(mm, newFlags, newFlagsHigh, nrpages);
  return { error: 0, vma };
}

/**
 * do_mprotect_pkey(): `pkey` -1 for plain mprotect(). Argument checks in the kernel's order: both
 * PROT_GROWSDOWN and PROT_GROWSUP → -EINVAL; misaligned start → -EINVAL; len 0 → 0; wrap → -ENOMEM;
 * unknown prot bits → -EINVAL; then, under the write lock (taken here), an unallocated pkey → -EINVAL; nothing mapped
 * at start → -ENOMEM; PROT_GROWSDOWN on a non-growsdown VMA → -EINVAL. O(k) for k VMAs in range.
 */
export function doMprotectPkey(mm: MmState, start: number, len: number, prot: number, pkey: number): number {
  const grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
  prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (len === 0) return 0;
  len = pageAlignU64(len);
  const end = start + len;
  if (len === 0 || end >= 2 ** 64 || end <= start) return -ENOMEM;
  // arch_validate_prot(): only PROT_READ|WRITE|EXEC|SEM.
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) !== 0) return -EINVAL;
  const reqprot = prot;

  mm.lockForWrite();
  if (pkey !== -1 && !mmPkeyIsAllocated(mm, pkey)) return -EINVAL;

  const vma = mm.index.find(start);
  if (vma === null || vma.start >= end) return -ENOMEM;
  if ((grows & PROT_GROWSDOWN) !== 0) {
    if (vma.start >= end) return -ENOMEM;
    start = vma.start;
    if ((vma.flags & VM_GROWSDOWN) === 0) return -EINVAL;
  } else {
    if (vma.start > start) return -ENOMEM;
    // PROT_GROWSUP needs VM_GROWSUP, which x86 does not have.
    if ((grows & PROT_GROWSUP) !== 0) return -EINVAL;
  }

  let prev: Vma | null = start > vma.start ? vma : mm.index.prevOf(vma.start);
  let nstart = start;
  let tmp = vma.start;
  let error = 0;
  let cur: Vma | null = vma;
  while (cur !== null && cur.start < end) {
    if (cur.start !== tmp) {
      error = -ENOMEM;
      break;
    }
    // Each call passes all access bits: those not given are cleared, as is the VMA's pkey.
    const newPkey = archOverrideMprotectPkey(mm, cur, prot, pkey);
    const newFlags = (calcVmProtBits(prot) | (cur.flags & ~VM_ACCESS_FLAGS)) >>> 0;
    const newFlagsHigh = withPkey(cur.flagsHigh & ~(VMH_PKEY_MASK << VMH_PKEY_SHIFT), newPkey);
    // VM_MAY* bits sit 4 above the access bits they allow.
    if ((newFlags & ~(newFlags >>> 4) & VM_ACCESS_FLAGS) !== 0) {
      error = -EACCES;
      break;
    }
    tmp = Math.min(cur.end, end);
    const r = mprotectFixup(mm, cur, prev, nstart, tmp, newFlags, newFlagsHigh);
    if (r.error !== 0) {
      error = r.error;
      break;
    }
    prev = r.vma;
    tmp = r.vma.end;
    nstart = tmp;
    prot = reqprot;
    cur = mm.index.find(tmp);
  }
  if (error === 0 && tmp < end) error = -ENOMEM;
  return error;
}
