/**
 * The units of work the CLI hands to worker threads (or runs in its own thread): one simulated
 * point, one replay, one benchmark call. A task holds names only — plug-ins cannot cross a thread
 * boundary — and is resolved against the registry of whoever runs it. Every task is a pure
 * function of its fields except the benchmarks, whose timings are wall-clock by nature.
 */
import { setMaxListeners } from 'node:events';
import { type IndexBenchReport, runIndexBenchmarks } from '@vmakit/bench/cli';
import {
  indexByName,
  indexesByNames,
  profileByName,
  type Registry,
  strategyByName,
  workloadByName,
} from '@vmakit/registry';
import { coreFaultHandler, type ReplayReport, replayCapture } from '@vmakit/replay';
import { resolveWorkload, runSim, type SimPoint, TRACE_PREFIX, type WorkloadPlugin } from '@vmakit/sim';

/** One simulated point (runSim). `workload` may be `trace:<capture dir>`. */
export interface SimTask {
  readonly kind: 'sim';
  readonly workload: string;
  readonly params: Readonly<Record<string, number>>;
  readonly cpus: number;
  readonly strategy: string;
  readonly index: string;
  readonly profile: string;
  readonly seed: number;
  readonly durationNs?: number;
  readonly warmupNs?: number;
  readonly mutant?: string;
}

/** One replay of a capture directory on one index, faults resolved by `strategy` (or counted). */
export interface ReplayTask {
  readonly kind: 'replay';
  readonly dir: string;
  readonly index: string;
  readonly strategy: string | null;
  readonly maxDetails?: number;
}

/** Index benchmarks of some layouts and operations (memory measured only when `memory`). */
export interface BenchTask {
  readonly kind: 'bench';
  readonly indexes: readonly string[];
  readonly layouts: readonly string[];
  readonly ops: readonly string[];
  readonly quick: boolean;
  readonly seed: number;
  readonly time?: number;
  readonly tracesDir: string | null;
  readonly retainSamples: number;
  readonly memory: boolean;
  readonly memoryVmas?: number;
  /** Sizes of the synthetic layouts (default: the runner's). */
  readonly syntheticSizes?: readonly number[];
}

/** Any task. */
export type Task = SimTask | ReplayTask | BenchTask;

/** What each task kind returns. */
export type TaskResult<T extends Task> = T extends SimTask
  ? SimPoint
  : T extends ReplayTask
    ? ReplayReport
    : IndexBenchReport;

/** A task runner bound to one registry (one per thread). */
export interface TaskExecutor {
  run<T extends Task>(task: T, signal?: AbortSignal): Promise<TaskResult<T>>;
}

/** Resolves workloads once per name: captured traces are read from disk on first use. */
function workloadResolver(registry: Registry): (name: string) => Promise<WorkloadPlugin> {
  const cache = new Map<string, Promise<WorkloadPlugin>>();
  return (name) => {
    let w = cache.get(name);
    if (w === undefined) {
      w = name.startsWith(TRACE_PREFIX)
        ? resolveWorkload(name)
        : Promise.resolve(workloadByName(registry, name));
      cache.set(name, w);
    }
    return w;
  };
}

/** An executor over `registry`. */
export function taskExecutor(registry: Registry): TaskExecutor {
  const workload = workloadResolver(registry);
  const run = async (task: Task, signal?: AbortSignal): Promise<unknown> => {
    switch (task.kind) {
      case 'sim': {
        const w = await workload(task.workload);
        return runSim({
          workload: w,
          params: task.params,
          cpus: task.cpus,
          strategy: strategyByName(registry, task.strategy),
          index: indexByName(registry, task.index),
          profile: profileByName(registry, task.profile).profile,
          seed: task.seed,
          ...(task.durationNs !== undefined ? { durationNs: task.durationNs } : {}),
          ...(task.warmupNs !== undefined ? { warmupNs: task.warmupNs } : {}),
          ...(task.mutant !== undefined ? { mutant: task.mutant } : {}),
        });
      }
      case 'replay': {
        const index = indexByName(registry, task.index);
        const faults =
          task.strategy === null
            ? undefined
            : coreFaultHandler({ strategy: strategyByName(registry, task.strategy) });
        return replayCapture(task.dir, {
          index,
          ...(faults !== undefined ? { faults } : {}),
          ...(task.maxDetails !== undefined ? { maxDetails: task.maxDetails } : {}),
        });
      }
      case 'bench':
        // The runner listens on the signal once per timed task.
        if (signal !== undefined) setMaxListeners(0, signal);
        return runIndexBenchmarks({
          indexes: indexesByNames(registry, task.indexes.join(',')),
          layouts: task.layouts,
          ops: task.ops,
          quick: task.quick,
          seed: task.seed,
          tracesDir: task.tracesDir,
          retainSamples: task.retainSamples,
          memory: task.memory,
          ...(task.time !== undefined ? { time: task.time } : {}),
          ...(task.memoryVmas !== undefined ? { memoryVmas: task.memoryVmas } : {}),
          ...(task.syntheticSizes !== undefined ? { syntheticSizes: task.syntheticSizes } : {}),
          ...(signal !== undefined ? { signal } : {}),
        });
    }
  };
  return { run: run as TaskExecutor['run'] };
}
