/**
 * Resolves every traced fault through the x86 fault core on one CPU, in trace order, with a strategy:
 * the fault's address and hardware error code as perf recorded them, user mode (the tracepoint is
 * `page_fault_user`), the faulting thread's id. The page tables follow the mm through the fault
 * model's page-table observer, registered before the first system call is applied.
 *
 * Initial page state (see README.md): page tables start empty — which pages the real process had
 * present is not recorded — and the page cache holds the pages of every file start.maps maps (the
 * process's program and libraries were in memory). A traced protection fault (X86_PF_PROT: the page
 * was present) that finds the page absent in the model first gets the page as an earlier read made
 * it present (a read fault, "seeded", not counted among the traced faults), so the traced fault then
 * takes the kernel's path (write-protect / copy-on-write) instead of a not-present one.
 */
import type { MmStruct } from '@vmakit/core';
import type { FaultEvent, PairedSyscall } from '@vmakit/formats';
import {
  checkPairing,
  EV,
  type FaultConfig,
  type FaultEnv,
  type FaultResult,
  type FaultStrategy,
  pageTableSnapshot,
  type RunFaultOptions,
  runFault,
  SEGV_ACCERR,
  SEGV_MAPERR,
  SEGV_PKUERR,
  type Step,
  type StrategyPlugin,
  UnsafePairingError,
  validatePageTables,
} from '@vmakit/x86-fault';
import { digestLines, Fnv1a } from './digest.js';
import { createReplayFaultEnv, faultRequestOf, seedPresentPage } from './fault-env.js';
import {
  type FaultHandler,
  type FaultHandlerFactory,
  type FaultOutcomeCounts,
  perThread,
  type ReplayContext,
  type ResolvedFaultsSummary,
} from './fault-handler.js';

/** Options of coreFaultHandler(). */
export interface CoreFaultHandlerOptions {
  /** The strategy (a plug-in's faithful strategy, or any FaultStrategy). */
  readonly strategy: StrategyPlugin<object> | FaultStrategy;
  /**
   * Fault-model configuration. Defaults: `mmUsers` = the trace's thread count (speculation is skipped
   * for single-threaded processes, as in the SPF series), `collectLines` off (no cost model here).
   */
  readonly config?: FaultConfig;
  /** Run a pairing checkPairing() calls unsafe (flagged); default false: the factory throws. */
  readonly allowUnsafe?: boolean;
  /** Seed pages a traced protection fault finds absent (default true; see the file comment). */
  readonly seedPresentPages?: boolean;
  /** Put the pages of the files start.maps maps in the page cache first (default true). */
  readonly warmPageCache?: boolean;
  /** How many signals to describe in `signal_details` (default 20). */
  readonly maxDetails?: number;
}

/** The strategy of a plug-in or the strategy itself. */
function strategyOf(s: StrategyPlugin<object> | FaultStrategy): FaultStrategy {
  return 'meta' in s ? s.strategy : s;
}

/** Counters whose change over one traced fault classifies it. */
const CLASSIFY = [
  EV.zero_page_faults,
  EV.anon_faults,
  EV.cow_faults,
  EV.file_cow_faults,
  EV.file_read_faults,
  EV.file_shared_faults,
  EV.wp_shared_faults,
  EV.spurious_faults,
  EV.maj_flt,
  EV.min_flt,
  EV.stack_expansions,
] as const;

/** The page range [lo, hi) a successful system call changed the mapping of, or null. */
function changedRanges(s: PairedSyscall): Array<[number, number]> {
  if (s.ret < 0) return [];
  const a = s.args as Record<string, number>;
  const span = (start: number, len: number): [number, number] => [
    start - (start % 4096),
    Math.ceil((start + len) / 4096) * 4096,
  ];
  switch (s.name) {
    case 'mprotect':
    case 'pkey_mprotect':
      return [span(a.start!, a.len!)];
    case 'mmap':
      return [span(s.ret, a.len!)];
    case 'munmap':
      return [span(a.addr!, a.len!)];
    case 'madvise':
      return [span(a.start!, a.len_in!)];
    case 'mremap':
      return [span(a.addr!, a.old_len!), span(s.ret, a.new_len!)];
    default:
      return [];
  }
}

/** A signal not yet repaired by a system call. */
interface PendingSignal {
  readonly tid: number;
  readonly page: number;
}

/**
 * A FaultHandlerFactory resolving faults through the fault core with `options.strategy`. The factory
 * throws UnsafePairingError when the strategy is unsafe over the replay's index (unless
 * `allowUnsafe`). Per fault: O(the fault's steps).
 */
export function coreFaultHandler(options: CoreFaultHandlerOptions): FaultHandlerFactory {
  const strategy = strategyOf(options.strategy);
  return (mm: MmStruct, context: ReplayContext): FaultHandler => {
    const verdict = checkPairing(strategy, mm.index.semantics);
    if (!verdict.safe && options.allowUnsafe !== true) throw new UnsafePairingError(verdict);
    const { env, warmed } = createReplayFaultEnv(mm, {
      threads: context.threads,
      ...(options.config !== undefined ? { config: options.config } : {}),
      ...(options.warmPageCache !== undefined ? { warmPageCache: options.warmPageCache } : {}),
    });
    return new CoreHandler(strategy, env, options, warmed, verdict.safe);
  };
}

/** The handler one replay uses. */
class CoreHandler implements FaultHandler {
  readonly strategy: string;
  private readonly counts = {
    handled: 0,
    segv_maperr: 0,
    segv_accerr: 0,
    segv_pkuerr: 0,
    segv_gp: 0,
    sigbus: 0,
    oom: 0,
    oops: 0,
    pgtable_bad: 0,
  };
  private readonly deltas = new Float64Array(CLASSIFY.length);
  private readonly before = new Float64Array(CLASSIFY.length);
  private readonly perTid = new Map<number, number>();
  private readonly pending: PendingSignal[] = [];
  private readonly details: string[] = [];
  private readonly outcomes = new Fnv1a();
  private readonly runOptions: RunFaultOptions;
  private readonly seedOptions: RunFaultOptions;
  private readonly maxDetails: number;
  private faults = 0;
  private signals = 0;
  private recovered = 0;
  private seeded = 0;
  private bytes = 0;

  constructor(
    private readonly s: FaultStrategy,
    private readonly env: FaultEnv,
    private readonly options: CoreFaultHandlerOptions,
    private readonly warmed: number,
    safe: boolean,
  ) {
    this.strategy = s.name;
    this.maxDetails = options.maxDetails ?? 20;
    const allowUnsafe = !safe;
    this.runOptions = {
      allowUnsafe,
      afterStep: (step: Step) => {
        if (step.op === 'vma-copy') this.bytes += step.bytes;
      },
    };
    this.seedOptions = { allowUnsafe };
  }

  handle(ev: FaultEvent): void {
    const env = this.env;
    const req = faultRequestOf(ev);
    this.faults++;
    this.perTid.set(ev.tid, (this.perTid.get(ev.tid) ?? 0) + 1);
    if (this.options.seedPresentPages !== false && seedPresentPage(this.s, env, req, this.seedOptions)) {
      this.seeded++;
    }
    const c = env.vmstat.counts;
    for (let i = 0; i < CLASSIFY.length; i++) this.before[i] = c[CLASSIFY[i]!]!;
    const r = runFault(this.s, env, req, this.runOptions);
    for (let i = 0; i < CLASSIFY.length; i++) this.deltas[i]! += c[CLASSIFY[i]!]! - this.before[i]!;
    this.outcomes.add(`${r.outcome}:${r.code}:${r.major ? 1 : 0};`);
    this.count(r, ev, req.addr);
  }

  private count(r: FaultResult, ev: FaultEvent, addr: number): void {
    const k = this.counts;
    switch (r.outcome) {
      case 'handled':
        k.handled++;
        return;
      case 'sigsegv':
        if (r.code === SEGV_MAPERR) k.segv_maperr++;
        else if (r.code === SEGV_ACCERR) k.segv_accerr++;
        else if (r.code === SEGV_PKUERR) k.segv_pkuerr++;
        else k.segv_gp++;
        break;
      case 'sigbus':
        k.sigbus++;
        break;
      case 'oom':
        k.oom++;
        return;
      case 'oops':
      case 'kernel-fixup':
        k.oops++;
        break;
      case 'pgtable-bad':
        k.pgtable_bad++;
        break;
    }
    this.signals++;
    this.pending.push({ tid: ev.tid, page: addr - (addr % 4096) });
    if (this.details.length < this.maxDetails) {
      this.details.push(
        `line ${ev.line} tid ${ev.tid}: ${ev.addressPage.toString(16)}+${ev.addressOffset.toString(16)} error_code 0x${ev.errorCode.toString(16)} -> ${r.outcome} signal ${r.signal} code ${r.code}`,
      );
    }
  }

  syscall(s: PairedSyscall): void {
    if (this.pending.length === 0) return;
    const ranges = changedRanges(s);
    if (ranges.length === 0) return;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const p = this.pending[i]!;
      if (p.tid !== s.tid) continue;
      if (!ranges.some(([lo, hi]) => p.page >= lo && p.page < hi)) continue;
      this.pending.splice(i, 1);
      this.recovered++;
    }
  }

  summary(): ResolvedFaultsSummary {
    const env = this.env;
    const d = (ev: number): number => this.deltas[CLASSIFY.indexOf(ev as (typeof CLASSIFY)[number])]!;
    const faults: FaultOutcomeCounts = {
      ...this.counts,
      stack_expansions: d(EV.stack_expansions),
      zero_page: d(EV.zero_page_faults),
      anon: d(EV.anon_faults),
      cow: d(EV.cow_faults) + d(EV.file_cow_faults),
      file: d(EV.file_read_faults) + d(EV.file_shared_faults) + d(EV.wp_shared_faults),
      spurious: d(EV.spurious_faults),
      major: d(EV.maj_flt),
      minor: d(EV.min_flt),
    };
    const snapshot = pageTableSnapshot(env);
    const tables = env.pt.tableCounts();
    return {
      resolved: true,
      strategy: this.strategy,
      handled: this.counts.handled,
      signals: this.signals,
      signals_recovered: this.recovered,
      signals_unexplained: this.signals - this.recovered,
      signal_details: [...this.details],
      faults,
      seeded_pages: this.seeded,
      warmed_pages: this.warmed,
      bytes_copied: this.bytes,
      bytes_copied_per_fault: this.faults === 0 ? 0 : this.bytes / this.faults,
      mm_users: env.config.mmUsers,
      counters: env.vmstat.snapshot(),
      page_tables: {
        ptes: snapshot.length,
        tables: { ptes: tables.ptes, pmds: tables.pmds, puds: tables.puds },
        digest: digestLines(snapshot),
        problems: validatePageTables(env),
      },
      rss: { anon: env.rssAnon, file: env.rssFile, shmem: env.rssShmem },
      outcome_digest: this.outcomes.hex(),
      faults_per_thread: perThread(this.perTid),
    };
  }
}
