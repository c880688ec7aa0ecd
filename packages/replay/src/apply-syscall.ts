/**
 * Applies one traced system call to the model at its exit. The kernel's return value is the truth:
 * the model's own answer is compared with it, and where the model would have placed a mapping
 * elsewhere, the mapping is still made where the kernel put it (so the replay stays on the real
 * process's track) and the disagreement is counted.
 */
import { EBADF, EINVAL, errnoName, type MmStruct, PAGE_SIZE, uapi } from '@vmakit/core';
import type { PairedSyscall } from '@vmakit/formats';
import type { FileTable } from './initial-state.js';

const {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_SHARED,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
  PROT_READ,
  PROT_WRITE,
} = uapi;

/** SHM_RDONLY (include/uapi/linux/shm.h). */
const SHM_RDONLY = 0o10000;

/** How one system call went. */
export interface SyscallOutcome {
  /** The model's result agreed with the kernel's. */
  readonly agreed: boolean;
  /** The model's own result (before any correction to follow the kernel). */
  readonly model: number;
  /** The model chose a different address than the kernel (mmap, mremap, shmat), then followed it. */
  readonly placementDiffers: boolean;
  /** The call is not modelled. */
  readonly unsupported: boolean;
}

const OK = (model: number, kernel: number): SyscallOutcome => ({
  agreed: model === kernel,
  model,
  placementDiffers: false,
  unsupported: false,
});

/** A signed result as the kernel's syscall entry returns it. */
function show(r: number): string {
  return r < 0 ? `-${errnoName(r)}` : `0x${r.toString(16)}`;
}

/** Describe a disagreement for the report. */
export function describeOutcome(s: PairedSyscall, o: SyscallOutcome): string {
  return `${s.name} at line ${s.exitLine} (tid ${s.tid}): kernel ${show(s.ret)}, model ${show(o.model)}`;
}

/**
 * mmap at the kernel's address. For a call without MAP_FIXED the model first answers on its own
 * (with the hint); if it picks another address the mapping is undone and made where the kernel put it.
 */
function applyMmap(mm: MmStruct, files: FileTable, s: PairedSyscall): SyscallOutcome {
  const { addr, len, prot, flags, fd, off } = s.args as Record<string, number>;
  const anonymous = (flags! & MAP_ANONYMOUS) !== 0;
  if (!anonymous && off! % PAGE_SIZE !== 0) return OK(-EINVAL, s.ret);
  // fget() does not return O_PATH files (mm/mmap.c ksys_mmap_pgoff(): -EBADF).
  if (!anonymous && files.fdIsPathOnly(fd!)) return OK(-EBADF, s.ret);
  const file = anonymous ? null : files.fromFd(fd!);
  const pgoff = anonymous ? 0 : off! / PAGE_SIZE;
  const model = mm.mmap(addr!, len!, prot!, flags!, file, pgoff);
  if (model === s.ret) return OK(model, s.ret);
  if (s.ret < 0) {
    // The kernel refused but the model mapped: undo so the replay keeps the real process's state.
    if (model >= 0) mm.munmap(model, len!);
    return OK(model, s.ret);
  }
  if (model >= 0) mm.munmap(model, len!);
  const forced = mm.mmap(s.ret, len!, prot!, (flags! & ~MAP_FIXED_NOREPLACE) | MAP_FIXED, file, pgoff);
  return { agreed: false, model, placementDiffers: model >= 0 && forced === s.ret, unsupported: false };
}

function applyMremap(mm: MmStruct, s: PairedSyscall): SyscallOutcome {
  const { addr, old_len, new_len, flags, new_addr } = s.args as Record<string, number>;
  const model = mm.mremap(addr!, old_len!, new_len!, flags!, new_addr!);
  if (s.ret < 0 || model === s.ret || model < 0) return OK(model, s.ret);
  // The model moved the mapping elsewhere: move it again to where the kernel put it.
  mm.mremap(model, new_len!, new_len!, MREMAP_MAYMOVE | MREMAP_FIXED, s.ret);
  return { agreed: false, model, placementDiffers: true, unsupported: false };
}

/** shmat maps segment `shmid` shared at the kernel's address; its size is what the kernel mapped. */
function applyShmat(
  mm: MmStruct,
  files: FileTable,
  s: PairedSyscall,
  sizes: Map<number, number>,
): SyscallOutcome {
  if (s.ret < 0) return OK(s.ret, s.ret);
  const { shmid, shmflg } = s.args as Record<string, number>;
  const size = sizes.get(shmid!);
  if (size === undefined) return { agreed: false, model: 0, placementDiffers: false, unsupported: true };
  const prot = (shmflg! & SHM_RDONLY) !== 0 ? PROT_READ : PROT_READ | PROT_WRITE;
  const model = mm.mmap(s.ret, size, prot, MAP_SHARED | MAP_FIXED, files.fromShmid(shmid!), 0);
  return OK(model, s.ret);
}

/**
 * Applies `s` to `mm`. O(cost of the system call in the model).
 * `shmSizes` maps a SysV segment id to its size when known (from the maps of an attached segment).
 */
export function applySyscall(
  mm: MmStruct,
  files: FileTable,
  s: PairedSyscall,
  shmSizes: Map<number, number> = new Map(),
): SyscallOutcome {
  const a = s.args as Record<string, number>;
  switch (s.name) {
    case 'mmap':
      return applyMmap(mm, files, s);
    case 'munmap':
      return OK(mm.munmap(a.addr!, a.len!), s.ret);
    case 'mprotect':
      return OK(mm.mprotect(a.start!, a.len!, a.prot!), s.ret);
    case 'pkey_mprotect': {
      // pkey_alloc is not traced: allocate keys in the model until the one used exists.
      for (let guard = 0; guard < 16 && a.pkey! > 0; guard++) {
        const r = mm.pkeyMprotect(a.start!, 0, 0, a.pkey!);
        if (r !== -EINVAL) break;
        if (mm.pkeyAlloc(0, 0) < 0) break;
      }
      return OK(mm.pkeyMprotect(a.start!, a.len!, a.prot!, a.pkey!), s.ret);
    }
    case 'brk':
      return OK(mm.brk(a.brk!), s.ret);
    case 'mremap':
      return applyMremap(mm, s);
    case 'madvise':
      return OK(mm.madvise(a.start!, a.len_in!, a.behavior!), s.ret);
    case 'mlock':
      return OK(mm.mlock(a.start!, a.len!), s.ret);
    case 'mlock2':
      return OK(mm.mlock(a.start!, a.len!, a.flags!), s.ret);
    case 'munlock':
      return OK(mm.munlock(a.start!, a.len!), s.ret);
    case 'mlockall':
      return OK(mm.mlockall(a.flags!), s.ret);
    case 'munlockall':
      return OK(mm.munlockall(), s.ret);
    case 'shmat':
      return applyShmat(mm, files, s, shmSizes);
    case 'shmdt': {
      const v = mm.vmaLookup(a.shmaddr!);
      if (v === null || v.file === null || !v.file.path.startsWith('/SYSV')) return OK(-EINVAL, s.ret);
      return OK(mm.munmap(v.start, v.end - v.start), s.ret);
    }
    default:
      return { agreed: false, model: 0, placementDiffers: false, unsupported: true };
  }
}
