/**
 * `struct vm_fault` (include/linux/mm.h) and the VMA view a fault works on. Under the mmap lock or a
 * per-VMA lock the view is the live Vma; a speculative fault works on a copy taken inside the RCU
 * read section, before the sequence check (Lespinasse's `pvma = *vma`, or the fault attributes with
 * anon_vma).
 */
import type { AnonVma, FileRef, Vma, VmaKind } from '@vmakit/core';
import type { FaultEnv } from './env.js';
import { mod512 } from './page-table.js';
import type { MemAccess, MemStep, MemWhat } from './steps.js';
import type { SpfAbortReason } from './vmstat.js';

/** The VMA attributes the fault paths read. `Vma` satisfies it. */
export interface FaultVma {
  /** Identity of the live VMA (for cache lines and lock names). */
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly flags: number;
  readonly flagsHigh: number;
  readonly pageProt: number;
  readonly pgoff: number;
  readonly file: FileRef | null;
  readonly kind: VmaKind;
  readonly name: string | null;
  /** anon_vma; a copy holds the value seen when it was taken. */
  readonly anonVma: AnonVma | null;
}

/**
 * A speculative fault's validation state (Lespinasse's vmf->seq and the model's check switches). It
 * deliberately holds no reference to the live VMA: after rcu_read_unlock() the fault may only use its
 * copy (vmf.vma), whatever the copy kind.
 */
export interface SpecState {
  /** mmap_seq as read at the start of the fault. */
  readonly seq: number;
  /** Mutant: skip the sequence re-checks of pte_map_lock() (SEQ1 / SEQ2). */
  readonly skipPteSeqCheck: boolean;
  /** Why the fault aborted (set where it aborts). */
  abort: SpfAbortReason | null;
}

/** struct vm_fault, reduced to what the modelled paths use. */
export class Vmf {
  /** Page-aligned faulting address. */
  readonly address: number;
  /** linear_page_index(vma, address). */
  readonly pgoff: number;
  /** PTE index of address in its table. */
  readonly pteIdx: number;
  /** PMD-table slot whose entry points to the PTE table (0 until the walk found / made it). */
  pmdSlot = 0;
  /** PTE table seen by the walk (orig_pmd for speculative faults; 0 when pmd_none). */
  origPmd = 0;
  /**
   * Object id of that table: what pte_map_lock() compares, so that a table freed and re-allocated
   * under the same number still counts as changed (the pmd value of a new page-table page).
   */
  origPmdObj = 0;
  /** The PTE table (0 when none yet). */
  pte = 0;
  /** orig_pte flags / frame (valid with FAULT_FLAG_ORIG_PTE_VALID). */
  origPteFlags = 0;
  origPteFrame = 0;
  /** The page ->fault produced (vmf->page) and the COW target (vmf->cow_page). */
  page = 0;
  cowPage = 0;
  /** A PTE table allocated before taking the page lock (vmf->prealloc_pte). */
  preallocPte = 0;
  /** The fault's reusable `mem` step (see mem()). */
  private readonly memStep = {
    op: 'mem' as const,
    access: 'read' as MemAccess,
    obj: 0,
    line: 0,
    what: 'pte' as MemWhat,
  };

  constructor(
    readonly env: FaultEnv,
    readonly vma: FaultVma,
    /** The locked live VMA (null for speculative faults). */
    readonly live: Vma | null,
    realAddress: number,
    public flags: number,
    readonly spec: SpecState | null,
    /** The faulting thread's PKRU. */
    readonly pkru: number,
  ) {
    // Floor arithmetic rather than `%` (an fmod call for addresses beyond int32; see mod512).
    const vpn = Math.floor(realAddress / 4096);
    this.address = vpn * 4096;
    this.pgoff = vma.pgoff + (this.address - vma.start) / 4096;
    this.pteIdx = mod512(vpn);
  }

  /**
   * A `mem` step for this fault. The same object is reused for every mem step of the fault: steps are
   * only valid until the generator is resumed (see steps.ts), and this keeps the hot path from
   * allocating one per cache-line access.
   */
  mem(access: MemAccess, obj: number, line: number, what: MemWhat): MemStep {
    const s = this.memStep;
    s.access = access;
    s.obj = obj;
    s.line = line;
    s.what = what;
    return s;
  }
}
