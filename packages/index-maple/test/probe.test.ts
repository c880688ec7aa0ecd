import type { IndexProbe } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { createMapleIndex } from '../src/index.js';
import { entry, Rng, type T } from './helpers.js';

const P = 4096;

class Recorder implements IndexProbe {
  reads: [number, number][] = [];
  writes: [number, number][] = [];
  allocs: [number, number][] = [];
  retires: [number, boolean][] = [];
  read(node: number, line: number): void {
    this.reads.push([node, line]);
  }
  write(node: number, line: number): void {
    this.writes.push([node, line]);
  }
  alloc(node: number, bytes: number): void {
    this.allocs.push([node, bytes]);
  }
  retire(node: number, deferred: boolean): void {
    this.retires.push([node, deferred]);
  }
  clear(): void {
    this.reads = [];
    this.writes = [];
    this.allocs = [];
    this.retires = [];
  }
}

describe.each([
  ['rcu', true],
  ['non-rcu', false],
])('probe (%s)', (_name, rcu) => {
  it('sees the lines a lookup walk reads, on the nodes of its path only', () => {
    const probe = new Recorder();
    const m = createMapleIndex<T>({ rcu, probe });
    for (let i = 0; i < 2000; i++) m.insert(2 * i * P, (2 * i + 1) * P, entry());
    const height = m.stats().height;
    const reader = m.openReader();
    const rng = new Rng(1);
    for (let k = 0; k < 200; k++) {
      const q = rng.int(4000 * P);
      probe.clear();
      const got = m.find(q);
      const walked = new Set(probe.reads.map(([n]) => n));
      reader.find(q);
      expect(reader.path.length).toBe(height);
      expect([...walked].sort()).toEqual([...reader.path].sort());
      for (const [, line] of probe.reads) {
        expect(line).toBeGreaterThanOrEqual(0);
        expect(line).toBeLessThan(4);
      }
      expect(probe.writes).toEqual([]);
      m.probe = null;
      expect(m.find(q)).toBe(got);
      m.probe = probe;
    }
    reader.close();
  });

  it('sees allocations of 256-byte nodes, retirements (deferred in RCU mode) and in-place writes', () => {
    const probe = new Recorder();
    const m = createMapleIndex<T>({ rcu, probe });
    for (let i = 0; i < 300; i++) m.insert(2 * i * P, (2 * i + 1) * P, entry());
    const s = m.stats();
    expect(probe.allocs.length).toBe(s.detail.allocations);
    expect(probe.allocs.every(([, bytes]) => bytes === 256)).toBe(true);
    expect(probe.retires.length).toBe(s.detail.retired);
    expect(probe.retires.every(([, deferred]) => deferred === rcu)).toBe(true);
    const allocated = new Set(probe.allocs.map(([n]) => n));
    for (const [n] of probe.retires) expect(allocated.has(n)).toBe(true);

    probe.clear();
    const a = m.find(10 * P)!;
    m.store(10 * P, 11 * P, entry()); // exact fit: one slot written in place, in both modes
    expect(probe.allocs).toEqual([]);
    expect(probe.writes.length).toBeGreaterThan(0);
    expect(m.find(10 * P)).not.toBe(a);
    probe.clear();
    m.store(21 * P, 21 * P + 100, entry()); // a new range inside a gap
    if (rcu) {
      expect(probe.allocs.length).toBeGreaterThan(0);
      expect(probe.retires.length).toBeGreaterThan(0);
    }
    expect(probe.writes.length).toBeGreaterThan(0);
    m.validate();
  });
});
