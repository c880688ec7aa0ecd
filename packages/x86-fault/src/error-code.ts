/**
 * The x86 page-fault hardware error code (arch/x86/include/asm/trap_pf.h, v6.12) and the address
 * classes the exception entry distinguishes before do_user_addr_fault() runs
 * (arch/x86/mm/fault.c: fault_in_kernel_space(), is_vsyscall_vaddr(); canonical form of
 * 4-level paging).
 */
import { TASK_SIZE, VmakitError } from '@vmakit/core';

/** 0: no page found, 1: protection fault. */
export const X86_PF_PROT = 1 << 0;
/** 0: read access, 1: write access. */
export const X86_PF_WRITE = 1 << 1;
/** 0: kernel-mode access, 1: user-mode access. */
export const X86_PF_USER = 1 << 2;
/** A reserved bit was set in a paging-structure entry. */
export const X86_PF_RSVD = 1 << 3;
/** The access was an instruction fetch. */
export const X86_PF_INSTR = 1 << 4;
/** Protection keys blocked the access. */
export const X86_PF_PK = 1 << 5;
/** Shadow-stack access (v6.6+). */
export const X86_PF_SHSTK = 1 << 6;
/** SGX-specific access-control requirements were not met. */
export const X86_PF_SGX = 1 << 15;
/** RMP violation (SEV-SNP hosts; never seen by a user-address fault in this model). */
export const X86_PF_RMP = 2 ** 31;

/** Every bit trap_pf.h defines; the others are reserved by the architecture and ignored. */
export const X86_PF_KNOWN =
  (X86_PF_PROT |
    X86_PF_WRITE |
    X86_PF_USER |
    X86_PF_RSVD |
    X86_PF_INSTR |
    X86_PF_PK |
    X86_PF_SHSTK |
    X86_PF_SGX) +
  X86_PF_RMP;

const NAMES: ReadonlyArray<readonly [number, string]> = [
  [X86_PF_PROT, 'PROT'],
  [X86_PF_WRITE, 'WRITE'],
  [X86_PF_USER, 'USER'],
  [X86_PF_RSVD, 'RSVD'],
  [X86_PF_INSTR, 'INSTR'],
  [X86_PF_PK, 'PK'],
  [X86_PF_SHSTK, 'SHSTK'],
  [X86_PF_SGX, 'SGX'],
];

/** `PROT|WRITE|USER`-style text for messages and traces; unknown bits as hex. O(1). */
export function describeErrorCode(code: number): string {
  const parts: string[] = [];
  let rest = code;
  for (const [bit, name] of NAMES) {
    if ((code & bit) !== 0) {
      parts.push(name);
      rest -= bit;
    }
  }
  if (rest >= X86_PF_RMP) {
    parts.push('RMP');
    rest -= X86_PF_RMP;
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length > 0 ? parts.join('|') : 'none';
}

/**
 * Checks that `code` is something the CPU can push: an integer in [0, 2^32). Unknown bits inside that
 * range are accepted (the kernel ignores them); anything else is a caller bug and throws.
 */
export function checkErrorCode(code: number, where: string): void {
  if (!Number.isInteger(code) || code < 0 || code >= 2 ** 32) {
    throw new VmakitError(`${where}: page-fault error code ${code} is not a 32-bit unsigned integer`);
  }
}

/** Top of the user half of the 4-level address space: addresses below it are canonical (2^47). */
export const USER_HALF_END = 2 ** 47;
/** Start of the kernel half of the 4-level address space (sign-extended bit 47). */
export const KERNEL_HALF_START = 2 ** 64 - 2 ** 47;
/** TASK_SIZE_MAX for 4-level paging: (1 << 47) - PAGE_SIZE (arch/x86/include/asm/page_64_types.h). */
export const TASK_SIZE_MAX = TASK_SIZE;
/** VSYSCALL_ADDR, the legacy vsyscall page (-10 MiB, arch/x86/include/uapi/asm/vsyscall.h). */
export const VSYSCALL_ADDR = 2 ** 64 - 10 * 1024 * 1024;

/** How the exception entry classifies a faulting linear address. */
export type AddressClass = 'user' | 'kernel' | 'vsyscall' | 'non-canonical';

/**
 * Classifies `addr`: non-canonical addresses raise #GP instead of #PF; the vsyscall page counts as
 * user space although it lies in the kernel half (fault_in_kernel_space()); everything from
 * TASK_SIZE_MAX up (including the last page of the user half) is kernel space. O(1).
 */
export function classifyAddress(addr: number): AddressClass {
  if (addr < TASK_SIZE_MAX) return 'user';
  if (addr < USER_HALF_END) return 'kernel';
  if (addr < KERNEL_HALF_START) return 'non-canonical';
  if (addr - (addr % 4096) === VSYSCALL_ADDR) return 'vsyscall';
  return 'kernel';
}

/** Checks a faulting address: an integer in [0, 2^64). Throws a VmakitError otherwise. */
export function checkFaultAddress(addr: number, where: string): void {
  if (!Number.isInteger(addr) || addr < 0 || addr >= 2 ** 64) {
    throw new VmakitError(`${where}: fault address ${addr} is not an integer in [0, 2^64)`);
  }
}
