/**
 * handle_mm_fault() of mm/memory.c (v6.12): sanitize_fault_flags(), the protection-key check,
 * __handle_mm_fault() (upper-level walk; base pages only, no THP), handle_pte_fault() and
 * mm_account_fault(). The caller holds the mmap read lock, the VMA's per-VMA read lock
 * (FAULT_FLAG_VMA_LOCK) or nothing (FAULT_FLAG_SPECULATIVE, on a VMA copy); with VM_FAULT_RETRY or
 * VM_FAULT_COMPLETED in the result that lock has been released.
 */
import {
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_RW,
  VM_ACCESS_FLAGS,
  VM_MAYWRITE,
  VM_SHARED,
  VM_WRITE,
  type Vma,
  vmFlags,
} from '@vmakit/core';
import { archVmaAccessPermitted } from './access-error.js';
import { doAnonymousPage } from './anon-fault.js';
import type { FaultEnv } from './env.js';
import {
  FAULT_FLAG_INSTRUCTION,
  FAULT_FLAG_ORIG_PTE_VALID,
  FAULT_FLAG_REMOTE,
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_TRIED,
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_VMA_LOCK,
  FAULT_FLAG_WRITE,
  VM_FAULT_ERROR,
  VM_FAULT_MAJOR,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from './fault-flags.js';
import { doFault } from './file-fault.js';
import {
  LEVEL_PMD,
  LEVEL_PUD,
  PGDIR_SIZE,
  PTE_PKEY_MASK,
  PTRS_PER_TABLE,
  PUD_SIZE,
  pgdIndexOfVpn,
  pmdIndexOfVpn,
  ptePresent,
  pudIndexOfVpn,
} from './page-table.js';
import { acquire, release, type StepGen } from './steps.js';
import { vmOpsOf } from './vm-ops.js';
import { type FaultVma, type SpecState, Vmf } from './vmf.js';
import { EV } from './vmstat.js';
import { allocUpper, lineOf, mkPteFlags, pteMapLock, pteUnlock, specAbort } from './walk.js';
import { doWpPage } from './wp-fault.js';

/** is_cow_mapping(): private and may become writable. */
export function isCowMapping(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/**
 * handle_mm_fault(): returns the vm_fault_t. `live` is the locked VMA (null for a speculative fault
 * working on a copy); `pkru` is the faulting thread's PKRU (0 without OSPKE).
 *
 * __handle_mm_fault() and handle_pte_fault() run in this generator frame (the step hot path): the
 * upper-level walk allocating missing PUD / PMD tables (a speculative fault aborts instead:
 * SPF_ABORT_PUD / _PMD); then a missing PTE goes to do_anonymous_page() or do_fault(); a present one is
 * locked (pte_spinlock() with the speculative checks), re-checked, and either write-protect-faulted
 * (do_wp_page) or just made young / dirty (a spurious fault when nothing changes).
 */
export function* handleMmFault(
  env: FaultEnv,
  vma: FaultVma,
  live: Vma | null,
  address: number,
  flags: number,
  spec: SpecState | null,
  pkru: number,
): StepGen<number> {
  let ret = 0;
  // sanitize_fault_flags()
  if ((flags & FAULT_FLAG_UNSHARE) !== 0) {
    if ((flags & FAULT_FLAG_WRITE) !== 0) ret = VM_FAULT_SIGSEGV;
    else if (!isCowMapping(vma.flags)) flags &= ~FAULT_FLAG_UNSHARE;
  } else if ((flags & FAULT_FLAG_WRITE) !== 0) {
    if ((vma.flags & VM_MAYWRITE) === 0) ret = VM_FAULT_SIGSEGV;
    else if ((vma.flags & VM_WRITE) === 0 && !isCowMapping(vma.flags)) ret = VM_FAULT_SIGSEGV;
  }
  if (
    (flags & (FAULT_FLAG_VMA_LOCK | FAULT_FLAG_RETRY_NOWAIT)) ===
    (FAULT_FLAG_VMA_LOCK | FAULT_FLAG_RETRY_NOWAIT)
  ) {
    ret = VM_FAULT_SIGSEGV;
  }
  if (
    ret === 0 &&
    (flags & FAULT_FLAG_REMOTE) === 0 &&
    !archVmaAccessPermitted(
      vma,
      (flags & FAULT_FLAG_WRITE) !== 0,
      (flags & FAULT_FLAG_INSTRUCTION) !== 0,
      pkru,
    )
  ) {
    ret = VM_FAULT_SIGSEGV;
  }
  // One pass; `break` leaves it with `ret` set (the kernel's many returns).
  while (ret === 0) {
    const vmf = new Vmf(env, vma, live, address, flags, spec, pkru);
    const pt = env.pt;
    const speculative = spec !== null;
    const vpn = vmf.address / 4096;
    const pgdIdx = pgdIndexOfVpn(vpn);
    const pudIdx = pudIndexOfVpn(vpn);
    const pmdIdx = pmdIndexOfVpn(vpn);
    yield vmf.mem('read', pt.objId[pt.pgd]!, lineOf(pgdIdx), 'pgd');
    const pudSlot = pt.pgd * PTRS_PER_TABLE + pgdIdx;
    if (pt.entries[pudSlot] === 0) {
      if (speculative) {
        ret = yield* specAbort(vmf, 'SPF_ABORT_PUD');
        break;
      }
      yield* allocUpper(vmf, pudSlot, LEVEL_PUD, Math.floor(vmf.address / PGDIR_SIZE) * PGDIR_SIZE);
    }
    const pud = pt.entries[pudSlot]!;
    yield vmf.mem('read', pt.objId[pud]!, lineOf(pudIdx), 'pud');
    const pmdParentSlot = pud * PTRS_PER_TABLE + pudIdx;
    if (pt.entries[pmdParentSlot] === 0) {
      if (speculative) {
        ret = yield* specAbort(vmf, 'SPF_ABORT_PUD');
        break;
      }
      yield* allocUpper(vmf, pmdParentSlot, LEVEL_PMD, Math.floor(vmf.address / PUD_SIZE) * PUD_SIZE);
    }
    const pmd = pt.entries[pmdParentSlot]!;
    yield vmf.mem('read', pt.objId[pmd]!, lineOf(pmdIdx), 'pmd');
    vmf.pmdSlot = pmd * PTRS_PER_TABLE + pmdIdx;
    const table = pt.entries[vmf.pmdSlot]!;
    vmf.origPmd = table;
    vmf.origPmdObj = table === 0 ? 0 : pt.objId[table]!;
    if (speculative && table === 0) {
      ret = yield* specAbort(vmf, 'SPF_ABORT_PMD');
      break;
    }

    // handle_pte_fault()
    let origFlags = 0;
    if (table === 0) {
      vmf.pte = 0;
      vmf.flags &= ~FAULT_FLAG_ORIG_PTE_VALID;
    } else {
      vmf.pte = table;
      const slot = table * PTRS_PER_TABLE + vmf.pteIdx;
      yield vmf.mem('read', pt.objId[table]!, vmf.pteIdx >> 3, 'pte');
      origFlags = pt.pteFlags[slot]!;
      vmf.origPteFlags = origFlags;
      vmf.origPteFrame = pt.entries[slot]!;
      vmf.flags |= FAULT_FLAG_ORIG_PTE_VALID;
    }
    if (origFlags === 0) {
      const ops = vmOpsOf(vmf.vma);
      ret = ops === null ? yield* doAnonymousPage(vmf) : yield* doFault(vmf, ops);
      break;
    }
    // Not present and not none would be a swap or migration entry: the model has neither.
    if (!ptePresent(origFlags)) {
      ret = VM_FAULT_SIGBUS;
      break;
    }
    if (
      (origFlags & PTE_PROTNONE) !== 0 &&
      (origFlags & PTE_PRESENT) === 0 &&
      (vmf.vma.flags & VM_ACCESS_FLAGS) !== 0
    ) {
      ret = yield* doNumaPage(vmf);
      break;
    }
    if (speculative) {
      env.vmstat.inc(EV.SPF_ATTEMPT_PTE);
      if (!(yield* pteMapLock(vmf))) {
        ret = VM_FAULT_RETRY;
        break;
      }
    } else {
      yield acquire('ptl', pt.objId[table]!, 'spin');
    }
    const slot = vmf.pte * PTRS_PER_TABLE + vmf.pteIdx;
    if (pt.pteFlags[slot] !== origFlags || pt.entries[slot] !== vmf.origPteFrame) {
      yield release('ptl', pt.objId[vmf.pte]!, 'spin');
      ret = 0;
      break;
    }
    let entry = origFlags;
    if ((vmf.flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) !== 0) {
      if ((origFlags & PTE_RW) === 0) {
        ret = yield* doWpPage(vmf);
        break;
      }
      if ((vmf.flags & FAULT_FLAG_WRITE) !== 0) entry |= PTE_DIRTY;
    }
    entry |= PTE_ACCESSED;
    if (entry !== origFlags) {
      pt.setPte(slot, vmf.origPteFrame, entry);
      yield vmf.mem('write', pt.objId[vmf.pte]!, vmf.pteIdx >> 3, 'pte');
    } else {
      // Nothing to update: a spurious fault (flush_tlb_fix_spurious_fault() is a no-op on x86).
      env.vmstat.inc(EV.spurious_faults);
    }
    yield release('ptl', pt.objId[vmf.pte]!, 'spin');
    ret = 0;
    break;
  }
  // A droppable mapping's OOM is not fatal.
  if ((vma.flagsHigh & vmFlags.VMH_DROPPABLE) !== 0) ret &= ~VM_FAULT_OOM;
  mmAccountFault(env, flags, ret);
  return ret;
}

/**
 * mm_account_fault(): incomplete (retried) faults are counted when they complete; PGFAULT counts
 * failed faults too; a fault that completed after a retry counts as major.
 */
function mmAccountFault(env: FaultEnv, flags: number, ret: number): void {
  if ((ret & VM_FAULT_RETRY) !== 0) return;
  const c = env.vmstat.counts;
  c[EV.pgfault]!++;
  if ((ret & VM_FAULT_ERROR) !== 0) return;
  if ((ret & VM_FAULT_MAJOR) !== 0 || (flags & FAULT_FLAG_TRIED) !== 0) c[EV.maj_flt]!++;
  else c[EV.min_flt]!++;
}

/**
 * do_numa_page() reduced to its effect on a PTE the model can produce: a PROT_NONE PTE in an
 * accessible VMA gets the VMA's protection back (no NUMA balancing or migration is modelled).
 */
function* doNumaPage(vmf: Vmf): StepGen<number> {
  const env = vmf.env;
  if (!(yield* pteMapLock(vmf))) return VM_FAULT_RETRY;
  const slot = vmf.pte * PTRS_PER_TABLE + vmf.pteIdx;
  if (env.pt.pteFlags[slot] === vmf.origPteFlags) {
    const keep = vmf.origPteFlags & (PTE_ACCESSED | PTE_DIRTY | PTE_PKEY_MASK);
    const prot = mkPteFlags(vmf.vma.pageProt, vmf.vma.flagsHigh) & ~(PTE_ACCESSED | PTE_DIRTY);
    env.pt.setPte(slot, vmf.origPteFrame, keep | prot);
  }
  yield* pteUnlock(vmf);
  return 0;
}
