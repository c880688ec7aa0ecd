/**
 * enum fault_flag and enum vm_fault_reason of include/linux/mm_types.h (v6.12), the signal numbers
 * and si_codes a user fault can end with (include/uapi/asm-generic/signal.h, siginfo.h), and the
 * model's own FAULT_FLAG_SPECULATIVE (Lespinasse's flag was never merged, so it has no kernel value).
 */

export const FAULT_FLAG_WRITE = 1 << 0;
export const FAULT_FLAG_MKWRITE = 1 << 1;
export const FAULT_FLAG_ALLOW_RETRY = 1 << 2;
export const FAULT_FLAG_RETRY_NOWAIT = 1 << 3;
export const FAULT_FLAG_KILLABLE = 1 << 4;
export const FAULT_FLAG_TRIED = 1 << 5;
export const FAULT_FLAG_USER = 1 << 6;
export const FAULT_FLAG_REMOTE = 1 << 7;
export const FAULT_FLAG_INSTRUCTION = 1 << 8;
export const FAULT_FLAG_INTERRUPTIBLE = 1 << 9;
export const FAULT_FLAG_UNSHARE = 1 << 10;
export const FAULT_FLAG_ORIG_PTE_VALID = 1 << 11;
export const FAULT_FLAG_VMA_LOCK = 1 << 12;
/**
 * Model-only: the fault runs speculatively on a VMA copy without the mmap lock (Lespinasse 2021).
 * Bit 20 is unused by v6.12's enum fault_flag.
 */
export const FAULT_FLAG_SPECULATIVE = 1 << 20;
/** FAULT_FLAG_DEFAULT (include/linux/mm.h): ALLOW_RETRY | KILLABLE | INTERRUPTIBLE. */
export const FAULT_FLAG_DEFAULT = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | FAULT_FLAG_INTERRUPTIBLE;

export const VM_FAULT_OOM = 0x000001;
export const VM_FAULT_SIGBUS = 0x000002;
export const VM_FAULT_MAJOR = 0x000004;
export const VM_FAULT_HWPOISON = 0x000010;
export const VM_FAULT_HWPOISON_LARGE = 0x000020;
export const VM_FAULT_SIGSEGV = 0x000040;
export const VM_FAULT_NOPAGE = 0x000100;
export const VM_FAULT_LOCKED = 0x000200;
export const VM_FAULT_RETRY = 0x000400;
export const VM_FAULT_FALLBACK = 0x000800;
export const VM_FAULT_DONE_COW = 0x001000;
export const VM_FAULT_NEEDDSYNC = 0x002000;
export const VM_FAULT_COMPLETED = 0x004000;
/** VM_FAULT_ERROR = OOM | SIGBUS | SIGSEGV | HWPOISON | HWPOISON_LARGE | FALLBACK. */
export const VM_FAULT_ERROR =
  VM_FAULT_OOM |
  VM_FAULT_SIGBUS |
  VM_FAULT_SIGSEGV |
  VM_FAULT_HWPOISON |
  VM_FAULT_HWPOISON_LARGE |
  VM_FAULT_FALLBACK;

/**
 * fault_flag_allow_retry_first(): retrying is allowed and this is the first attempt, the only case
 * in which the fault handler may drop the lock before I/O (include/linux/mm.h).
 */
export function faultFlagAllowRetryFirst(flags: number): boolean {
  return (flags & FAULT_FLAG_ALLOW_RETRY) !== 0 && (flags & FAULT_FLAG_TRIED) === 0;
}

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [FAULT_FLAG_WRITE, 'WRITE'],
  [FAULT_FLAG_MKWRITE, 'MKWRITE'],
  [FAULT_FLAG_ALLOW_RETRY, 'ALLOW_RETRY'],
  [FAULT_FLAG_RETRY_NOWAIT, 'RETRY_NOWAIT'],
  [FAULT_FLAG_KILLABLE, 'KILLABLE'],
  [FAULT_FLAG_TRIED, 'TRIED'],
  [FAULT_FLAG_USER, 'USER'],
  [FAULT_FLAG_REMOTE, 'REMOTE'],
  [FAULT_FLAG_INSTRUCTION, 'INSTRUCTION'],
  [FAULT_FLAG_INTERRUPTIBLE, 'INTERRUPTIBLE'],
  [FAULT_FLAG_UNSHARE, 'UNSHARE'],
  [FAULT_FLAG_ORIG_PTE_VALID, 'ORIG_PTE_VALID'],
  [FAULT_FLAG_VMA_LOCK, 'VMA_LOCK'],
  [FAULT_FLAG_SPECULATIVE, 'SPECULATIVE'],
];

const VM_FAULT_NAMES: ReadonlyArray<readonly [number, string]> = [
  [VM_FAULT_OOM, 'OOM'],
  [VM_FAULT_SIGBUS, 'SIGBUS'],
  [VM_FAULT_MAJOR, 'MAJOR'],
  [VM_FAULT_HWPOISON, 'HWPOISON'],
  [VM_FAULT_HWPOISON_LARGE, 'HWPOISON_LARGE'],
  [VM_FAULT_SIGSEGV, 'SIGSEGV'],
  [VM_FAULT_NOPAGE, 'NOPAGE'],
  [VM_FAULT_LOCKED, 'LOCKED'],
  [VM_FAULT_RETRY, 'RETRY'],
  [VM_FAULT_FALLBACK, 'FALLBACK'],
  [VM_FAULT_DONE_COW, 'DONE_COW'],
  [VM_FAULT_NEEDDSYNC, 'NEEDDSYNC'],
  [VM_FAULT_COMPLETED, 'COMPLETED'],
];

function describeBits(bits: number, names: ReadonlyArray<readonly [number, string]>): string {
  const parts: string[] = [];
  for (const [bit, name] of names) if ((bits & bit) !== 0) parts.push(name);
  return parts.length > 0 ? parts.join('|') : '0';
}

/** `WRITE|USER|...` for a set of FAULT_FLAG_* bits. */
export function describeFaultFlags(flags: number): string {
  return describeBits(flags, FLAG_NAMES);
}

/** `MAJOR|RETRY|...` for a vm_fault_t. */
export function describeVmFault(fault: number): string {
  return describeBits(fault, VM_FAULT_NAMES);
}

/** SIGBUS. */
export const SIGBUS = 7;
/** SIGKILL (an oops kills the task). */
export const SIGKILL = 9;
/** SIGSEGV. */
export const SIGSEGV = 11;
/** si_code: address not mapped to object. */
export const SEGV_MAPERR = 1;
/** si_code: invalid permissions for mapped object. */
export const SEGV_ACCERR = 2;
/** si_code: failed protection key checks. */
export const SEGV_PKUERR = 4;
/** si_code: invalid physical address (SIGBUS). */
export const BUS_ADRERR = 2;
/** si_code of force_sig(): sent by the kernel, e.g. after a #GP on a non-canonical address. */
export const SI_KERNEL = 0x80;
