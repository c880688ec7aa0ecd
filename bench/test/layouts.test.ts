import { DEFAULT_MAX_MAP_COUNT, PAGE_SIZE, TASK_SIZE } from '@vmakit/core';
import { findSharedDir, sharedMissingMessage } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import type { BenchLayout } from '../src/index.js';
import { generateSyntheticLayout, loadCaptureLayouts, syntheticLayoutFor } from '../src/index.js';

function checkShape(l: BenchLayout): void {
  expect(l.starts.length).toBe(l.vmas);
  expect(l.ends.length).toBe(l.vmas);
  expect(l.entries.length).toBe(l.vmas);
  for (let i = 0; i < l.vmas; i++) {
    const s = l.starts[i]!;
    const e = l.ends[i]!;
    if (s % PAGE_SIZE !== 0 || e % PAGE_SIZE !== 0) throw new Error(`range ${i} not page aligned`);
    if (!(s < e) || e > TASK_SIZE) throw new Error(`range ${i} empty or above TASK_SIZE`);
    if (i > 0 && l.ends[i - 1]! > s) throw new Error(`ranges ${i - 1} and ${i} overlap`);
    const v = l.entries[i]!;
    if (v.start !== s || v.end !== e) throw new Error(`entry ${i} does not match its range`);
  }
  // The insertion order is a permutation of all positions.
  expect([...l.order].sort((a, b) => a - b)).toEqual(Array.from({ length: l.vmas }, (_, i) => i));
}

describe('synthetic layouts', () => {
  it('have exactly the requested count, page-aligned disjoint ranges below TASK_SIZE', () => {
    for (const vmas of [1, 5, 31, 32, 1000]) {
      const l = generateSyntheticLayout({ vmas, seed: 7 });
      expect(l.vmas).toBe(vmas);
      expect(l.name).toBe(`synthetic-${vmas}`);
      checkShape(l);
    }
  });

  it('are deterministic: same seed, same ranges; another seed, other ranges', () => {
    const a = generateSyntheticLayout({ vmas: 1000, seed: 42 });
    const b = generateSyntheticLayout({ vmas: 1000, seed: 42 });
    const c = generateSyntheticLayout({ vmas: 1000, seed: 43 });
    expect([...a.starts]).toEqual([...b.starts]);
    expect([...a.ends]).toEqual([...b.ends]);
    expect([...a.order]).toEqual([...b.order]);
    expect(a.mmapBase).toBe(b.mmapBase);
    expect([...a.starts]).not.toEqual([...c.starts]);
  });

  it('look like a process: varied sizes, adjacent runs, small and large gaps, top-down under mmap_base', () => {
    const l = generateSyntheticLayout({ vmas: 1000, seed: 3 });
    const pages = Array.from(l.starts, (s, i) => (l.ends[i]! - s) / PAGE_SIZE);
    const gaps = Array.from({ length: l.vmas - 1 }, (_, i) => (l.starts[i + 1]! - l.ends[i]!) / PAGE_SIZE);
    expect(pages.filter((p) => p === 1).length).toBeGreaterThan(50);
    expect(pages.filter((p) => p > 512).length).toBeGreaterThan(20);
    expect(gaps.filter((g) => g === 0).length).toBeGreaterThan(200);
    expect(gaps.filter((g) => g > 0 && g <= 16).length).toBeGreaterThan(200);
    expect(gaps.filter((g) => g > 16).length).toBeGreaterThan(50);
    // Creation order: after the fixed VMAs (binary, heap, stack, vdso, vvar) every mmap lies below the previous one.
    const created = Array.from({ length: l.vmas }, (_, k) => k).sort((x, y) => l.order[x]! - l.order[y]!);
    const byCreation = new Array<number>(l.vmas);
    for (let i = 0; i < l.vmas; i++) byCreation[l.order[i]!] = l.starts[i]!;
    expect(created.length).toBe(l.vmas);
    for (let k = 10; k < l.vmas; k++) expect(byCreation[k]!).toBeLessThan(byCreation[k - 1]!);
    expect(byCreation[9]!).toBeLessThan(l.mmapBase);
    // A stack with its guard gap sits above mmap_base.
    const stack = l.entries.find((e) => e.guardBelow > 0);
    expect(stack).toBeDefined();
    expect(stack!.start).toBeGreaterThan(l.mmapBase);
  });

  it('reach vm.max_map_count (65,530 VMAs) quickly', () => {
    const l = syntheticLayoutFor(DEFAULT_MAX_MAP_COUNT, 1);
    expect(l.vmas).toBe(65530);
    checkShape(l);
    expect(syntheticLayoutFor(DEFAULT_MAX_MAP_COUNT, 1).starts).toEqual(l.starts);
  });

  it('reject a bad count', () => {
    expect(() => generateSyntheticLayout({ vmas: 0, seed: 1 })).toThrow(/positive integer/);
    expect(() => generateSyntheticLayout({ vmas: 1.5, seed: 1 })).toThrow(/positive integer/);
  });
});

const traces = findSharedDir('traces');

describe.skipIf(traces === null)('capture layouts', () => {
  it(
    traces === null ? sharedMissingMessage('traces') : 'load start.maps and end.maps of every capture',
    async () => {
      const layouts = await loadCaptureLayouts(traces!);
      expect(layouts.length).toBeGreaterThanOrEqual(2);
      for (const l of layouts) {
        expect(l.name).toMatch(/^capture:[^/]+\/(start|end)$/);
        expect(l.vmas).toBeGreaterThan(0);
        checkShape(l);
        // Built top-down: the insertion order is descending addresses.
        expect(l.order[0]).toBe(l.vmas - 1);
        expect(l.mmapBase).toBeGreaterThan(l.starts[0]!);
      }
    },
  );
});
