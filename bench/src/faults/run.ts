/**
 * runFaultBenchmarks(): how fast the fault core resolves faults on one CPU — each capture's faults
 * replayed through runFault for every strategy × index pairing (unsafe pairings skipped with the
 * reason), plus a synthetic page_fault1 — next to the real kernel's anonymous page-fault rate
 * measured in the same run (kernel-rate.ts), and their ratio.
 *
 * A tinybench sample is one whole replay of the workload from a fresh address space (built in
 * `beforeEach`, not timed); only the fault segments are timed (the system calls between them are
 * applied outside the timer, with `overriddenDuration`), so a sample is the time of all its faults.
 * Before timing, every pairing's replay, on the timed path, must end exactly as an un-timed reference
 * replay (verify.ts): a benchmark of a wrong model is worthless.
 */
import { loadavg } from 'node:os';
import type { IndexPlugin } from '@vmakit/core';
import { checkPairing, type StrategyPlugin } from '@vmakit/x86-fault';
import { Bench, type Statistics } from 'tinybench';
import { type BenchEnvironment, benchEnvironment } from '../environment.js';
import { type KernelFaultRate, type KernelFaultRateOptions, measureKernelFaultRate } from './kernel-rate.js';
import { replayOnce } from './timed-replay.js';
import { type FaultEndState, referenceEndState, verifyPairing } from './verify.js';
import {
  defaultCaptureDirs,
  type FaultWorkload,
  loadCaptureWorkload,
  PAGE_FAULT1,
  pageFault1Workload,
  resolveCaptureDir,
  type WorkloadState,
} from './workloads.js';

/** Options of runFaultBenchmarks(). */
export interface FaultBenchOptions {
  readonly strategies: readonly StrategyPlugin<object>[];
  readonly indexes: readonly IndexPlugin[];
  /**
   * Workloads: capture folder paths, names of folders among the default captures
   * (../shared/traces and fixtures/captures), or `synthetic:page_fault1`. Default: all of them.
   */
  readonly captures?: readonly string[];
  /** Short budgets (CI): 40 ms per task, 2 samples minimum, a 16 MiB page_fault1, a 0.3 s kernel run. */
  readonly quick?: boolean;
  /** Time budget per task in ms (default 500; quick 40). */
  readonly time?: number;
  /** Warm-up budget per task in ms (default 100; quick 0). */
  readonly warmupTime?: number;
  /** MiB page_fault1 maps (default 128 as will-it-scale; quick 16). */
  readonly pageFault1Megabytes?: number;
  /**
   * Measure the kernel's rate (default true), before and after the simulated runs (on a shared
   * machine the load changes during a run); options for it.
   */
  readonly kernel?: boolean | KernelFaultRateOptions;
  /** Keep per-fault timings of the samples in the rows: true (up to 1,000 per row) or a cap. Default false. */
  readonly retainSamples?: boolean | number;
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Stops the run; what finished is returned with `aborted: true`. */
  readonly signal?: AbortSignal;
}

/** One timed workload × strategy × index. Times are per fault, in nanoseconds. */
export interface FaultBenchRow {
  readonly capture: string;
  readonly kind: 'capture' | 'synthetic';
  readonly strategy: string;
  readonly index: string;
  /** Faults per sample (the workload's faults). */
  readonly faults: number;
  /** Median over samples of (sample time / faults). */
  readonly ns_per_fault_p50: number;
  /** 99th percentile of the same. */
  readonly ns_p99: number;
  readonly ns_mean: number;
  /** Relative margin of error of the mean sample, percent. */
  readonly rme: number;
  /**
   * Faults over time across all samples (faults × 1000 / mean sample ms): pooled like the kernel's
   * figure, so the ratio compares like with like (the mean of per-sample rates would flatter it).
   */
  readonly faults_per_sec: number;
  /** 1e9 / ns_per_fault_p50: the median sample's rate (less sensitive to a busy machine). */
  readonly faults_per_sec_p50: number;
  readonly samples: number;
  /** faults_per_sec ÷ the kernel's faults/s; null when the kernel was not measured. */
  readonly ratio_vs_kernel: number | null;
  /** The fastest sample's rate (faults × 1000 / minimum sample ms). */
  readonly faults_per_sec_best: number;
  /** faults_per_sec_best ÷ the kernel's fastest round (best against best); null without the kernel. */
  readonly ratio_best_vs_kernel_best: number | null;
  /** Per-fault ns of retained samples (sorted, evenly thinned to the cap), with `retainSamples`. */
  readonly samples_ns?: number[];
}

/** A pairing not run. */
export interface FaultBenchSkip {
  readonly capture: string;
  readonly strategy: string;
  readonly index: string;
  readonly reason: string;
}

/** The goal: the simulator resolves faults at least as fast as the kernel. */
export interface FaultRateTarget {
  readonly target: string;
  readonly strategy: string;
  readonly index: string;
  /** Simulated page_fault1 faults/s ÷ kernel faults/s (pooled rates: the headline). */
  readonly value: number;
  readonly met: boolean;
  /** The same with the fastest sample and the kernel's fastest round. */
  readonly value_best: number;
  readonly met_best: boolean;
}

/** What runFaultBenchmarks() returns (the JSON of `vmakit bench faults`). */
export interface FaultBenchReport {
  readonly schema: 'vmakit-bench-faults/1';
  readonly results: FaultBenchRow[];
  readonly skipped: FaultBenchSkip[];
  /**
   * The kernel's rate (both measurements pooled: faults summed over seconds summed), why it was not
   * measured, or null when not asked. Every ratio divides by its faults_per_sec.
   */
  readonly kernel: KernelFaultRate | null;
  /** Each kernel measurement: before the simulated runs, then after them (unless aborted). */
  readonly kernel_runs: KernelFaultRate[];
  /** One per page_fault1 row, when the kernel was measured. */
  readonly targets: FaultRateTarget[];
  readonly environment: BenchEnvironment;
  readonly options: {
    readonly quick: boolean;
    readonly time: number;
    readonly warmup_time: number;
    readonly min_samples: number;
    readonly captures: readonly string[];
    readonly strategies: readonly string[];
    readonly indexes: readonly string[];
    readonly page_fault1_megabytes: number;
  };
  readonly notes: string[];
  readonly aborted: boolean;
}

function thin(samples: ArrayLike<number>, cap: number, scale: number): number[] {
  const n = samples.length;
  const out: number[] = [];
  if (n <= cap) for (let i = 0; i < n; i++) out.push(samples[i]! * scale);
  else for (let k = 0; k < cap; k++) out.push(samples[Math.round((k * (n - 1)) / (cap - 1))]! * scale);
  return out;
}

function rowOf(
  w: FaultWorkload,
  strategy: string,
  index: string,
  latency: Statistics,
  sampleCap: number,
): FaultBenchRow {
  const scale = 1e6 / w.faults;
  const perSec = (w.faults * 1000) / latency.mean;
  const row: FaultBenchRow = {
    capture: w.name,
    kind: w.kind,
    strategy,
    index,
    faults: w.faults,
    ns_per_fault_p50: latency.p50 * scale,
    ns_p99: latency.p99 * scale,
    ns_mean: latency.mean * scale,
    rme: latency.rme,
    faults_per_sec: perSec,
    faults_per_sec_p50: 1e9 / (latency.p50 * scale),
    samples: latency.samplesCount,
    ratio_vs_kernel: null,
    faults_per_sec_best: (w.faults * 1000) / latency.min,
    ratio_best_vs_kernel_best: null,
  };
  if (sampleCap > 0 && latency.samples !== undefined)
    return { ...row, samples_ns: thin(latency.samples, Math.max(2, sampleCap), scale) };
  return row;
}

/**
 * Runs the fault-path benchmark. Throws UnknownNameError for an unknown capture name and
 * FaultBenchVerificationError when a pairing does not end as the reference replay. Never asserts on
 * timings; the report says whether the goal (simulated ≥ kernel faults/s) was met.
 */
export async function runFaultBenchmarks(options: FaultBenchOptions): Promise<FaultBenchReport> {
  const quick = options.quick === true;
  const time = options.time ?? (quick ? 40 : 500);
  const warmupTime = options.warmupTime ?? (quick ? 0 : 100);
  const minSamples = quick ? 2 : 5;
  const pf1Mib = options.pageFault1Megabytes ?? (quick ? 16 : 128);
  if (!(time > 0) || !Number.isFinite(time))
    throw new RangeError(`time must be a positive number of ms, got ${time}`);
  if (!(warmupTime >= 0) || !Number.isFinite(warmupTime))
    throw new RangeError(`warmupTime must be >= 0 ms, got ${warmupTime}`);
  if (!Number.isInteger(pf1Mib) || pf1Mib < 1 || pf1Mib > 4096)
    throw new RangeError(`pageFault1Megabytes must be an integer from 1 to 4096, got ${pf1Mib}`);
  if (options.strategies.length === 0 || options.indexes.length === 0)
    throw new RangeError('at least one strategy and one index are needed');
  for (const [what, names] of [
    ['strategy', options.strategies.map((x) => x.meta.name)],
    ['index', options.indexes.map((x) => x.meta.name)],
  ] as const) {
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new RangeError(`${what} '${dup}' is given twice`);
  }
  const sampleCap =
    options.retainSamples === true
      ? 1000
      : typeof options.retainSamples === 'number'
        ? Math.max(0, Math.floor(options.retainSamples))
        : 0;
  const signal = options.signal;
  const environment = benchEnvironment('hrtimeNow');
  const notes: string[] = [];
  const defaults = defaultCaptureDirs();
  const names = options.captures ?? [...defaults, PAGE_FAULT1];
  const resolved = names.map((n) => resolveCaptureDir(n, defaults));
  if (options.captures === undefined && defaults.length === 0) {
    notes.push('no capture folders found (../shared/traces, fixtures/captures): page_fault1 only');
  }

  const pairs: { strategy: StrategyPlugin<object>; index: IndexPlugin }[] = [];
  for (const strategy of options.strategies)
    for (const index of options.indexes) pairs.push({ strategy, index });
  const kernelWanted = options.kernel !== false;
  const total = resolved.length * pairs.length + (kernelWanted ? 2 : 0);
  let done = 0;
  const progress = (label: string) => options.onProgress?.(++done, total, label);

  const kernelRuns: KernelFaultRate[] = [];
  const measureKernel = async (when: string): Promise<void> => {
    const ko = typeof options.kernel === 'object' ? options.kernel : {};
    const k = await measureKernelFaultRate({
      ...(quick ? { seconds: 0.3, warmupSeconds: 0.05 } : {}),
      ...ko,
      ...(signal !== undefined ? { signal } : {}),
    });
    kernelRuns.push(k);
    progress(`kernel page_fault1 ${when}${k.measured ? '' : ' (skipped)'}`);
  };
  if (kernelWanted) await measureKernel('before');

  const raw: FaultBenchRow[] = [];
  const skipped: FaultBenchSkip[] = [];
  let aborted = false;
  for (const target of resolved) {
    if (signal?.aborted === true) break;
    const w = target === PAGE_FAULT1 ? pageFault1Workload(pf1Mib) : await loadCaptureWorkload(target);
    // Where every pairing must end (computed once per workload, only when a pairing is run).
    let expected: FaultEndState | null = null;
    const bench = new Bench({
      name: w.name,
      time,
      warmupTime,
      warmup: warmupTime > 0,
      iterations: minSamples,
      warmupIterations: warmupTime > 0 ? 1 : 0,
      timestampProvider: 'hrtimeNow',
      retainSamples: sampleCap > 0,
      throws: true,
      ...(signal === undefined ? {} : { signal }),
    });
    const tasks: { name: string; strategy: string; index: string }[] = [];
    for (const { strategy, index } of pairs) {
      const verdict = checkPairing(strategy.strategy, index.semantics);
      if (!verdict.safe) {
        skipped.push({
          capture: w.name,
          strategy: strategy.meta.name,
          index: index.meta.name,
          reason: verdict.reason,
        });
        progress(`${w.name} ${index.meta.name} ${strategy.meta.name} (skipped: unsafe)`);
        continue;
      }
      const s = strategy.strategy;
      expected ??= await referenceEndState(w);
      verifyPairing(w, index, s, expected);
      const name = `${strategy.meta.name} ${index.meta.name}`;
      let state: WorkloadState | null = null;
      bench.add(
        name,
        () => {
          const t = replayOnce(w, state!, s, null);
          state = null;
          return { overriddenDuration: t.faultMs, overriddenIterationCost: t.totalMs };
        },
        {
          beforeEach() {
            state = w.fresh(index);
          },
        },
      );
      tasks.push({ name, strategy: strategy.meta.name, index: index.meta.name });
    }
    bench.addEventListener('cycle', (evt) => progress(`${w.name} ${evt.task?.name ?? ''}`));
    await bench.run();
    for (const t of tasks) {
      const result = bench.getTask(t.name)?.result;
      if (result?.state === 'completed') {
        raw.push(rowOf(w, t.strategy, t.index, result.latency, sampleCap));
      }
    }
  }
  if (signal?.aborted === true) aborted = true;
  if (kernelWanted && !aborted && kernelRuns[0]?.measured === true) await measureKernel('after');
  const kernel = kernelWanted ? pooledKernelRate(kernelRuns) : null;
  if (kernel !== null && !kernel.measured) notes.push(`kernel fault rate not measured: ${kernel.reason}`);
  if (kernel?.measured && kernel.minflt < kernel.faults) {
    // Fewer faults than pages written: huge pages or pre-faulting served some writes, so the rate
    // is not one fault per page.
    notes.push(
      `the kernel counted ${kernel.minflt} minor faults for ${kernel.faults} pages written: its rate overstates faults/s`,
    );
  }
  const kernelRate = kernel?.measured ? kernel.faults_per_sec : null;
  const kernelBest = kernel?.measured ? kernel.faults_per_sec_best : null;
  const results = raw.map((r) => ({
    ...r,
    ratio_vs_kernel: kernelRate === null ? null : r.faults_per_sec / kernelRate,
    ratio_best_vs_kernel_best: kernelBest === null ? null : r.faults_per_sec_best / kernelBest,
  }));

  const targets: FaultRateTarget[] =
    kernelRate === null
      ? []
      : results
          .filter((r) => r.capture === PAGE_FAULT1)
          .map((r) => ({
            target: 'simulated page_fault1 faults/s >= the kernel anonymous faults/s (one CPU)',
            strategy: r.strategy,
            index: r.index,
            value: r.ratio_vs_kernel!,
            met: r.ratio_vs_kernel! >= 1,
            value_best: r.ratio_best_vs_kernel_best!,
            met_best: r.ratio_best_vs_kernel_best! >= 1,
          }));
  if (kernelRate !== null && !names.includes(PAGE_FAULT1)) {
    notes.push('page_fault1 not run: the goal is checked on it only (capture rows carry ratio_vs_kernel)');
  }
  environment.finished_at = new Date().toISOString();
  environment.load_average_end = loadavg()[0] ?? 0;
  return {
    schema: 'vmakit-bench-faults/1',
    results,
    skipped,
    kernel,
    kernel_runs: kernelRuns,
    targets,
    environment,
    options: {
      quick,
      time,
      warmup_time: warmupTime,
      min_samples: minSamples,
      captures: resolved.map((r) => (r === PAGE_FAULT1 ? PAGE_FAULT1 : r.split(/[\\/]/).at(-1)!)),
      strategies: options.strategies.map((s) => s.meta.name),
      indexes: options.indexes.map((i) => i.meta.name),
      page_fault1_megabytes: pf1Mib,
    },
    notes,
    aborted,
  };
}

/** The measured runs pooled (faults and seconds summed), else the first run's reason. */
function pooledKernelRate(runs: readonly KernelFaultRate[]): KernelFaultRate {
  const ok = runs.filter((r): r is Extract<KernelFaultRate, { measured: true }> => r.measured);
  if (ok.length === 0) return runs[0] ?? { measured: false, reason: 'aborted before it ran' };
  if (ok.length === 1) return ok[0]!;
  const sum = (f: (r: (typeof ok)[number]) => number): number => ok.reduce((a, r) => a + f(r), 0);
  const faults = sum((r) => r.faults);
  const faultSeconds = sum((r) => r.fault_seconds);
  const totalSeconds = sum((r) => r.total_seconds);
  return {
    measured: true,
    compiler: ok[0]!.compiler,
    faults,
    minflt: sum((r) => r.minflt),
    iterations: sum((r) => r.iterations),
    page_size: ok[0]!.page_size,
    fault_seconds: faultSeconds,
    total_seconds: totalSeconds,
    faults_per_sec: faults / faultSeconds,
    faults_per_sec_with_munmap: faults / totalSeconds,
    faults_per_sec_best: Math.max(...ok.map((r) => r.faults_per_sec_best)),
    no_huge_pages: ok.every((r) => r.no_huge_pages),
  };
}
