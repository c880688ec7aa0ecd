/**
 * The file-descriptor system calls a capture traces beside the memory ones, so that a replay knows
 * how the descriptor behind a file mmap was opened (its FMODE_READ/FMODE_WRITE decide the VMA's
 * VM_MAYWRITE and VM_SHARED). They change no address space; they only keep an fd table up to date.
 *
 * Field names are those of the `syscalls:sys_enter_*` tracepoints (the SYSCALL_DEFINEn parameter
 * names, as tracefs lists them in each event's `format`): fs/open.c (open, openat, openat2, close,
 * close_range), fs/file.c (dup, dup2, dup3) and fs/fcntl.c (fcntl). Every tracepoint prints its
 * arguments as `0x%08lx` of the register value; `int`/`unsigned int` descriptors are decoded as the
 * signed low 32 bits (a descriptor above 2^31 does not exist), close_range's bounds as unsigned
 * because `max_fd` is usually `~0U`.
 */
import type { SyscallParam } from './syscall-signatures.js';

/** Names of the traced file-descriptor system calls. */
export type FdSyscallName =
  | 'open'
  | 'openat'
  | 'openat2'
  | 'close'
  | 'close_range'
  | 'dup'
  | 'dup2'
  | 'dup3'
  | 'fcntl';

const u = (name: string): SyscallParam => ({ name, type: 'ulong' });
const i = (name: string): SyscallParam => ({ name, type: 'int' });

/** Parameters of each traced fd system call, in tracepoint order. */
export const FD_SYSCALL_SIGNATURES: Readonly<Record<FdSyscallName, readonly SyscallParam[]>> = {
  open: [u('filename'), i('flags'), u('mode')],
  openat: [i('dfd'), u('filename'), i('flags'), u('mode')],
  // openat2's flags live in the user's struct open_how, which the tracepoint does not copy.
  openat2: [i('dfd'), u('filename'), u('how'), u('usize')],
  close: [i('fd')],
  close_range: [u('fd'), u('max_fd'), u('flags')],
  dup: [i('fildes')],
  dup2: [i('oldfd'), i('newfd')],
  dup3: [i('oldfd'), i('newfd'), i('flags')],
  fcntl: [i('fd'), i('cmd'), u('arg')],
};

/** True when `name` is one of the traced fd system calls. */
export function isFdSyscallName(name: string): name is FdSyscallName {
  return Object.hasOwn(FD_SYSCALL_SIGNATURES, name);
}
