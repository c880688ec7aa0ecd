/**
 * Sweeps: one workload over a matrix of strategies x indexes x CPU counts. The matrix is enumerated in
 * a fixed order (strategy, then index, then CPU count, as given), so a shard {index, count} — the
 * points whose position modulo `count` equals `index` — is the same on every machine, and the shards
 * of a matrix together cover it exactly once. Unsafe strategy x index pairings (x86-fault's
 * checkPairing) are skipped with the reason, or run and flagged when `unsafe: 'flag'`.
 */
import { type IndexPlugin, VmakitError } from '@vmakit/core';
import type { FaultStrategy, StrategyPlugin } from '@vmakit/x86-fault';
import { applyMutant, mutantByName } from './mutants.js';
import type { MachineProfile } from './profile.js';
import { checkCpus, pairingOf, runSim, type SimPoint, strategyOf } from './run-sim.js';
import type { WorkloadPlugin } from './workload.js';

/** A matrix entry that was not run. */
export interface SkippedPoint {
  readonly strategy: string;
  readonly index: string;
  readonly cpus: number;
  readonly reason: string;
}

/** Progress of a sweep. */
export interface SweepProgress {
  /** Entries of this shard done (run or skipped). */
  readonly done: number;
  /** Entries of this shard. */
  readonly total: number;
  /** The point just run, or null when the entry was skipped. */
  readonly point: SimPoint | null;
  readonly skipped: SkippedPoint | null;
}

/** Options of a sweep. */
export interface SweepOptions {
  readonly workload: WorkloadPlugin;
  readonly params?: Readonly<Record<string, number>>;
  readonly cpus: readonly number[];
  readonly strategies: readonly (StrategyPlugin<object> | FaultStrategy)[];
  readonly indexes: readonly IndexPlugin[];
  readonly profile?: string | MachineProfile;
  readonly seed?: number;
  readonly mutant?: string;
  readonly durationNs?: number;
  /** Warm-up in ns for every point (default: runSim's CPU-dependent default). */
  readonly warmupNs?: number;
  readonly maxOps?: number;
  readonly checker?: boolean;
  /** What to do with an unsafe pairing: skip it with its reason (default) or run it flagged. */
  readonly unsafe?: 'skip' | 'flag';
  readonly onProgress?: (p: SweepProgress) => void;
  /** Run only the entries at positions p with p % count === index. */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** What a sweep produced. */
export interface SweepResult {
  readonly points: readonly SimPoint[];
  readonly skipped: readonly SkippedPoint[];
  /** Violations over all points. */
  readonly violations: number;
  /** Simulated steps over all points. */
  readonly steps: number;
  /** Wall-clock time of the sweep (ms) — the only non-deterministic field. */
  readonly wallMs: number;
  /** Simulated steps per wall-clock second. */
  readonly stepsPerSecond: number;
}

function checkShard(shard: SweepOptions['shard']): { index: number; count: number } {
  if (shard === undefined) return { index: 0, count: 1 };
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new VmakitError(
      `runSweep: shard must be {index, count} with integers 0 <= index < count, got ${JSON.stringify(shard)}`,
    );
  }
  return { index, count };
}

/**
 * Run the matrix (or one shard of it) in its fixed order. Throws VmakitError for an empty or invalid
 * matrix before running anything. O(sum of the points' steps).
 */
export function runSweep(o: SweepOptions): SweepResult {
  if (o === null || typeof o !== 'object') throw new VmakitError('runSweep: options object required');
  if (!Array.isArray(o.cpus) || o.cpus.length === 0)
    throw new VmakitError('runSweep: cpus must be a non-empty list');
  for (const c of o.cpus) checkCpus(c);
  if (!Array.isArray(o.strategies) || o.strategies.length === 0) {
    throw new VmakitError('runSweep: strategies must be a non-empty list');
  }
  if (!Array.isArray(o.indexes) || o.indexes.length === 0) {
    throw new VmakitError('runSweep: indexes must be a non-empty list');
  }
  const unsafe = o.unsafe ?? 'skip';
  if (unsafe !== 'skip' && unsafe !== 'flag') {
    throw new VmakitError(`runSweep: unsafe must be 'skip' or 'flag', got ${String(unsafe)}`);
  }
  const shard = checkShard(o.shard);
  const strategies = o.strategies.map(strategyOf);
  const mutant = o.mutant === undefined ? null : mutantByName(o.mutant);
  const entries: { s: number; i: number; c: number }[] = [];
  let pos = 0;
  for (let s = 0; s < strategies.length; s++) {
    for (let i = 0; i < o.indexes.length; i++) {
      for (const c of o.cpus) {
        if (pos % shard.count === shard.index) entries.push({ s, i, c });
        pos++;
      }
    }
  }
  const points: SimPoint[] = [];
  const skipped: SkippedPoint[] = [];
  let violations = 0;
  let steps = 0;
  const t0 = performance.now();
  entries.forEach((e, k) => {
    const base = strategies[e.s]!;
    const index = o.indexes[e.i]!;
    if (mutant !== null && !mutant.appliesTo.includes(base.name)) {
      const sk = {
        strategy: base.name,
        index: index.meta.name,
        cpus: e.c,
        reason: `mutant ${mutant.name} applies to ${mutant.appliesTo.join(', ')} only`,
      };
      skipped.push(sk);
      o.onProgress?.({ done: k + 1, total: entries.length, point: null, skipped: sk });
      return;
    }
    const applied = mutant === null ? { strategy: base, freeWithoutRcu: false } : applyMutant(mutant, base);
    const verdict = pairingOf(applied.strategy, index, applied.freeWithoutRcu);
    if (!verdict.safe && mutant === null && unsafe === 'skip') {
      const sk = { strategy: base.name, index: index.meta.name, cpus: e.c, reason: verdict.reason };
      skipped.push(sk);
      o.onProgress?.({ done: k + 1, total: entries.length, point: null, skipped: sk });
      return;
    }
    const p = runSim({
      workload: o.workload,
      ...(o.params !== undefined ? { params: o.params } : {}),
      cpus: e.c,
      strategy: base,
      index,
      ...(o.profile !== undefined ? { profile: o.profile } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.mutant !== undefined ? { mutant: o.mutant } : {}),
      ...(o.durationNs !== undefined ? { durationNs: o.durationNs } : {}),
      ...(o.warmupNs !== undefined ? { warmupNs: o.warmupNs } : {}),
      ...(o.maxOps !== undefined ? { maxOps: o.maxOps } : {}),
      ...(o.checker !== undefined ? { checker: o.checker } : {}),
      allowUnsafe: true,
    });
    points.push(p);
    violations += p.violations;
    steps += p.steps;
    o.onProgress?.({ done: k + 1, total: entries.length, point: p, skipped: null });
  });
  const wallMs = performance.now() - t0;
  return {
    points,
    skipped,
    violations,
    steps,
    wallMs,
    stepsPerSecond: wallMs > 0 ? Math.round((steps / wallMs) * 1000) : 0,
  };
}
