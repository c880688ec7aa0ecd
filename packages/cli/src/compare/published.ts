/**
 * The published-figures comparison (sim's PUBLISHED_FIGURES): every simulator run the figures need
 * becomes a SimTask for the task pool, so the runs spread over worker threads; the finished metrics
 * are then judged by sim's comparePublished, which never runs the engine itself here. Runs are pure
 * functions of their configuration and seed, so the comparison is the same however many workers ran.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  comparePublished,
  PUBLISHED_FIGURES,
  type PublishedComparison,
  publishedRuns,
  type SimRunConfig,
  type SimRunMetrics,
} from '@vmakit/sim';
import { findSharedDir } from '@vmakit/testkit';
import { UsageError } from '../errors.js';
import type { Progress } from '../progress.js';
import type { TaskPool } from '../work/pool.js';
import type { SimTask } from '../work/tasks.js';

/** A capture a figure names (`trace:<name>`), and the folder holding it. */
export interface PublishedCapture {
  readonly name: string;
  readonly dir: string;
}

/** What the comparison runs. */
export interface PublishedSpec {
  readonly profile: string;
  readonly seed: number;
  /** Runs needing more CPUs are not made (their rows are `not-run`). */
  readonly maxCpus: number;
  /** Captures by name; figures naming a capture that is not given are `not-run`. */
  readonly captures: readonly PublishedCapture[];
  /** Only these figure ids (null: all). */
  readonly figures: readonly string[] | null;
}

/** The capture names the figures use (`trace:<name>` workloads), sorted. O(figures). */
export function publishedCaptureNames(): string[] {
  const names = new Set<string>();
  const visit = (w: string | undefined) => {
    if (w?.startsWith('trace:')) names.add(w.slice('trace:'.length));
  };
  for (const f of PUBLISHED_FIGURES) {
    const c = f.check as { workload?: string; items?: readonly { workload?: string }[] };
    visit(c.workload);
    for (const i of c.items ?? []) visit(i.workload);
  }
  return [...names].sort();
}

/** The figures' captures found in the shared traces folder (none when it is absent). */
export function defaultPublishedCaptures(): PublishedCapture[] {
  const shared = findSharedDir('traces');
  return shared === null ? [] : publishedCapturesIn(shared);
}

/** The figures' captures found in folder `root` (a capture is a sub-folder holding start.maps). */
export function publishedCapturesIn(root: string): PublishedCapture[] {
  if (!existsSync(root)) throw new UsageError(`--captures: ${root}: no such directory`);
  return publishedCaptureNames()
    .map((name) => ({ name, dir: resolve(root, name) }))
    .filter((c) => existsSync(join(c.dir, 'start.maps')));
}

function checkFigures(figures: readonly string[] | null): void {
  if (figures === null) return;
  const known = PUBLISHED_FIGURES.map((f) => f.id);
  for (const id of figures)
    if (!known.includes(id))
      throw new UsageError(`unknown published figure '${id}'; known: ${known.join(', ')}`);
}

function compareOptions(spec: PublishedSpec) {
  return {
    profile: spec.profile,
    seed: spec.seed,
    maxCpus: spec.maxCpus,
    traceDirs: Object.fromEntries(spec.captures.map((c) => [c.name, c.dir])),
    ...(spec.figures !== null ? { figures: spec.figures } : {}),
  };
}

/** A stable key of a run configuration (params in name order). */
function keyOf(c: SimRunConfig): string {
  const params = Object.keys(c.params)
    .sort()
    .map((k) => [k, c.params[k]]);
  return JSON.stringify([
    c.workload,
    params,
    c.strategy,
    c.index,
    c.profile,
    c.threads,
    c.cpus,
    c.seed,
    c.durationNs ?? null,
    c.warmupNs ?? null,
  ]);
}

/** The task of one run configuration (the engine runs one thread per CPU). */
export function taskOfRun(c: SimRunConfig): SimTask {
  return {
    kind: 'sim',
    workload: c.workload,
    params: c.params,
    cpus: c.cpus,
    strategy: c.strategy,
    index: c.index,
    profile: c.profile,
    seed: c.seed,
    ...(c.durationNs !== undefined ? { durationNs: c.durationNs } : {}),
    ...(c.warmupNs !== undefined ? { warmupNs: c.warmupNs } : {}),
  };
}

/** Every run the selected figures need, deduplicated, in figure order, as tasks. O(figures × points). */
export function publishedTasks(spec: PublishedSpec): { runs: SimRunConfig[]; tasks: SimTask[] } {
  checkFigures(spec.figures);
  const runs = publishedRuns(compareOptions(spec));
  return { runs, tasks: runs.map(taskOfRun) };
}

/** Runs the figures' simulations on `pool` and judges them. A failed run makes its rows `not-run`. */
export async function runPublished(
  pool: TaskPool,
  spec: PublishedSpec & { readonly progress?: Progress; readonly signal?: AbortSignal },
): Promise<PublishedComparison> {
  const { runs, tasks } = publishedTasks(spec);
  const phase = spec.progress?.phase('published runs', tasks.length);
  const outcomes = new Map<string, SimRunMetrics | Error>();
  await Promise.all(
    tasks.map(async (task, i) => {
      const key = keyOf(runs[i]!);
      try {
        spec.signal?.throwIfAborted();
        const p = await pool.run(task);
        outcomes.set(key, {
          faults_per_sec: p.faults_per_sec,
          ops_per_sec: p.ops_per_sec,
          faults: p.faults,
          spf_attempt: p.spf_attempt,
          spf_abort: p.spf_abort,
        });
      } catch (err) {
        if (spec.signal?.aborted === true) throw err;
        outcomes.set(key, err instanceof Error ? err : new Error(String(err)));
      }
      phase?.tick(`${task.workload} ${task.strategy} ${task.index} ${task.cpus} CPUs`);
    }),
  );
  phase?.done();
  // The comparison asks for exactly the runs planned above; a run that failed is rethrown so the
  // comparison records it as `run failed: <why>` on the rows that needed it.
  return comparePublished((config) => {
    const o = outcomes.get(keyOf(config));
    if (o === undefined) throw new Error('run was not planned');
    if (o instanceof Error) throw o;
    return o;
  }, compareOptions(spec));
}
