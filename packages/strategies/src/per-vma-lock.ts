/**
 * Per-VMA locks (Suren Baghdasaryan, merged in v6.4; lore 20230227173632.3292573-1-surenb@google.com),
 * as in arch/x86/mm/fault.c and lock_vma_under_rcu() of mm/memory.c (v6.12):
 *
 *   user faults only; rcu_read_lock(); vma = mas_walk() (the VMA containing the address, lockless);
 *   none → abort; vma_start_read(): vm_lock_seq == mm_lock_seq (a writer marked it) → abort,
 *   down_read_trylock() fails → abort, re-check vm_lock_seq → abort; detached (replaced meanwhile) →
 *   up_read, count vma_lock_miss, walk again; address outside [vm_start, vm_end) → abort;
 *   rcu_read_unlock(). Aborts count vma_lock_abort and fall back to mmap_lock.
 *   access_error() → the signal is delivered from here (v6.12; v6.4 fell back instead);
 *   handle_mm_fault(FAULT_FLAG_VMA_LOCK); unless RETRY / COMPLETED, vma_end_read(); no RETRY →
 *   vma_lock_success; RETRY → vma_lock_retry, FAULT_FLAG_TRIED if the attempt was major, mmap_lock path.
 *
 * Under the VMA lock, anon_vma_prepare() needs the mmap read lock and only tries it (vmf_anon_prepare:
 * failure → VM_FAULT_RETRY); ->fault runs for vm_ops with ->map_pages. The v6.4 variant instead
 * refused non-anonymous VMAs and anonymous VMAs without an anon_vma in lock_vma_under_rcu().
 *
 * The writer side is MmStruct's: vma_start_write() sets vm_lock_seq = mm_lock_seq (a driver that
 * models the per-VMA rwsem takes it for writing there, see MmObserver.vmaStartWrite), and
 * mmap_write_unlock() releases every marked VMA by advancing mm_lock_seq.
 */

import type { Vma } from '@vmakit/core';
import {
  abortStep,
  accessError,
  acquire,
  badAreaAccessError,
  defineStrategyPlugin,
  doUserAddrFault,
  EV,
  FALLBACK,
  FAULT_FLAG_TRIED,
  FAULT_FLAG_VMA_LOCK,
  type FastPath,
  type FaultEnv,
  type FaultState,
  type FaultStrategy,
  HANDLE_MM_FAULT,
  locklessLookupStep,
  mem,
  RCU_ENTER,
  RCU_EXIT,
  release,
  type StrategyNeeds,
  type StrategyPlugin,
  VM_FAULT_MAJOR,
  VM_FAULT_RETRY,
  VM_FAULT_SIGSEGV,
} from '@vmakit/x86-fault';

/**
 * Options of the per-VMA-lock strategy. `kernel` picks the behaviour of v6.12 (default) or of the
 * first merged version, v6.4. The others are seeded protocol bugs (default off):
 * - `skipVmLockSeqCheck`: vma_start_read() without comparing vm_lock_seq to mm_lock_seq, so a fault
 *   can read-lock a VMA a writer has marked and is modifying (the writer's marking does not take the
 *   rwsem in every model, and the check is what makes the bulk unlock by mm_lock_seq safe);
 * - `trustLocklessMiss`: a lockless walk that found nothing delivers SIGSEGV instead of falling back
 *   to mmap_lock; wrong whenever the walk missed (an 'unsafe' index mid-restructure).
 */
export interface PerVmaLockOptions {
  readonly kernel?: 'v6.4' | 'v6.12';
  readonly skipVmLockSeqCheck?: boolean;
  readonly trustLocklessMiss?: boolean;
}

/** Bound on vma_lock_miss retries of one fault (a model safeguard; the kernel loops until it wins). */
const MAX_MISSES = 1000;

/** lock_vma_under_rcu() found no VMA at all (as opposed to one it could not lock). */
const NOTHING = 0;
/** lock_vma_under_rcu() gave up on a VMA it found. */
const INVALID = 1;

const NEEDS: StrategyNeeds = Object.freeze({ lookup: 'lockless-unvalidated', rcuFreedVmas: true });

/**
 * The per-VMA-lock fast path of do_user_addr_fault(). lock_vma_under_rcu() runs in this generator's
 * frame rather than in one of its own: each generator level relays every step of the levels below,
 * so a helper generator would cost a resumption per step of the lock.
 */
export function vmaLockFastPath(o: PerVmaLockOptions = {}): FastPath {
  const v64 = o.kernel === 'v6.4';
  const checkSeq = o.skipVmLockSeqCheck !== true;
  return function* vmaLock(env, req, st) {
    const addr = req.addr;
    // lock_vma_under_rcu(): `locked` is the VMA read-locked, else `outcome` says why not.
    let locked: Vma | null = null;
    let outcome: number = INVALID;
    yield RCU_ENTER;
    let reader = env.index.openReader();
    for (let misses = 0; misses < MAX_MISSES; misses++) {
      const walk = locklessLookupStep(env, reader, addr, 'lookup');
      yield walk;
      const vma = walk.vma;
      if (vma === null) {
        outcome = NOTHING;
        break;
      }
      if (v64 && (!vma.isAnonymous || vma.anonVma === null)) break;
      // vma_start_read()
      yield mem('read', vma.id, 0, 'vma');
      if (checkSeq && vma.lockSeq === ((yield env.mmLockSeqRead) as number)) break;
      const got = yield acquire('vma_lock', vma.id, 'read-try');
      if (got !== true) break;
      if (checkSeq && vma.lockSeq === ((yield env.mmLockSeqRead) as number)) {
        yield release('vma_lock', vma.id, 'read');
        break;
      }
      if (vma.detached) {
        // Replaced after the walk found it: walk again (a fresh reader sees what was published since).
        yield release('vma_lock', vma.id, 'read');
        env.vmstat.inc(EV.vma_lock_miss);
        reader.close();
        reader = env.index.openReader();
        continue;
      }
      if (addr < vma.start || addr >= vma.end) {
        yield release('vma_lock', vma.id, 'read');
        break;
      }
      locked = vma;
      break;
    }
    reader.close();
    yield RCU_EXIT;
    if (locked === null) {
      env.vmstat.inc(EV.vma_lock_abort);
      yield abortStep('vma_lock_abort');
      st.abort = 'vma_lock_abort';
      if (outcome === NOTHING && o.trustLocklessMiss === true) {
        st.path = 'vma-lock';
        return VM_FAULT_SIGSEGV;
      }
      return FALLBACK;
    }
    const vma = locked;
    // access_error() and handle_mm_fault() read the VMA's fault fields (line 0 was read to lock it).
    const lines = env.vmaReadLines;
    for (let i = 0; i < lines.length; i++) if (lines[i] !== 0) yield st.mem('read', vma.id, lines[i]!, 'vma');
    if (accessError(req.errorCode, vma, st.pkru)) {
      yield release('vma_lock', vma.id, 'read');
      if (v64) return FALLBACK;
      env.vmstat.inc(EV.vma_lock_success);
      st.path = 'vma-lock';
      return yield* badAreaAccessError(env, req, st, vma);
    }
    st.path = 'vma-lock';
    st.attempts++;
    // handle_mm_fault(FAULT_FLAG_VMA_LOCK) runs in do_user_addr_fault()'s frame, which then yields
    // vma_end_read() (unless RETRY / COMPLETED) and calls vmaLockTail().
    st.fastVma = vma;
    st.fastFlags = st.flags | FAULT_FLAG_VMA_LOCK;
    st.fastUnlock = release('vma_lock', vma.id, 'read');
    st.fastDone = vmaLockTail;
    return HANDLE_MM_FAULT;
  };
}

/** After handle_mm_fault() under the VMA lock and vma_end_read(): the vma_lock_* counters. */
function vmaLockTail(env: FaultEnv, st: FaultState, fault: number): number {
  if ((fault & VM_FAULT_RETRY) === 0) {
    env.vmstat.inc(EV.vma_lock_success);
    return fault;
  }
  env.vmstat.inc(EV.vma_lock_retry);
  st.abort = 'vma_lock_retry';
  if ((fault & VM_FAULT_MAJOR) !== 0) st.flags |= FAULT_FLAG_TRIED;
  return FALLBACK;
}

/** The mutation names of `o`, in a fixed order. */
export function perVmaLockMutations(o: PerVmaLockOptions): string[] {
  const m: string[] = [];
  if (o.skipVmLockSeqCheck === true) m.push('skip-vm-lock-seq-check');
  if (o.trustLocklessMiss === true) m.push('trust-lockless-miss');
  return m;
}

/** Creates the per-VMA-lock strategy. */
export function createPerVmaLockStrategy(options: PerVmaLockOptions = {}): FaultStrategy {
  const fast = vmaLockFastPath(options);
  return {
    name: 'per-vma-lock',
    description: `per-VMA read locks taken under RCU, mmap_lock fallback (Linux ${options.kernel ?? 'v6.12'})`,
    needs: NEEDS,
    mutations: perVmaLockMutations(options),
    bytesCopied: () => 0,
    fault: (env, req) => doUserAddrFault(env, req, fast),
  };
}

/** The per-VMA-lock plug-in. */
export const perVmaLockPlugin: StrategyPlugin<PerVmaLockOptions> = defineStrategyPlugin<PerVmaLockOptions>({
  meta: {
    name: 'per-vma-lock',
    version: '0.1.0',
    kind: 'strategy',
    description: 'lock_vma_under_rcu + per-VMA rwsem, mmap_lock fallback (Linux 6.4+, Baghdasaryan)',
  },
  needs: NEEDS,
  strategy: createPerVmaLockStrategy(),
  create: (options) => createPerVmaLockStrategy(options),
});
