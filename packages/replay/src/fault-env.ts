/**
 * The pieces of fault replay shared by the replay's fault handler and the fault-path benchmark: the
 * fault model of a replayed address space (page cache warmed with the files start.maps maps,
 * mm_users from the trace's threads), the request a traced fault becomes, and the seeding of
 * protection faults on pages the model never mapped (see README.md, "Initial page state").
 */
import { type MmApi, PTE_PRESENT } from '@vmakit/core';
import type { FaultEvent } from '@vmakit/formats';
import {
  accessError,
  classifyAddress,
  createFaultEnv,
  type FaultConfig,
  type FaultEnv,
  type FaultRequest,
  type FaultStrategy,
  type RunFaultOptions,
  runFault,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_RSVD,
  X86_PF_USER,
  X86_PF_WRITE,
} from '@vmakit/x86-fault';

/** Options of createReplayFaultEnv(). */
export interface ReplayFaultEnvOptions {
  /** Threads of the trace: mm_users unless `config.mmUsers` says otherwise. */
  readonly threads: number;
  /** Fault-model configuration (default `collectLines` off: no cost model reads probe lines here). */
  readonly config?: FaultConfig;
  /** Put the pages of the file VMAs the mm holds now in the page cache (default true). */
  readonly warmPageCache?: boolean;
}

/**
 * The fault model of `mm`, attached as its page-table observer (call before any system call is
 * applied), with the page cache warmed: every page of every non-shmem file VMA present now — the
 * program and libraries the captured process had in memory. O(VMAs + warmed pages).
 */
export function createReplayFaultEnv(
  mm: MmApi,
  options: ReplayFaultEnvOptions,
): { readonly env: FaultEnv; readonly warmed: number } {
  const env = createFaultEnv(mm, {
    collectLines: false,
    ...options.config,
    mmUsers: options.config?.mmUsers ?? Math.max(1, options.threads),
  });
  let warmed = 0;
  if (options.warmPageCache !== false) {
    for (const v of mm.vmas()) {
      if (v.kind === 'file' && v.file !== null && v.file.shmem !== true) {
        warmed += env.cache.warm(v.file, v.pgoff, v.pages);
      }
    }
  }
  return { env, warmed };
}

/**
 * The request a traced fault becomes: the address perf printed (exact below 2^53, page-exact above:
 * kernel addresses), its error code, user mode (`page_fault_user`), the thread. O(1).
 */
export function faultRequestOf(ev: FaultEvent): FaultRequest {
  return {
    addr: ev.address <= Number.MAX_SAFE_INTEGER ? ev.address : ev.addressPage,
    errorCode: ev.errorCode,
    userMode: true,
    tid: ev.tid,
  };
}

/**
 * A protection write fault (X86_PF_PROT | X86_PF_WRITE: the real PTE was present, read-only) on a
 * user page the model has not mapped: first make the page present as the untraced read that mapped
 * it before the capture would have — a read fault through `strategy` — provided both that read and
 * the traced access pass access_error() (a signalling fault is left to signal as the PTE stands).
 * Returns true when a page was seeded. O(1) unless it seeds (one fault).
 */
export function seedPresentPage(
  strategy: FaultStrategy,
  env: FaultEnv,
  req: FaultRequest,
  options: RunFaultOptions = {},
): boolean {
  const ec = req.errorCode;
  if ((ec & (X86_PF_PROT | X86_PF_WRITE | X86_PF_PK | X86_PF_RSVD)) !== (X86_PF_PROT | X86_PF_WRITE))
    return false;
  const addr = req.addr;
  if (classifyAddress(addr) !== 'user') return false;
  if ((env.pt.pteFlagsAt(addr) & PTE_PRESENT) !== 0) return false;
  const vma = env.mm.vmaLookup(addr);
  if (vma === null) return false;
  const pkru = req.pkru ?? env.defaultPkru;
  if (accessError(ec, vma, pkru) || accessError(X86_PF_USER, vma, pkru)) return false;
  const r = runFault(strategy, env, { ...req, errorCode: X86_PF_USER }, options);
  return r.outcome === 'handled';
}
