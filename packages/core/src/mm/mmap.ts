/**
 * mmap(2): ksys_mmap_pgoff() → do_mmap() → mmap_region() of mm/mmap.c (v6.12).
 *
 * Not modelled: READ_IMPLIES_EXEC personalities, memory-deny-write-execute, LSM hooks other than
 * cap_mmap_addr(), memfd seals, hugetlbfs files, drivers' ->mmap changing the VMA, and overcommit
 * refusals (security_vm_enough_memory_mm always succeeds).
 */
import { PAGE_SIZE } from '../constants.js';
import { EACCES, EAGAIN, EBADF, EEXIST, EINVAL, ENOMEM, EOPNOTSUPP, EOVERFLOW, EPERM } from '../errno.js';
import { allocId } from '../ids.js';
import {
  MAP_ANONYMOUS,
  MAP_DROPPABLE,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
  PROT_EXEC,
  PROT_WRITE,
} from '../uapi.js';
import {
  calcVmFlagBits,
  calcVmProtBits,
  VM_ACCOUNT,
  VM_DONTDUMP,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NOHUGEPAGE,
  VM_NORESERVE,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_WIPEONFORK,
  VMH_DROPPABLE,
  withPkey,
} from '../vm-flags.js';
import { type FileRef, Vma } from '../vma.js';
import {
  accountableMapping,
  canDoMlock,
  mayExpandVm,
  mlockFutureOk,
  setVmaFlags,
  vmaSetPageProt,
  vmaSupportsMlock,
  vmStatAccount,
} from './accounting.js';
import type { MmFile } from './api.js';
import { pageAlignU64, pagesOf } from './arith.js';
import { LEGACY_MAP_MASK, OVERCOMMIT_NEVER, U64_WRAP } from './consts.js';
import { vmaMergeNewRange, vmgForNewRange } from './merge.js';
import type { MmState } from './mm-state.js';
import {
  abortMunmapVmas,
  cleanUpArea,
  completeMunmapVmas,
  gatherMunmapVmas,
  initMunmap,
  type MunmapState,
} from './munmap.js';
import { executeOnlyPkey } from './pkeys.js';
import { getUnmappedArea } from './unmapped-area.js';

/** MAX_LFS_FILESIZE on 64-bit: LLONG_MAX. */
const MAX_LFS_FILESIZE = 2 ** 63 - 1;

/** round_hint_to_min(): a non-zero hint below mmap_min_addr becomes PAGE_ALIGN(mmap_min_addr). */
function roundHintToMin(mm: MmState, hint: number): number {
  hint -= hint % PAGE_SIZE;
  if (hint !== 0 && hint < mm.mmapMinAddr) return pageAlignU64(mm.mmapMinAddr);
  return hint;
}

/** file_mmap_ok(): the file range [pgoff, pgoff + len) stays below MAX_LFS_FILESIZE. */
function fileMmapOk(pgoff: number, len: number): boolean {
  if (len > MAX_LFS_FILESIZE) return false;
  return pgoff <= Math.floor((MAX_LFS_FILESIZE - len) / PAGE_SIZE);
}

/** A fresh shmem object for MAP_SHARED|MAP_ANONYMOUS (shmem_zero_setup()). */
function shmemZeroFile(len: number): FileRef {
  return { id: allocId(), path: '/dev/zero (deleted)', shmem: true, sizePages: pagesOf(len), inode: 0 };
}

/**
 * The mmap(2) system call with a page offset (mmap_pgoff): `file` stands for the file descriptor
 * (ignored with MAP_ANONYMOUS, -EBADF when missing without it). Returns the address or -errno.
 * Takes the mmap write lock after the file-descriptor checks, as vm_mmap_pgoff() does; population
 * (MAP_POPULATE, MAP_LOCKED, mlockall(MCL_FUTURE)) is requested for after the lock is dropped.
 */
export function doMmap(
  mm: MmState,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  fileArg: FileRef | null,
  pgoff: number,
): number {
  // ksys_mmap_pgoff(): the file descriptor, and hugetlb setup.
  let file: MmFile | null = null;
  if ((flags & MAP_ANONYMOUS) === 0) {
    if (fileArg === null) return -EBADF;
    file = fileArg as MmFile;
    if ((flags & MAP_HUGETLB) !== 0) return -EINVAL;
  } else if ((flags & MAP_HUGETLB) !== 0) {
    // A hugetlbfs file would be set up here; with no huge pages reserved the mapping cannot succeed.
    return -ENOMEM;
  }

  // vm_mmap_pgoff(): the rest runs under mmap_write_lock.
  mm.lockForWrite();
  if (len === 0) return -EINVAL;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0) flags |= MAP_FIXED;
  if ((flags & MAP_FIXED) === 0) addr = roundHintToMin(mm, addr);
  len = pageAlignU64(len);
  if (len === 0) return -ENOMEM;
  if (pgoff + pagesOf(len) >= U64_WRAP) return -EOVERFLOW;
  if (mm.mapCount > mm.maxMapCount) return -ENOMEM;

  let pkey = 0;
  if (prot === PROT_EXEC) {
    pkey = executeOnlyPkey(mm);
    if (pkey < 0) pkey = 0;
  }
  let vmFlags =
    (calcVmProtBits(prot) | calcVmFlagBits(flags) | mm.defFlags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC) >>>
    0;
  if (!mm.thp) vmFlags = (vmFlags & ~VM_NOHUGEPAGE) >>> 0;
  let vmFlagsHigh = withPkey(0, pkey);

  addr = getUnmappedArea(mm, file, addr, len, pgoff, flags, vmFlagsHigh);
  if (addr < 0) return addr;

  if ((flags & MAP_FIXED_NOREPLACE) !== 0) {
    const v = mm.index.find(addr);
    if (v !== null && v.start < addr + len) return -EEXIST;
  }
  if ((flags & MAP_LOCKED) !== 0 && !canDoMlock(mm)) return -EPERM;
  if (!mlockFutureOk(mm, vmFlags, len)) return -EAGAIN;

  if (file !== null) {
    if (!fileMmapOk(pgoff, len)) return -EOVERFLOW;
    const readable = file.readable ?? true;
    const writable = file.writable ?? true;
    const type = flags & MAP_TYPE;
    if (type === MAP_SHARED || type === MAP_SHARED_VALIDATE) {
      // Plain MAP_SHARED ignores flags it does not know; MAP_SHARED_VALIDATE rejects them.
      if (type === MAP_SHARED) flags &= LEGACY_MAP_MASK;
      if ((flags & ~LEGACY_MAP_MASK) !== 0) return -EOPNOTSUPP;
      if ((prot & PROT_WRITE) !== 0 && !writable) return -EACCES;
      if (file.appendOnly === true && writable) return -EACCES;
      vmFlags = (vmFlags | VM_SHARED | VM_MAYSHARE) >>> 0;
      if (!writable) vmFlags = (vmFlags & ~(VM_MAYWRITE | VM_SHARED)) >>> 0;
    }
    if (type === MAP_SHARED || type === MAP_SHARED_VALIDATE || type === MAP_PRIVATE) {
      if (!readable) return -EACCES;
      if (file.noexec === true) {
        if ((vmFlags & VM_EXEC) !== 0) return -EPERM;
        vmFlags = (vmFlags & ~VM_MAYEXEC) >>> 0;
      }
      if ((vmFlags & VM_GROWSDOWN) !== 0) return -EINVAL;
    } else {
      return -EINVAL;
    }
  } else {
    const type = flags & MAP_TYPE;
    if (type === MAP_SHARED) {
      if ((vmFlags & VM_GROWSDOWN) !== 0) return -EINVAL;
      pgoff = 0;
      vmFlags = (vmFlags | VM_SHARED | VM_MAYSHARE) >>> 0;
    } else if (type === MAP_DROPPABLE || type === MAP_PRIVATE) {
      if (type === MAP_DROPPABLE) {
        if ((flags & (MAP_LOCKED | MAP_HUGETLB)) !== 0) return -EINVAL;
        if ((vmFlags & VM_GROWSDOWN) !== 0) return -EINVAL;
        vmFlagsHigh = (vmFlagsHigh | VMH_DROPPABLE) >>> 0;
        vmFlags = (vmFlags | VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP) >>> 0;
      }
      // Anonymous memory: pgoff follows the address so that splits and merges line up.
      pgoff = pagesOf(addr);
    } else {
      // MAP_SHARED_VALIDATE is not accepted for anonymous memory.
      return -EINVAL;
    }
  }

  if ((flags & MAP_NORESERVE) !== 0 && mm.overcommitMemory !== OVERCOMMIT_NEVER) {
    vmFlags = (vmFlags | VM_NORESERVE) >>> 0;
  }

  const result = mmapRegion(mm, file, addr, len, vmFlags, vmFlagsHigh, pgoff);
  if (
    result >= 0 &&
    ((vmFlags & VM_LOCKED) !== 0 || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE)
  ) {
    mm.populateAfterUnlock(result, len, true);
  }
  return result;
}

/**
 * mmap_region() / __mmap_region(): map [addr, addr + len) with the given flags, replacing whatever is
 * there (MAP_FIXED), merging with the neighbours when possible. Returns addr or -errno (-ENOMEM when
 * RLIMIT_AS / RLIMIT_DATA would be exceeded; the VMAs split to make room then stay split, as in the
 * kernel). O(k) index updates for k VMAs replaced.
 */
export function mmapRegion(
  mm: MmState,
  file: FileRef | null,
  addr: number,
  len: number,
  vmFlags: number,
  vmFlagsHigh: number,
  pgoff: number,
): number {
  const pglen = pagesOf(len);
  const end = addr + len;
  const vmg = vmgForNewRange(addr, end, vmFlags, vmFlagsHigh, pgoff, file);

  const first = mm.index.find(addr);
  const overlapping = first !== null && first.start < end ? first : null;
  const vms: MunmapState = initMunmap(overlapping, addr, end, 'mmap-fixed');
  if (overlapping !== null) {
    const err = gatherMunmapVmas(mm, vms);
    if (err !== 0) return err;
    vmg.next = vms.next;
    vmg.prev = vms.prev;
  } else {
    vmg.next = first;
    vmg.prev = mm.index.prevOf(addr);
  }

  if (!mayExpandVm(mm, vmFlags, pglen - vms.nrPages)) {
    abortMunmapVmas(mm, vms);
    return -ENOMEM;
  }
  if (accountableMapping(vmFlags)) {
    vms.nrAccounted = 0;
    vmFlags = (vmFlags | VM_ACCOUNT) >>> 0;
    vmg.flags = vmFlags;
  }

  // Clear the old PTEs while the old VMAs are still in the tree.
  cleanUpArea(mm, vms);
  let vma = vmaMergeNewRange(mm, vmg);
  if (vma === null) {
    let mapFile = file;
    let kind: Vma['kind'] = file !== null ? 'file' : 'anon';
    if (file === null && (vmFlags & VM_SHARED) !== 0) {
      mapFile = shmemZeroFile(len);
      kind = 'file';
    }
    vma = new Vma({
      start: addr,
      end,
      flags: vmFlags,
      flagsHigh: vmFlagsHigh,
      pgoff,
      file: mapFile,
      kind,
      mm,
    });
    mm.vmaStartWrite(vma);
    mm.index.store(addr, end, vma);
    mm.mapCount++;
  }

  completeMunmapVmas(mm, vms);

  vmStatAccount(mm, vmFlags, vmFlagsHigh, pglen);
  if ((vmFlags & VM_LOCKED) !== 0) {
    if (!vmaSupportsMlock(vma)) setVmaFlags(vma, vma.flags & ~VM_LOCKED_MASK);
    else mm.lockedVm += pglen;
  }
  // New (or expanded) VMAs are soft-dirty so a tracker sees the range as new.
  if (mm.softDirty) setVmaFlags(vma, vma.flags | VM_SOFTDIRTY);
  vmaSetPageProt(mm, vma);
  return addr;
}
