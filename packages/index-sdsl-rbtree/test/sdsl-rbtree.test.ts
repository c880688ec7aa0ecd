import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { replayCapture } from '@vmakit/replay';
import { findRepoRoot, findSharedDir, sharedMissingMessage } from '@vmakit/testkit';
import { RecordingProbe } from '@vmakit/testkit/conformance';
import { describe, expect, it } from 'vitest';
import { createSdslRbtreeIndex, sdslRbtreePlugin } from '../src/index.js';

const PAGE = 4096;
const entry = (id: number) => ({ id });

describe('sdsl-rbtree specifics', () => {
  it('reports the search path the library walks: about log2(n) nodes, never more than the red-black bound', () => {
    const probe = new RecordingProbe();
    const ix = createSdslRbtreeIndex<{ id: number }>({ probe });
    const n = 4096;
    for (let i = 0; i < n; i++) ix.insert(i * 2 * PAGE, i * 2 * PAGE + PAGE, entry(i));
    const height = ix.stats().height;
    expect(height).toBeLessThanOrEqual(2 * Math.log2(n + 1));
    for (const i of [0, 1, 1000, 2047, 4095]) {
      const before = probe.reads;
      expect(ix.find(i * 2 * PAGE + 10)?.id).toBe(i);
      const reads = probe.reads - before;
      // The comparator sees each node of the path once; the found node is read once more.
      expect(reads).toBeGreaterThanOrEqual(Math.floor(Math.log2(n)) - 1);
      expect(reads).toBeLessThanOrEqual(height + 1);
    }
    expect(probe.problems).toEqual([]);
    expect(probe.live.size).toBe(n);
  });

  it('lockless lookups miss while an open update has changed the tree, and only then', () => {
    const ix = createSdslRbtreeIndex<{ id: number }>();
    ix.insert(0x1000, 0x2000, entry(1));
    const reader = ix.openReader();
    expect(reader.find(0x1000)?.id).toBe(1);
    expect(reader.outcome).toBe('clean');
    expect(reader.path.length).toBeGreaterThan(0);
    ix.beginUpdate();
    expect(reader.find(0x1000)?.id).toBe(1);
    ix.insert(0x3000, 0x4000, entry(2));
    expect(reader.lookup(0x1000)).toBeNull();
    expect(reader.outcome).toBe('missed');
    const v = ix.version;
    ix.publish();
    expect(ix.version).toBe(v + 1);
    expect(reader.lookup(0x3000)?.id).toBe(2);
    expect(reader.outcome).toBe('clean');
    reader.close();
    expect(() => reader.find(0)).toThrow(/after close/);
  });

  it('splits a range that spans a store window into two nodes, keeping the upper one', () => {
    const probe = new RecordingProbe();
    const ix = createSdslRbtreeIndex<{ id: number }>({ probe });
    const big = entry(1);
    ix.insert(0x10000, 0x20000, big);
    ix.store(0x14000, 0x15000, entry(2));
    const ranges: Array<[number, number, number]> = [];
    ix.forEach(0, 0x100000, (s, e, x) => {
      ranges.push([s, e, x.id]);
    });
    expect(ranges).toEqual([
      [0x10000, 0x14000, 1],
      [0x14000, 0x15000, 2],
      [0x15000, 0x20000, 1],
    ]);
    expect(probe.allocs).toBe(3);
    expect(probe.retires).toBe(0);
    ix.validate();
  });
});

const fixtures = join(findRepoRoot(import.meta.dirname)!, 'fixtures', 'captures');
const traces = findSharedDir('traces');
const captures = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(dir, d.name));

describe('replay of real processes on sdsl-rbtree', () => {
  for (const dir of captures(fixtures)) {
    it(`fixtures/captures/${dir.split('/').pop()}: no page or VMA mismatch`, async () => {
      const r = await replayCapture(dir, { index: sdslRbtreePlugin });
      expect(r.syscalls.agreed).toBe(r.events.syscalls);
      expect(r.final?.page_mismatches).toBe(0);
      expect(r.final?.vma_mismatches).toBe(0);
    });
  }
  it.skipIf(traces === null)(
    traces === null
      ? `../shared/traces: ${sharedMissingMessage('traces')}`
      : '../shared/traces: no page mismatch',
    async () => {
      for (const dir of captures(traces!)) {
        const r = await replayCapture(dir, { index: sdslRbtreePlugin });
        expect(r.final?.page_mismatches, dir).toBe(0);
        expect(r.syscalls.agreed, dir).toBe(r.events.syscalls);
      }
    },
    120_000,
  );
});
