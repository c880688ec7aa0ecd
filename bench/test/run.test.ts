import { DEFAULT_MAX_MAP_COUNT, UnknownNameError } from '@vmakit/core';
import { maplePlugin } from '@vmakit/index-maple';
import { rbtreePlugin } from '@vmakit/index-rbtree';
import { describe, expect, it } from 'vitest';
import { runIndexBenchmarks as cliRun } from '../src/cli-entry.js';
import {
  BASELINE_NAMES,
  baselineSubjects,
  formatIndexBenchMarkdown,
  formatMeasuredSection,
  generateQueries,
  INDEX_BENCH_OPS,
  measureMemory,
  memoryChildScript,
  OP_SPECS,
  runIndexBenchmarks,
  syntheticLayoutFor,
} from '../src/index.js';

const tiny = {
  quick: true,
  layouts: ['synthetic-1000'],
  syntheticSizes: [1000],
  tracesDir: null,
  memory: false,
  time: 5,
} as const;

describe('runIndexBenchmarks (quick, 1,000 VMAs, two indexes)', () => {
  it('produces well-formed rows for every op, with the baselines, ratios and retained samples', async () => {
    const progress: number[] = [];
    const report = await runIndexBenchmarks({
      ...tiny,
      indexes: [rbtreePlugin, maplePlugin],
      retainSamples: 20,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(report.aborted).toBe(false);
    expect(report.layouts.map((l) => l.name)).toEqual(['synthetic-1000']);
    expect(report.options.baselines).toEqual([...BASELINE_NAMES]);
    expect(report.notes.join('\n')).toMatch(/capture layouts skipped/);
    expect(progress.at(-1)).toBe(1);
    for (const op of INDEX_BENCH_OPS) {
      const rows = report.results.filter((r) => r.op === op);
      const names = rows.map((r) => r.index);
      expect(names.slice(0, 2)).toEqual(['rbtree', 'maple']);
      const baselines = Object.entries({
        limit: 'limit',
        'raw:sorted-btree': 'raw:sorted-btree',
        'raw:functional-red-black-tree': 'raw:functional-red-black-tree',
      }).filter(
        ([, flavor]) =>
          OP_SPECS[op].loops[flavor as keyof (typeof OP_SPECS)[typeof op]['loops']] !== undefined,
      );
      expect(names.slice(2)).toEqual(baselines.map(([n]) => n));
      for (const r of rows) {
        expect(r.layout).toBe('synthetic-1000');
        expect(r.vmas).toBe(1000);
        expect(r.kind).toBe(r.index === 'rbtree' || r.index === 'maple' ? 'index' : 'baseline');
        for (const v of [r.ns_p50, r.ns_p99, r.ns_mean, r.ops_per_sec])
          expect(Number.isFinite(v) && v > 0).toBe(true);
        expect(r.ns_p99).toBeGreaterThanOrEqual(r.ns_p50);
        expect(Number.isFinite(r.rme)).toBe(true);
        expect(r.samples).toBeGreaterThan(0);
        expect(r.ops_per_sample).toBe(op === 'iterate-all' ? 4000 : OP_SPECS[op].batch);
        expect(r.samples_ns!.length).toBeGreaterThan(0);
        expect(r.samples_ns!.length).toBeLessThanOrEqual(20);
        if (op.startsWith('find') || op === 'lookup-random') {
          expect(r.ratio_vs_limit).toBeGreaterThan(0);
          if (r.index === 'limit') expect(r.ratio_vs_limit).toBe(1);
        } else expect(r.ratio_vs_limit).toBeNull();
      }
    }
    // 5 read ops × 5 structures + find-seq-cached 3 + gap 2 + churn-insert-remove 4 + churn-mmap 2
    // + churn-mprotect 2.
    expect(report.results.length).toBe(38);
    const md = formatIndexBenchMarkdown(report);
    expect(md).toMatch(/### synthetic-1000 \(1,000 VMAs\)/);
    expect(md).toMatch(/\| find-random \| \*\*maple\*\* \|/);
    const section = formatMeasuredSection(report, 'maple', 'test');
    expect(section).toMatch(/^## Measured\n/);
    expect(section).toMatch(/\| op \| rbtree \| \*\*maple\*\* \| limit \|/);
    expect(section).toMatch(/`maple` at 1,000 VMAs in detail/);
    // Targets are reported for the 65,530 layout only.
    expect(report.targets).toEqual([]);
    expect(JSON.parse(JSON.stringify(report)).results.length).toBe(38);
  }, 20_000);

  it('is what the CLI entry exports', () => {
    expect(cliRun).toBe(runIndexBenchmarks);
  });

  it('rejects unknown layouts and ops, duplicate names and bad budgets with clear errors', async () => {
    await expect(runIndexBenchmarks({ ...tiny, indexes: [], layouts: ['nope'] })).rejects.toBeInstanceOf(
      UnknownNameError,
    );
    await expect(runIndexBenchmarks({ ...tiny, indexes: [], layouts: ['nope'] })).rejects.toThrow(
      /synthetic-1000/,
    );
    await expect(runIndexBenchmarks({ ...tiny, indexes: [], ops: ['find'] })).rejects.toThrow(
      /unknown op 'find'/,
    );
    await expect(runIndexBenchmarks({ ...tiny, indexes: [maplePlugin, maplePlugin] })).rejects.toThrow(
      /unique/,
    );
    await expect(runIndexBenchmarks({ ...tiny, indexes: [], time: 0 })).rejects.toThrow(/time/);
  });

  it('stops early on abort and says so', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const report = await runIndexBenchmarks({ ...tiny, indexes: [maplePlugin], signal: ctl.signal });
    expect(report.aborted).toBe(true);
    expect(report.results).toEqual([]);
  });
});

describe('query arrays', () => {
  it('are the same for the same seed', () => {
    const layout = syntheticLayoutFor(1000, 1);
    const sizes = { addresses: 1024, windows: 128, gaps: 64, splits: 64 };
    const gap = (): number => 0x10000;
    const a = generateQueries(layout, 5, sizes, gap);
    const b = generateQueries(layout, 5, sizes, gap);
    expect([...a.random]).toEqual([...b.random]);
    expect([...a.sequential]).toEqual([...b.sequential]);
    expect([...a.windowFrom]).toEqual([...b.windowFrom]);
    expect(a.gapReqs).toEqual(b.gapReqs);
    expect([...a.mprMid]).toEqual([...b.mprMid]);
    expect([...generateQueries(layout, 6, sizes, gap).random]).not.toEqual([...a.random]);
  });
});

describe.skipIf(memoryChildScript() === null)(
  'memory measurement (needs the built child: npx tsc -b bench)',
  () => {
    it('counts the limit arrays at about 24 bytes per VMA (two Float64Arrays and a pointer array)', async () => {
      // raw:sorted-btree runs too: it proves the CommonJS default-export adapter under plain node.
      const { rows } = await measureMemory({
        subjects: baselineSubjects().slice(0, 2),
        vmas: 20_000,
        seed: 1,
      });
      expect(rows.map((r) => r.index)).toEqual(['limit', 'raw:sorted-btree']);
      expect(rows[1]!.heap_bytes_per_vma).toBeGreaterThan(16);
      expect(rows[1]!.heap_bytes_per_vma).toBeLessThan(80);
      expect(rows[0]!.index).toBe('limit');
      expect(rows[0]!.array_buffer_bytes_per_vma).toBeCloseTo(16, 0);
      expect(rows[0]!.heap_bytes_per_vma).toBeGreaterThan(20);
      expect(rows[0]!.heap_bytes_per_vma).toBeLessThan(32);
      expect(rows[0]!.model_bytes_per_vma).toBeNull();
    }, 20_000);
  },
);

it('uses vm.max_map_count as the large layout', () => {
  expect(DEFAULT_MAX_MAP_COUNT).toBe(65530);
});
