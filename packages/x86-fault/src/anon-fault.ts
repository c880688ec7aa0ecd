/**
 * Anonymous faults: do_anonymous_page() and __vmf_anon_prepare() of mm/memory.c (v6.12), with the
 * speculative variants of Lespinasse's series (no anon_vma allocation without the mmap lock:
 * SPF_ABORT_ANON_VMA; the PTE is committed through pte_map_lock()). Order-0 pages only.
 */
import { PTE_SPECIAL, VM_SHARED } from '@vmakit/core';
import {
  FAULT_FLAG_VMA_LOCK,
  FAULT_FLAG_WRITE,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
} from './fault-flags.js';
import { FRAME_ANON, FRAME_EXCLUSIVE, ZERO_FRAME } from './phys-mem.js';
import { acquire, release, type StepGen, work } from './steps.js';
import type { Vmf } from './vmf.js';
import { EV } from './vmstat.js';
import {
  mkDirtyMaybeWrite,
  mkPteFlags,
  pteAlloc,
  pteMapLock,
  pteSlot,
  specAbort,
  vmfPteChanged,
} from './walk.js';

// The work steps of an anonymous fault, looked up once (work() returns the same shared objects).
const PAGE_ALLOC = work('page-alloc');
const PAGE_ZERO = work('page-zero');
const PTE_INSTALL = work('pte-install');

/**
 * vmf_anon_prepare(): make sure the VMA has an anon_vma before an anonymous page goes in. Under the
 * per-VMA lock the kernel needs the mmap read lock for anon_vma_prepare() (it looks at neighbouring
 * VMAs) and only tries it: failing, it drops the VMA lock and returns VM_FAULT_RETRY. A speculative
 * fault aborts (SPF_ABORT_ANON_VMA). Returns 0, VM_FAULT_RETRY or VM_FAULT_OOM.
 */
export function* vmfAnonPrepare(vmf: Vmf): StepGen<number> {
  const spec = vmf.spec;
  const env = vmf.env;
  if (spec !== null) {
    // The copy taken inside the RCU section carries anon_vma (both copy kinds): the live VMA may
    // already be freed here, so it is never read again.
    if (vmf.vma.anonVma !== null) return 0;
    return yield* specAbort(vmf, 'SPF_ABORT_ANON_VMA');
  }
  if (vmf.vma.anonVma !== null) return 0;
  const live = vmf.live!;
  const vmaLocked = (vmf.flags & FAULT_FLAG_VMA_LOCK) !== 0;
  if (vmaLocked) {
    const got = yield acquire('mmap_lock', env.mmObj, 'read-try');
    if (got !== true) {
      yield release('vma_lock', live.id, 'read');
      return VM_FAULT_RETRY;
    }
  }
  yield work('anon-vma-prepare');
  env.mm.anonVmaPrepare(live);
  if (vmaLocked) yield release('mmap_lock', env.mmObj, 'read');
  return 0;
}

/**
 * do_anonymous_page(): a VM_SHARED VMA without vm_ops cannot exist (SIGBUS); a read maps the shared
 * zero page (special, read-only: a later write goes through do_wp_page and copies); a write prepares
 * the anon_vma, allocates and zeroes a page and maps it writable and dirty. The PTE is re-checked
 * under its lock; if another fault filled it first the new page is dropped.
 */
export function* doAnonymousPage(vmf: Vmf): StepGen<number> {
  const env = vmf.env;
  const vma = vmf.vma;
  if (vmf.spec !== null) env.vmstat.inc(EV.SPF_ATTEMPT_ANON);
  if ((vma.flags & VM_SHARED) !== 0) return VM_FAULT_SIGBUS;
  // A speculative fault never allocates page tables (it could do so after free_pgtables() ran): it
  // keeps the table its walk saw, and pte_map_lock() notices when that table went away.
  const pt = env.pt;
  const spec = vmf.spec !== null;
  if (spec) vmf.pte = vmf.origPmd;
  else if (pt.entries[vmf.pmdSlot] === 0) yield* pteAlloc(vmf);
  else vmf.pte = pt.entries[vmf.pmdSlot]!;

  if ((vmf.flags & FAULT_FLAG_WRITE) === 0) {
    const entry = mkPteFlags(vma.pageProt, vma.flagsHigh) | PTE_SPECIAL;
    if (spec) {
      if (!(yield* pteMapLock(vmf))) return VM_FAULT_RETRY;
    } else {
      yield acquire('ptl', pt.objId[vmf.pte]!, 'spin');
    }
    const lockId = pt.objId[vmf.pte]!;
    if (vmfPteChanged(vmf)) {
      yield release('ptl', lockId, 'spin');
      return 0;
    }
    pt.setPte(pteSlot(vmf), ZERO_FRAME, entry);
    yield PTE_INSTALL;
    yield vmf.mem('write', lockId, vmf.pteIdx >> 3, 'pte');
    env.vmstat.counts[EV.zero_page_faults]!++;
    yield release('ptl', lockId, 'spin');
    return 0;
  }

  if (spec || vma.anonVma === null) {
    const prep = yield* vmfAnonPrepare(vmf);
    if (prep !== 0) return prep;
  }
  yield PAGE_ALLOC;
  const frame = env.phys.alloc(FRAME_ANON | FRAME_EXCLUSIVE);
  if (frame === 0) return VM_FAULT_OOM;
  yield PAGE_ZERO;
  const entry = mkDirtyMaybeWrite(mkPteFlags(vma.pageProt, vma.flagsHigh), vma.flags);
  if (spec) {
    if (!(yield* pteMapLock(vmf))) {
      env.phys.put(frame);
      return VM_FAULT_RETRY;
    }
  } else {
    yield acquire('ptl', pt.objId[vmf.pte]!, 'spin');
  }
  const lockId = pt.objId[vmf.pte]!;
  if (vmfPteChanged(vmf)) {
    yield release('ptl', lockId, 'spin');
    env.phys.put(frame);
    return 0;
  }
  // folio_add_new_anon_rmap(RMAP_EXCLUSIVE) + folio_add_lru_vma + set_ptes.
  env.phys.mapcount[frame] = 1;
  env.phys.index[frame] = vmf.address / 4096;
  pt.setPte(pteSlot(vmf), frame, entry);
  env.rssAnon++;
  yield PTE_INSTALL;
  yield vmf.mem('rmw', env.phys.objId(frame), 0, 'page');
  yield vmf.mem('write', lockId, vmf.pteIdx >> 3, 'pte');
  env.vmstat.counts[EV.anon_faults]!++;
  yield release('ptl', lockId, 'spin');
  return 0;
}
