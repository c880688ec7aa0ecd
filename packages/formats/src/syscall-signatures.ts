/**
 * The memory system calls a capture traces, with the argument names the `syscalls:sys_enter_*`
 * tracepoints print (the SYSCALL_DEFINEn parameter names) and the C type that decides how to decode
 * each raw 64-bit register value.
 *
 * Sources (v6.12): include/linux/syscalls.h prototypes; mm/mmap.c (brk, munmap), mm/mprotect.c
 * (mprotect, pkey_mprotect), mm/mremap.c, mm/madvise.c (`len_in`), mm/mlock.c, ipc/shm.c (shmat,
 * shmdt) and arch/x86/kernel/sys_x86_64.c for mmap, whose x86-64 definition takes six
 * `unsigned long`s. mmap's `fd` is nevertheless decoded as `int`: ksys_mmap_pgoff() hands it to
 * fget(), which takes an `unsigned int`, so only its low 32 bits matter and `0xffffffff` is -1.
 */

/** How a raw argument is decoded: `int` = low 32 bits, signed; `ulong` = all 64 bits, unsigned. */
export type SyscallArgType = 'int' | 'ulong';

/** Names of the traced memory system calls. */
export type SyscallName =
  | 'mmap'
  | 'munmap'
  | 'mprotect'
  | 'brk'
  | 'mremap'
  | 'madvise'
  | 'pkey_mprotect'
  | 'mlock'
  | 'munlock'
  | 'mlock2'
  | 'mlockall'
  | 'munlockall'
  | 'shmat'
  | 'shmdt';

/** One parameter: its tracepoint field name and C type class. */
export interface SyscallParam {
  /** Field name as the tracepoint prints it. */
  readonly name: string;
  /** How to decode the raw register value. */
  readonly type: SyscallArgType;
}

const u = (name: string): SyscallParam => ({ name, type: 'ulong' });
const i = (name: string): SyscallParam => ({ name, type: 'int' });

/** Parameters of each traced system call, in tracepoint order. */
export const SYSCALL_SIGNATURES: Readonly<Record<SyscallName, readonly SyscallParam[]>> = {
  mmap: [u('addr'), u('len'), u('prot'), u('flags'), i('fd'), u('off')],
  munmap: [u('addr'), u('len')],
  mprotect: [u('start'), u('len'), u('prot')],
  brk: [u('brk')],
  mremap: [u('addr'), u('old_len'), u('new_len'), u('flags'), u('new_addr')],
  madvise: [u('start'), u('len_in'), i('behavior')],
  pkey_mprotect: [u('start'), u('len'), u('prot'), i('pkey')],
  mlock: [u('start'), u('len')],
  munlock: [u('start'), u('len')],
  mlock2: [u('start'), u('len'), i('flags')],
  mlockall: [i('flags')],
  munlockall: [],
  shmat: [i('shmid'), u('shmaddr'), i('shmflg')],
  shmdt: [u('shmaddr')],
};

/** True when `name` is one of the traced memory system calls. */
export function isSyscallName(name: string): name is SyscallName {
  return Object.hasOwn(SYSCALL_SIGNATURES, name);
}
