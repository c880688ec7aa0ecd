/**
 * Stack growth: expand_downwards() and acct_stack_growth() of mm/mmap.c (v6.12), which
 * expand_stack_locked() calls on x86 (no VM_GROWSUP).
 */
import { PAGE_SIZE } from '../constants.js';
import { EFAULT, ENOMEM, EPERM } from '../errno.js';
import { VM_ACCESS_FLAGS, VM_GROWSDOWN, VM_LOCKED } from '../vm-flags.js';
import type { Vma } from '../vma.js';
import { mayExpandVm, mlockFutureOk, vmStatAccount } from './accounting.js';
import { anonVmaPrepare } from './anon-vma.js';
import type { MmState } from './mm-state.js';

/**
 * acct_stack_growth(): RLIMIT_AS (may_expand_vm), RLIMIT_STACK against the new size, RLIMIT_MEMLOCK
 * for a locked stack. 0 or -ENOMEM.
 */
function acctStackGrowth(mm: MmState, vma: Vma, size: number, grow: number): number {
  if (!mayExpandVm(mm, vma.flags, grow)) return -ENOMEM;
  if (size > mm.rlimitStack) return -ENOMEM;
  if (!mlockFutureOk(mm, vma.flags, grow * PAGE_SIZE)) return -ENOMEM;
  return 0;
}

/**
 * expand_downwards(): grow the VM_GROWSDOWN `vma` down to the page of `address` under the mmap write
 * lock (taken here unless the caller holds it, as expand_stack() does). -EFAULT for a VMA that does not grow down, -EPERM below mmap_min_addr, -ENOMEM when the
 * previous VMA (unless it is itself a stack or PROT_NONE) would be closer than stack_guard_gap, or a
 * limit is exceeded. An address inside the previous VMA is refused with -ENOMEM (the kernel's
 * callers never pass one). Returns 0 (also when nothing had to grow). O(log n).
 */
export function expandDownwards(mm: MmState, vma: Vma, address: number): number {
  mm.lockForWrite();
  if ((vma.flags & VM_GROWSDOWN) === 0) return -EFAULT;
  address -= address % PAGE_SIZE;
  if (address < mm.mmapMinAddr) return -EPERM;
  const prev = mm.index.prevOf(vma.start);
  if (prev !== null) {
    if (address < prev.end) return -ENOMEM;
    if (
      (prev.flags & VM_GROWSDOWN) === 0 &&
      (prev.flags & VM_ACCESS_FLAGS) !== 0 &&
      address - prev.end < mm.stackGuardGap
    ) {
      return -ENOMEM;
    }
  }
  anonVmaPrepare(mm, vma);
  mm.vmaStartWrite(vma);
  if (address < vma.start) {
    const size = vma.end - address;
    const grow = (vma.start - address) / PAGE_SIZE;
    if (grow > vma.pgoff) return -ENOMEM;
    const err = acctStackGrowth(mm, vma, size, grow);
    if (err !== 0) return err;
    if ((vma.flags & VM_LOCKED) !== 0) mm.lockedVm += grow;
    vmStatAccount(mm, vma.flags, vma.flagsHigh, grow);
    vma.start = address;
    vma.pgoff -= grow;
    mm.index.store(vma.start, vma.end, vma);
  }
  return 0;
}
