/**
 * The simulation matrix of one workload: strategies × indexes × CPU counts, enumerated in that
 * fixed order (as sim's runSweep does), so that a shard — the entries whose position modulo the
 * shard count is the shard's index — is the same on every machine and the shards cover the matrix
 * exactly once. Entries that cannot run are skipped with their reason, never run silently: an
 * unsafe strategy × index pairing (checkPairing), a mutant that does not apply to the strategy,
 * a CPU count the workload refuses.
 */
import type { IndexPlugin } from '@vmakit/core';
import { type MutantInfo, pairingOf, type WorkloadPlugin } from '@vmakit/sim';
import type { StrategyPlugin } from '@vmakit/x86-fault';
import { compareWindowOf } from '../compare/windows.js';
import { inShard, type Shard } from '../options.js';
import type { SimTask } from './tasks.js';

/** An entry of the matrix that is not run, and why. */
export interface SkippedEntry {
  readonly workload: string;
  readonly strategy: string;
  readonly index: string;
  readonly cpus: number;
  readonly reason: string;
}

/** What the matrix of one workload needs. */
export interface SimMatrixSpec {
  /** Name the task resolves the workload by (a registered name or `trace:<dir>`). */
  readonly workloadName: string;
  readonly workload: WorkloadPlugin;
  readonly params: Readonly<Record<string, number>>;
  readonly cpus: readonly number[];
  readonly strategies: readonly StrategyPlugin<object>[];
  readonly indexes: readonly IndexPlugin[];
  readonly profile: string;
  readonly seed: number;
  readonly durationNs?: number;
  readonly warmupNs?: number;
  readonly mutant?: MutantInfo | null;
  readonly shard?: Shard | null;
}

/** Why `workload` cannot run on `cpus` threads with `params`, or null when it can. */
export function workloadRefusal(
  workload: WorkloadPlugin,
  cpus: number,
  seed: number,
  params: Readonly<Record<string, number>>,
): string | null {
  try {
    workload.create({ threads: cpus, seed, params });
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The tasks of the matrix (this shard's), in matrix order, and the entries skipped. O(entries). */
export function planSimMatrix(spec: SimMatrixSpec): { tasks: SimTask[]; skipped: SkippedEntry[] } {
  const tasks: SimTask[] = [];
  const skipped: SkippedEntry[] = [];
  const refusal = new Map<number, string | null>();
  for (const c of spec.cpus) refusal.set(c, workloadRefusal(spec.workload, c, spec.seed, spec.params));
  const mutant = spec.mutant ?? null;
  let pos = 0;
  for (const s of spec.strategies) {
    for (const i of spec.indexes) {
      for (const c of spec.cpus) {
        if (!inShard(pos++, spec.shard ?? null)) continue;
        const base = { workload: spec.workloadName, strategy: s.meta.name, index: i.meta.name, cpus: c };
        let reason: string | null = refusal.get(c) ?? null;
        if (reason === null && mutant !== null && !mutant.appliesTo.includes(s.meta.name))
          reason = `mutant ${mutant.name} applies to ${mutant.appliesTo.join(', ')} only`;
        if (reason === null && mutant === null) {
          const verdict = pairingOf(s.strategy, i, false);
          if (!verdict.safe) reason = `unsafe pairing: ${verdict.reason}`;
        }
        if (reason !== null) {
          skipped.push({ ...base, reason });
          continue;
        }
        tasks.push({
          kind: 'sim',
          workload: spec.workloadName,
          params: spec.params,
          cpus: c,
          strategy: s.meta.name,
          index: i.meta.name,
          profile: spec.profile,
          seed: spec.seed,
          ...windowOf(spec, c),
          ...(mutant !== null ? { mutant: mutant.name } : {}),
        });
      }
    }
  }
  return { tasks, skipped };
}

/**
 * The window of one point: what the user asked for, else the syscall-bound tests' CPU-scaled
 * window (the one `compare` uses, see compare/windows.ts), else the engine's defaults.
 */
function windowOf(spec: SimMatrixSpec, cpus: number): { durationNs?: number; warmupNs?: number } {
  const policy = compareWindowOf(spec.workloadName, cpus);
  const durationNs = spec.durationNs ?? policy?.durationNs;
  const warmupNs = spec.warmupNs ?? policy?.warmupNs;
  return {
    ...(durationNs !== undefined ? { durationNs } : {}),
    ...(warmupNs !== undefined ? { warmupNs } : {}),
  };
}

/**
 * The default CPU counts for a machine of `sockets` × `coresPerSocket` × `threadsPerCore`: one CPU,
 * part of a socket (a power of two, at most half its cores), one socket's cores, every core, every
 * hardware thread (hwloc numbering fills socket 0's cores first, then socket 1's, then the SMT
 * siblings, so each count is a distinct machine shape). skylake-2s: 1, 8, 28, 56, 112.
 */
export function defaultCpuList(t: {
  readonly sockets: number;
  readonly coresPerSocket: number;
  readonly threadsPerCore: number;
}): number[] {
  const half = Math.max(1, Math.floor(t.coresPerSocket / 2));
  const part = 2 ** Math.floor(Math.log2(half));
  const list = [
    1,
    part,
    t.coresPerSocket,
    t.sockets * t.coresPerSocket,
    t.sockets * t.coresPerSocket * t.threadsPerCore,
  ];
  return [...new Set(list)].sort((a, b) => a - b);
}
