import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDEX_BENCH_OPS } from '@vmakit/bench/cli';
import { validateResults } from '@vmakit/report';
import { describe, expect, it } from 'vitest';
import { benchOpsOfShard } from '../src/commands/bench.js';
import { fixtureCapture, runCli, runJson } from './fixtures/run-cli.js';

// Tiny budgets: these tests check what is run and printed, never how fast anything is.
const TINY = ['--quick', '--no-memory', '--time', '10', '--layouts', 'synthetic-1000'];

interface IndexRow {
  layout: string;
  vmas: number;
  index: string;
  op: string;
  ns_p50: number;
  ns_p99: number;
  rme: number;
  ops_per_sec: number;
}

describe('vmakit bench indexes', { timeout: 120_000 }, () => {
  it('prints one row per structure and operation with the documented fields', async () => {
    const { json, run } = await runJson([
      'bench',
      'indexes',
      ...TINY,
      '--index',
      'maple,rbtree',
      '--ops',
      'find-random',
      '--format',
      'json',
    ]);
    const rows = (json as { results: IndexRow[] }).results;
    const indexes = rows.map((r) => r.index);
    expect(indexes).toContain('maple');
    expect(indexes).toContain('rbtree');
    expect(indexes).toContain('limit'); // the baselines always run beside the indexes
    for (const r of rows) {
      expect(r.layout).toBe('synthetic-1000');
      expect(r.vmas).toBe(1000);
      expect(r.op).toBe('find-random');
      for (const f of ['ns_p50', 'ns_p99', 'rme', 'ops_per_sec'] as const)
        expect(Number.isFinite(r[f])).toBe(true);
      expect(r.ns_p50).toBeGreaterThan(0);
      expect(r.ops_per_sec).toBeGreaterThan(0);
    }
    expect(run.stderr).toContain('tasks');
  });

  it('--shard i/n splits the operations: disjoint shards whose union is every operation', async () => {
    for (const n of [1, 2, 3, 4]) {
      const parts = Array.from({ length: n }, (_, i) =>
        benchOpsOfShard(INDEX_BENCH_OPS, { index: i, count: n }),
      );
      const union = parts.flat();
      expect(new Set(union).size).toBe(union.length);
      expect([...union].sort()).toEqual([...INDEX_BENCH_OPS].sort());
    }
    const ops = 'find-random,lookup-random';
    const seen: string[] = [];
    for (const s of ['1/2', '2/2']) {
      const { json } = await runJson([
        'bench',
        'indexes',
        ...TINY,
        '--index',
        'maple',
        '--ops',
        ops,
        '--shard',
        s,
        '--format',
        'json',
      ]);
      const doc = json as { results: IndexRow[]; shard: { index: number; count: number } };
      expect(doc.shard).toEqual({ index: Number(s[0]), count: 2 });
      seen.push(...new Set(doc.results.map((r) => r.op)));
    }
    expect(seen).toEqual(['find-random', 'lookup-random']);
  });

  it('shards written with --out are results documents that vmakit merge combines', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vmakit-cli-bench-'));
    try {
      const parts = [1, 2].map((i) => join(tmp, `shard-${i}.json`));
      for (const [i, part] of parts.entries()) {
        const r = await runCli([
          'bench',
          'indexes',
          ...TINY,
          '--index',
          'maple',
          '--ops',
          'find-random,lookup-random,gap-topdown',
          '--shard',
          `${i + 1}/2`,
          '--out',
          part,
        ]);
        expect(r.error).toBeNull();
        expect(validateResults(JSON.parse(readFileSync(part, 'utf8')))).toEqual([]);
      }
      const merged = join(tmp, 'merged');
      expect((await runCli(['merge', ...parts, '--out', merged])).error).toBeNull();
      const doc = JSON.parse(readFileSync(join(merged, 'results.json'), 'utf8')) as {
        benchmarks: { rows: IndexRow[] };
      };
      expect([...new Set(doc.benchmarks.rows.map((r) => r.op))].sort()).toEqual([
        'find-random',
        'gap-topdown',
        'lookup-random',
      ]);
      expect(doc.benchmarks.rows.filter((r) => r.index === 'maple')).toHaveLength(3);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('unknown indexes, operations, layouts and shards are clear errors', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--index', 'btree'], /unknown index 'btree'; known: .*maple/],
      [['--ops', 'find-everything'], /unknown op 'find-everything'; known: .*find-random/],
      [['--layouts', 'synthetic-7'], /unknown layout 'synthetic-7'; known: .*synthetic-1000/],
      [['--ops', 'find-random', '--shard', '2/2'], /shard 2\/2 is empty: only 1 operation/],
    ];
    for (const [extra, message] of cases) {
      const r = await runCli(['bench', 'indexes', '--quick', '--no-memory', '--time', '10', ...extra]);
      expect(r.error?.message, extra.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });
});

describe('vmakit bench faults', { timeout: 120_000 }, () => {
  it('times every safe strategy x index pairing on a capture; unsafe pairings are skipped with the reason', async () => {
    const { json } = await runJson([
      'bench',
      'faults',
      '--quick',
      '--no-kernel',
      '--time',
      '10',
      '--captures',
      fixtureCapture('mmap-touch'),
      '--strategies',
      'mmap-lock,per-vma-lock',
      '--index',
      'maple,rbtree',
      '--format',
      'json',
    ]);
    const doc = json as {
      results: { capture: string; strategy: string; index: string; faults: number; faults_per_sec: number }[];
      skipped: { strategy: string; index: string; reason: string }[];
    };
    expect(doc.results.map((r) => `${r.strategy}|${r.index}`).sort()).toEqual([
      'mmap-lock|maple',
      'mmap-lock|rbtree',
      'per-vma-lock|maple',
    ]);
    for (const r of doc.results) {
      expect(r.capture).toBe('mmap-touch');
      expect(r.faults).toBeGreaterThan(0);
      expect(r.faults_per_sec).toBeGreaterThan(0);
    }
    expect(doc.skipped.map((s) => `${s.strategy}|${s.index}`)).toEqual(['per-vma-lock|rbtree']);
  });

  it('shards written with --out are results documents that vmakit merge combines into one report', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vmakit-cli-bench-faults-'));
    try {
      const captures = `${fixtureCapture('mmap-touch')},${fixtureCapture('brk-heap')}`;
      const parts = [1, 2].map((i) => join(tmp, `shard-${i}.json`));
      for (const [i, part] of parts.entries()) {
        const r = await runCli([
          'bench',
          'faults',
          '--quick',
          '--no-kernel',
          '--time',
          '10',
          '--captures',
          captures,
          '--strategies',
          'mmap-lock,spf-copy-attrs',
          '--index',
          'maple',
          '--shard',
          `${i + 1}/2`,
          '--out',
          part,
        ]);
        expect(r.error).toBeNull();
        const doc = JSON.parse(readFileSync(part, 'utf8')) as {
          fault_path: { rows: { workload: string; samples_ns?: number[]; kernel_faults_per_sec: null }[] };
        };
        expect(validateResults(doc)).toEqual([]);
        // One workload per shard, every row with its samples (for compare-runs) and no kernel rate.
        expect(new Set(doc.fault_path.rows.map((x) => x.workload)).size).toBe(1);
        for (const row of doc.fault_path.rows) {
          expect(row.samples_ns!.length).toBeGreaterThan(0);
          expect(row.kernel_faults_per_sec).toBeNull();
        }
      }
      const merged = join(tmp, 'merged');
      expect((await runCli(['merge', ...parts, '--out', merged])).error).toBeNull();
      const doc = JSON.parse(readFileSync(join(merged, 'results.json'), 'utf8')) as {
        fault_path: { rows: { workload: string; strategy: string; index: string }[] };
      };
      expect(doc.fault_path.rows.map((r) => `${r.workload}|${r.strategy}|${r.index}`)).toEqual([
        'brk-heap|mmap-lock|maple',
        'brk-heap|spf-copy-attrs|maple',
        'mmap-touch|mmap-lock|maple',
        'mmap-touch|spf-copy-attrs|maple',
      ]);
      const md = readFileSync(join(merged, 'report.md'), 'utf8');
      expect(md).toContain('Fault path on one CPU');
      expect(md).toContain("The kernel's own rate was not measured.");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('unknown strategies and captures are clear errors', async () => {
    const a = await runCli(['bench', 'faults', '--quick', '--strategies', 'spf']);
    expect(a.error?.message).toMatch(/unknown strategy 'spf'; known: mmap-lock/);
    const b = await runCli(['bench', 'faults', '--quick', '--no-kernel', '--captures', 'no-such-capture']);
    expect(b.error?.message).toMatch(/unknown capture 'no-such-capture'; known: synthetic:page_fault1/);
  });

  it('--help on bench and its subcommands shows examples', async () => {
    for (const args of [
      ['bench', '--help'],
      ['bench', 'indexes', '--help'],
      ['bench', 'faults', '--help'],
    ]) {
      const r = await runCli(args);
      expect(r.stdout, args.join(' ')).toContain('Example');
    }
  });
});
