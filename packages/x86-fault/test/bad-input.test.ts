/**
 * Faults the user-address path never sees or rejects early: kernel and non-canonical addresses,
 * reserved and unknown error-code bits, kernel-mode faults on user addresses, the vsyscall page, and
 * values that are not faults at all (a clear error, never a crash).
 */
import { uapi, VmakitError } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import {
  classifyAddress,
  describeErrorCode,
  KERNEL_HALF_START,
  SEGV_MAPERR,
  SI_KERNEL,
  SIGKILL,
  SIGSEGV,
  TASK_SIZE_MAX,
  USER_HALF_END,
  VSYSCALL_ADDR,
  X86_PF_INSTR,
  X86_PF_RSVD,
  X86_PF_USER,
  X86_PF_WRITE,
} from '../src/index.js';
import { fault, ok, READ, setup, WRITE } from './helpers.js';

const RW = uapi.PROT_READ | uapi.PROT_WRITE;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS;

describe('address classes', () => {
  it('classifies the 4-level address space', () => {
    expect(classifyAddress(0)).toBe('user');
    expect(classifyAddress(TASK_SIZE_MAX - 1)).toBe('user');
    expect(classifyAddress(TASK_SIZE_MAX)).toBe('kernel');
    expect(classifyAddress(USER_HALF_END)).toBe('non-canonical');
    expect(classifyAddress(KERNEL_HALF_START - 4096)).toBe('non-canonical');
    expect(classifyAddress(KERNEL_HALF_START)).toBe('kernel');
    expect(classifyAddress(VSYSCALL_ADDR + 0x400)).toBe('vsyscall');
    expect(classifyAddress(2 ** 64 - 4096)).toBe('kernel');
  });

  it('describes error codes, unknown bits as hex', () => {
    expect(describeErrorCode(X86_PF_USER | X86_PF_WRITE)).toBe('WRITE|USER');
    expect(describeErrorCode(0x100 | X86_PF_USER)).toBe('USER|0x100');
    expect(describeErrorCode(0)).toBe('none');
  });
});

describe('faults outside the user path', () => {
  it('user access to a kernel address: SIGSEGV / SEGV_MAPERR, counted, no lock taken', () => {
    const { env } = setup();
    for (const addr of [TASK_SIZE_MAX, KERNEL_HALF_START, 2 ** 64 - 4096]) {
      expect(fault(env, addr, READ)).toMatchObject({
        outcome: 'sigsegv',
        signal: SIGSEGV,
        code: SEGV_MAPERR,
      });
    }
    expect(env.vmstat.get('sigsegv_maperr')).toBe(3);
    expect(env.vmstat.get('pgfault')).toBe(0);
  });

  it('non-canonical address: #GP, SIGSEGV with SI_KERNEL; fixup or oops in kernel mode', () => {
    const { env } = setup();
    expect(fault(env, USER_HALF_END + 4096, WRITE)).toMatchObject({ signal: SIGSEGV, code: SI_KERNEL });
    expect(fault(env, USER_HALF_END, 0).outcome).toBe('kernel-fixup');
    expect(fault(env, USER_HALF_END, 0, { fixup: false }).outcome).toBe('oops');
    expect(env.vmstat.get('sigsegv_gp')).toBe(1);
  });

  it('reserved bit in a user page table: pgtable_bad (SIGKILL)', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    expect(fault(env, a, READ | X86_PF_RSVD)).toMatchObject({ outcome: 'pgtable-bad', signal: SIGKILL });
    expect(env.pt.pteFlagsAt(a)).toBe(0);
  });

  it('unknown error-code bits are ignored', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    expect(fault(env, a, (WRITE | 0x100 | 0x4000) + 2 ** 31).outcome).toBe('handled');
  });

  it('kernel-mode faults on user addresses: uaccess handled, fixup or oops on failure', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    // copy_to_user() into a mapped page: a kernel-mode write fault (no USER bit) is handled.
    expect(fault(env, a, X86_PF_WRITE)).toMatchObject({ outcome: 'handled' });
    // Into a hole: bad_area_nosemaphore → kernelmode_fixup_or_oops: the uaccess returns -EFAULT.
    expect(fault(env, a + 0x100000, X86_PF_WRITE).outcome).toBe('kernel-fixup');
    // Without an exception-table entry: oops.
    expect(fault(env, a + 0x100000, X86_PF_WRITE, { fixup: false }).outcome).toBe('oops');
    // SMAP: a supervisor access outside STAC/CLAC.
    expect(fault(env, a, 0, { ac: false }).outcome).toBe('oops');
    // The kernel executing from user memory.
    expect(fault(env, a, X86_PF_INSTR).outcome).toBe('oops');
    // A user-mode access without the USER bit (implicit supervisor access) to a hole: oops.
    expect(fault(env, a + 0x100000, 0, { userMode: true, ac: true }).outcome).toBe('oops');
  });

  it('vsyscall page: fetches emulated (xonly), data accesses MAPERR', () => {
    const { env } = setup();
    expect(fault(env, VSYSCALL_ADDR + 0x800, X86_PF_USER | X86_PF_INSTR)).toMatchObject({
      outcome: 'handled',
      path: 'vsyscall',
    });
    expect(fault(env, VSYSCALL_ADDR, READ)).toMatchObject({ code: SEGV_MAPERR });
    const { env: none } = setup({ vsyscall: 'none' });
    expect(fault(none, VSYSCALL_ADDR, X86_PF_USER | X86_PF_INSTR)).toMatchObject({ code: SEGV_MAPERR });
  });

  it('values that are not faults get a clear error', () => {
    const { env } = setup();
    expect(() => fault(env, -4096, READ)).toThrow(VmakitError);
    expect(() => fault(env, Number.NaN, READ)).toThrow(/fault address/);
    expect(() => fault(env, 2 ** 64, READ)).toThrow(/fault address/);
    expect(() => fault(env, 4096.5, READ)).toThrow(/fault address/);
    expect(() => fault(env, 4096, -1)).toThrow(/error code/);
    expect(() => fault(env, 4096, 2 ** 32)).toThrow(/error code/);
  });
});
