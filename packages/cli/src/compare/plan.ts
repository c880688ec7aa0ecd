/**
 * The matrix of `compare` as units of work, in one fixed order: the index benchmarks (one unit,
 * because its rows are measured against the `limit` baseline of the same run), the
 * published-results comparison (one unit: its rows need all of its runs), one replay per
 * capture × index × strategy, and one simulated point per workload × strategy × index × CPU count. A unit's key is
 * what `metadata.cells` records, so a shard takes the units whose position modulo the shard count
 * is its index (the same on every machine) and a resumed run skips the finished keys.
 * Unsafe strategy × index pairings and CPU counts a workload refuses are skipped with their reason.
 * Syscall-bound workloads run with the longer windows of ./windows.ts.
 */
import type { IndexPlugin } from '@vmakit/core';
import { replayCell, scalingCell } from '@vmakit/report';
import { pairingOf, publishedRuns, type SimRunConfig, type WorkloadPlugin } from '@vmakit/sim';
import type { StrategyPlugin } from '@vmakit/x86-fault';
import { inShard, type Shard } from '../options.js';
import { planSimMatrix } from '../work/sim-matrix.js';
import type { BenchTask, ReplayTask, SimTask } from '../work/tasks.js';
import { compareWindowOf } from './windows.js';
import type { CaptureWorkload } from './workloads.js';

/** Operations the compare benchmarks time (lookups, a walk, a gap search and an mmap churn). */
export const COMPARE_BENCH_OPS: readonly string[] = [
  'find-random',
  'lookup-random',
  'iterate-all',
  'gap-topdown',
  'churn-mmap',
];

/** Everything that decides what `compare` runs. */
export interface CompareSelection {
  readonly indexes: readonly IndexPlugin[];
  readonly strategies: readonly StrategyPlugin<object>[];
  readonly workloads: readonly WorkloadPlugin[];
  readonly captures: readonly CaptureWorkload[];
  readonly cpus: readonly number[];
  readonly profile: string;
  readonly seed: number;
  readonly quick: boolean;
  readonly bench: boolean;
  readonly published: boolean;
  /** Simulated window per point (ns); undefined = the engine's default. */
  readonly durationNs?: number;
  /** Fixture captures folder for the benchmarks' capture layouts (null: synthetic layouts only). */
  readonly benchTracesDir: string | null;
  /** Capture folders of the published figures' `trace:<name>` workloads, by name (default none). */
  readonly publishedTraceDirs?: Readonly<Record<string, string>>;
}

/** The benchmark unit. */
export interface BenchUnit {
  readonly kind: 'bench';
  readonly key: string;
  readonly task: BenchTask;
}

/** One replay. */
export interface ReplayUnit {
  readonly kind: 'replay';
  readonly key: string;
  readonly capture: string;
  readonly task: ReplayTask;
}

/** One simulated point. */
export interface SimUnit {
  readonly kind: 'sim';
  readonly key: string;
  readonly task: SimTask;
}

/** The published-results comparison and the simulations it needs. */
export interface PublishedUnit {
  readonly kind: 'published';
  readonly key: string;
  readonly runs: readonly SimRunConfig[];
  readonly maxCpus: number;
  readonly traceDirs: Readonly<Record<string, string>>;
}

/** Any unit. */
export type Unit = BenchUnit | ReplayUnit | SimUnit | PublishedUnit;

/** A cell that is not run and why. */
export interface SkippedCell {
  readonly what: string;
  readonly reason: string;
}

/** Key of the benchmark unit and of the published unit (not row keys: those cover many rows). */
export const BENCH_UNIT = 'unit/bench';
export const PUBLISHED_UNIT = 'unit/published';

/**
 * The largest simulated machine the published comparison runs on: every figure by default; with
 * --quick 24 CPUs (the figures' wider runs become not-run rows, which the report lists).
 */
export function publishedMaxCpus(quick: boolean): number {
  return quick ? 24 : Number.POSITIVE_INFINITY;
}

/**
 * Every unit of the selection (this shard's only when `shard` is set) in matrix order, and the
 * skipped cells. O(units).
 */
export function planCompare(
  sel: CompareSelection,
  shard: Shard | null,
): { units: Unit[]; skipped: SkippedCell[] } {
  const all: Unit[] = [];
  const skipped: SkippedCell[] = [];
  if (sel.bench && sel.indexes.length > 0) {
    all.push({
      kind: 'bench',
      key: BENCH_UNIT,
      task: {
        kind: 'bench',
        indexes: sel.indexes.map((i) => i.meta.name),
        // The end state of each capture: real layouts of a few dozen VMAs beside the synthetic ones.
        layouts: ['synthetic', ...sel.captures.map((c) => `capture:${c.name}/end`)],
        syntheticSizes: sel.quick ? [1_000] : [1_000, 8_192],
        ops: COMPARE_BENCH_OPS,
        quick: true,
        seed: sel.seed,
        time: sel.quick ? 8 : 20,
        tracesDir: sel.benchTracesDir,
        retainSamples: 32,
        memory: true,
        memoryVmas: sel.quick ? 2_000 : 10_000,
      },
    });
  }
  // Second, so that with two shards the two long units (benchmarks, published runs) part ways.
  if (sel.published) {
    const maxCpus = publishedMaxCpus(sel.quick);
    const traceDirs = sel.publishedTraceDirs ?? {};
    all.push({
      kind: 'published',
      key: PUBLISHED_UNIT,
      runs: publishedRuns({ seed: sel.seed, maxCpus, traceDirs }),
      traceDirs,
      maxCpus,
    });
  }
  for (const c of sel.captures) {
    for (const i of sel.indexes) {
      for (const s of sel.strategies) {
        const verdict = pairingOf(s.strategy, i, false);
        if (!verdict.safe) {
          skipped.push({
            what: `replay ${c.name} ${s.meta.name} x ${i.meta.name}`,
            reason: `unsafe pairing: ${verdict.reason}`,
          });
          continue;
        }
        all.push({
          kind: 'replay',
          key: replayCell({ capture: c.name, index: i.meta.name, strategy: s.meta.name }),
          capture: c.name,
          task: { kind: 'replay', dir: c.dir, index: i.meta.name, strategy: s.meta.name, maxDetails: 5 },
        });
      }
    }
  }
  for (const w of sel.workloads) {
    const { tasks, skipped: sk } = planSimMatrix({
      workloadName: w.meta.name,
      workload: w,
      params: {},
      cpus: sel.cpus,
      strategies: sel.strategies,
      indexes: sel.indexes,
      profile: sel.profile,
      seed: sel.seed,
      ...(sel.durationNs !== undefined ? { durationNs: sel.durationNs } : {}),
    });
    for (const s of sk)
      skipped.push({
        what: `sim ${s.workload} ${s.strategy} x ${s.index} on ${s.cpus} CPUs`,
        reason: s.reason,
      });
    for (const t0 of tasks) {
      // Syscall-bound workloads get a window long enough for the lock convoy to reach steady state.
      const window = compareWindowOf(t0.workload, t0.cpus);
      const t: SimTask = window === null ? t0 : { ...t0, ...window };
      all.push({
        kind: 'sim',
        key: scalingCell({
          workload: t.workload,
          profile: t.profile,
          cpus: t.cpus,
          strategy: t.strategy,
          index: t.index,
        }),
        task: t,
      });
    }
  }
  return { units: all.filter((_, pos) => inShard(pos, shard)), skipped };
}
