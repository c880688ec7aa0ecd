/**
 * Converting other packages' reports into results rows, by shape only (this package depends on
 * @vmakit/core alone). `ReplayReportLike` is the subset of @vmakit/replay's ReplayReport that a
 * replay row needs; benchmark and memory rows of `vmakit bench` already have the row shapes.
 */
import type { ReplayRow } from './types.js';

/** The fields of a replay report (packages/replay/src/replay.ts) a replay row is made from. */
export interface ReplayReportLike {
  readonly capture: string;
  readonly index: string;
  readonly strategy: string | null;
  readonly events: { readonly faults: number; readonly syscalls: number };
  readonly syscalls: { readonly disagreed: number };
  /**
   * The fault handler's summary. Its `counters` object (the fault core's vmstat) becomes the row's
   * counters when present; otherwise its top-level non-negative integers do.
   */
  readonly fault_handling: Readonly<Record<string, unknown>>;
  readonly final: {
    readonly page_mismatches: number;
    readonly vma_mismatches: number;
    readonly exact_match: boolean;
  } | null;
}

/** Fault-handling figures the replay report does not carry in a fixed place. */
export interface FaultFigures {
  /** Faults resolved without a signal (default: `fault_handling.handled` if an integer, else 0). */
  readonly faults_handled?: number;
  /** Faults answered with SIGSEGV/SIGBUS (default: `fault_handling.signals` if an integer, else 0). */
  readonly signals?: number;
  /** Bytes copied out of VMAs (default: `fault_handling.bytes_copied` if an integer, else 0). */
  readonly bytes_copied?: number;
  /** Counters to use instead of the integers found in `fault_handling`. */
  readonly counters?: Readonly<Record<string, number>>;
}

function natural(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/**
 * A replay row from a replay report. Counters default to the non-negative integers of
 * `fault_handling.counters` when it is an object (the fault core's vmstat), else to the top-level
 * non-negative integers of `fault_handling` (nested objects, such as per-thread tallies, are left out).
 * O(counters).
 */
export function replayRowFrom(r: ReplayReportLike, figures: FaultFigures = {}): ReplayRow {
  const fh = r.fault_handling;
  const counters: Record<string, number> = {};
  const nested = fh.counters;
  const source =
    typeof nested === 'object' && nested !== null && !Array.isArray(nested)
      ? (nested as Readonly<Record<string, unknown>>)
      : fh;
  if (figures.counters !== undefined) Object.assign(counters, figures.counters);
  else
    for (const k of Object.keys(source).sort()) {
      const v = natural(source[k]);
      if (v !== undefined) counters[k] = v;
    }
  return {
    capture: r.capture,
    index: r.index,
    strategy: r.strategy,
    faults: r.events.faults,
    faults_handled: figures.faults_handled ?? natural(fh.handled) ?? 0,
    signals: figures.signals ?? natural(fh.signals) ?? 0,
    counters,
    bytes_copied: figures.bytes_copied ?? natural(fh.bytes_copied) ?? 0,
    syscalls: r.events.syscalls,
    syscalls_disagreed: r.syscalls.disagreed,
    page_mismatches: r.final?.page_mismatches ?? null,
    vma_mismatches: r.final?.vma_mismatches ?? null,
    exact_match: r.final?.exact_match ?? null,
  };
}
