/**
 * The check that runs before any timing: a pairing's replay, on the very path the benchmark times,
 * must end exactly where an un-timed reference replay ends — same outcome of every fault, same VMAs
 * (boundaries, flags, offsets, files, anon_vma assigned or not), same page tables (every PTE's bits
 * and what it maps), same RSS and same per-kind fault counters. The reference for a capture is
 * replayCapture() (the replay package's streaming replay, with its own fault handler) over the
 * reference index with the classic mmap-lock strategy; for the synthetic page_fault1 it is the same
 * events through the reference index and mmap-lock with the lock protocol checked. A fast but wrong
 * fault path therefore cannot be benchmarked.
 */
import type { IndexPlugin, MmApi } from '@vmakit/core';
import { coreFaultHandler, digestLines, Fnv1a, type ReplayReport, replayCapture } from '@vmakit/replay';
import { mmapLockPlugin } from '@vmakit/strategies';
import { referencePlugin } from '@vmakit/testkit';
import {
  EV,
  type FaultEnv,
  type FaultStrategy,
  pageTableSnapshot,
  type StrategyPlugin,
} from '@vmakit/x86-fault';
import { replayOnce } from './timed-replay.js';
import type { FaultWorkload } from './workloads.js';

/** Where a replay ended, as digests and counts (equal digests: equal states). */
export interface FaultEndState {
  /** FNV-1a of every fault's `outcome:code:major`, in order. */
  readonly outcomes: string;
  /** FNV-1a of the VMAs (start, end, flags, pgoff, kind, file path, anon_vma present). */
  readonly vmas: string;
  readonly vma_count: number;
  /** FNV-1a of pageTableSnapshot(). */
  readonly page_tables: string;
  readonly ptes: number;
  /** RSS pages `anon/file/shmem`. */
  readonly rss: string;
  /** The per-kind fault counters (`name=value`, space separated). */
  readonly counters: string;
}

/** Thrown when a pairing's replay disagrees with the reference (the model, not the timing, is wrong). */
export class FaultBenchVerificationError extends Error {
  override readonly name = 'FaultBenchVerificationError';
}

/** Counters every correct strategy agrees on (one CPU, trace order): how faults were resolved. */
const OUTCOME_COUNTERS = [
  'zero_page_faults',
  'anon_faults',
  'cow_faults',
  'file_read_faults',
  'file_cow_faults',
  'file_shared_faults',
  'wp_shared_faults',
  'maj_flt',
  'min_flt',
  'stack_expansions',
] as const;

function vmaDigest(mm: MmApi): { digest: string; count: number } {
  const lines: string[] = [];
  for (const v of mm.vmas()) {
    lines.push(
      `${v.start.toString(16)}-${v.end.toString(16)} ${v.flags.toString(16)}:${v.flagsHigh.toString(16)} ` +
        `${v.pgoff} ${v.kind} ${v.file?.path ?? '-'} ${v.anonVma === null ? 'no-anon-vma' : 'anon-vma'}`,
    );
  }
  return { digest: digestLines(lines), count: lines.length };
}

/** The end state of `env` (its mm) after a replay whose outcomes were folded into `outcomes`. */
export function endStateOf(env: FaultEnv, outcomes: string): FaultEndState {
  const snapshot = pageTableSnapshot(env);
  const { digest, count } = vmaDigest(env.mm);
  return {
    outcomes,
    vmas: digest,
    vma_count: count,
    page_tables: digestLines(snapshot),
    ptes: snapshot.length,
    rss: `${env.rssAnon}/${env.rssFile}/${env.rssShmem}`,
    counters: countersLine((n) => env.vmstat.counts[EV[n]]!),
  };
}

function countersLine(get: (name: (typeof OUTCOME_COUNTERS)[number]) => number): string {
  return OUTCOME_COUNTERS.map((n) => `${n}=${get(n)}`).join(' ');
}

/** The end state of `w` replayed over `index` with `strategy` on the benchmark's timed path. O(events). */
export function benchedEndState(
  w: FaultWorkload,
  index: IndexPlugin,
  strategy: FaultStrategy,
): FaultEndState {
  const st = w.fresh(index);
  const outcomes = new Fnv1a();
  replayOnce(w, st, strategy, outcomes);
  return endStateOf(st.env, outcomes.hex());
}

/**
 * The reference end state of `w`: replayCapture() of its folder (captures) or a lock-checked replay
 * (synthetic), over the reference index with mmap-lock. Throws FaultBenchVerificationError when the
 * reference itself did not resolve the faults.
 */
export async function referenceEndState(w: FaultWorkload): Promise<FaultEndState> {
  const strategy = mmapLockPlugin.strategy;
  if (w.source === null) {
    const st = w.fresh(referencePlugin);
    const outcomes = new Fnv1a();
    replayOnce(w, st, strategy, outcomes, {});
    return endStateOf(st.env, outcomes.hex());
  }
  let mm: MmApi | null = null;
  const handler = coreFaultHandler({ strategy: mmapLockPlugin });
  const r: ReplayReport = await replayCapture(w.source, {
    index: referencePlugin,
    faults: (m, ctx) => {
      mm = m;
      return handler(m, ctx);
    },
  });
  const fh = r.fault_handling;
  if (!fh.resolved || mm === null) {
    throw new FaultBenchVerificationError(`${w.name}: the reference replay did not resolve the faults`);
  }
  const { digest, count } = vmaDigest(mm);
  const counters = fh.counters;
  return {
    outcomes: fh.outcome_digest,
    vmas: digest,
    vma_count: count,
    page_tables: fh.page_tables.digest,
    ptes: fh.page_tables.ptes,
    rss: `${fh.rss.anon}/${fh.rss.file}/${fh.rss.shmem}`,
    counters: countersLine((n) => counters[n] ?? Number.NaN),
  };
}

/**
 * Throws FaultBenchVerificationError naming every part of the end state that differs from
 * `expected`. O(events).
 */
export function verifyPairing(
  w: FaultWorkload,
  index: IndexPlugin,
  strategy: StrategyPlugin<object> | FaultStrategy,
  expected: FaultEndState,
): FaultEndState {
  const s = 'meta' in strategy ? strategy.strategy : strategy;
  const got = benchedEndState(w, index, s);
  const diffs: string[] = [];
  for (const k of Object.keys(expected) as (keyof FaultEndState)[]) {
    if (got[k] !== expected[k]) diffs.push(`${k} ${got[k]} (expected ${expected[k]})`);
  }
  if (diffs.length > 0) {
    throw new FaultBenchVerificationError(
      `${w.name}: ${s.name} over ${index.meta.name} does not end as the reference replay: ${diffs.join('; ')}`,
    );
  }
  return got;
}
