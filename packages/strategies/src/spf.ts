/**
 * The speculative fast path of Michel Lespinasse's SPF series ("[RFC PATCH 00/37] Speculative page
 * faults", lore 20210407014502.24091-1-michel@lespinasse.org; x86 entry in patch 11, statistics in
 * patch 35), shared by the whole-VMA and the attribute-copy strategies:
 *
 *   skipped for kernel faults and single-threaded processes (mm_users == 1);
 *   count spf_attempt; seq = mmap_seq_read_start() — odd: abort SPF_ABORT_ODD;
 *   rcu_read_lock(); vma = find_vma() without the mmap lock — none, or vm_start above the address:
 *   abort SPF_ABORT_UNMAPPED; !vma_can_speculate(): abort SPF_ABORT_NO_SPECULATE; copy the VMA;
 *   rcu_read_unlock(); mmap_seq_read_check() — changed: abort SPF_ABORT_VMA_COPY;
 *   access_error() on the copy — abort SPF_ABORT_ACCESS_ERROR (never a signal from here);
 *   handle_mm_fault(copy, FAULT_FLAG_SPECULATIVE) — VM_FAULT_RETRY: abort (the reason was counted
 *   where the fault gave up: PUD/PMD missing, ANON_VMA, PTE_MAP_LOCK_SEQ1/PMD/PTL/SEQ2, FAULT);
 *   any abort counts spf_abort and falls back to the mmap_lock path.
 *
 * vma_can_speculate(): anonymous VMAs always; file VMAs whose vm_ops are marked speculative (regular
 * files: ext4, xfs, btrfs... in patches 29-32; not shmem, not special mappings) for reads and private
 * writes, never for shared writes (no ->page_mkwrite support).
 */
import { VM_SHARED } from '@vmakit/core';
import {
  abortStep,
  accessError,
  doUserAddrFault,
  EV,
  FALLBACK,
  FAULT_FLAG_SPECULATIVE,
  FAULT_FLAG_WRITE,
  type FastPath,
  type FaultEnv,
  type FaultState,
  type FaultStrategy,
  handleMmFault,
  locklessLookupStep,
  RCU_ENTER,
  RCU_EXIT,
  type SpecState,
  type SpfAbortReason,
  type StepGen,
  VM_FAULT_RETRY,
  VM_FAULT_SIGSEGV,
  type VmaCopyKind,
  VmaSnapshot,
  vmaCopyCost,
} from '@vmakit/x86-fault';

/**
 * Seeded protocol bugs for the simulator's safety checker (all default off). Each one removes a check
 * the series relies on:
 * - `skipVmaCopySeqCheck`: no mmap_seq check after the VMA copy, so a copy torn by a concurrent
 *   writer (or of a VMA that was just unmapped or changed) is used;
 * - `skipPteSeqCheck`: pte_map_lock() commits without re-checking mmap_seq (SEQ1 / SEQ2), so a PTE can
 *   be installed after a concurrent munmap / mprotect finished with the range;
 * - `acceptOddSeq`: start speculating while a writer holds the mmap lock (odd mmap_seq); the later
 *   checks compare against that odd value and pass as long as the writer has not finished, so the fault
 *   reads and commits against an address space in the middle of an update;
 * - `trustLocklessMiss`: take a lockless lookup that found nothing as final and deliver SIGSEGV
 *   instead of falling back; wrong whenever the walk missed (an 'unsafe' index mid-restructure).
 */
export interface SpfOptions {
  readonly skipVmaCopySeqCheck?: boolean;
  readonly skipPteSeqCheck?: boolean;
  readonly acceptOddSeq?: boolean;
  readonly trustLocklessMiss?: boolean;
}

/** The mutation names of `o`, in a fixed order. */
export function spfMutations(o: SpfOptions): string[] {
  const m: string[] = [];
  if (o.skipVmaCopySeqCheck === true) m.push('skip-vma-copy-seq-check');
  if (o.skipPteSeqCheck === true) m.push('skip-pte-seq-check');
  if (o.acceptOddSeq === true) m.push('accept-odd-seq');
  if (o.trustLocklessMiss === true) m.push('trust-lockless-miss');
  return m;
}

function* abort(env: FaultEnv, st: FaultState, reason: SpfAbortReason): StepGen<number> {
  env.vmstat.inc(EV[reason]);
  env.vmstat.inc(EV.spf_abort);
  st.abort = reason;
  yield abortStep(reason);
  return FALLBACK;
}

/** vma_can_speculate() of the RFC (see the file comment). */
function canSpeculate(
  vma: { kind: string; file: { shmem?: boolean } | null; flags: number },
  flags: number,
): boolean {
  if (vma.kind === 'anon') return true;
  if (vma.kind !== 'file' || vma.file === null || vma.file.shmem === true) return false;
  if ((flags & FAULT_FLAG_WRITE) === 0) return true;
  return (vma.flags & VM_SHARED) === 0;
}

/**
 * Bytes a speculative fault copies per attempt that reaches the copy: the era's vm_area_struct
 * (whole), or the fault attributes plus the anon_vma pointer (attributes, 88 B). O(1).
 */
export function spfBytesCopied(kind: VmaCopyKind, era: 'rbtree-era' | 'maple-era'): number {
  return vmaCopyCost(kind, era).bytes;
}

/** The speculative fast path copying the VMA as `kind` says. */
export function spfFastPath(kind: VmaCopyKind, o: SpfOptions = {}): FastPath {
  const skipPteSeqCheck = o.skipPteSeqCheck === true;
  const costs = {
    'rbtree-era': vmaCopyCost(kind, 'rbtree-era'),
    'maple-era': vmaCopyCost(kind, 'maple-era'),
  };
  return function* spf(env, req, st) {
    // "No need to try speculative faults for kernel or single threaded user space."
    if (env.config.mmUsers === 1) return FALLBACK;
    env.vmstat.inc(EV.spf_attempt);
    const seq = (yield env.mmapSeqRead) as number;
    if ((seq & 1) !== 0 && o.acceptOddSeq !== true) return yield* abort(env, st, 'SPF_ABORT_ODD');
    yield RCU_ENTER;
    const reader = env.index.openReader();
    const walk = locklessLookupStep(env, reader, req.addr, 'find');
    yield walk;
    const vma = walk.vma;
    if (vma === null || vma.start > req.addr) {
      reader.close();
      yield RCU_EXIT;
      if (vma === null && o.trustLocklessMiss === true) {
        st.path = 'spf';
        return VM_FAULT_SIGSEGV;
      }
      return yield* abort(env, st, 'SPF_ABORT_UNMAPPED');
    }
    if (!canSpeculate(vma, st.flags)) {
      reader.close();
      yield RCU_EXIT;
      return yield* abort(env, st, 'SPF_ABORT_NO_SPECULATE');
    }
    const cost = costs[env.index.era];
    // The copy (anon_vma included) is taken inside the RCU section; nothing reads `vma` after it.
    const pvma = new VmaSnapshot(vma);
    yield { op: 'vma-copy', vma: vma.id, layout: cost.layout, bytes: cost.bytes, lines: cost.lines };
    reader.close();
    yield RCU_EXIT;
    if (o.skipVmaCopySeqCheck !== true) {
      const same = yield { op: 'seq-check', seq: 'mmap_seq', id: env.mmObj, expected: seq };
      if (same !== true) return yield* abort(env, st, 'SPF_ABORT_VMA_COPY');
    }
    if (accessError(req.errorCode, pvma, st.pkru)) return yield* abort(env, st, 'SPF_ABORT_ACCESS_ERROR');
    st.path = 'spf';
    st.attempts++;
    const spec: SpecState = { seq, skipPteSeqCheck, abort: null };
    const fault = yield* handleMmFault(
      env,
      pvma,
      null,
      req.addr,
      st.flags | FAULT_FLAG_SPECULATIVE,
      spec,
      st.pkru,
    );
    if ((fault & VM_FAULT_RETRY) === 0) return fault;
    env.vmstat.inc(EV.spf_abort);
    st.abort = spec.abort;
    return FALLBACK;
  };
}

/**
 * The `fault` of a speculative strategy. A single-threaded mm never speculates (the first check of
 * the fast path), so there the fast path is not even started: the fault is the mmap_lock strategy's,
 * step for step, without the cost of a generator that returns at once.
 */
export function spfFault(fast: FastPath): FaultStrategy['fault'] {
  return (env, req) => doUserAddrFault(env, req, env.config.mmUsers === 1 ? null : fast);
}
