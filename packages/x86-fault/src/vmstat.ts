/**
 * Event counters of the fault model. Names that exist in the kernel keep the kernel's spelling:
 * /proc/vmstat items of v6.12 (pgfault, pgmajfault, pgreuse, vma_lock_*), the per-task counters
 * (maj_flt, min_flt), and the counters of Lespinasse's SPF series (spf_attempt, spf_abort and the
 * upper-case SPF_ABORT_* / SPF_ATTEMPT_* items of CONFIG_SPECULATIVE_PAGE_FAULT_STATS, lore
 * 20210407014502.24091-36). The rest are the model's own and are listed as such below.
 */

/** Every counter, in report order. */
export const VMSTAT_NAMES = [
  // Kernel: /proc/vmstat and task counters.
  'pgfault',
  'pgmajfault',
  'pgreuse',
  'maj_flt',
  'min_flt',
  'nr_dirtied',
  'vma_lock_success',
  'vma_lock_abort',
  'vma_lock_retry',
  'vma_lock_miss',
  // Lespinasse SPF series.
  'spf_attempt',
  'spf_abort',
  'SPF_ABORT_ODD',
  'SPF_ABORT_UNMAPPED',
  'SPF_ABORT_NO_SPECULATE',
  'SPF_ABORT_VMA_COPY',
  'SPF_ABORT_ACCESS_ERROR',
  'SPF_ABORT_PUD',
  'SPF_ABORT_PMD',
  'SPF_ABORT_ANON_VMA',
  'SPF_ABORT_PTE_MAP_LOCK_SEQ1',
  'SPF_ABORT_PTE_MAP_LOCK_PMD',
  'SPF_ABORT_PTE_MAP_LOCK_PTL',
  'SPF_ABORT_PTE_MAP_LOCK_SEQ2',
  'SPF_ABORT_USERFAULTFD',
  'SPF_ABORT_FAULT',
  'SPF_ABORT_NON_SWAP_ENTRY',
  'SPF_ABORT_SWAP_NOPAGE',
  'SPF_ATTEMPT_ANON',
  'SPF_ATTEMPT_FILE',
  'SPF_ATTEMPT_SWAP',
  'SPF_ATTEMPT_NUMA',
  'SPF_ATTEMPT_PTE',
  'SPF_ATTEMPT_WP',
  // Model: how faults were resolved.
  'zero_page_faults',
  'anon_faults',
  'cow_faults',
  'file_read_faults',
  'file_cow_faults',
  'file_shared_faults',
  'wp_shared_faults',
  'spurious_faults',
  'fault_around_pages',
  'page_mkwrite',
  'fault_retry',
  'stack_expansions',
  'stack_expansion_failures',
  'readahead_pages',
  // Model: outcomes.
  'handled',
  'sigsegv_maperr',
  'sigsegv_accerr',
  'sigsegv_pkuerr',
  'sigsegv_gp',
  'sigbus',
  'oom',
  'kernel_fixup',
  'oops',
  'pgtable_bad',
  'vsyscall_emulated',
  // Model: page tables and pages.
  'pgtable_alloc',
  'pgtable_free',
  'pgtable_move',
  'pte_zapped',
  'pte_protected',
  'pte_moved',
  'populate_faults',
] as const;

/** A counter name. */
export type VmstatName = (typeof VMSTAT_NAMES)[number];

/** Counter index by name (for the hot path: `vmstat.counts[EV.pgfault]++`). */
export const EV: Readonly<Record<VmstatName, number>> = Object.freeze(
  Object.fromEntries(VMSTAT_NAMES.map((n, i) => [n, i])) as Record<VmstatName, number>,
);

/** The SPF abort reasons (counter names) of Lespinasse's statistics patch. */
export type SpfAbortReason = Extract<VmstatName, `SPF_ABORT_${string}`>;

/** A set of counters. */
export class Vmstat {
  /** Counts by index (see EV). */
  readonly counts = new Float64Array(VMSTAT_NAMES.length);

  /** Add `n` to counter `i`. O(1). */
  inc(i: number, n = 1): void {
    this.counts[i]! += n;
  }

  /** The value of a counter. O(1). */
  get(name: VmstatName): number {
    return this.counts[EV[name]]!;
  }

  /** All counters by name (zeros included, in report order). O(counters). */
  snapshot(): Record<VmstatName, number> {
    const out = {} as Record<VmstatName, number>;
    for (let i = 0; i < VMSTAT_NAMES.length; i++) out[VMSTAT_NAMES[i]!] = this.counts[i]!;
    return out;
  }

  /** The non-zero counters by name. O(counters). */
  nonZero(): Partial<Record<VmstatName, number>> {
    const out: Partial<Record<VmstatName, number>> = {};
    for (let i = 0; i < VMSTAT_NAMES.length; i++)
      if (this.counts[i] !== 0) out[VMSTAT_NAMES[i]!] = this.counts[i]!;
    return out;
  }

  /** Zero every counter. */
  reset(): void {
    this.counts.fill(0);
  }
}
