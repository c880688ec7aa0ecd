/**
 * The public face of an address space (`struct mm_struct` plus the memory system calls), as the
 * fault core, the replay engine and the simulator use it. `MmStruct` implements it over any
 * VmaIndex. System calls return the kernel's result: a non-negative value on success, `-errno` on
 * failure.
 */

import type { AnonVma, FileRef, Vma, VmaInit } from '../vma.js';
import type { VmaIndex } from '../vma-index.js';

/** Why page-table entries of a range go away. */
export type ZapReason = 'munmap' | 'mmap-fixed' | 'madvise' | 'mremap' | 'brk';

/**
 * Observes changes that other kernel layers must follow: page tables (zap, change protection,
 * move), the lifetime of VMAs (for RCU freeing), and the write side of the mmap lock.
 * Every method is optional.
 */
export interface MmObserver {
  /** mmap_write_lock() was taken (mmap_seq is now odd). */
  writeLocked?(): void;
  /** mmap_write_unlock() is about to release the lock (mm_lock_seq advances, mmap_seq even again). */
  writeUnlocking?(): void;
  /** vma_start_write(): a writer marked `vma` for modification (per-VMA locks). */
  vmaStartWrite?(vma: Vma): void;
  /** A VMA left the tree (vma_mark_detached); it is freed after this returns or, with RCU, later. */
  vmaDetached?(vma: Vma): void;
  /** The page-table entries of [start, end) must be removed (unmap_page_range / zap_page_range). */
  zapRange?(start: number, end: number, reason: ZapReason): void;
  /** The protection of [start, end) changed to that of `vma` (change_protection()). */
  changeProtection?(start: number, end: number, vma: Vma): void;
  /** The page tables of [oldStart, oldStart + len) moved to newStart (move_page_tables()). */
  movePageTables?(oldStart: number, newStart: number, len: number): void;
  /** The pages of [start, end) must be populated (MAP_POPULATE, mlock, MADV_POPULATE_*). */
  populate?(start: number, end: number, write: boolean): void;
}

/** Sizing and limits of an address space. Defaults are those of x86-64 Linux without ASLR. */
export interface MmConfig {
  /** Top of user space (TASK_SIZE). */
  readonly taskSize?: number;
  /** Base of top-down allocations; default mmap_base() of arch/x86/mm/mmap.c without randomisation. */
  readonly mmapBase?: number;
  /** Use the legacy bottom-up layout (mmap_is_legacy()). */
  readonly legacyLayout?: boolean;
  /** vm.mmap_min_addr. */
  readonly mmapMinAddr?: number;
  /** stack_guard_gap in bytes. */
  readonly stackGuardGap?: number;
  /** vm.max_map_count. */
  readonly maxMapCount?: number;
  /** RLIMIT_STACK soft limit in bytes. */
  readonly rlimitStack?: number;
  /** RLIMIT_MEMLOCK in bytes (Infinity for unlimited). */
  readonly rlimitMemlock?: number;
  /** RLIMIT_DATA in bytes (Infinity for unlimited). */
  readonly rlimitData?: number;
  /** RLIMIT_AS in bytes (Infinity for unlimited). */
  readonly rlimitAs?: number;
  /** The process may lock memory beyond RLIMIT_MEMLOCK (CAP_IPC_LOCK). */
  readonly capIpcLock?: boolean;
  /** start_brk (heap start); brk starts there too unless `brk` is given. */
  readonly startBrk?: number;
  readonly brk?: number;
  /** The CPU and kernel support protection keys (OSPKE). */
  readonly pkeys?: boolean;
  /**
   * CONFIG_TRANSPARENT_HUGEPAGE (default true): anonymous mappings whose length is a multiple of
   * 2 MiB are placed 2 MiB-aligned (thp_get_unmapped_area_vmflags), MAP_STACK sets VM_NOHUGEPAGE,
   * MADV_HUGEPAGE / MADV_NOHUGEPAGE are valid.
   */
  readonly thp?: boolean;
  /**
   * Regular files come from a file system whose get_unmapped_area is thp_get_unmapped_area (ext4,
   * xfs; default true): their mappings get 2 MiB-aligned placement when the file range allows it.
   */
  readonly fileThpAlign?: boolean;
  /**
   * CONFIG_MEM_SOFT_DIRTY: new and expanded VMAs get VM_SOFTDIRTY, and a shared writable VMA without
   * it has its soft-dirty tracking armed (write-notify). Default false, as in the kernel of the
   * reference captures (no `sd` in their VmFlags); merging ignores the flag either way.
   */
  readonly softDirty?: boolean;
  /** vm.overcommit_memory (default 0); 2 (OVERCOMMIT_NEVER) makes MAP_NORESERVE ineffective. */
  readonly overcommitMemory?: 0 | 1 | 2;
  /** start_data / end_data: the data segment counted by brk's RLIMIT_DATA check (default 0, 0). */
  readonly startData?: number;
  readonly endData?: number;
  /** CAP_SYS_RAWIO: the process may map below mmap_min_addr (cap_mmap_addr). */
  readonly capSysRawio?: boolean;
}

/**
 * A file as mmap() sees an open file description: a FileRef plus how it was opened. Fields left out
 * take permissive defaults (opened read-write, exec allowed), so a plain FileRef can be mapped any way.
 */
export interface MmFile extends FileRef {
  /** FMODE_READ (default true). */
  readonly readable?: boolean;
  /** FMODE_WRITE (default true). */
  readonly writable?: boolean;
  /** The mount is noexec (path_noexec; default false). */
  readonly noexec?: boolean;
  /** The inode is append-only (IS_APPEND; default false). */
  readonly appendOnly?: boolean;
}

/** Address space operations with Linux semantics. */
export interface MmApi {
  /** The VMA tree. */
  readonly index: VmaIndex<Vma>;
  /** map_count: number of VMAs. */
  readonly mapCount: number;
  /** Lespinasse's per-mm sequence count: bumped when a write operation starts and ends (odd while writing). */
  readonly mmapSeq: number;
  /** mm_lock_seq of per-VMA locking: VMAs whose lockSeq equals it are write-locked. */
  readonly mmLockSeq: number;
  readonly stackGuardGap: number;
  readonly taskSize: number;
  readonly mmapBase: number;
  readonly startBrk: number;
  readonly brkValue: number;
  readonly rlimitStack: number;
  readonly pkeysEnabled: boolean;

  /** Registers an observer; returns a function that removes it. */
  observe(observer: MmObserver): () => void;

  mmap(addr: number, len: number, prot: number, flags: number, file?: FileRef | null, pgoff?: number): number;
  munmap(addr: number, len: number): number;
  mprotect(addr: number, len: number, prot: number): number;
  pkeyMprotect(addr: number, len: number, prot: number, pkey: number): number;
  pkeyAlloc(flags: number, accessRights: number): number;
  pkeyFree(pkey: number): number;
  mremap(oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr?: number): number;
  brk(newBrk: number): number;
  madvise(addr: number, len: number, advice: number): number;
  mlock(addr: number, len: number, flags?: number): number;
  munlock(addr: number, len: number): number;
  mlockall(flags: number): number;
  munlockall(): number;

  /** find_vma(). */
  findVma(addr: number): Vma | null;
  /** vma_lookup(). */
  vmaLookup(addr: number): Vma | null;
  /** All VMAs in address order. O(n). */
  vmas(): Vma[];

  /**
   * expand_stack_locked(): grow the VM_GROWSDOWN `vma` down to cover `addr`, honouring
   * stack_guard_gap and RLIMIT_STACK. Returns 0 or -errno (the caller turns it into SEGV_MAPERR).
   */
  expandStack(vma: Vma, addr: number): number;
  /** anon_vma_prepare(): give `vma` an anon_vma, reusing a mergeable neighbour's as the kernel does. */
  anonVmaPrepare(vma: Vma): AnonVma;
  /**
   * Install a VMA as it is (no merging): builds an address space from a /proc/PID/maps snapshot.
   * Returns the VMA or -errno when it overlaps another.
   */
  installVma(init: VmaInit): Vma | number;

  /** True while the mmap write lock is held. */
  readonly writeLocked: boolean;
  /** vma_start_write(): mark `vma` write-locked for per-VMA locking (requires the write lock). */
  vmaStartWrite(vma: Vma): void;

  /** Take / release the mmap write lock around a group of changes made outside the syscalls. */
  writeLock(): void;
  writeUnlock(): void;
}
