/**
 * What replay does with each traced page fault: count it (countingFaultHandler), or resolve it
 * through the x86 fault core with a strategy (coreFaultHandler, core-fault-handler.ts). The summary
 * a handler gives is the report's `fault_handling`.
 */
import type { MmStruct } from '@vmakit/core';
import type { FaultEvent, PairedSyscall } from '@vmakit/formats';

/** What the replay knows about the capture when it builds the handler. */
export interface ReplayContext {
  /** The capture folder's name. */
  readonly capture: string;
  /** Distinct thread ids in the trace (at least 1). */
  readonly threads: number;
}

/** Outcomes of the traced faults (counted per traced fault, never for work the replay adds). */
export interface FaultOutcomeCounts {
  /** Resolved without a signal (the access can be retried). */
  readonly handled: number;
  readonly segv_maperr: number;
  readonly segv_accerr: number;
  readonly segv_pkuerr: number;
  /** SIGSEGV with SI_KERNEL (#GP on a non-canonical address). */
  readonly segv_gp: number;
  readonly sigbus: number;
  /** VM_FAULT_OOM (the OOM killer runs; the task re-faults or dies). */
  readonly oom: number;
  /** page_fault_oops() and pgtable_bad(): the task is killed (SIGKILL). */
  readonly oops: number;
  readonly pgtable_bad: number;
  /** Faults that grew a stack VMA (expand_stack_locked succeeded). */
  readonly stack_expansions: number;
  /** Read faults that mapped the shared zero page. */
  readonly zero_page: number;
  /** New anonymous pages (do_anonymous_page writes). */
  readonly anon: number;
  /** Copy-on-write: wp_page_copy (anonymous / zero page / private file page) + do_cow_fault. */
  readonly cow: number;
  /** File-backed faults that mapped a page-cache page (read or shared) or made one writable. */
  readonly file: number;
  /** Faults whose PTE was already as needed in the model (spurious: another fault got there first). */
  readonly spurious: number;
  /** mm_account_fault(): major (VM_FAULT_MAJOR or retried) and minor faults. */
  readonly major: number;
  readonly minor: number;
}

/** The summary of a handler that resolved every fault through the fault core. */
export interface ResolvedFaultsSummary {
  readonly resolved: true;
  readonly strategy: string;
  /** Traced faults resolved without a signal (= faults.handled). */
  readonly handled: number;
  /** Traced faults that ended in a signal (SIGSEGV, SIGBUS, or SIGKILL for oops / pgtable_bad). */
  readonly signals: number;
  /**
   * Signals a later system call of the same thread repaired: it changed the faulting page's mapping
   * (mprotect, pkey_mprotect, mmap, munmap, mremap, madvise), as a SIGSEGV handler that mprotects and
   * returns does; a repeated fault on the page must then be handled.
   */
  readonly signals_recovered: number;
  /** Signals nothing repaired: a process that did not crash cannot have any (a model error). */
  readonly signals_unexplained: number;
  /** The first signals, with trace line, thread, address, error code and how they ended. */
  readonly signal_details: readonly string[];
  readonly faults: FaultOutcomeCounts;
  /**
   * Pages made present before a traced protection fault found them absent in the model (see the
   * README: such a page was present in the real process, mapped before the capture began).
   */
  readonly seeded_pages: number;
  /** File pages put in the page cache before the trace (the files start.maps maps). */
  readonly warmed_pages: number;
  /** Total bytes of VMA data the strategy copied (speculative VMA copies). */
  readonly bytes_copied: number;
  /** bytes_copied / traced faults (0 without faults). */
  readonly bytes_copied_per_fault: number;
  /** mm_users the fault model ran with (speculation is skipped for single-threaded processes). */
  readonly mm_users: number;
  /** Every vmstat counter of the fault model (seeding and populate work included), in report order. */
  readonly counters: Readonly<Record<string, number>>;
  /** The page tables at the end. */
  readonly page_tables: {
    /** Present PTEs. */
    readonly ptes: number;
    readonly tables: { readonly ptes: number; readonly pmds: number; readonly puds: number };
    /** FNV-1a of pageTableSnapshot(): equal digests, equal mappings. */
    readonly digest: string;
    /** validatePageTables() problems (empty when consistent). */
    readonly problems: readonly string[];
  };
  readonly rss: { readonly anon: number; readonly file: number; readonly shmem: number };
  /** FNV-1a of every traced fault's outcome, si_code and major flag, in trace order. */
  readonly outcome_digest: string;
  readonly faults_per_thread: Readonly<Record<string, number>>;
}

/** The summary of a handler that only counted faults. */
export interface CountedFaultsSummary {
  readonly resolved: false;
  readonly faults_per_thread: Readonly<Record<string, number>>;
}

/** The `fault_handling` part of a replay report. */
export type FaultHandlingSummary = ResolvedFaultsSummary | CountedFaultsSummary;

/** Handles the traced faults of one replay. */
export interface FaultHandler {
  /** Strategy name for the report, or null when faults are only counted. */
  readonly strategy: string | null;
  /** Resolve (or count) one fault at its place in the trace. */
  handle(fault: FaultEvent): void;
  /** A system call was applied (at its exit), after the model followed the kernel's result. */
  syscall?(s: PairedSyscall): void;
  /** Figures for the replay report, when the trace ends. */
  summary(): FaultHandlingSummary;
}

/**
 * Builds the handler for a replay once the initial address space exists and before any system call
 * is applied (so that a page-table observer sees every change).
 */
export type FaultHandlerFactory = (mm: MmStruct, context: ReplayContext) => FaultHandler;

/** Faults per thread id, in tid order. */
export function perThread(perTid: ReadonlyMap<number, number>): Record<string, number> {
  return Object.fromEntries([...perTid].sort((a, b) => a[0] - b[0]));
}

/** Counts faults per thread without resolving them. */
export function countingFaultHandler(): FaultHandler {
  const perTid = new Map<number, number>();
  return {
    strategy: null,
    handle(fault: FaultEvent): void {
      perTid.set(fault.tid, (perTid.get(fault.tid) ?? 0) + 1);
    },
    summary(): CountedFaultsSummary {
      return { resolved: false, faults_per_thread: perThread(perTid) };
    },
  };
}
