/**
 * The vm_operations_struct of the mappings the model knows, and their ->fault():
 *
 * - regular files: generic_file_vm_ops / ext4_file_vm_ops — filemap_fault(), filemap_map_pages(),
 *   a ->page_mkwrite() (ext4), and `.speculative = true` in Lespinasse's RFC (patches 29-32);
 * - shmem (MAP_SHARED|MAP_ANONYMOUS, memfd, tmpfs): shmem_fault() allocates a zeroed page on first
 *   touch (never a major fault), filemap_map_pages(), no ->page_mkwrite(); not speculative;
 * - special mappings ([vdso], [vvar], ...): special_mapping_fault() hands out fixed pages; no
 *   fault-around; not speculative;
 * - anonymous VMAs have no vm_ops.
 *
 * filemap_fault() follows mm/filemap.c (v6.12): beyond i_size → SIGBUS; a cached page is a minor
 * fault; a miss counts PGMAJFAULT, runs mmap read-around (do_sync_mmap_readahead: a window of
 * ra_pages centred on the fault, none for VM_RAND_READ or after MMAP_LOTSAMISS misses, forward for
 * VM_SEQ_READ) and, on the first attempt of a retryable fault, drops the fault lock before the I/O and
 * returns VM_FAULT_MAJOR | VM_FAULT_RETRY so the fault is redone (with FAULT_FLAG_TRIED) against a warm
 * cache. Simplification: pages enter the cache up to date when their read is issued (no PG_locked
 * waits, no async readahead, no PG_workingset).
 */
import { type FileRef, VM_LOCKED, vmFlags } from '@vmakit/core';
import {
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_TRIED,
  faultFlagAllowRetryFirst,
  VM_FAULT_LOCKED,
  VM_FAULT_MAJOR,
  VM_FAULT_NOPAGE,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
} from './fault-flags.js';
import { type CachedFile, MMAP_LOTSAMISS } from './page-cache.js';
import { ptePresent } from './page-table.js';
import { type StepGen, work } from './steps.js';
import type { FaultVma, Vmf } from './vmf.js';
import { EV } from './vmstat.js';
import { releaseFaultLock, specAbort } from './walk.js';

/** What a VMA's vm_ops provide. */
export interface VmOps {
  readonly kind: 'filemap' | 'shmem' | 'special';
  /** ->map_pages (fault-around; also what lets ->fault run under the per-VMA lock). */
  readonly mapPages: boolean;
  /** ->page_mkwrite. */
  readonly pageMkwrite: boolean;
  /** Lespinasse's vm_ops->speculative. */
  readonly speculative: boolean;
}

/** ext4_file_vm_ops / generic_file_vm_ops. */
export const FILEMAP_OPS: VmOps = Object.freeze({
  kind: 'filemap',
  mapPages: true,
  pageMkwrite: true,
  speculative: true,
});
/** shmem_vm_ops. */
export const SHMEM_OPS: VmOps = Object.freeze({
  kind: 'shmem',
  mapPages: true,
  pageMkwrite: false,
  speculative: false,
});
/** special_mapping_vmops. */
export const SPECIAL_OPS: VmOps = Object.freeze({
  kind: 'special',
  mapPages: false,
  pageMkwrite: false,
  speculative: false,
});

/** The vm_ops of `vma`, or null for an anonymous VMA. */
export function vmOpsOf(vma: FaultVma): VmOps | null {
  if (vma.kind === 'anon') return null;
  if (vma.kind === 'special') return SPECIAL_OPS;
  return vma.file !== null && vma.file.shmem === true ? SHMEM_OPS : FILEMAP_OPS;
}

/** The object whose pages a file-backed VMA maps (the file, or a special mapping's pseudo file). */
export function backingFile(vmf: Vmf): FileRef {
  const vma = vmf.vma;
  return vma.kind === 'special' || vma.file === null ? vmf.env.specialFile(vma) : vma.file;
}

/** The page index a fault maps from the backing object. */
export function backingIndex(vmf: Vmf): number {
  return vmf.vma.kind === 'special' ? (vmf.address - vmf.vma.start) / 4096 : vmf.pgoff;
}

/** ->fault(): fill vmf.page (with a reference) or return an error / retry. */
export function* vmOpsFault(vmf: Vmf, ops: VmOps): StepGen<number> {
  if (ops.kind === 'filemap') return yield* filemapFault(vmf);
  return yield* shmemOrSpecialFault(vmf);
}

/**
 * shmem_fault() / special_mapping_fault(): the page at the index, allocated zero-filled on first
 * touch; SIGBUS beyond the object's size. Never a major fault.
 */
function* shmemOrSpecialFault(vmf: Vmf): StepGen<number> {
  const env = vmf.env;
  const f = env.cache.of(backingFile(vmf));
  const index = backingIndex(vmf);
  if (index >= f.sizePages) return VM_FAULT_SIGBUS;
  yield vmf.mem('read', f.objId, 0, 'page-cache');
  let frame = env.cache.find(f, index);
  if (frame === 0) {
    yield work('page-alloc');
    frame = env.cache.insert(f, index);
    if (frame === 0) return VM_FAULT_OOM;
    yield work('page-zero');
    yield vmf.mem('write', f.objId, 0, 'page-cache');
  }
  env.phys.get(frame);
  vmf.page = frame;
  return VM_FAULT_LOCKED;
}

/**
 * filemap_fault(). A speculative fault only handles a cached page (Lespinasse's patch 25); anything
 * else returns VM_FAULT_RETRY, counted as SPF_ABORT_FAULT.
 */
function* filemapFault(vmf: Vmf): StepGen<number> {
  const env = vmf.env;
  const f = env.cache.of(backingFile(vmf));
  const index = vmf.pgoff;
  if (index >= f.sizePages) return VM_FAULT_SIGBUS;
  yield vmf.mem('read', f.objId, 0, 'page-cache');
  let frame = env.cache.find(f, index);
  if (frame !== 0) {
    // do_async_mmap_readahead(): a hit lowers mmap_miss (first attempt only).
    if ((vmf.flags & FAULT_FLAG_TRIED) === 0 && f.mmapMiss > 0) f.mmapMiss--;
    env.phys.get(frame);
    vmf.page = frame;
    return VM_FAULT_LOCKED;
  }
  if (vmf.spec !== null) return yield* specAbort(vmf, 'SPF_ABORT_FAULT');
  // filemap_fault_recheck_pte_none(): in an mlocked VMA a PTE that became present meanwhile wins.
  if ((vmf.vma.flags & VM_LOCKED) !== 0 && vmf.pte !== 0) {
    const flags = env.pt.pteFlags[vmf.pte * 512 + vmf.pteIdx]!;
    if (flags !== 0 && ptePresent(flags)) return VM_FAULT_NOPAGE;
  }
  env.vmstat.inc(EV.pgmajfault);
  const dropLock = faultFlagAllowRetryFirst(vmf.flags) && (vmf.flags & FAULT_FLAG_RETRY_NOWAIT) === 0;
  if (dropLock) yield* releaseFaultLock(vmf);
  const read = readaroundWindow(vmf, f, index);
  let inserted = 0;
  for (let i = read.from; i < read.to; i++) {
    if (env.cache.find(f, i) !== 0) continue;
    if (env.cache.insert(f, i) === 0) break;
    inserted++;
  }
  if (env.cache.find(f, index) === 0) {
    if (env.cache.insert(f, index) === 0) return dropLock ? VM_FAULT_MAJOR | VM_FAULT_RETRY : VM_FAULT_OOM;
    inserted++;
  }
  env.vmstat.inc(EV.readahead_pages, inserted);
  yield vmf.mem('write', f.objId, 0, 'page-cache');
  yield work('io-read', inserted);
  if (dropLock) return VM_FAULT_MAJOR | VM_FAULT_RETRY;
  frame = env.cache.find(f, index);
  env.phys.get(frame);
  vmf.page = frame;
  return VM_FAULT_MAJOR | VM_FAULT_LOCKED;
}

/** The page indexes do_sync_mmap_readahead() reads around a miss at `index` ([from, to)). */
function readaroundWindow(vmf: Vmf, f: CachedFile, index: number): { from: number; to: number } {
  const ra = vmf.env.config.readaheadPages;
  const vmaFlags = vmf.vma.flags;
  const none = { from: index, to: index };
  if ((vmaFlags & vmFlags.VM_RAND_READ) !== 0 || ra === 0) return none;
  if ((vmaFlags & vmFlags.VM_SEQ_READ) !== 0) return { from: index, to: Math.min(index + ra, f.sizePages) };
  if (f.mmapMiss < MMAP_LOTSAMISS * 10) f.mmapMiss++;
  if (f.mmapMiss > MMAP_LOTSAMISS) return none;
  const from = Math.max(0, index - Math.floor(ra / 2));
  return { from, to: Math.min(from + ra, f.sizePages) };
}
