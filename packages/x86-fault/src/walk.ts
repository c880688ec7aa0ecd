/**
 * The page-table side of a fault, as steps: the upper-level walk with on-demand allocation of
 * __handle_mm_fault() (__pud_alloc / __pmd_alloc under mm->page_table_lock), __pte_alloc() and
 * pmd_install() under the PMD table's split lock, pte_offset_map_lock() and, for speculative faults,
 * Lespinasse's speculative walk and pte_map_lock() with its sequence re-checks (mm/memory.c v6.12;
 * lore 20210407014502.24091-14 and -36).
 */
import { PTE_DIRTY, PTE_RW, VM_WRITE } from '@vmakit/core';
import { FAULT_FLAG_ORIG_PTE_VALID, FAULT_FLAG_VMA_LOCK, VM_FAULT_RETRY } from './fault-flags.js';
import { LEVEL_PTE, PMD_SIZE, PTE_PKEY_SHIFT, PTRS_PER_TABLE } from './page-table.js';
import { abortStep, acquire, release, type StepGen, work } from './steps.js';
import type { Vmf } from './vmf.js';
import { EV, type SpfAbortReason } from './vmstat.js';

/** mk_pte(page, vma->vm_page_prot) with the VMA's protection key (vm_get_page_prot's pkey bits). */
export function mkPteFlags(pageProt: number, flagsHigh: number): number {
  return pageProt | ((flagsHigh & 0xf) << PTE_PKEY_SHIFT);
}

/** maybe_mkwrite(pte_mkdirty(pte), vma): dirty, and writable when the VMA has VM_WRITE. */
export function mkDirtyMaybeWrite(flags: number, vmFlags: number): number {
  flags |= PTE_DIRTY;
  if ((vmFlags & VM_WRITE) !== 0) flags |= PTE_RW;
  return flags;
}

/**
 * Abort a speculative fault: record the reason, count it (the SPF_ABORT_* statistics of the SPF
 * series) and return VM_FAULT_RETRY, which makes the caller fall back to the mmap_lock path.
 */
export function* specAbort(vmf: Vmf, reason: SpfAbortReason): StepGen<number> {
  vmf.spec!.abort = reason;
  vmf.env.vmstat.inc(EV[reason]);
  yield abortStep(reason);
  return VM_FAULT_RETRY;
}

/** Line of a table entry: eight 8-byte entries per 64-byte line. */
export function lineOf(index: number): number {
  return index >> 3;
}

/** __pud_alloc() / __pmd_alloc(): allocate, lock mm->page_table_lock, populate if still none. */
export function* allocUpper(vmf: Vmf, slot: number, level: number, base: number): StepGen<void> {
  const env = vmf.env;
  const pt = env.pt;
  yield work('pgtable-alloc');
  const t = pt.allocTable(level, base);
  yield acquire('page_table_lock', env.mmObj, 'spin');
  if (pt.entries[slot] === 0) {
    pt.link(slot, t);
    env.vmstat.inc(EV.pgtable_alloc);
    yield vmf.mem(
      'write',
      pt.objId[Math.floor(slot / PTRS_PER_TABLE)]!,
      lineOf(slot % PTRS_PER_TABLE),
      'pud',
    );
  } else {
    pt.freeTable(t);
  }
  yield release('page_table_lock', env.mmObj, 'spin');
}

/**
 * Allocate an unlinked PTE table (pte_alloc_one), e.g. vmf->prealloc_pte. Returns the table number.
 */
export function* allocPteTable(vmf: Vmf): StepGen<number> {
  yield work('pgtable-alloc');
  return vmf.env.pt.allocTable(LEVEL_PTE, Math.floor(vmf.address / PMD_SIZE) * PMD_SIZE);
}

/**
 * pmd_install(): under the PMD table's split lock, link the PTE table `t` unless another fault
 * populated the PMD meanwhile (then `t` is freed). Sets vmf.pte / vmf.origPmd to the table in place.
 */
export function* pmdInstall(vmf: Vmf, t: number): StepGen<void> {
  const env = vmf.env;
  const pt = env.pt;
  const pmdTable = Math.floor(vmf.pmdSlot / PTRS_PER_TABLE);
  const lockId = pt.objId[pmdTable]!;
  yield acquire('ptl', lockId, 'spin');
  if (pt.entries[vmf.pmdSlot] === 0) {
    pt.link(vmf.pmdSlot, t);
    env.vmstat.inc(EV.pgtable_alloc);
    yield vmf.mem('write', lockId, lineOf(vmf.pmdSlot % PTRS_PER_TABLE), 'pmd');
  } else {
    pt.freeTable(t);
  }
  yield release('ptl', lockId, 'spin');
  vmf.pte = pt.entries[vmf.pmdSlot]!;
}

/** pte_alloc(): make sure the PTE table exists (__pte_alloc when pmd_none). */
export function* pteAlloc(vmf: Vmf): StepGen<void> {
  const pt = vmf.env.pt;
  const t = pt.entries[vmf.pmdSlot]!;
  if (t !== 0) {
    vmf.pte = t;
    return;
  }
  const fresh = yield* allocPteTable(vmf);
  yield* pmdInstall(vmf, fresh);
}

/** Free a prealloc_pte that was not used (pte_free). */
export function freePrealloc(vmf: Vmf): void {
  if (vmf.preallocPte !== 0) {
    vmf.env.pt.freeTable(vmf.preallocPte);
    vmf.preallocPte = 0;
  }
}

/** The lock id of the PTE table page currently mapped by vmf. */
export function ptlId(vmf: Vmf): number {
  return vmf.env.pt.objId[vmf.pte]!;
}

/** The PTE slot of vmf.address (vmf.pte must be set). */
export function pteSlot(vmf: Vmf): number {
  return vmf.pte * PTRS_PER_TABLE + vmf.pteIdx;
}

/**
 * pte_offset_map_lock() / pte_spinlock() / pte_map_lock(): lock the PTE table of vmf.address.
 * Non-speculative faults spin for the split lock. A speculative fault (Lespinasse's __pte_map_lock)
 * first re-checks mmap_seq (SPF_ABORT_PTE_MAP_LOCK_SEQ1), then that the PMD still points to the table
 * it walked (…_PMD), then only tries the lock (…_PTL: spinning could deadlock against a writer that
 * waits for this CPU), then re-checks mmap_seq under the lock (…_SEQ2). Returns true with the lock
 * held; false (after counting the abort, lock not held) when the speculative fault must be retried.
 */
export function* pteMapLock(vmf: Vmf): StepGen<boolean> {
  const env = vmf.env;
  const spec = vmf.spec;
  if (spec === null) {
    if (vmf.pte === 0) vmf.pte = env.pt.entries[vmf.pmdSlot]!;
    yield acquire('ptl', ptlId(vmf), 'spin');
    return true;
  }
  if (!spec.skipPteSeqCheck) {
    const same = yield { op: 'seq-check', seq: 'mmap_seq', id: env.mmObj, expected: spec.seq };
    if (same !== true) {
      yield* specAbort(vmf, 'SPF_ABORT_PTE_MAP_LOCK_SEQ1');
      return false;
    }
  }
  const pmdNow = env.pt.entries[vmf.pmdSlot]!;
  if (pmdNow === 0 || env.pt.objId[pmdNow] !== vmf.origPmdObj) {
    yield* specAbort(vmf, 'SPF_ABORT_PTE_MAP_LOCK_PMD');
    return false;
  }
  vmf.pte = pmdNow;
  const got = yield acquire('ptl', ptlId(vmf), 'spin-try');
  if (got !== true) {
    yield* specAbort(vmf, 'SPF_ABORT_PTE_MAP_LOCK_PTL');
    return false;
  }
  if (!spec.skipPteSeqCheck) {
    const same = yield { op: 'seq-check', seq: 'mmap_seq', id: env.mmObj, expected: spec.seq };
    if (same !== true) {
      yield release('ptl', ptlId(vmf), 'spin');
      yield* specAbort(vmf, 'SPF_ABORT_PTE_MAP_LOCK_SEQ2');
      return false;
    }
  }
  return true;
}

/** pte_unmap_unlock(). */
export function* pteUnlock(vmf: Vmf): StepGen<void> {
  yield release('ptl', ptlId(vmf), 'spin');
}

/**
 * vmf_pte_changed(): with a valid orig_pte, whether the PTE differs from it; otherwise whether the
 * PTE is no longer none. Call with the PTE lock held.
 */
export function vmfPteChanged(vmf: Vmf): boolean {
  const pt = vmf.env.pt;
  const s = pteSlot(vmf);
  if ((vmf.flags & FAULT_FLAG_ORIG_PTE_VALID) !== 0) {
    return pt.pteFlags[s] !== vmf.origPteFlags || pt.entries[s] !== vmf.origPteFrame;
  }
  return pt.pteFlags[s] !== 0;
}

/**
 * release_fault_lock(): drop whatever lock protects the fault — the per-VMA lock under
 * FAULT_FLAG_VMA_LOCK, the mmap read lock otherwise. Speculative faults hold neither.
 */
export function* releaseFaultLock(vmf: Vmf): StepGen<void> {
  if (vmf.spec !== null) return;
  if ((vmf.flags & FAULT_FLAG_VMA_LOCK) !== 0) yield release('vma_lock', vmf.vma.id, 'read');
  else yield release('mmap_lock', vmf.env.mmObj, 'read');
}
