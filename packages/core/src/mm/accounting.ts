/**
 * The per-mm memory accounting the system calls consult: vm_stat_account(), may_expand_vm() and
 * mlock_future_ok() of mm/mmap.c, the mapping classes of mm/vma.h, can_do_mlock() of mm/mlock.c,
 * vma_supports_mlock() of mm/internal.h and vma_set_page_prot() of mm/mmap.c (v6.12).
 */
import { PAGE_SIZE } from '../constants.js';
import { vmGetPageProt } from '../page-prot.js';
import {
  VM_EXEC,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_NORESERVE,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_SPECIAL,
  VM_WRITE,
  VMH_DROPPABLE,
  VMH_SHADOW_STACK,
} from '../vm-flags.js';
import type { FileRef, Vma } from '../vma.js';
import { pagesOf } from './arith.js';
import type { MmState } from './mm-state.js';

/** VM_STACK on x86 (no VM_GROWSUP). */
const VM_STACK = VM_GROWSDOWN;

/** is_exec_mapping(): executable, not writable, not stack. */
export function isExecMapping(flags: number): boolean {
  return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) === VM_EXEC;
}

/** is_stack_mapping(): VM_STACK or a shadow stack. */
export function isStackMapping(flags: number, flagsHigh: number): boolean {
  return (flags & VM_STACK) === VM_STACK || (flagsHigh & VMH_SHADOW_STACK) !== 0;
}

/** is_data_mapping(): private, writable, not stack. */
export function isDataMapping(flags: number): boolean {
  return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) === VM_WRITE;
}

/** vm_stat_account(): add `npages` (may be negative) to total_vm and the mapping's class. O(1). */
export function vmStatAccount(mm: MmState, flags: number, flagsHigh: number, npages: number): void {
  mm.totalVm += npages;
  if (isExecMapping(flags)) mm.execVm += npages;
  else if (isStackMapping(flags, flagsHigh)) mm.stackVm += npages;
  else if (isDataMapping(flags)) mm.dataVm += npages;
}

/**
 * may_expand_vm(): RLIMIT_AS against total_vm and, for data mappings, RLIMIT_DATA against data_vm.
 * (The kernel's RLIMIT_DATA == 0 Valgrind exception needs the hard limit, which is not modelled.)
 */
export function mayExpandVm(mm: MmState, flags: number, npages: number): boolean {
  if (mm.totalVm + npages > Math.floor(mm.rlimitAs / PAGE_SIZE)) return false;
  if (isDataMapping(flags) && mm.dataVm + npages > Math.floor(mm.rlimitData / PAGE_SIZE)) return false;
  return true;
}

/** mlock_future_ok(): locking `bytes` more keeps locked_vm within RLIMIT_MEMLOCK (or CAP_IPC_LOCK). */
export function mlockFutureOk(mm: MmState, flags: number, bytes: number): boolean {
  if ((flags & VM_LOCKED) === 0 || mm.capIpcLock) return true;
  return pagesOf(bytes) + mm.lockedVm <= Math.floor(mm.rlimitMemlock / PAGE_SIZE);
}

/** can_do_mlock(): a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK. */
export function canDoMlock(mm: MmState): boolean {
  return mm.rlimitMemlock !== 0 || mm.capIpcLock;
}

/**
 * accountable_mapping(): private writable mappings without VM_NORESERVE are charged to the commit
 * limit and get VM_ACCOUNT (hugetlb files excepted, not modelled).
 */
export function accountableMapping(flags: number): boolean {
  return (flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE;
}

/** vma_supports_mlock(): not VM_SPECIAL, not droppable (hugetlb, DAX and the gate VMA aside). */
export function vmaSupportsMlock(vma: Vma): boolean {
  return (vma.flags & VM_SPECIAL) === 0 && (vma.flagsHigh & VMH_DROPPABLE) === 0;
}

/** True for a shmem-backed file (MAP_SHARED|MAP_ANONYMOUS objects, memfd, tmpfs). */
export function isShmemFile(file: FileRef | null): boolean {
  return file !== null && file.shmem === true;
}

/**
 * vma_wants_writenotify(): shared writable mappings whose pages must fault on first write, i.e. those
 * of a file system with page_mkwrite or writeback (any non-shmem file here), or whose soft-dirty
 * tracking is armed (VM_SOFTDIRTY clear).
 */
export function vmaWantsWritenotify(mm: MmState, vma: Vma): boolean {
  if ((vma.flags & (VM_WRITE | VM_SHARED)) !== (VM_WRITE | VM_SHARED)) return false;
  if (vma.file !== null && !isShmemFile(vma.file) && vma.kind === 'file') return true;
  return mm.softDirty && (vma.flags & VM_SOFTDIRTY) === 0;
}

/** vma_set_page_prot(): vm_page_prot from the flags, without VM_SHARED when write-notify is wanted. */
export function vmaSetPageProt(mm: MmState, vma: Vma): void {
  vma.pageProt = vmaWantsWritenotify(mm, vma)
    ? vmGetPageProt(vma.flags & ~VM_SHARED)
    : vmGetPageProt(vma.flags);
}

/**
 * vm_flags_reset() / vm_flags_set() / vm_flags_clear(): change the flags without touching
 * vm_page_prot (callers that need it recomputed call vmaSetPageProt(), as the kernel does).
 */
export function setVmaFlags(vma: Vma, flags: number, flagsHigh: number = vma.flagsHigh): void {
  const prot = vma.pageProt;
  vma.setFlags(flags, flagsHigh);
  vma.pageProt = prot;
}
