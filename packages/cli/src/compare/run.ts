/**
 * Running the units of a compare plan on the task pool and collecting their rows. The benchmarks
 * run first and alone (their timings are wall-clock: a simulation on the other core would skew
 * them); replays, simulated points and the published runs then share the pool. A unit counts as
 * finished only when all of its rows are in; an abort (Ctrl-C) stops the pool and keeps what
 * finished. Results do not depend on the order units finish in: the document sorts every section.
 */
import type { IndexBenchReport } from '@vmakit/bench/cli';
import { VmakitError } from '@vmakit/core';
import type {
  BenchmarkRow,
  BenchmarkRunner,
  BytesCopiedRow,
  MemoryRow,
  ProtocolViolation,
  PublishedRow,
  ReplayRow,
  ScalingPoint,
} from '@vmakit/report';
import { comparePublished, type SimPoint, type SimRunConfig } from '@vmakit/sim';
import type { Progress } from '../progress.js';
import {
  benchmarkRowOf,
  bytesRowOf,
  memoryRowOf,
  publishedRowsOf,
  replayRowOf,
  scalingPointOf,
  violationsOf,
} from '../results/rows.js';
import { PoolAbortedError, type TaskPool } from '../work/pool.js';
import type { PublishedUnit, Unit } from './plan.js';
import { taskOfRun } from './published.js';

/** Rows gathered so far, by section, and the finished unit keys. */
export interface Collected {
  runner: BenchmarkRunner | null;
  readonly benchmarks: BenchmarkRow[];
  readonly memory: MemoryRow[];
  readonly replay: ReplayRow[];
  readonly bytes: BytesCopiedRow[];
  readonly points: ScalingPoint[];
  readonly violations: ProtocolViolation[];
  readonly published: PublishedRow[];
  readonly finished: Set<string>;
  /** Units that failed, with the error (they stay unfinished). */
  readonly failures: string[];
}

/** An empty collection. */
export function emptyCollected(): Collected {
  return {
    runner: null,
    benchmarks: [],
    memory: [],
    replay: [],
    bytes: [],
    points: [],
    violations: [],
    published: [],
    finished: new Set(),
    failures: [],
  };
}

/** The runner section of a benchmark report. */
export function runnerOf(r: IndexBenchReport): BenchmarkRunner {
  return {
    name: 'tinybench',
    version: r.environment.tinybench ?? 'unknown',
    settings: {
      time_ms: r.options.time_ms,
      warmup_ms: r.options.warmup_ms,
      min_iterations: r.options.min_iterations,
      quick: r.options.quick,
      timestamp_provider: r.environment.timestamp_provider,
    },
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What the runner reports as it goes. */
export interface RunHooks {
  readonly progress: Progress;
  /** Called after each finished unit (to checkpoint). */
  readonly onUnit?: () => void;
}

async function runPublished(
  pool: TaskPool,
  u: PublishedUnit,
  seed: number,
  tick: (label: string) => void,
): Promise<PublishedRow[]> {
  const runs = [...u.runs].sort((a, b) => b.cpus - a.cpus);
  const finished = await Promise.all(
    runs.map(async (config: SimRunConfig) => {
      const label = `${config.workload} ${config.strategy} x ${config.index} on ${config.cpus} CPUs`;
      try {
        const p = await pool.run(taskOfRun(config));
        tick(label);
        return { config, metrics: p };
      } catch (err) {
        if (err instanceof PoolAbortedError) throw err;
        tick(label);
        // A run the registry cannot resolve (an unregistered variant) becomes a not-run row.
        return null;
      }
    }),
  );
  const cmp = await comparePublished(
    finished.filter((f) => f !== null),
    { seed, maxCpus: u.maxCpus, traceDirs: u.traceDirs },
  );
  return cmp.figures.flatMap(publishedRowsOf);
}

/**
 * Runs `units` on `pool`, adding to `into`. Returns when every unit finished or failed, or the
 * pool was aborted (then the unfinished units are simply absent). A unit that throws a vmakit
 * error is recorded in `failures`; any other error is a bug and propagates.
 */
export async function runUnits(
  pool: TaskPool,
  units: readonly Unit[],
  into: Collected,
  seed: number,
  hooks: RunHooks,
): Promise<void> {
  const guard = async (u: Unit, f: () => Promise<void>, tick: (label: string) => void) => {
    // Only finished and failed units move the progress; aborted ones stay to do.
    try {
      await f();
      into.finished.add(u.key);
      hooks.onUnit?.();
      tick(u.key);
    } catch (err) {
      if (err instanceof PoolAbortedError) return;
      if (!(err instanceof VmakitError)) throw err;
      into.failures.push(`${u.key}: ${message(err)}`);
      tick(u.key);
    }
  };

  const bench = units.filter((u) => u.kind === 'bench');
  if (bench.length > 0) {
    const phase = hooks.progress.phase('benchmarks', bench.length);
    for (const u of bench)
      await guard(
        u,
        async () => {
          const r = await pool.run(u.task);
          if (r.aborted) throw new PoolAbortedError('aborted');
          into.runner = runnerOf(r);
          into.benchmarks.push(...r.results.map(benchmarkRowOf));
          into.memory.push(...r.memory.map(memoryRowOf));
        },
        (l) => phase.tick(l),
      );
    phase.done();
  }

  const replays = units.filter((u) => u.kind === 'replay');
  // Longest first (the published runs reach 192 CPUs, then the widest points): the pool's queue is
  // FIFO, so this shortens the tail where one core idles.
  const sims = units.filter((u) => u.kind === 'sim').sort((a, b) => b.task.cpus - a.task.cpus);
  const published = units.filter((u) => u.kind === 'published');
  const jobs: Promise<void>[] = [];
  if (published.length > 0) {
    // One tick per simulation the figures need.
    const phase = hooks.progress.phase(
      'published',
      published.reduce((n, u) => n + u.runs.length, 0),
    );
    jobs.push(
      Promise.all(
        published.map((u) =>
          guard(
            u,
            async () => {
              into.published.push(...(await runPublished(pool, u, seed, (l) => phase.tick(l))));
            },
            () => {},
          ),
        ),
      ).then(() => phase.done()),
    );
  }
  if (sims.length > 0) {
    const phase = hooks.progress.phase('scaling', sims.length);
    jobs.push(
      Promise.all(
        sims.map((u) =>
          guard(
            u,
            async () => {
              const p: SimPoint = await pool.run(u.task);
              into.points.push(scalingPointOf(p));
              into.violations.push(...violationsOf(p));
            },
            (l) => phase.tick(l),
          ),
        ),
      ).then(() => phase.done()),
    );
  }
  if (replays.length > 0) {
    const phase = hooks.progress.phase('replay', replays.length);
    jobs.push(
      Promise.all(
        replays.map((u) =>
          guard(
            u,
            async () => {
              const r = await pool.run(u.task);
              into.replay.push(replayRowOf(r, u.capture));
              const b = bytesRowOf(r, u.capture);
              if (b !== null) into.bytes.push(b);
            },
            (l) => phase.tick(l),
          ),
        ),
      ).then(() => phase.done()),
    );
  }
  await Promise.all(jobs);
}
