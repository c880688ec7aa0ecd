/**
 * Plugs a simulator engine into comparePublished(): turns a SimRunConfig (names) into the engine's
 * options (plug-ins) and its result into SimRunMetrics. Everything the engine needs is passed in —
 * its run function and the name resolvers for workloads, strategies and indexes (the index plug-ins
 * live in packages sim does not depend on) — so this module imports no engine code.
 */
import type { SimRunConfig, SimRunMetrics, SimRunner } from './compare.js';

/** What the adapter needs from the engine and the registries. */
export interface EngineDeps<W, S, I> {
  /** The engine: one run, synchronous or not. */
  readonly runSim: (options: {
    readonly workload: W;
    readonly params: Readonly<Record<string, number>>;
    readonly cpus: number;
    readonly strategy: S;
    readonly index: I;
    readonly profile: string;
    readonly seed: number;
    readonly durationNs?: number;
    readonly warmupNs?: number;
  }) => SimRunMetrics | Promise<SimRunMetrics>;
  /** Workload by name (`trace:<dir>` included; may load a capture). */
  readonly workload: (name: string) => W | Promise<W>;
  readonly strategy: (name: string) => S;
  readonly index: (name: string) => I;
  /** Extra engine options for every run (durations, checker off...). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * A SimRunner over an engine. Workloads are resolved once per name. The run's thread count is its CPU
 * count (the engine runs one workload thread per CPU); a config whose threads differ is refused.
 */
export function engineRunner<W, S, I>(deps: EngineDeps<W, S, I>): SimRunner {
  const workloads = new Map<string, Promise<W>>();
  return async (c: SimRunConfig) => {
    if (c.threads !== c.cpus) {
      throw new Error(
        `engineRunner: the engine runs one thread per CPU; got ${c.threads} threads on ${c.cpus} CPUs`,
      );
    }
    let w = workloads.get(c.workload);
    if (w === undefined) {
      w = Promise.resolve(deps.workload(c.workload));
      workloads.set(c.workload, w);
    }
    const r = await deps.runSim({
      ...(deps.extra ?? {}),
      workload: await w,
      params: c.params,
      cpus: c.cpus,
      strategy: deps.strategy(c.strategy),
      index: deps.index(c.index),
      profile: c.profile,
      seed: c.seed,
      ...(c.durationNs !== undefined ? { durationNs: c.durationNs } : {}),
      ...(c.warmupNs !== undefined ? { warmupNs: c.warmupNs } : {}),
    });
    return {
      faults_per_sec: r.faults_per_sec,
      ops_per_sec: r.ops_per_sec,
      ...(r.faults !== undefined ? { faults: r.faults } : {}),
      ...(r.spf_attempt !== undefined ? { spf_attempt: r.spf_attempt } : {}),
      ...(r.spf_abort !== undefined ? { spf_abort: r.spf_abort } : {}),
    };
  };
}
