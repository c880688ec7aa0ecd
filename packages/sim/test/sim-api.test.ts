/**
 * runSim / runSweep: determinism (same options and seed give byte-identical JSON), the shape of a
 * SimPoint, deterministic shards that cover the matrix, unsafe pairings never run silently, and clear
 * errors for bad options.
 */
import { UnknownNameError, VmakitError } from '@vmakit/core';
import { builtinStrategies, mmapLockPlugin, perVmaLockPlugin, spfCopyVmaPlugin } from '@vmakit/strategies';
import { UnsafePairingError } from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import { MUTANTS, runSim, runSweep } from '../src/index.js';
import { ebizzyPlugin, pageFault1Plugin } from '../src/workloads/index.js';
import { maplePlugin, privateFaulters, rbtreePlugin, referencePlugin } from './sim-helpers.js';

const SHORT = { durationNs: 40_000, warmupNs: 20_000 } as const;

describe('determinism', () => {
  it('the same options and seed give byte-identical JSON', () => {
    for (const strategy of [spfCopyVmaPlugin, perVmaLockPlugin]) {
      const o = { workload: pageFault1Plugin, cpus: 6, strategy, index: maplePlugin, seed: 7, ...SHORT };
      const a = JSON.stringify(runSim(o));
      const b = JSON.stringify(runSim(o));
      expect(a).toBe(b);
    }
  }, 30_000);

  it('violation reports are reproducible too (no object ids in them)', () => {
    const o = {
      workload: ebizzyPlugin,
      cpus: 8,
      strategy: spfCopyVmaPlugin,
      index: maplePlugin,
      durationNs: 200_000,
      mutant: 'spf-accept-odd-seq',
    };
    const a = runSim(o);
    const b = runSim(o);
    expect(a.violations).toBeGreaterThan(0);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  }, 30_000);

  it('the seed matters (threads start at seeded offsets)', () => {
    const o = { workload: privateFaulters, cpus: 5, strategy: mmapLockPlugin, index: maplePlugin, ...SHORT };
    const a = runSim({ ...o, seed: 1 });
    const b = runSim({ ...o, seed: 2 });
    expect(a.steps).not.toBe(b.steps);
  });
});

describe('SimPoint', () => {
  it('reports rates, counters, the cost breakdown and the checker', () => {
    const p = runSim({
      workload: pageFault1Plugin,
      cpus: 4,
      strategy: perVmaLockPlugin,
      index: maplePlugin,
      ...SHORT,
    });
    expect(p).toMatchObject({ cpus: 4, strategy: 'per-vma-lock', index: 'maple', workload: 'page_fault1' });
    expect(p.profile).toBe('skylake-2s');
    expect(p.simulated_ns).toBe(40_000);
    expect(p.faults).toBeGreaterThan(0);
    expect(p.faults_per_sec).toBeCloseTo(p.faults / 40e-6, 0);
    // One iteration per page; the window's edges cut a few loops in half.
    expect(Math.abs(p.ops - p.faults)).toBeLessThanOrEqual(p.cpus);
    expect(p.vma_lock.success).toBeGreaterThan(0);
    // vmstat counts when the fast path succeeds, the engine when the fault returns.
    expect(Math.abs(p.faults_by_path['vma-lock']! - p.vma_lock.success)).toBeLessThanOrEqual(p.cpus);
    expect(p.cost_units.unit).toBe('ps');
    expect(Number.isInteger(p.cost_units.total)).toBe(true);
    expect(p.cost_units.by_category['page-zero']).toBeGreaterThan(0);
    expect(p.checker).toBe(true);
    expect(p.violations).toBe(0);
    expect(p.unsafe_pairing).toBeNull();
    expect(p.mmap_lock_wait_fraction).toBeGreaterThanOrEqual(0);
    expect(p.mmap_lock_wait_fraction).toBeLessThanOrEqual(1);
    expect(p.steps).toBeGreaterThan(p.setup_steps);
  });

  it('maxOps stops the window early; a timeline can be asked for', () => {
    const p = runSim({
      workload: pageFault1Plugin,
      cpus: 2,
      strategy: mmapLockPlugin,
      index: maplePlugin,
      durationNs: 1_000_000,
      warmupNs: 10_000,
      maxOps: 50,
      timelineNs: 10_000,
    });
    expect(p.stopped_by).toBe('max-ops');
    expect(p.workload_ops).toBe(50);
    expect(p.simulated_ns).toBeLessThan(1_000_000);
    expect(p.timeline!.length).toBeGreaterThan(0);
    expect(p.timeline_ns).toBe(10_000);
  });

  it('runs on the phone profile and over the reference index', () => {
    const p = runSim({
      workload: pageFault1Plugin,
      cpus: 8,
      strategy: spfCopyVmaPlugin,
      index: referencePlugin,
      profile: 'phone-8c',
      ...SHORT,
    });
    expect(p.profile).toBe('phone-8c');
    expect(p.faults).toBeGreaterThan(0);
    expect(p.violations).toBe(0);
  });
});

describe('unsafe pairings', () => {
  it('are refused, or run flagged with allowUnsafe; mutants always run flagged', () => {
    const o = {
      workload: pageFault1Plugin,
      cpus: 2,
      strategy: perVmaLockPlugin,
      index: rbtreePlugin,
      ...SHORT,
    };
    expect(() => runSim(o)).toThrow(UnsafePairingError);
    const p = runSim({ ...o, allowUnsafe: true });
    expect(p.unsafe_pairing).toMatch(/'unsafe' index/);
    const m = runSim({ ...o, index: maplePlugin, mutant: 'vma-lock-skip-seq-check' });
    expect(m.mutant).toBe('vma-lock-skip-seq-check');
    expect(m.unsafe_pairing).toMatch(/protocol checks disabled/);
  });
});

describe('bad options', () => {
  const base = { workload: pageFault1Plugin, strategy: mmapLockPlugin, index: maplePlugin, ...SHORT };
  it('impossible CPU counts', () => {
    for (const cpus of [0, -3, 1025, 2.5, Number.NaN]) {
      expect(() => runSim({ ...base, cpus })).toThrow(/cpus must be an integer from 1 to 1024/);
    }
  });
  it('unknown names list what exists', () => {
    expect(() => runSim({ ...base, cpus: 1, profile: 'cray' })).toThrow(UnknownNameError);
    expect(() => runSim({ ...base, cpus: 1, profile: 'cray' })).toThrow(/known: skylake-2s, phone-8c/);
    const e = (() => {
      try {
        runSim({ ...base, cpus: 1, mutant: 'nope' });
      } catch (x) {
        return x as UnknownNameError;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(UnknownNameError);
    expect(e!.known).toEqual(MUTANTS.map((m) => m.name));
  });
  it('a mutant on a strategy it does not apply to', () => {
    expect(() => runSim({ ...base, cpus: 2, mutant: 'spf-skip-pte-check' })).toThrow(
      /applies to spf-copy-vma, spf-copy-attrs, not to strategy mmap-lock/,
    );
  });
  it('other options', () => {
    expect(() => runSim({ ...base, cpus: 1, seed: 1.5 })).toThrow(/seed must be a safe integer/);
    expect(() => runSim({ ...base, cpus: 1, durationNs: 0 })).toThrow(/durationNs must be a positive/);
    expect(() => runSim({ ...base, cpus: 1, warmupNs: -1 })).toThrow(/warmupNs must be a non-negative/);
    expect(() => runSim({ ...base, cpus: 1, maxOps: 0 })).toThrow(/maxOps must be a positive integer/);
    expect(() => runSim({ ...base, cpus: 1, workload: {} as never })).toThrow(
      /workload must be a workload plug-in/,
    );
    expect(() => runSim({ ...base, cpus: 1, index: {} as never })).toThrow(/index must be an index plug-in/);
    expect(() => runSim({ ...base, cpus: 1, strategy: {} as never })).toThrow(/strategy must be/);
    expect(() => runSim({ ...base, cpus: 1, params: { nope: 1 } })).toThrow(VmakitError);
  });
  it('a workload doing something impossible is an error naming it', () => {
    const bad = {
      ...pageFault1Plugin,
      create: () => ({
        name: 'bad',
        *thread() {
          yield { op: 'think', ns: -5 } as const;
        },
      }),
    };
    expect(() => runSim({ ...base, workload: bad, cpus: 1 })).toThrow(
      /workload bad, thread 0: think of -5 ns/,
    );
  });
});

describe('runSweep', () => {
  const sweep = {
    workload: pageFault1Plugin,
    cpus: [1, 3],
    strategies: builtinStrategies,
    indexes: [rbtreePlugin, maplePlugin],
    ...SHORT,
  } as const;

  it('shards split the matrix deterministically and cover it exactly once', () => {
    const full = runSweep(sweep);
    const keys = (ps: readonly { strategy: string; index: string; cpus: number }[]) =>
      ps.map((p) => `${p.strategy}/${p.index}/${p.cpus}`);
    // 4 strategies x 2 indexes x 2 CPU counts, per-vma-lock over rbtree skipped as unsafe.
    expect(full.points.length + full.skipped.length).toBe(16);
    expect(full.skipped.map((s) => `${s.strategy}/${s.index}`)).toEqual([
      'per-vma-lock/rbtree',
      'per-vma-lock/rbtree',
    ]);
    expect(full.skipped[0]!.reason).toMatch(/needs 'rcu' or 'snapshot'/);
    const shards = [0, 1, 2].map((index) => runSweep({ ...sweep, shard: { index, count: 3 } }));
    const union = shards.flatMap((s) => [...keys(s.points), ...keys(s.skipped)]).sort();
    expect(union).toEqual([...keys(full.points), ...keys(full.skipped)].sort());
    // Same point, same numbers, whichever shard ran it.
    const byKey = new Map(full.points.map((p) => [`${p.strategy}/${p.index}/${p.cpus}`, JSON.stringify(p)]));
    for (const s of shards)
      for (const p of s.points)
        expect(JSON.stringify(p)).toBe(byKey.get(`${p.strategy}/${p.index}/${p.cpus}`));
    expect(full.violations).toBe(0);
    expect(full.steps).toBeGreaterThan(0);
  });

  it('runs unsafe pairings flagged on request and reports progress', () => {
    const seen: number[] = [];
    const r = runSweep({
      ...sweep,
      cpus: [2],
      strategies: [perVmaLockPlugin],
      indexes: [rbtreePlugin],
      unsafe: 'flag',
      onProgress: (p) => seen.push(p.done),
    });
    expect(r.points).toHaveLength(1);
    expect(r.points[0]!.unsafe_pairing).not.toBeNull();
    expect(seen).toEqual([1]);
  });

  it('rejects bad matrices and shards', () => {
    expect(() => runSweep({ ...sweep, cpus: [] })).toThrow(/cpus must be a non-empty list/);
    expect(() => runSweep({ ...sweep, cpus: [0] })).toThrow(/cpus must be an integer/);
    expect(() => runSweep({ ...sweep, strategies: [] })).toThrow(/strategies/);
    expect(() => runSweep({ ...sweep, indexes: [] })).toThrow(/indexes/);
    expect(() => runSweep({ ...sweep, shard: { index: 3, count: 3 } })).toThrow(/shard/);
    expect(() => runSweep({ ...sweep, unsafe: 'maybe' as never })).toThrow(/unsafe must be/);
  });

  it('skips matrix entries a mutant does not apply to', () => {
    const r = runSweep({ ...sweep, cpus: [2], indexes: [maplePlugin], mutant: 'vma-lock-skip-seq-check' });
    expect(r.points.map((p) => p.strategy)).toEqual(['per-vma-lock']);
    expect(r.skipped).toHaveLength(3);
  });
});
