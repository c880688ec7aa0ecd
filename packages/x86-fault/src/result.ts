import type { Vma } from '@vmakit/core';
import type { FaultEnv } from './env.js';
import type { MemAccess, MemStep, MemWhat, Step } from './steps.js';

/**
 * What a fault is asked to do (the hardware's view: address, error code, CPU mode, PKRU) and how it
 * ended (the kernel's view: handled, a signal with its si_code, an oops, ...).
 */

/** A page fault as the CPU delivers it. */
export interface FaultRequest {
  /** CR2: the faulting linear address, an integer in [0, 2^64). */
  readonly addr: number;
  /** The hardware error code (X86_PF_* bits); unknown bits are ignored like the kernel does. */
  readonly errorCode: number;
  /** PKRU of the faulting thread (default: the process's initial PKRU; ignored without OSPKE). */
  readonly pkru?: number;
  /** Thread id, for per-thread VMA caches (default 0). */
  readonly tid?: number;
  /** user_mode(regs): default true exactly when errorCode has X86_PF_USER. */
  readonly userMode?: boolean;
  /** EFLAGS.AC (default: true for kernel mode, i.e. a uaccess between STAC/CLAC; false for user mode). */
  readonly ac?: boolean;
  /** A kernel-mode fault's instruction has an exception-table entry (default true: copy_from_user). */
  readonly fixup?: boolean;
}

/**
 * How a fault ended:
 * - `handled`: the access can be retried (or was emulated);
 * - `sigsegv` / `sigbus`: the signal is forced on the task (see `code`);
 * - `oom`: VM_FAULT_OOM in user mode (pagefault_out_of_memory(): the OOM killer runs, the task
 *   re-faults or dies);
 * - `kernel-fixup`: a kernel-mode fault fixed up through the exception table (uaccess returns -EFAULT);
 * - `oops`: page_fault_oops(): a kernel bug, the task is killed (SIGKILL);
 * - `pgtable-bad`: pgtable_bad(): a reserved bit in a user page table — "Bad pagetable" oops, SIGKILL.
 */
export type FaultOutcome = 'handled' | 'sigsegv' | 'sigbus' | 'oom' | 'kernel-fixup' | 'oops' | 'pgtable-bad';

/** Which path resolved the fault. */
export type FaultPath = 'none' | 'mmap-lock' | 'spf' | 'vma-lock' | 'vsyscall';

/** The result of one fault. */
export interface FaultResult {
  readonly addr: number;
  readonly outcome: FaultOutcome;
  /** Signal number (SIGSEGV, SIGBUS, SIGKILL) or 0. */
  readonly signal: number;
  /** si_code (SEGV_MAPERR / SEGV_ACCERR / SEGV_PKUERR / BUS_ADRERR / SI_KERNEL) or 0. */
  readonly code: number;
  /** si_pkey for SEGV_PKUERR, else 0. */
  readonly pkey: number;
  /** The last vm_fault_t handle_mm_fault() returned (0 if it never ran). */
  readonly vmFault: number;
  /** mm_account_fault()'s verdict: the final attempt was major (VM_FAULT_MAJOR or a retried fault). */
  readonly major: boolean;
  /** The path that finished the fault. */
  readonly path: FaultPath;
  /** handle_mm_fault() calls (retries and fallbacks included). */
  readonly attempts: number;
  /** VM_FAULT_RETRY round trips on the mmap_lock path. */
  readonly retries: number;
  /** The fast-path abort reason (an SPF_ABORT_* or vma_lock_* counter name), or null. */
  readonly abort: string | null;
}

/** Mutable per-fault state shared by do_user_addr_fault() and the strategy's fast path. */
export class FaultState {
  /** The fault's reusable `mem` step (see mem()). */
  private readonly memStep = {
    op: 'mem' as const,
    access: 'read' as MemAccess,
    obj: 0,
    line: 0,
    what: 'vma' as MemWhat,
  };
  /** FAULT_FLAG_* of the fault. */
  flags = 0;
  /** The PKRU read_pkru() returns for this fault (0 without OSPKE). */
  pkru = 0;
  tid = 0;
  userMode = true;
  path: FaultPath = 'none';
  attempts = 0;
  retries = 0;
  abort: string | null = null;
  vmFault = 0;
  /**
   * Set by a fast path that returns HANDLE_MM_FAULT (see user-fault.ts): the VMA it holds locked, the
   * fault flags for handle_mm_fault(), the step releasing its lock, and the tail that takes
   * handle_mm_fault()'s vm_fault_t.
   */
  fastVma: Vma | null = null;
  fastFlags = 0;
  fastUnlock: Step | null = null;
  fastDone: FastPathTail | null = null;

  /** A `mem` step reusing this fault's scratch object (valid until the generator is resumed). */
  mem(access: MemAccess, obj: number, line: number, what: MemWhat): MemStep {
    const s = this.memStep;
    s.access = access;
    s.obj = obj;
    s.line = line;
    s.what = what;
    return s;
  }
}

/**
 * The tail of a fast path after do_user_addr_fault() ran handle_mm_fault() for it and released its
 * lock (see HANDLE_MM_FAULT): counts and returns FALLBACK (-1) or the vm_fault_t the fault finished
 * with. A plain function, not a generator: it yields nothing.
 */
export type FastPathTail = (env: FaultEnv, st: FaultState, fault: number) => number;
