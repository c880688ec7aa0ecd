/**
 * Write faults on present, write-protected PTEs: do_wp_page(), wp_page_reuse(), wp_page_copy(),
 * wp_page_shared(), finish_mkwrite_fault() and wp_can_reuse_anon_folio() of mm/memory.c (v6.12).
 *
 * Private mappings reuse an anonymous page that is exclusively theirs (PageAnonExclusive, or a
 * reference count of exactly one) and copy anything else — the zero page (into a zeroed page), a
 * page-cache page of a private file mapping, an anonymous page shared with another mapping. Shared
 * mappings never copy: ->page_mkwrite, then the PTE is made writable and the page dirtied.
 */
import { PTE_ACCESSED, PTE_SPECIAL, VM_MAYSHARE, VM_SHARED } from '@vmakit/core';
import { vmfAnonPrepare } from './anon-fault.js';
import { VM_FAULT_NOPAGE, VM_FAULT_OOM, VM_FAULT_RETRY } from './fault-flags.js';
import { doPageMkwrite, faultDirtySharedPage, rssAdd } from './file-fault.js';
import { FRAME_ANON, FRAME_EXCLUSIVE, ZERO_FRAME } from './phys-mem.js';
import { type StepGen, work } from './steps.js';
import { SHMEM_OPS, vmOpsOf } from './vm-ops.js';
import type { Vmf } from './vmf.js';
import { EV } from './vmstat.js';
import { mkDirtyMaybeWrite, mkPteFlags, pteMapLock, pteSlot, pteUnlock, specAbort } from './walk.js';

/**
 * wp_can_reuse_anon_folio(): no other reference than our mapping's (refcount exactly 1; large folios,
 * KSM and swap cache are not modelled).
 */
function canReuseAnon(vmf: Vmf, frame: number): boolean {
  const r = vmf.env.phys.refcount[frame]!;
  return r === 1;
}

/**
 * do_wp_page(), entered with the PTE lock held and orig_pte present and write-protected. Returns with
 * the PTE lock released.
 */
export function* doWpPage(vmf: Vmf): StepGen<number> {
  const env = vmf.env;
  const vma = vmf.vma;
  if (vmf.spec !== null) env.vmstat.inc(EV.SPF_ATTEMPT_WP);
  // vm_normal_page(): special PTEs (zero page, special mappings) have no struct page to speak of.
  const hasPage = (vmf.origPteFlags & PTE_SPECIAL) === 0;
  const page = hasPage ? vmf.origPteFrame : 0;
  vmf.page = page;
  if ((vma.flags & (VM_SHARED | VM_MAYSHARE)) !== 0) {
    if (vmf.spec !== null) {
      // Shared-mapping writes are never speculated (vma_can_speculate); defensive abort.
      yield* pteUnlock(vmf);
      return yield* specAbort(vmf, 'SPF_ABORT_NO_SPECULATE');
    }
    if (!hasPage) {
      yield* wpPageReuse(vmf);
      return 0;
    }
    return yield* wpPageShared(vmf, page);
  }
  const pf = env.phys.flags[page]!;
  if (hasPage && (pf & FRAME_ANON) !== 0 && ((pf & FRAME_EXCLUSIVE) !== 0 || canReuseAnon(vmf, page))) {
    env.phys.flags[page] = pf | FRAME_EXCLUSIVE;
    yield* wpPageReuse(vmf);
    return 0;
  }
  if (hasPage) env.phys.get(page);
  yield* pteUnlock(vmf);
  return yield* wpPageCopy(vmf, page, hasPage);
}

/**
 * wp_page_reuse(): make the PTE young, dirty and (with VM_WRITE) writable in place; drops the PTE lock.
 */
function* wpPageReuse(vmf: Vmf): StepGen<void> {
  const env = vmf.env;
  const slot = pteSlot(vmf);
  const entry = mkDirtyMaybeWrite(vmf.origPteFlags | PTE_ACCESSED, vmf.vma.flags);
  env.pt.setPte(slot, vmf.origPteFrame, entry);
  yield vmf.mem('write', env.pt.objId[vmf.pte]!, vmf.pteIdx >> 3, 'pte');
  yield* pteUnlock(vmf);
  env.vmstat.inc(EV.pgreuse);
}

/**
 * wp_page_copy(): allocate (zeroed for the zero page, else a copy), lock the PTE again (pte_map_lock for
 * a speculative fault) and, if it did not change, replace it with an exclusive anonymous page, flushing
 * the old translation first; the old page loses its mapping and its reference.
 */
function* wpPageCopy(vmf: Vmf, old: number, hasOld: boolean): StepGen<number> {
  const env = vmf.env;
  const vma = vmf.vma;
  const prep = yield* vmfAnonPrepare(vmf);
  if (prep !== 0) {
    if (hasOld) env.phys.put(old);
    return prep;
  }
  const fromZero = !hasOld && vmf.origPteFrame === ZERO_FRAME;
  yield work('page-alloc');
  const fresh = env.phys.alloc(FRAME_ANON | FRAME_EXCLUSIVE);
  if (fresh === 0) {
    if (hasOld) env.phys.put(old);
    return VM_FAULT_OOM;
  }
  yield work(fromZero ? 'page-zero' : 'page-copy');
  if (!(yield* pteMapLock(vmf))) {
    env.phys.put(fresh);
    if (hasOld) env.phys.put(old);
    return VM_FAULT_RETRY;
  }
  const slot = pteSlot(vmf);
  let toPut = fresh;
  let copied = false;
  if (env.pt.pteFlags[slot] === vmf.origPteFlags && env.pt.entries[slot] === vmf.origPteFrame) {
    if (hasOld) {
      if ((env.phys.flags[old]! & FRAME_ANON) === 0) {
        rssAdd(vmf, false, -1);
        env.rssAnon++;
      }
    } else {
      env.rssAnon++;
    }
    const entry = mkDirtyMaybeWrite(mkPteFlags(vma.pageProt, vma.flagsHigh), vma.flags);
    yield work('tlb-flush');
    env.phys.mapcount[fresh] = 1;
    env.phys.index[fresh] = vmf.address / 4096;
    env.pt.setPte(slot, fresh, entry);
    yield vmf.mem('write', env.pt.objId[vmf.pte]!, vmf.pteIdx >> 3, 'pte');
    if (hasOld) {
      env.phys.mapcount[old]!--;
      yield vmf.mem('rmw', env.phys.objId(old), 0, 'page');
    }
    toPut = hasOld ? old : 0;
    copied = true;
  }
  yield* pteUnlock(vmf);
  if (toPut !== 0) env.phys.put(toPut);
  if (hasOld) env.phys.put(old);
  if (copied) env.vmstat.inc(EV.cow_faults);
  return 0;
}

/**
 * wp_page_shared(): with ->page_mkwrite (regular files) drop the PTE lock, call it, re-lock and reuse
 * the PTE unless it changed (finish_mkwrite_fault: VM_FAULT_NOPAGE); without (shmem) reuse at once.
 * Then dirty the page (fault_dirty_shared_page).
 */
function* wpPageShared(vmf: Vmf, page: number): StepGen<number> {
  const env = vmf.env;
  const ops = vmOpsOf(vmf.vma) ?? SHMEM_OPS;
  env.vmstat.inc(EV.wp_shared_faults);
  env.phys.get(page);
  if (ops.pageMkwrite) {
    yield* pteUnlock(vmf);
    yield* doPageMkwrite(vmf);
    yield* pteMapLock(vmf);
    const slot = pteSlot(vmf);
    if (env.pt.pteFlags[slot] !== vmf.origPteFlags || env.pt.entries[slot] !== vmf.origPteFrame) {
      yield* pteUnlock(vmf);
      env.phys.put(page);
      return VM_FAULT_NOPAGE;
    }
  }
  yield* wpPageReuse(vmf);
  const ret = yield* faultDirtySharedPage(vmf, ops);
  env.phys.put(page);
  return ret;
}
