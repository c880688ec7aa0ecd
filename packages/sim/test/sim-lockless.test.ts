/**
 * Lockless readers see what their index allows while the engine holds an update in flight (between
 * execute(), which opens index.beginUpdate() around the system call, and publish()): a snapshot index
 * answers from the version published before, the maple tree in RCU mode re-walks and answers from the
 * new tree, the rbtree may miss but never answers wrongly. And whole runs show those outcomes.
 */
import { type IndexPlugin, MmStruct, PAGE_SIZE, uapi, type Vma } from '@vmakit/core';
import { mmapLockPlugin, perVmaLockPlugin, spfCopyVmaPlugin } from '@vmakit/strategies';
import { describe, expect, it } from 'vitest';
import { compileProfile, Engine, runSim, skylake2s } from '../src/index.js';
import type { SyscallOp } from '../src/syscall-op.js';
import { ebizzyPlugin } from '../src/workloads/index.js';
import {
  cowBtreePlugin,
  INDEXES,
  maplePlugin,
  persistentRbtreePlugin,
  rbtreePlugin,
  referencePlugin,
  scriptWorkload,
} from './sim-helpers.js';

const { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, PROT_NONE } = uapi;

/** An engine whose mm holds `n` anonymous VMAs kept apart by PROT_NONE pages. */
function engineWith(index: IndexPlugin, n: number): { e: Engine; vmas: Vma[] } {
  const workload = scriptWorkload('idle', function* () {}).create({ threads: 1, seed: 1 });
  const e = new Engine({
    workload,
    strategy: mmapLockPlugin.strategy,
    createIndex: () => index.create(),
    profile: compileProfile(skylake2s, 1),
    seed: 1,
    warmupPs: 0,
    durationPs: 1,
    maxOps: Number.POSITIVE_INFINITY,
    checker: true,
    freeWithoutRcu: false,
    maxSteps: 1_000_000,
  });
  const vmas: Vma[] = [];
  for (let i = 0; i < n; i++) {
    const a = e.mm.mmap(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    e.mm.mmap(0, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
    vmas.push(e.mm.vmaLookup(a)!);
  }
  return { e, vmas };
}

/** Run munmap of `first`..`last` as the engine's writer does, up to (not including) publish. */
function unmapInFlight(e: Engine, first: Vma, last = first): void {
  e.mm.writeLock();
  const lo = Math.min(first.start, last.start);
  const hi = Math.max(first.end, last.end);
  const op: SyscallOp = { op: 'munmap', addr: lo, len: hi - lo };
  const plan = e.plan(0, op);
  expect(plan.vmas).toContain(first);
  for (const v of plan.vmas) e.premark(v);
  expect(e.execute(0, op, plan).result).toBe(0);
  expect(first.detached && last.detached).toBe(true);
}

describe('readers during an update in flight', () => {
  it('snapshot indexes answer from the version published before the update', () => {
    for (const plugin of [cowBtreePlugin, persistentRbtreePlugin, referencePlugin]) {
      const { e, vmas } = engineWith(plugin, 12);
      const victim = vmas[5]!;
      const early = e.index.openReader();
      unmapInFlight(e, victim);
      const r = e.index.openReader();
      expect(r.lookup(victim.start)).toBe(victim);
      expect(r.outcome).toBe('clean');
      r.close();
      e.publish(0);
      const after = e.index.openReader();
      expect(after.lookup(victim.start)).toBeNull();
      // A reader opened before the update keeps its version.
      expect(early.lookup(victim.start)).toBe(victim);
      early.close();
      after.close();
    }
  });

  it('the maple tree in RCU mode restarts and answers from the new tree', () => {
    const { e, vmas } = engineWith(maplePlugin, 40);
    // Unmapping many VMAs rebuilds nodes (a spanning store): readers crossing them re-walk.
    unmapInFlight(e, vmas[30]!, vmas[10]!);
    const r = e.index.openReader();
    let restarted = 0;
    for (const v of vmas) {
      expect(r.lookup(v.start)).toBe(v.detached ? null : v);
      if (r.outcome === 'restarted') restarted++;
      else expect(r.outcome).toBe('clean');
    }
    expect(restarted).toBeGreaterThan(0);
    r.close();
    e.publish(0);
  });

  it('the rbtree may miss on a restructured path, but never returns a wrong VMA', () => {
    const { e, vmas } = engineWith(rbtreePlugin, 40);
    unmapInFlight(e, vmas[19]!);
    const r = e.index.openReader();
    let missed = 0;
    for (const v of vmas) {
      if (v.detached) continue;
      const got = r.lookup(v.start);
      if (got === null) {
        expect(r.outcome).toBe('missed');
        missed++;
      } else expect(got).toBe(v);
    }
    expect(missed).toBeGreaterThan(0);
    r.close();
    e.publish(0);
    const after = e.index.openReader();
    for (const v of vmas) if (!v.detached) expect(after.lookup(v.start)).toBe(v);
    after.close();
  });

  it('detached VMAs go to RCU only once the update is published', () => {
    const { e, vmas } = engineWith(maplePlugin, 8);
    unmapInFlight(e, vmas[3]!);
    const rcu = (e as unknown as { rcu: { deferred: number } }).rcu;
    const before = rcu.deferred;
    e.publish(0);
    expect(rcu.deferred).toBeGreaterThan(before);
  });
});

describe('whole runs', () => {
  it('report lockless outcomes per index kind', () => {
    const run = (index: IndexPlugin, strategy = perVmaLockPlugin) =>
      runSim({ workload: ebizzyPlugin, cpus: 8, strategy, index, durationNs: 2_000_000, allowUnsafe: true })
        .lookups;
    const rb = run(rbtreePlugin);
    expect(rb.missed).toBeGreaterThan(0);
    expect(rb.restarted).toBe(0);
    const mt = run(maplePlugin);
    expect(mt.restarted).toBeGreaterThan(0);
    expect(mt.missed).toBe(0);
    for (const snap of [cowBtreePlugin, persistentRbtreePlugin]) {
      const s = run(snap);
      expect(s.missed + s.restarted).toBe(0);
      expect(s.clean).toBeGreaterThan(0);
    }
    // mmap-lock looks up under the lock only.
    const locked = runSim({
      workload: ebizzyPlugin,
      cpus: 2,
      strategy: mmapLockPlugin,
      index: maplePlugin,
      durationNs: 50_000,
    });
    expect(locked.lookups.clean + locked.lookups.missed + locked.lookups.restarted).toBe(0);
    expect(locked.lookups.locked).toBeGreaterThan(0);
    expect(INDEXES.length).toBe(4);
    void spfCopyVmaPlugin;
    void MmStruct;
    // Five multi-ms runs: seconds of wall time on a loaded 2-core machine.
  }, 60_000);
});
