/**
 * The cost model: MESI-like line ownership (transfers, hits, invalidations, atomics, occupancy) and
 * the machine profiles (every constant sourced, CPU layout, bad profiles rejected).
 */
import { VmakitError } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import {
  builtinProfiles,
  CacheModel,
  compileProfile,
  describeProfile,
  lineKey,
  type MachineProfile,
  phone8c,
  profileByName,
  READ,
  RMW,
  skylake2s,
  WRITE,
} from '../src/index.js';

function model(cpus = 112): { c: CacheModel; cost: ReturnType<typeof compileProfile>['cache'] } {
  const p = compileProfile(skylake2s, cpus);
  return { c: new CacheModel(p.socketOf, p.coreOf, p.cache), cost: p.cache };
}

describe('cache-line ownership', () => {
  it('a line written by one CPU and read by another costs a transfer; repeated reads hit', () => {
    const { c, cost } = model();
    const k = lineKey(1000, 3);
    c.access(0, k, WRITE, 0);
    expect(c.ownerOf(k)).toBe(0);
    expect(c.access(1, k, READ, 1_000_000)).toBe(cost.sameSocketTransfer);
    expect(c.access(1, k, READ, 2_000_000)).toBe(cost.l1Hit);
    expect(c.access(1, k, READ, 3_000_000)).toBe(cost.l1Hit);
    // The former owner kept a shared copy.
    expect(c.access(0, k, READ, 4_000_000)).toBe(cost.l1Hit);
  });

  it('cross-socket and SMT-sibling transfers are priced by topology', () => {
    const { c, cost } = model();
    const a = lineKey(2000, 0);
    c.access(0, a, WRITE, 0);
    // CPU 28 is socket 1's first core; CPU 56 is CPU 0's SMT sibling.
    expect(c.access(28, a, READ, 1_000_000)).toBe(cost.crossSocketTransfer);
    const b = lineKey(2001, 0);
    c.access(0, b, WRITE, 0);
    expect(c.access(56, b, READ, 1_000_000)).toBe(cost.smtTransfer);
  });

  it('a write invalidates the sharers: their next read is a transfer again', () => {
    const { c, cost } = model();
    const k = lineKey(3000, 1);
    c.access(0, k, READ, 0);
    c.access(1, k, READ, 1_000_000);
    c.access(2, k, READ, 2_000_000);
    // Writer 1 must invalidate 0 and 2.
    expect(c.access(1, k, WRITE, 3_000_000)).toBe(cost.sameSocketTransfer);
    expect(c.access(2, k, READ, 4_000_000)).toBe(cost.sameSocketTransfer);
    // An exclusive line rewritten by its owner is a hit; a read-only private line upgrades silently.
    const p = lineKey(3001, 0);
    expect(c.access(5, p, READ, 0)).toBe(cost.memory);
    expect(c.access(5, p, WRITE, 1_000_000)).toBe(cost.l1Hit);
  });

  it('atomics pull the line exclusive and cost the locked operation on top', () => {
    const { c, cost } = model();
    const k = lineKey(4000, 0);
    c.access(0, k, RMW, 0);
    expect(c.access(0, k, RMW, 1_000_000)).toBe(cost.l1Hit + cost.atomicRmw);
    expect(c.access(1, k, RMW, 2_000_000)).toBe(cost.sameSocketTransfer + cost.atomicRmw);
    expect(c.ownerOf(k)).toBe(1);
  });

  it('simultaneous atomics on one line serialize: contention emerges from occupancy', () => {
    const { c, cost } = model();
    const k = lineKey(5000, 0);
    c.access(0, k, RMW, 0);
    const t = 10_000_000;
    const each = cost.sameSocketTransfer + cost.atomicRmw;
    const costs = [1, 2, 3, 4].map((cpu) => c.access(cpu, k, RMW, t));
    expect(costs).toEqual([each, 2 * each, 3 * each, 4 * each]);
    expect(c.stats.stallPs).toBe(each * (1 + 2 + 3));
  });

  it('a read of a Modified line waits for and occupies it; reads of the clean copy fan out', () => {
    const { c, cost } = model();
    const k = lineKey(6000, 0);
    c.access(0, k, WRITE, 0);
    const t = 10_000_000;
    const w = c.access(1, k, RMW, t);
    // CPU 1 holds it Modified once its atomic is done: CPU 2's read snoops CPU 1 after it.
    const r1 = c.access(2, k, READ, t);
    expect(r1).toBe(w + cost.sameSocketTransfer);
    // The line is clean and shared now: later readers wait for that transaction, not for each other.
    const r2 = c.access(3, k, READ, t);
    const r3 = c.access(4, k, READ, t);
    expect(r2).toBe(r1 + cost.llcHit);
    expect(r3).toBe(r2);
    // A write after them waits for the snooping read only.
    expect(c.access(5, k, WRITE, t)).toBe(r1 + cost.sameSocketTransfer);
  });
});

describe('machine profiles', () => {
  it('every constant has a value and a source', () => {
    for (const p of builtinProfiles) {
      const rows = describeProfile(p);
      expect(rows.length).toBeGreaterThan(40);
      for (const r of rows) {
        expect(Number.isFinite(r.value)).toBe(true);
        expect(r.source.length).toBeGreaterThan(10);
      }
    }
  });

  it('lays CPUs out cores first, socket by socket, then SMT siblings; flags oversubscription', () => {
    const p = compileProfile(skylake2s, 128);
    expect(p.socketOf[0]).toBe(0);
    expect(p.socketOf[27]).toBe(0);
    expect(p.socketOf[28]).toBe(1);
    expect(p.coreOf[56]).toBe(p.coreOf[0]);
    expect(p.socketOf[56]).toBe(0);
    expect(p.oversubscribed).toBe(true);
    expect(compileProfile(skylake2s, 112).oversubscribed).toBe(false);
    const phone = compileProfile(phone8c, 8);
    expect(phone.classOf).toEqual(['prime', 'big', 'big', 'big', 'little', 'little', 'little', 'little']);
    // Little cores are slower at fixed work.
    expect(phone.work[4 * 16]! / phone.work[0]!).toBeCloseTo(2.6, 5);
  });

  it('spreads unpinned threads over the sockets, physical cores before SMT siblings', () => {
    const p = compileProfile(skylake2s, 112, 'spread');
    expect(p.placement).toBe('spread');
    // Alternating sockets, each socket's cores in order.
    expect([...p.socketOf.slice(0, 6)]).toEqual([0, 1, 0, 1, 0, 1]);
    expect([...p.coreOf.slice(0, 4)]).toEqual([0, 28, 1, 29]);
    // Every physical core once before any sibling: the layout is a permutation of hwloc's.
    const cores = new Set(p.coreOf.slice(0, 56));
    expect(cores.size).toBe(56);
    expect(p.coreOf[56]).toBe(p.coreOf[0]);
    expect(p.coreOf[57]).toBe(p.coreOf[1]);
    const fill = compileProfile(skylake2s, 112);
    expect([...p.coreOf].sort((a, b) => a - b)).toEqual([...fill.coreOf].sort((a, b) => a - b));
    // Half the CPUs on each socket for even counts.
    const s12 = compileProfile(skylake2s, 12, 'spread').socketOf;
    expect(s12.filter((x) => x === 1).length).toBe(6);
    // One socket: both orders agree.
    expect([...compileProfile(phone8c, 8, 'spread').coreOf]).toEqual([...compileProfile(phone8c, 8).coreOf]);
    expect(() => compileProfile(skylake2s, 4, 'scatter' as 'spread')).toThrow(/placement must be/);
  });

  it('compiles for every CPU count from 1 to 1024 and rejects impossible ones', () => {
    for (const n of [1, 2, 112, 1024]) expect(compileProfile(skylake2s, n).cpus).toBe(n);
    for (const bad of [0, -1, 1025, 1.5, Number.NaN]) {
      expect(() => compileProfile(skylake2s, bad)).toThrow(/cpus must be an integer from 1 to 1024/);
    }
  });

  it('rejects malformed profiles with the field at fault', () => {
    const noSource: MachineProfile = {
      ...skylake2s,
      cache: { ...skylake2s.cache, l1Hit: { value: 1, unit: 'ns', source: '' } },
    };
    expect(() => compileProfile(noSource, 4)).toThrow(/cache.l1Hit has no source/);
    const negative: MachineProfile = {
      ...skylake2s,
      work: { ...skylake2s.work, 'page-zero': { value: -5, unit: 'ns', source: 'x' } },
    };
    expect(() => compileProfile(negative, 4)).toThrow(VmakitError);
    const badTopo: MachineProfile = { ...skylake2s, topology: { ...skylake2s.topology, coresPerSocket: 27 } };
    expect(() => compileProfile(badTopo, 4)).toThrow(/core classes have 28 cores/);
  });

  it('finds profiles by name, listing the known ones otherwise', () => {
    expect(profileByName('phone-8c')).toBe(phone8c);
    expect(() => profileByName('vax')).toThrow(/unknown machine profile 'vax'; known: skylake-2s, phone-8c/);
  });
});
