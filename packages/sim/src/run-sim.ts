/**
 * The simulator's entry point: validate a run's options, build the engine, run it, and report one
 * SimPoint — a flat, JSON-ready record whose every field is a deterministic function of the options
 * (no wall-clock values: the same options and seed give byte-identical JSON).
 */
import { type IndexPlugin, VmakitError } from '@vmakit/core';
import {
  checkPairing,
  type FaultStrategy,
  type PairingVerdict,
  type StrategyPlugin,
  UnsafePairingError,
} from '@vmakit/x86-fault';
import { LOCK_KIND_NAMES } from './actions.js';
import { VIOLATION_RULES, type Violation } from './checker.js';
import { Engine } from './engine.js';
import { applyMutant, mutantByName } from './mutants.js';
import { compileProfile, MAX_CPUS, type MachineProfile } from './profile.js';
import { DEFAULT_PROFILE, profileByName } from './profiles/registry.js';
import type { WorkloadPlacement, WorkloadPlugin } from './workload.js';

/**
 * Default measured window (simulated ns). Long enough for every thread to fault a few hundred
 * pages on the server profile and for the standard workloads' periodic system calls to occur many
 * times across the machine; short enough that a 4 x 4 x {1..128} sweep of page_fault1 stays under a
 * minute on two cores (README: run lengths).
 */
export const DEFAULT_DURATION_NS = 200_000;
/**
 * Default warm-up before the window (simulated ns) for `cpus` CPUs: 50 us plus 5 us per CPU. All
 * threads start together and most workloads begin with a system call (page_fault1's mmap), so the
 * start is a convoy on the mmap_lock that takes a few microseconds per thread to drain.
 */
export function defaultWarmupNs(cpus: number): number {
  return 50_000 + 5_000 * cpus;
}
/** Default safety valve on executed steps. */
export const DEFAULT_MAX_STEPS = 200_000_000;

/** Options of one simulation. */
export interface RunSimOptions {
  readonly workload: WorkloadPlugin;
  /** Workload parameters (the plug-in rejects unknown keys). */
  readonly params?: Readonly<Record<string, number>>;
  /** Simulated CPUs, one workload thread each: an integer from 1 to 1024. */
  readonly cpus: number;
  readonly strategy: StrategyPlugin<object> | FaultStrategy;
  readonly index: IndexPlugin;
  /** Machine profile or its name (default `skylake-2s`). */
  readonly profile?: string | MachineProfile;
  /** Seed of the workload streams and the scheduler's start offsets (default 1). */
  readonly seed?: number;
  /** A mutant name (see MUTANTS); the run is flagged as an unsafe pairing. */
  readonly mutant?: string;
  /** Measured window in simulated ns (default DEFAULT_DURATION_NS). */
  readonly durationNs?: number;
  /** Warm-up before the window in simulated ns (default defaultWarmupNs(cpus)). */
  readonly warmupNs?: number;
  /** Stop once this many workload operations ran in the window (default: no limit). */
  readonly maxOps?: number;
  /** Run the protocol-safety checker (default true). */
  readonly checker?: boolean;
  /** Run a strategy x index pairing checkPairing() calls unsafe, flagged (default false: refuse). */
  readonly allowUnsafe?: boolean;
  /** Abort a run that executes more steps than this (default DEFAULT_MAX_STEPS). */
  readonly maxSteps?: number;
  /**
   * Report `timeline`: faults completed per bucket of this many simulated ns, from the threads'
   * start (warm-up included) — to check that a window is in steady state. Default: none.
   */
  readonly timelineNs?: number;
}

/** One simulated point. Rates are per simulated second; times are in simulated ns unless named _ps. */
export interface SimPoint {
  readonly workload: string;
  readonly params: Readonly<Record<string, number>>;
  readonly cpus: number;
  readonly strategy: string;
  readonly index: string;
  readonly profile: string;
  readonly seed: number;
  readonly mutant: string | null;
  /** Why the pairing is unsafe when it ran flagged, else null. */
  readonly unsafe_pairing: string | null;
  /** More CPUs than the profile's hardware threads. */
  readonly oversubscribed: boolean;
  /** How the threads were placed on the machine (the workload's `placement`). */
  readonly placement: WorkloadPlacement;
  readonly warmup_ns: number;
  readonly duration_ns: number;
  /** Length of the measured window actually simulated. */
  readonly simulated_ns: number;
  readonly stopped_by: 'duration' | 'max-ops' | 'threads-exited';
  /** Actions executed (setup included) — the simulator's own work. */
  readonly steps: number;
  readonly setup_steps: number;
  readonly faults: number;
  readonly faults_per_sec: number;
  /** The benchmark's own iterations (will-it-scale's counter). */
  readonly ops: number;
  readonly ops_per_sec: number;
  readonly workload_ops: number;
  readonly syscalls: number;
  readonly syscalls_per_sec: number;
  readonly faults_by_path: Readonly<Record<string, number>>;
  readonly faults_by_outcome: Readonly<Record<string, number>>;
  readonly spf_attempt: number;
  readonly spf_abort: number;
  /** Fast-path aborts by reason (SPF_ABORT_* and vma_lock_* names). */
  readonly abort_reasons: Readonly<Record<string, number>>;
  readonly vma_lock: {
    readonly success: number;
    readonly abort: number;
    readonly retry: number;
    readonly miss: number;
  };
  /** VMA lookups: under a lock, and lockless ones by what the index let them see. */
  readonly lookups: {
    readonly locked: number;
    readonly clean: number;
    readonly restarted: number;
    readonly missed: number;
  };
  /** Time CPUs spent waiting for the mmap_lock / (CPUs x window). */
  readonly mmap_lock_wait_fraction: number;
  /** The same for every lock kind. */
  readonly lock_wait_fraction: Readonly<Record<string, number>>;
  /** Busy time by category over all CPUs, in integer picoseconds (the cost model's units). */
  readonly cost_units: {
    readonly unit: 'ps';
    readonly total: number;
    readonly by_category: Readonly<Record<string, number>>;
  };
  readonly cache: Readonly<Record<string, number>>;
  readonly rcu: {
    readonly grace_periods: number;
    readonly deferred_frees: number;
    readonly freed: number;
    readonly pending: number;
  };
  readonly tlb_shootdowns: number;
  readonly violations: number;
  readonly violations_by_rule: Readonly<Record<string, number>>;
  readonly violation_samples: readonly Violation[];
  readonly checker: boolean;
  readonly engine: {
    readonly conflicts: number;
    readonly placement_mispredictions: number;
    readonly access_retry_limit: number;
    readonly cache_lines: number;
  };
  /** Non-zero vmstat deltas of the window. */
  readonly vmstat: Readonly<Record<string, number>>;
  /** Faults per `timeline_ns` bucket from the threads' start (only with the timelineNs option). */
  readonly timeline?: readonly number[];
  readonly timeline_ns?: number;
}

function isPlugin(s: StrategyPlugin<object> | FaultStrategy): s is StrategyPlugin<object> {
  return (
    typeof (s as StrategyPlugin<object>).meta === 'object' &&
    (s as StrategyPlugin<object>).strategy !== undefined
  );
}

/** Resolve a strategy argument to a FaultStrategy. */
export function strategyOf(s: StrategyPlugin<object> | FaultStrategy): FaultStrategy {
  if (s === null || typeof s !== 'object')
    throw new VmakitError('runSim: strategy must be a strategy plug-in or a FaultStrategy');
  if (isPlugin(s)) return s.strategy;
  if (typeof s.fault !== 'function' || typeof s.name !== 'string') {
    throw new VmakitError('runSim: strategy must be a strategy plug-in or a FaultStrategy');
  }
  return s;
}

/** Resolve a profile argument. */
export function resolveProfile(p: string | MachineProfile | undefined): MachineProfile {
  if (p === undefined) return profileByName(DEFAULT_PROFILE);
  if (typeof p === 'string') return profileByName(p);
  if (p === null || typeof p !== 'object')
    throw new VmakitError('runSim: profile must be a name or a MachineProfile');
  return p;
}

/** Check a CPU count; throws VmakitError saying what is allowed. */
export function checkCpus(cpus: unknown): number {
  if (typeof cpus !== 'number' || !Number.isInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) {
    throw new VmakitError(`cpus must be an integer from 1 to ${MAX_CPUS}, got ${String(cpus)}`);
  }
  return cpus;
}

function positive(name: string, v: number | undefined, dflt: number, allowZero = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new VmakitError(
      `runSim: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${String(v)}`,
    );
  }
  return v;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The pairing verdict of a run (mutants are always unsafe). */
export function pairingOf(
  strategy: FaultStrategy,
  index: IndexPlugin,
  freeWithoutRcu: boolean,
): PairingVerdict {
  return checkPairing(strategy, index.semantics, { rcuFreedVmas: !freeWithoutRcu });
}

/**
 * Run one simulation. Throws VmakitError (or UnknownNameError) for bad options, UnsafePairingError
 * for an unsafe strategy x index pairing unless `allowUnsafe` (or a mutant) is given, and
 * VmakitError when a strategy breaks the lock protocol or the workload misbehaves.
 * Cost: proportional to the simulated steps (reported as `steps`).
 */
export function runSim(o: RunSimOptions): SimPoint {
  if (o === null || typeof o !== 'object') throw new VmakitError('runSim: options object required');
  const cpus = checkCpus(o.cpus);
  const w = o.workload;
  if (
    w === null ||
    typeof w !== 'object' ||
    typeof w.create !== 'function' ||
    typeof w.meta?.name !== 'string'
  ) {
    throw new VmakitError('runSim: workload must be a workload plug-in');
  }
  const ix = o.index;
  if (
    ix === null ||
    typeof ix !== 'object' ||
    typeof ix.create !== 'function' ||
    typeof ix.meta?.name !== 'string'
  ) {
    throw new VmakitError('runSim: index must be an index plug-in');
  }
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed))
    throw new VmakitError(`runSim: seed must be a safe integer, got ${String(seed)}`);
  const durationNs = positive('durationNs', o.durationNs, DEFAULT_DURATION_NS);
  const warmupNs = positive('warmupNs', o.warmupNs, defaultWarmupNs(cpus), true);
  let maxOps = Number.POSITIVE_INFINITY;
  if (o.maxOps !== undefined) {
    if (!Number.isSafeInteger(o.maxOps) || o.maxOps < 1) {
      throw new VmakitError(`runSim: maxOps must be a positive integer, got ${String(o.maxOps)}`);
    }
    maxOps = o.maxOps;
  }
  const maxSteps = o.maxSteps ?? DEFAULT_MAX_STEPS;

  const profile = resolveProfile(o.profile);
  let strategy = strategyOf(o.strategy);
  let freeWithoutRcu = false;
  const mutant = o.mutant === undefined ? null : mutantByName(o.mutant);
  if (mutant !== null) {
    const applied = applyMutant(mutant, strategy);
    strategy = applied.strategy;
    freeWithoutRcu = applied.freeWithoutRcu;
  }
  const verdict = pairingOf(strategy, ix, freeWithoutRcu);
  const flagged = !verdict.safe || freeWithoutRcu;
  if (!verdict.safe && mutant === null && o.allowUnsafe !== true) throw new UnsafePairingError(verdict);
  const params = o.params ?? {};
  const workload = w.create({ threads: cpus, seed, params });
  const pcpStart: unknown = workload.pcpStart;
  if (pcpStart !== undefined && pcpStart !== 'high' && pcpStart !== 'refill-cycle') {
    throw new VmakitError(
      `workload ${w.meta.name}: pcpStart must be 'high' or 'refill-cycle', got ${JSON.stringify(pcpStart)}`,
    );
  }
  const compiled = compileProfile(profile, cpus, workload.placement ?? 'pinned-fill');
  const engine = new Engine({
    workload,
    strategy,
    createIndex: () => ix.create(),
    profile: compiled,
    seed,
    warmupPs: Math.round(warmupNs * 1000),
    durationPs: Math.round(durationNs * 1000),
    maxOps,
    checker: o.checker ?? true,
    freeWithoutRcu,
    maxSteps,
    timelinePs: o.timelineNs === undefined ? 0 : Math.round(positive('timelineNs', o.timelineNs, 0) * 1000),
  });
  const r = engine.run();
  const seconds = r.windowPs / 1e12;
  const rate = (n: number) => (seconds > 0 ? round3(n / seconds) : 0);
  const cpuPs = cpus * r.windowPs;
  const frac = (ps: number) => (cpuPs > 0 ? Math.round((ps / cpuPs) * 1e6) / 1e6 : 0);
  const lockWait: Record<string, number> = {};
  for (const n of LOCK_KIND_NAMES) lockWait[n] = frac(r.lockWaitPs[n]!);
  let total = 0;
  for (const v of Object.values(r.costPs)) total += v;
  const chk = r.checker;
  const byRule: Record<string, number> = {};
  for (const rule of VIOLATION_RULES) byRule[rule] = chk?.counts[rule] ?? 0;
  const vm = r.vmstat;
  return {
    workload: w.meta.name,
    params: { ...params },
    cpus,
    strategy: strategy.name,
    index: ix.meta.name,
    profile: profile.name,
    seed,
    mutant: mutant?.name ?? null,
    unsafe_pairing: flagged ? verdict.reason : null,
    oversubscribed: compiled.oversubscribed,
    placement: compiled.placement,
    warmup_ns: warmupNs,
    duration_ns: durationNs,
    simulated_ns: r.windowPs / 1000,
    stopped_by: r.stoppedBy,
    steps: r.steps,
    setup_steps: r.setupSteps,
    faults: r.faults,
    faults_per_sec: rate(r.faults),
    ops: r.iterations,
    ops_per_sec: rate(r.iterations),
    workload_ops: r.workloadOps,
    syscalls: r.syscalls,
    syscalls_per_sec: rate(r.syscalls),
    faults_by_path: r.faultsByPath,
    faults_by_outcome: r.faultsByOutcome,
    spf_attempt: vm.spf_attempt ?? 0,
    spf_abort: vm.spf_abort ?? 0,
    abort_reasons: r.aborts,
    vma_lock: {
      success: vm.vma_lock_success ?? 0,
      abort: vm.vma_lock_abort ?? 0,
      retry: vm.vma_lock_retry ?? 0,
      miss: vm.vma_lock_miss ?? 0,
    },
    lookups: r.lookups,
    mmap_lock_wait_fraction: lockWait.mmap_lock!,
    lock_wait_fraction: lockWait,
    cost_units: { unit: 'ps', total, by_category: r.costPs },
    cache: r.cache,
    rcu: {
      grace_periods: r.rcu.gracePeriods,
      deferred_frees: r.rcu.deferred,
      freed: r.rcu.freed,
      pending: r.rcu.pending,
    },
    tlb_shootdowns: r.tlbShootdowns,
    violations: chk?.total ?? 0,
    violations_by_rule: byRule,
    violation_samples: chk?.samples ?? [],
    checker: chk !== null,
    engine: {
      conflicts: r.engineConflicts,
      placement_mispredictions: r.placementMispredictions,
      access_retry_limit: r.accessRetryLimit,
      cache_lines: r.cacheLines,
    },
    vmstat: r.vmstat,
    ...(o.timelineNs === undefined ? {} : { timeline: r.timeline, timeline_ns: o.timelineNs }),
  };
}
