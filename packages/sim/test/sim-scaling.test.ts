/**
 * Scaling shapes that must emerge from the model (never wall-clock numbers): next to a writer, the
 * mmap_lock stops scaling while speculative faults and per-VMA locks keep scaling; and when every
 * thread faults in one shared VMA, the per-VMA lock's cache line bounces like the mmap_lock's does
 * (the cost Lespinasse warned an atomic per VMA would have), while speculative faults, which only
 * read shared lines, scale on.
 */
import { mmapLockPlugin, perVmaLockPlugin, spfCopyVmaPlugin } from '@vmakit/strategies';
import type { FaultStrategy } from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import { runSim, withAtomicPerVma } from '../src/index.js';
import { pageFault1Plugin, pftPlugin } from '../src/workloads/index.js';
import { maplePlugin, privateFaulters } from './sim-helpers.js';

describe('scaling shapes', () => {
  it('a writer stops mmap_lock scaling; SPF and per-VMA locks keep scaling', () => {
    const rate = (strategy: typeof mmapLockPlugin, cpus: number) =>
      runSim({ workload: privateFaulters, params: { pages: 511 }, cpus, strategy, index: maplePlugin });
    const m16 = rate(mmapLockPlugin, 16);
    const m32 = rate(mmapLockPlugin, 32);
    const s16 = rate(spfCopyVmaPlugin, 16);
    const s32 = rate(spfCopyVmaPlugin, 32);
    const v16 = rate(perVmaLockPlugin, 16);
    const v32 = rate(perVmaLockPlugin, 32);
    expect(m32.ops_per_sec).toBeLessThan(1.1 * m16.ops_per_sec);
    expect(s32.ops_per_sec).toBeGreaterThan(1.5 * s16.ops_per_sec);
    expect(v32.ops_per_sec).toBeGreaterThan(1.5 * v16.ops_per_sec);
    expect(s32.ops_per_sec).toBeGreaterThan(2 * m32.ops_per_sec);
    expect(v32.ops_per_sec).toBeGreaterThan(2 * m32.ops_per_sec);
    // Per-VMA locks leave the mmap_lock to the writer; SPF falls back to it while the writer runs.
    expect(v32.mmap_lock_wait_fraction).toBeLessThan(m32.mmap_lock_wait_fraction);
    for (const p of [m16, m32, s16, s32, v16, v32]) expect(p.violations).toBe(0);
  }, 60_000);

  it('one VMA shared by every thread: its per-VMA lock line becomes the bottleneck', () => {
    const at32 = (strategy: typeof mmapLockPlugin) =>
      runSim({ workload: pageFault1Plugin, cpus: 32, strategy, index: maplePlugin });
    const spf = at32(spfCopyVmaPlugin);
    const vma = at32(perVmaLockPlugin);
    const mm = at32(mmapLockPlugin);
    expect(spf.ops_per_sec).toBeGreaterThan(2 * vma.ops_per_sec);
    expect(vma.ops_per_sec).toBeLessThan(1.5 * mm.ops_per_sec);
    // The contention is line transfers and waiting on lines, not lock sleeping.
    expect(vma.cache.stallPs).toBeGreaterThan(spf.cache.stallPs);
  }, 60_000);
});

describe('an atomic per VMA in the speculative copy path (pft, one VMA)', () => {
  it('costs little at low thread counts and most of the throughput at 48 threads', () => {
    const base = spfCopyVmaPlugin.strategy;
    const atomic = withAtomicPerVma(base);
    const loss = (cpus: number) => {
      const run = (strategy: FaultStrategy) =>
        runSim({
          workload: pftPlugin,
          cpus,
          strategy,
          index: maplePlugin,
          durationNs: 100_000,
          allowUnsafe: true,
        });
      const a = run(base);
      const b = run(atomic);
      expect(b.violations).toBe(0);
      return 1 - b.faults_per_sec / a.faults_per_sec;
    };
    expect(loss(4)).toBeLessThan(0.2);
    expect(loss(48)).toBeGreaterThan(0.4);
  }, 60_000);
});
