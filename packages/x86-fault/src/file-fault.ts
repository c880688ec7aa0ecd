/**
 * Faults on VMAs with vm_ops: do_fault() and its three cases of mm/memory.c (v6.12) —
 * do_read_fault() (fault-around through ->map_pages first, then ->fault), do_cow_fault() (private
 * write: a new anonymous copy of the file page), do_shared_fault() (->page_mkwrite, dirtying,
 * balance_dirty_pages with the fault lock dropped: VM_FAULT_COMPLETED) — plus __do_fault(),
 * finish_fault(), set_pte_range(), do_fault_around() and filemap_map_pages() of mm/filemap.c.
 * Speculative faults follow Lespinasse's RFC: ->fault and ->map_pages run under RCU after a sequence
 * check (SPF_ABORT_FAULT), results are committed through pte_map_lock().
 */
import { VM_SHARED } from '@vmakit/core';
import { vmfAnonPrepare } from './anon-fault.js';
import {
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_VMA_LOCK,
  FAULT_FLAG_WRITE,
  faultFlagAllowRetryFirst,
  VM_FAULT_COMPLETED,
  VM_FAULT_ERROR,
  VM_FAULT_LOCKED,
  VM_FAULT_NOPAGE,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
} from './fault-flags.js';
import { FRAME_ANON, FRAME_DIRTY, FRAME_EXCLUSIVE } from './phys-mem.js';
import { RCU_ENTER, RCU_EXIT, release, type StepGen, work } from './steps.js';
import { backingFile, type VmOps, vmOpsFault } from './vm-ops.js';
import type { Vmf } from './vmf.js';
import { EV } from './vmstat.js';
import {
  allocPteTable,
  freePrealloc,
  mkDirtyMaybeWrite,
  mkPteFlags,
  pmdInstall,
  pteAlloc,
  pteMapLock,
  pteSlot,
  pteUnlock,
  releaseFaultLock,
  specAbort,
  vmfPteChanged,
} from './walk.js';

const FAIL = VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY;

/** do_fault(): dispatch on read / private write / shared write; free an unused prealloc_pte. */
export function* doFault(vmf: Vmf, ops: VmOps): StepGen<number> {
  if (vmf.spec !== null) vmf.env.vmstat.inc(EV.SPF_ATTEMPT_FILE);
  let ret: number;
  let counter: number;
  if ((vmf.flags & FAULT_FLAG_WRITE) === 0) {
    ret = yield* doReadFault(vmf, ops);
    counter = EV.file_read_faults;
  } else if ((vmf.vma.flags & VM_SHARED) === 0) {
    ret = yield* doCowFault(vmf, ops);
    counter = EV.file_cow_faults;
  } else {
    ret = yield* doSharedFault(vmf, ops);
    counter = EV.file_shared_faults;
  }
  freePrealloc(vmf);
  // Counted once per fault that got somewhere (not per retried attempt).
  if ((ret & (VM_FAULT_RETRY | VM_FAULT_ERROR)) === 0) vmf.env.vmstat.inc(counter);
  return ret;
}

/**
 * vmf_can_call_fault(): ->fault may run under the per-VMA lock only for vm_ops with ->map_pages
 * (audited not to need the mmap lock); otherwise drop the VMA lock and retry under mmap_lock.
 */
function* vmfCanCallFault(vmf: Vmf, ops: VmOps): StepGen<number> {
  if (ops.mapPages || (vmf.flags & FAULT_FLAG_VMA_LOCK) === 0) return 0;
  yield release('vma_lock', vmf.vma.id, 'read');
  return VM_FAULT_RETRY;
}

/** __do_fault(): preallocate the PTE table when the PMD is empty, then ->fault. */
function* doFaultInner(vmf: Vmf, ops: VmOps): StepGen<number> {
  const env = vmf.env;
  if (vmf.spec === null && env.pt.entries[vmf.pmdSlot] === 0 && vmf.preallocPte === 0) {
    vmf.preallocPte = yield* allocPteTable(vmf);
  }
  if (vmf.spec === null) return yield* vmOpsFault(vmf, ops);
  yield RCU_ENTER;
  const same = yield { op: 'seq-check', seq: 'mmap_seq', id: env.mmObj, expected: vmf.spec.seq };
  let ret: number;
  if (same !== true) ret = yield* specAbort(vmf, 'SPF_ABORT_FAULT');
  else ret = yield* vmOpsFault(vmf, ops);
  yield RCU_EXIT;
  return ret;
}

/** do_read_fault(): fault-around first (it may map the page itself: VM_FAULT_NOPAGE), then ->fault. */
function* doReadFault(vmf: Vmf, ops: VmOps): StepGen<number> {
  const env = vmf.env;
  if (ops.mapPages && env.config.faultAroundPages > 1) {
    const ret = yield* doFaultAround(vmf);
    if (ret !== 0) return ret;
  }
  let ret = yield* vmfCanCallFault(vmf, ops);
  if (ret !== 0) return ret;
  ret = yield* doFaultInner(vmf, ops);
  if ((ret & FAIL) !== 0) return ret;
  ret |= yield* finishFault(vmf);
  if ((ret & FAIL) !== 0) env.phys.put(vmf.page);
  return ret;
}

/** do_cow_fault(): a private write: copy the file page into a new exclusive anonymous page. */
function* doCowFault(vmf: Vmf, ops: VmOps): StepGen<number> {
  const env = vmf.env;
  let ret = yield* vmfCanCallFault(vmf, ops);
  if (ret === 0) ret = yield* vmfAnonPrepare(vmf);
  if (ret !== 0) return ret;
  yield work('page-alloc');
  const cow = env.phys.alloc(FRAME_ANON | FRAME_EXCLUSIVE);
  if (cow === 0) return VM_FAULT_OOM;
  vmf.cowPage = cow;
  ret = yield* doFaultInner(vmf, ops);
  if ((ret & FAIL) !== 0) {
    env.phys.put(cow);
    return ret;
  }
  yield work('page-copy');
  ret |= yield* finishFault(vmf);
  env.phys.put(vmf.page);
  if ((ret & FAIL) !== 0) env.phys.put(cow);
  else env.phys.index[cow] = vmf.address / 4096;
  return ret;
}

/** do_shared_fault(): ->fault, ->page_mkwrite, map writable, then dirty the page. */
function* doSharedFault(vmf: Vmf, ops: VmOps): StepGen<number> {
  const env = vmf.env;
  let ret = yield* vmfCanCallFault(vmf, ops);
  if (ret !== 0) return ret;
  ret = yield* doFaultInner(vmf, ops);
  if ((ret & FAIL) !== 0) return ret;
  if (ops.pageMkwrite) yield* doPageMkwrite(vmf);
  ret |= yield* finishFault(vmf);
  if ((ret & FAIL) !== 0) {
    env.phys.put(vmf.page);
    return ret;
  }
  ret |= yield* faultDirtySharedPage(vmf, ops);
  return ret;
}

/** do_page_mkwrite(): the file system prepares the page for writing (always succeeds here). */
export function* doPageMkwrite(vmf: Vmf): StepGen<number> {
  vmf.env.vmstat.inc(EV.page_mkwrite);
  yield work('page-mkwrite');
  return VM_FAULT_LOCKED;
}

/**
 * fault_dirty_shared_page(): mark the page dirty; when it got dirtied (or the fs has ->page_mkwrite)
 * balance_dirty_pages_ratelimited() runs with the fault lock dropped on a first retryable attempt,
 * and the fault reports VM_FAULT_COMPLETED (the lock is already gone).
 */
export function* faultDirtySharedPage(vmf: Vmf, ops: VmOps): StepGen<number> {
  const env = vmf.env;
  const frame = vmf.page;
  const dirtied = (env.phys.flags[frame]! & FRAME_DIRTY) === 0;
  if (dirtied) {
    env.phys.flags[frame]! |= FRAME_DIRTY;
    env.vmstat.inc(EV.nr_dirtied);
    yield vmf.mem('rmw', env.phys.objId(frame), 0, 'page');
  }
  if (
    (dirtied || ops.pageMkwrite) &&
    faultFlagAllowRetryFirst(vmf.flags) &&
    (vmf.flags & FAULT_FLAG_RETRY_NOWAIT) === 0
  ) {
    yield* releaseFaultLock(vmf);
    return VM_FAULT_COMPLETED;
  }
  return 0;
}

/**
 * set_pte_range() for one page: mk_pte with the VMA's protection (young), dirty and writable for a
 * write; a COW page becomes a new exclusive anonymous mapping, anything else one more file mapping.
 */
export function setPteOne(vmf: Vmf, frame: number, slot: number, write: boolean, cow: boolean): void {
  const env = vmf.env;
  const vma = vmf.vma;
  let entry = mkPteFlags(vma.pageProt, vma.flagsHigh);
  if (write) entry = mkDirtyMaybeWrite(entry, vma.flags);
  if (cow) env.phys.mapcount[frame] = 1;
  else env.phys.mapcount[frame]!++;
  env.pt.setPte(slot, frame, entry);
}

/** Count a newly mapped page in the RSS counter of its kind (mm_counter_file / MM_ANONPAGES). */
export function rssAdd(vmf: Vmf, cow: boolean, n: number): void {
  const env = vmf.env;
  if (cow) env.rssAnon += n;
  else if (vmf.vma.file !== null && vmf.vma.file.shmem === true) env.rssShmem += n;
  else env.rssFile += n;
}

/**
 * finish_fault(): install the PTE table if needed (the prealloc_pte), lock the PTE (pte_map_lock for a
 * speculative fault), give up with VM_FAULT_NOPAGE if the PTE changed, else map the page.
 */
export function* finishFault(vmf: Vmf): StepGen<number> {
  const env = vmf.env;
  const isCow = (vmf.flags & FAULT_FLAG_WRITE) !== 0 && (vmf.vma.flags & VM_SHARED) === 0;
  const page = isCow ? vmf.cowPage : vmf.page;
  if (vmf.spec !== null) {
    // Never instantiate page tables speculatively; pte_map_lock() validates the walked table.
  } else if (env.pt.entries[vmf.pmdSlot] === 0) {
    if (vmf.preallocPte !== 0) {
      const t = vmf.preallocPte;
      vmf.preallocPte = 0;
      yield* pmdInstall(vmf, t);
    } else {
      yield* pteAlloc(vmf);
    }
  } else {
    vmf.pte = env.pt.entries[vmf.pmdSlot]!;
  }
  if (!(yield* pteMapLock(vmf))) return VM_FAULT_RETRY;
  if (vmfPteChanged(vmf)) {
    yield* pteUnlock(vmf);
    return VM_FAULT_NOPAGE;
  }
  setPteOne(vmf, page, pteSlot(vmf), (vmf.flags & FAULT_FLAG_WRITE) !== 0, isCow);
  rssAdd(vmf, isCow, 1);
  yield work('pte-install');
  yield vmf.mem('rmw', env.phys.objId(page), 0, 'page');
  yield vmf.mem('write', env.pt.objId[vmf.pte]!, vmf.pteIdx >> 3, 'pte');
  yield* pteUnlock(vmf);
  return 0;
}

/**
 * do_fault_around(): map the cached pages of a naturally aligned window of fault_around_bytes around
 * the fault, clamped to the VMA and to the PTE table, under RCU; a speculative fault checks mmap_seq
 * first (SPF_ABORT_FAULT).
 */
function* doFaultAround(vmf: Vmf): StepGen<number> {
  const env = vmf.env;
  const vma = vmf.vma;
  const nr = env.config.faultAroundPages;
  const pteOff = vmf.pteIdx;
  const vmaOff = vmf.pgoff - vma.pgoff;
  const vmaPages = (vma.end - vma.start) / 4096;
  const fromPte = Math.max(pteOff - (pteOff % nr), pteOff - Math.min(pteOff, vmaOff));
  const toPte = Math.min(fromPte + nr, 512, pteOff + vmaPages - vmaOff) - 1;
  if (vmf.spec === null && env.pt.entries[vmf.pmdSlot] === 0 && vmf.preallocPte === 0) {
    vmf.preallocPte = yield* allocPteTable(vmf);
  }
  yield RCU_ENTER;
  let ret: number;
  if (vmf.spec !== null) {
    const same = yield { op: 'seq-check', seq: 'mmap_seq', id: env.mmObj, expected: vmf.spec.seq };
    if (same !== true) {
      ret = yield* specAbort(vmf, 'SPF_ABORT_FAULT');
      yield RCU_EXIT;
      return ret;
    }
  }
  ret = yield* filemapMapPages(vmf, vmf.pgoff + fromPte - pteOff, vmf.pgoff + toPte - pteOff);
  yield RCU_EXIT;
  return ret;
}

/**
 * filemap_map_pages(): map every cached, up-to-date page of [startPgoff, endPgoff] (clipped to i_size)
 * whose PTE is none, read-only and young, under one PTE lock; VM_FAULT_NOPAGE when the faulting page
 * was among them. Each page seen lowers mmap_miss.
 */
function* filemapMapPages(vmf: Vmf, startPgoff: number, endPgoff: number): StepGen<number> {
  const env = vmf.env;
  const vma = vmf.vma;
  const f = env.cache.of(backingFile(vmf));
  const end = Math.min(endPgoff, f.sizePages - 1);
  let first = -1;
  for (let i = startPgoff; i <= end; i++) {
    if (env.cache.find(f, i) !== 0) {
      first = i;
      break;
    }
  }
  yield vmf.mem('read', f.objId, 0, 'page-cache');
  if (first < 0) return 0;
  if (vmf.spec === null) {
    if (env.pt.entries[vmf.pmdSlot] === 0 && vmf.preallocPte !== 0) {
      const t = vmf.preallocPte;
      vmf.preallocPte = 0;
      yield* pmdInstall(vmf, t);
    }
    vmf.pte = env.pt.entries[vmf.pmdSlot]!;
    if (vmf.pte === 0) return 0;
  }
  if (!(yield* pteMapLock(vmf))) return VM_FAULT_RETRY;
  let ret = 0;
  let mapped = 0;
  let seen = 0;
  let lastLine = -1;
  const tableBase = vmf.pte * 512;
  for (let i = first; i <= end; i++) {
    const frame = env.cache.find(f, i);
    if (frame === 0) continue;
    seen++;
    const addr = vma.start + (i - vma.pgoff) * 4096;
    const idx = (addr / 4096) % 512;
    const slot = tableBase + idx;
    if (env.pt.pteFlags[slot] !== 0) continue;
    setPteOne(vmf, frame, slot, false, false);
    env.phys.get(frame);
    mapped++;
    if (addr === vmf.address) ret = VM_FAULT_NOPAGE;
    if (idx >> 3 !== lastLine) {
      lastLine = idx >> 3;
      yield vmf.mem('write', env.pt.objId[vmf.pte]!, lastLine, 'pte');
    }
  }
  if (mapped > 0) {
    rssAdd(vmf, false, mapped);
    yield work('pte-install', mapped);
  }
  yield* pteUnlock(vmf);
  f.mmapMiss = seen >= f.mmapMiss ? 0 : f.mmapMiss - seen;
  env.vmstat.inc(EV.fault_around_pages, mapped);
  return ret;
}
