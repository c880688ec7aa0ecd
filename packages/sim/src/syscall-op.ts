/**
 * A workload's system calls, and how one is carried out on an address space. The engine's writer
 * and the workload tests' sequential driver both run calls through `applySyscallOp`, so the two
 * cannot disagree about what a call does.
 */
import type { MmApi } from '@vmakit/core';
import type { WorkloadOp } from './workload.js';

/** A system call operation of a workload. */
export type SyscallOp = Extract<
  WorkloadOp,
  { op: 'mmap' | 'munmap' | 'mprotect' | 'madvise' | 'brk' | 'mremap' }
>;

/**
 * Runs `op` on `mm` and returns the kernel-style result (an address, 0 or -errno). Optional fields
 * take the values the system call's user gets by leaving the argument 0. O(cost of the call).
 */
export function applySyscallOp(mm: MmApi, op: SyscallOp): number {
  switch (op.op) {
    case 'mmap':
      return mm.mmap(op.addr, op.len, op.prot, op.flags, op.file ?? null, op.pgoff ?? 0);
    case 'munmap':
      return mm.munmap(op.addr, op.len);
    case 'mprotect':
      return mm.mprotect(op.addr, op.len, op.prot);
    case 'madvise':
      return mm.madvise(op.addr, op.len, op.advice);
    case 'brk':
      return mm.brk(op.brk);
    case 'mremap':
      return mm.mremap(op.addr, op.oldLen, op.newLen, op.flags, op.newAddr ?? 0);
  }
}
