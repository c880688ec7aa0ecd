/**
 * The x86 page-fault handler for a process: exc_page_fault() → do_kern_addr_fault() /
 * do_user_addr_fault() of arch/x86/mm/fault.c (v6.12), with lock_mm_and_find_vma() of mm/memory.c
 * (stack expansion with the lock upgraded: drop read, take write, re-find, expand, downgrade), the
 * #GP a non-canonical address raises instead (arch/x86/kernel/traps.c: force_sig(SIGSEGV), si_code
 * SI_KERNEL), and the signal / oops endings.
 *
 * A strategy plugs its fast path in where the kernel tries lock_vma_under_rcu() (and where
 * Lespinasse's series tried the speculative fault); a fast path that cannot finish returns FALLBACK
 * and the fault continues on the mmap_lock path (`goto lock_mmap`).
 */
import { VM_GROWSDOWN, type Vma } from '@vmakit/core';
import { accessError, badAreaAccessFromPkeys } from './access-error.js';
import type { FaultEnv } from './env.js';
import {
  checkErrorCode,
  checkFaultAddress,
  classifyAddress,
  X86_PF_INSTR,
  X86_PF_RSVD,
  X86_PF_SHSTK,
  X86_PF_USER,
  X86_PF_WRITE,
} from './error-code.js';
import {
  BUS_ADRERR,
  FAULT_FLAG_DEFAULT,
  FAULT_FLAG_INSTRUCTION,
  FAULT_FLAG_TRIED,
  FAULT_FLAG_USER,
  FAULT_FLAG_WRITE,
  SEGV_ACCERR,
  SEGV_MAPERR,
  SEGV_PKUERR,
  SI_KERNEL,
  SIGBUS,
  SIGKILL,
  SIGSEGV,
  VM_FAULT_COMPLETED,
  VM_FAULT_ERROR,
  VM_FAULT_HWPOISON,
  VM_FAULT_HWPOISON_LARGE,
  VM_FAULT_MAJOR,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from './fault-flags.js';
import { handleMmFault } from './handle-mm-fault.js';
import { findVmaLocked, findVmaLockedStep } from './lookup.js';
import { type FaultOutcome, type FaultRequest, type FaultResult, FaultState } from './result.js';
import { acquire, release, type StepGen, work } from './steps.js';
import { EV } from './vmstat.js';

// The work steps every fault yields, looked up once (work() returns the same shared objects).
const FAULT_ENTRY = work('fault-entry');
const FAULT_EXIT = work('fault-exit');

/**
 * What a fast path returns: FALLBACK (-1) to continue on the mmap_lock path; HANDLE_MM_FAULT (-2) to
 * have handle_mm_fault() run for it; a vm_fault_t (>= 0) the fault finished with (handled like the
 * kernel's `done:` label); or a final FaultResult (e.g. the signal the per-VMA path delivers on an
 * access error).
 */
export type FastPathResult = number | FaultResult;

/** Fall back to the mmap_lock path. */
export const FALLBACK = -1;

/**
 * The fast path holds `st.fastVma` locked and asks do_user_addr_fault() to call handle_mm_fault() on
 * it (live VMA, `st.fastFlags`, no speculation), to yield `st.fastUnlock` unless the vm_fault_t says
 * RETRY or COMPLETED (handle_mm_fault() released the lock then), and then to call `st.fastDone`, whose
 * answer (FALLBACK or a vm_fault_t) counts as the fast path's. The steps are the same as with handle_mm_fault() called from
 * the fast path; the reason is speed: every generator level relays each step of the levels below it
 * (one more resumption per step), and handle_mm_fault()'s steps are most of a fault's, so running it
 * here makes the per-VMA-lock path as shallow as the mmap_lock path.
 */
export const HANDLE_MM_FAULT = -2;

/**
 * A strategy's fast path, tried for user-mode faults before the mmap_lock path. It may read and
 * update `st.flags` (e.g. set FAULT_FLAG_TRIED after a major VMA-lock retry) and must release every
 * lock it took before returning FALLBACK.
 */
export type FastPath = (env: FaultEnv, req: FaultRequest, st: FaultState) => StepGen<FastPathResult>;

/** The PKRU value read_pkru() returns for `req` (0 without OSPKE). */
export function effectivePkru(env: FaultEnv, req: FaultRequest): number {
  return env.mm.pkeysEnabled ? (req.pkru ?? env.defaultPkru) >>> 0 : 0;
}

/**
 * The whole fault: address classification, do_user_addr_fault() with `fast` tried first for user
 * faults, the mmap_lock path with retries, and the final outcome. Never throws for odd inputs an
 * x86 CPU can produce (any 64-bit address, any 32-bit error code); throws VmakitError for values that
 * are not such numbers.
 */
export function* doUserAddrFault(
  env: FaultEnv,
  req: FaultRequest,
  fast: FastPath | null,
): StepGen<FaultResult> {
  checkFaultAddress(req.addr, 'page fault');
  checkErrorCode(req.errorCode, 'page fault');
  const st = new FaultState();
  const ec = req.errorCode;
  st.userMode = req.userMode ?? (ec & X86_PF_USER) !== 0;
  st.tid = req.tid ?? 0;
  st.pkru = effectivePkru(env, req);
  yield FAULT_ENTRY;
  const cls = classifyAddress(req.addr);
  let result: FaultResult | null = null;
  if (cls === 'non-canonical') result = yield* generalProtection(env, req, st);
  else if (cls === 'kernel') result = yield* badAreaNosemaphore(env, req, st, SEGV_MAPERR, 0);
  else {
    const early = earlyExit(env, req, st, cls === 'vsyscall');
    if (early !== null) result = yield* early;
    else {
      let fell = true;
      if ((st.flags & FAULT_FLAG_USER) !== 0 && fast !== null) {
        let r = yield* fast(env, req, st);
        if (r === HANDLE_MM_FAULT) {
          const vma = st.fastVma!;
          const unlock = st.fastUnlock!;
          const done = st.fastDone!;
          st.fastVma = null;
          st.fastUnlock = null;
          st.fastDone = null;
          const fault = yield* handleMmFault(env, vma, vma, req.addr, st.fastFlags, null, st.pkru);
          // With RETRY or COMPLETED handle_mm_fault() has released the lock itself.
          if ((fault & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)) === 0) yield unlock;
          r = done(env, st, fault);
        }
        if (typeof r === 'object') {
          result = r;
          fell = false;
        } else if (r >= 0) {
          result = yield* faultDone(env, req, st, r);
          fell = false;
        }
      }
      // lock_mmap: / retry: — in this frame, so that the common path's steps pass through few
      // generator levels.
      while (fell) {
        const careful = !st.userMode && !(req.fixup ?? true);
        const got = yield careful ? acquire('mmap_lock', env.mmObj, 'read-try') : env.mmapReadLock;
        let vma: Vma | null = null;
        if (got !== false) {
          const step = findVmaLockedStep(env, req.addr, st.tid);
          yield step;
          vma = step.vma;
          if (vma === null || vma.start > req.addr) vma = yield* expandOrFail(env, req, st, vma, careful);
        }
        if (vma === null) {
          result = yield* badAreaNosemaphore(env, req, st, SEGV_MAPERR, 0);
          break;
        }
        st.path = 'mmap-lock';
        // access_error() and handle_mm_fault() read the VMA's fault fields.
        const lines = env.vmaReadLines;
        for (let i = 0; i < lines.length; i++) yield st.mem('read', vma.id, lines[i]!, 'vma');
        if (accessError(ec, vma, st.pkru)) {
          yield release('mmap_lock', env.mmObj, 'read');
          result = yield* badAreaAccessError(env, req, st, vma);
          break;
        }
        st.attempts++;
        const fault = yield* handleMmFault(env, vma, vma, req.addr, st.flags, null, st.pkru);
        st.vmFault = fault;
        // The fault is complete and the mmap lock already released.
        if ((fault & VM_FAULT_COMPLETED) !== 0) {
          result = finish(env, req, st, 'handled', 0, 0, 0);
          break;
        }
        if ((fault & VM_FAULT_RETRY) !== 0) {
          st.flags |= FAULT_FLAG_TRIED;
          st.retries++;
          env.vmstat.counts[EV.fault_retry]!++;
          continue;
        }
        yield env.mmapReadUnlock;
        result =
          (fault & VM_FAULT_ERROR) === 0
            ? finish(env, req, st, 'handled', 0, 0, 0)
            : yield* faultDone(env, req, st, fault);
        break;
      }
    }
  }
  yield FAULT_EXIT;
  return result!;
}

/** Build the result and count the outcome. */
function finish(
  env: FaultEnv,
  req: FaultRequest,
  st: FaultState,
  outcome: FaultOutcome,
  signal: number,
  code: number,
  pkey: number,
): FaultResult {
  const c = env.vmstat.counts;
  switch (outcome) {
    case 'handled':
      c[EV.handled]!++;
      break;
    case 'sigsegv':
      if (code === SEGV_MAPERR) c[EV.sigsegv_maperr]!++;
      else if (code === SEGV_ACCERR) c[EV.sigsegv_accerr]!++;
      else if (code === SEGV_PKUERR) c[EV.sigsegv_pkuerr]!++;
      else c[EV.sigsegv_gp]!++;
      break;
    case 'sigbus':
      c[EV.sigbus]!++;
      break;
    case 'oom':
      c[EV.oom]!++;
      break;
    case 'kernel-fixup':
      c[EV.kernel_fixup]!++;
      break;
    case 'oops':
      c[EV.oops]!++;
      break;
    case 'pgtable-bad':
      c[EV.pgtable_bad]!++;
      break;
  }
  const vmFault = st.vmFault;
  return {
    addr: req.addr,
    outcome,
    signal,
    code,
    pkey,
    vmFault,
    major:
      st.attempts > 0 &&
      (vmFault & VM_FAULT_ERROR) === 0 &&
      ((vmFault & VM_FAULT_MAJOR) !== 0 || (st.flags & FAULT_FLAG_TRIED) !== 0),
    path: st.path,
    attempts: st.attempts,
    retries: st.retries,
    abort: st.abort,
  };
}

/** page_fault_oops(): the task dies with SIGKILL. */
function* oops(env: FaultEnv, req: FaultRequest, st: FaultState): StepGen<FaultResult> {
  yield work('oops');
  return finish(env, req, st, 'oops', SIGKILL, 0, 0);
}

/** kernelmode_fixup_or_oops(): an exception-table fixup, else an oops. */
function* kernelFixupOrOops(env: FaultEnv, req: FaultRequest, st: FaultState): StepGen<FaultResult> {
  if (req.fixup ?? true) return finish(env, req, st, 'kernel-fixup', 0, 0, 0);
  return yield* oops(env, req, st);
}

/** force_sig_fault() / force_sig_pkuerr(). */
function* signal(
  env: FaultEnv,
  req: FaultRequest,
  st: FaultState,
  sig: number,
  code: number,
  pkey: number,
): StepGen<FaultResult> {
  yield work('signal');
  return finish(env, req, st, sig === SIGBUS ? 'sigbus' : 'sigsegv', sig, code, pkey);
}

/** #GP on a non-canonical address: SIGSEGV with SI_KERNEL from user mode, fixup or oops from the kernel. */
function* generalProtection(env: FaultEnv, req: FaultRequest, st: FaultState): StepGen<FaultResult> {
  if (!st.userMode) return yield* kernelFixupOrOops(env, req, st);
  return yield* signal(env, req, st, SIGSEGV, SI_KERNEL, 0);
}

/**
 * __bad_area_nosemaphore(): kernel mode → fixup or oops; a user-mode access without the USER bit
 * (an implicit supervisor access) → oops; otherwise SIGSEGV with `code`.
 */
function* badAreaNosemaphore(
  env: FaultEnv,
  req: FaultRequest,
  st: FaultState,
  code: number,
  pkey: number,
): StepGen<FaultResult> {
  if (!st.userMode) return yield* kernelFixupOrOops(env, req, st);
  if ((req.errorCode & X86_PF_USER) === 0) return yield* oops(env, req, st);
  return yield* signal(env, req, st, SIGSEGV, code, pkey);
}

/**
 * bad_area_access_error() after the caller released its lock: SEGV_PKUERR with the VMA's key when
 * protection keys explain the error, SEGV_ACCERR otherwise.
 */
export function* badAreaAccessError(
  env: FaultEnv,
  req: FaultRequest,
  st: FaultState,
  vma: Vma,
): StepGen<FaultResult> {
  if (badAreaAccessFromPkeys(req.errorCode, vma, st.pkru, env.mm.pkeysEnabled)) {
    return yield* badAreaNosemaphore(env, req, st, SEGV_PKUERR, vma.pkey);
  }
  return yield* badAreaNosemaphore(env, req, st, SEGV_ACCERR, 0);
}

/**
 * The `done:` tail of do_user_addr_fault(): success, or the error a vm_fault_t carries — OOM
 * (pagefault_out_of_memory), SIGBUS / hardware poison (do_sigbus: SIGBUS BUS_ADRERR), SIGSEGV
 * (bad_area_nosemaphore).
 */
export function* faultDone(
  env: FaultEnv,
  req: FaultRequest,
  st: FaultState,
  fault: number,
): StepGen<FaultResult> {
  st.vmFault = fault;
  if ((fault & VM_FAULT_ERROR) === 0) return finish(env, req, st, 'handled', 0, 0, 0);
  if ((fault & VM_FAULT_OOM) !== 0) {
    if (!st.userMode) return yield* kernelFixupOrOops(env, req, st);
    return finish(env, req, st, 'oom', 0, 0, 0);
  }
  if ((fault & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE)) !== 0) {
    if (!st.userMode) return yield* kernelFixupOrOops(env, req, st);
    return yield* signal(env, req, st, SIGBUS, BUS_ADRERR, 0);
  }
  if ((fault & VM_FAULT_SIGSEGV) !== 0) return yield* badAreaNosemaphore(env, req, st, SEGV_MAPERR, 0);
  // VM_FAULT_FALLBACK alone never escapes handle_mm_fault(); the kernel would BUG().
  return yield* oops(env, req, st);
}

/**
 * The checks do_user_addr_fault() makes before looking at VMAs (and the fault flags it computes into
 * `st.flags`): returns the generator of an early ending (oops, pgtable_bad, vsyscall emulation), or
 * null to go on with the fast path and the mmap_lock path.
 */
function earlyExit(
  env: FaultEnv,
  req: FaultRequest,
  st: FaultState,
  vsyscall: boolean,
): StepGen<FaultResult> | null {
  const ec = req.errorCode;
  // Kernel code executing from user memory: unrecoverable (no VMA lookup, no fixup).
  if ((ec & (X86_PF_USER | X86_PF_INSTR)) === X86_PF_INSTR) return oops(env, req, st);
  // Reserved bits in a user page table: pgtable_bad() ("Bad pagetable" oops, SIGKILL).
  if ((ec & X86_PF_RSVD) !== 0) return pgtableBad(env, req, st);
  // SMAP: a supervisor access to user memory outside a STAC/CLAC window.
  if (env.config.smap && (ec & X86_PF_USER) === 0 && !(req.ac ?? !st.userMode)) return oops(env, req, st);

  let flags = FAULT_FLAG_DEFAULT;
  if ((ec & (X86_PF_SHSTK | X86_PF_WRITE)) !== 0) flags |= FAULT_FLAG_WRITE;
  if ((ec & X86_PF_INSTR) !== 0) flags |= FAULT_FLAG_INSTRUCTION;
  if (st.userMode) flags |= FAULT_FLAG_USER;
  st.flags = flags;

  // emulate_vsyscall() (vsyscall=xonly): a user instruction fetch in the vsyscall page is emulated
  // (the kernel also checks it hits one of the three entry points, but addresses above 2^53 are only
  // page-exact as JavaScript numbers); data accesses fall through to the VMA lookup, which finds
  // nothing.
  if (vsyscall && env.config.vsyscall === 'xonly' && st.userMode && (ec & X86_PF_INSTR) !== 0) {
    return emulateVsyscall(env, req, st);
  }
  return null;
}

function* pgtableBad(env: FaultEnv, req: FaultRequest, st: FaultState): StepGen<FaultResult> {
  yield work('oops');
  return finish(env, req, st, 'pgtable-bad', SIGKILL, 0, 0);
}

function* emulateVsyscall(env: FaultEnv, req: FaultRequest, st: FaultState): StepGen<FaultResult> {
  st.path = 'vsyscall';
  yield work('vsyscall-emulate');
  env.vmstat.inc(EV.vsyscall_emulated);
  return finish(env, req, st, 'handled', 0, 0, 0);
}

/**
 * The rest of lock_mm_and_find_vma() when find_vma() (done by the caller with the read lock held)
 * returned no VMA at or below the address: a VMA above it that grows down is expanded after upgrading
 * to the write lock (drop read, take write, find again, expand_stack_locked(), downgrade). Returns the
 * VMA with the read lock held, or null with no lock held.
 */
function* expandOrFail(
  env: FaultEnv,
  req: FaultRequest,
  st: FaultState,
  found: Vma | null,
  careful: boolean,
): StepGen<Vma | null> {
  const addr = req.addr;
  if (found === null || (found.flags & VM_GROWSDOWN) === 0) {
    yield release('mmap_lock', env.mmObj, 'read');
    return null;
  }
  // No atomic upgrade exists (mmap_upgrade_trylock() always fails): drop and re-take for writing.
  yield release('mmap_lock', env.mmObj, 'read');
  if (careful) return null;
  yield acquire('mmap_lock', env.mmObj, 'write');
  env.mm.writeLock();
  const vma = yield* findVmaLocked(env, addr, st.tid);
  let ok = false;
  if (vma !== null) {
    if (vma.start <= addr) ok = true;
    else if ((vma.flags & VM_GROWSDOWN) !== 0) {
      yield work('stack-expand');
      if (env.mm.expandStack(vma, addr) === 0) {
        env.vmstat.inc(EV.stack_expansions);
        ok = true;
      } else {
        env.vmstat.inc(EV.stack_expansion_failures);
      }
    }
  }
  if (!ok) {
    env.mm.writeUnlock();
    yield release('mmap_lock', env.mmObj, 'write');
    return null;
  }
  // mmap_write_downgrade(): ends the write section (mmap_seq even, VMA write locks dropped).
  env.mm.writeUnlock();
  yield { op: 'downgrade', lock: 'mmap_lock', id: env.mmObj };
  return vma;
}
