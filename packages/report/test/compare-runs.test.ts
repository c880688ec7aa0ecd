import { describe, expect, it } from 'vitest';
import {
  type BenchmarkRow,
  type Comparison,
  compareRuns,
  createResults,
  type ResultsDocument,
  renderComparison,
  type ScalingPoint,
} from '../src/index.js';
import { sampleResults } from './fixtures/sample.js';
import { checkMarkdown } from './support/checks.js';

const ENV = {
  node: 'v20.19.0',
  platform: 'linux',
  kernel: '6.8.0',
  cpu_model: 'test cpu',
  cpus: 4,
  git_revision: 'a'.repeat(40),
  git_dirty: false,
};

function bench(index: string, samples: number[] | undefined, p50 = samples?.[0] ?? 50): BenchmarkRow {
  return {
    layout: 'synthetic-1000',
    vmas: 1000,
    index,
    op: 'find-random',
    ns_p50: p50,
    ns_p99: p50 * 3,
    rme: 1,
    ops_per_sec: 1e9 / p50,
    samples: 100,
    ...(samples === undefined ? {} : { samples_ns: samples }),
  };
}

function point(strategy: string, cpus: number, faultsPerSec: number): ScalingPoint {
  return {
    workload: 'page_fault1',
    profile: 'x86-48',
    cpus,
    strategy,
    index: 'maple',
    faults: 1000,
    ops: 10,
    faults_per_sec: faultsPerSec,
    ops_per_sec: 1,
    spf_attempt: 0,
    spf_abort: 0,
    abort_reasons: {},
    vma_lock: { success: 0, abort: 0, retry: 0, miss: 0 },
    fallbacks: 0,
    mmap_lock_wait_fraction: 0,
    cost_units: 250_000,
  };
}

const range = (from: number, n: number, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);

function run(rows: BenchmarkRow[], points: ScalingPoint[], at: string): ResultsDocument {
  return {
    ...createResults({ environment: ENV, generatedAt: at, seeds: { sim: 1 } }),
    benchmarks: { runner: { name: 'tinybench', version: '6.1.2', settings: {} }, rows },
    scaling: { points, violations: [] },
  };
}

const A = run(
  [
    bench('faster', range(100, 10)),
    bench('noisy', [50, 52, 49, 55, 51, 48, 53, 50, 54, 47]),
    bench('few', [10, 11, 12]),
    bench('unsampled', undefined, 70),
    bench('five', range(200, 5)),
    bench('gone', range(10, 6)),
  ],
  [point('mmap-lock', 1, 100), point('mmap-lock', 48, 400)],
  '2026-01-01T00:00:00Z',
);
const B = run(
  [
    bench('faster', range(90, 10)),
    bench('noisy', [51, 49, 53, 50, 52, 48, 54, 47, 55, 50]),
    bench('few', range(20, 10)),
    bench('unsampled', undefined, 60),
    bench('five', range(300, 5)),
    bench('new', range(10, 6)),
  ],
  [point('mmap-lock', 1, 100), point('mmap-lock', 48, 900)],
  '2026-01-02T00:00:00Z',
);

function row(c: Comparison, metric: string, nameEnd: string) {
  const t = c.tables.find((x) => x.metric === metric)!;
  return t.rows.find((r) => r.name.endsWith(nameEnd))!;
}

describe('compareRuns', () => {
  const c = compareRuns(A, B, { labels: ['old.json', 'new.json'] });
  const ns = 'ns/op (wall clock)';

  it('calls a clear improvement, with the exact U test', () => {
    const r = row(c, ns, '/faster');
    expect(r.verdict).toBe('better');
    expect(r.test).toBe('exact');
    expect(r.p).toBeCloseTo(2 / 184756, 12); // complete separation, 10 + 10
    expect(r.change).toBeCloseTo((94.5 - 104.5) / 104.5, 12);
    expect(r.a!.ci).toEqual({ low: 101, high: 108, coverage: expect.closeTo(1 - (2 * (1 + 10)) / 1024, 12) });
  });

  it('prints ~ when the test finds nothing', () => {
    const r = row(c, ns, '/noisy');
    expect(r.verdict).toBe('same');
    expect(r.p).toBeGreaterThan(0.05);
  });

  it('refuses to call a difference without enough samples, saying why', () => {
    expect(row(c, ns, '/few')).toMatchObject({
      verdict: 'insufficient',
      reason: 'need ≥ 4 samples per side (have 3+10)',
      p: null,
    });
    expect(row(c, ns, '/unsampled')).toMatchObject({
      verdict: 'insufficient',
      reason: 'no repeated samples (samples_ns)',
    });
  });

  it('tests 5 + 5 samples but gives no finite interval', () => {
    const r = row(c, ns, '/five');
    expect(r.verdict).toBe('worse');
    expect(r.p).toBeCloseTo(2 / 252, 12);
    expect(r.a!.ci).toBeNull();
  });

  it('lists cells present in one run only', () => {
    expect(row(c, ns, '/gone').verdict).toBe('only-a');
    expect(row(c, ns, '/new').verdict).toBe('only-b');
  });

  it('compares deterministic metrics exactly, with a geomean', () => {
    const t = c.tables.find((x) => x.metric === 'faults/s (simulated)')!;
    expect(t.kind).toBe('exact');
    expect(t.rows.map((r) => r.verdict)).toEqual(['unchanged', 'changed']);
    expect(t.rows[1]!.change).toBeCloseTo(1.25, 12);
    expect(t.geomean!.a).toBeCloseTo(200, 10);
    expect(t.geomean!.b).toBeCloseTo(300, 10);
    expect(t.geomean!.change).toBeCloseTo(0.5, 12);
  });

  it('geomean over the medians of rows in both runs', () => {
    const t = c.tables.find((x) => x.metric === ns)!;
    const both = t.rows.filter((r) => r.a !== null && r.b !== null);
    expect(t.geomean!.n).toBe(both.length);
    const g = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
    expect(t.geomean!.a).toBeCloseTo(g(both.map((r) => r.a!.median)), 10);
  });

  it('notes different machines and seeds', () => {
    const other = {
      ...B,
      metadata: { ...B.metadata, environment: { ...ENV, cpu_model: 'other' }, seeds: { sim: 2 } },
    };
    const n = compareRuns(A, other).notes.join('\n');
    expect(n).toMatch(/different machines/);
    expect(n).toMatch(/different seeds/);
  });

  it('validates its inputs and options', () => {
    expect(() => compareRuns(A, { schema_version: 3 } as unknown as ResultsDocument)).toThrow(/run b/);
    expect(() => compareRuns(A, B, { alpha: 0 })).toThrow(/alpha/);
    expect(() => compareRuns(A, B, { confidence: 1 })).toThrow(/confidence/);
  });
});

describe('renderComparison', { timeout: 60_000 }, () => {
  const c = compareRuns(A, B, { labels: ['old.json', 'new.json'] });

  it('text in the benchstat manner', () => {
    const txt = renderComparison(c, 'text');
    expect(txt).toContain('ns/op (wall clock); lower is better; median ± 95% CI, Mann-Whitney U');
    expect(txt).toMatch(
      /synthetic-1000\/find-random\/faster +104\.5 ns ± \d+% +94\.5 ns ± \d+% +-9\.57% \(p=0\.000 n=10\+10\)/,
    );
    expect(txt).toMatch(/\/noisy .* ~ \(p=[01]\.\d{3} n=10\+10\)/);
    expect(txt).toMatch(/\/few .* ~ \[\d\]/);
    expect(txt).toMatch(/\/five +202 ns ± ∞ \[\d\] +302 ns ± ∞ \[\d\] +\+49\.50% \(p=0\.008 n=5\+5\)/);
    expect(txt).toContain('need ≥ 4 samples per side (have 3+10)');
    expect(txt).toContain('need ≥ 6 samples for a 95% confidence interval of the median');
    expect(txt).toMatch(/^geomean +/m);
    expect(txt).toMatch(/page_fault1\/x86-48\/48\/mmap-lock\/maple +400 +900 +\+125\.00%/);
    expect(txt).toMatch(/\/1\/mmap-lock\/maple +100 +100 +unchanged/);
    expect(renderComparison(c, 'text')).toBe(txt);
  });

  it('Markdown tables and JSON', () => {
    const md = renderComparison(c, 'md');
    checkMarkdown(md);
    expect(md).toContain('### ns/op (wall clock)');
    expect(md).toContain('| name | old.json | new.json | vs old.json |');
    const json = JSON.parse(renderComparison(c, 'json')) as Comparison;
    expect(json).toEqual(JSON.parse(JSON.stringify(c)));
  });

  it('a run against itself: nothing changes', () => {
    const s = sampleResults();
    const self = compareRuns(s, s);
    for (const t of self.tables)
      for (const r of t.rows) expect(['same', 'unchanged', 'insufficient']).toContain(r.verdict);
    const sampled = self.tables.find((t) => t.kind === 'sampled')!;
    expect(sampled.rows.filter((r) => r.verdict === 'same').length).toBeGreaterThan(0);
    expect(sampled.geomean!.change).toBe(0);
  });

  it('compares fault-path rows as a wall-clock metric: a slower fault path is called slower', () => {
    const a = sampleResults();
    const b: ResultsDocument = {
      ...a,
      fault_path: {
        ...a.fault_path!,
        rows: a.fault_path!.rows.map((r) =>
          r.samples_ns === undefined ? r : { ...r, samples_ns: r.samples_ns.map((v) => v * 1.5) },
        ),
      },
    };
    const t = compareRuns(a, b).tables.find((x) => x.metric === 'ns/fault (wall clock, one CPU)')!;
    expect(t.kind).toBe('sampled');
    const sampled = t.rows.filter((r) => r.name.endsWith('/mmap-lock/maple'));
    expect(sampled.map((r) => r.name)).toEqual([
      'py-sqlite/mmap-lock/maple',
      'synthetic:page_fault1/mmap-lock/maple',
    ]);
    for (const r of sampled) {
      expect(r.verdict).toBe('worse');
      expect(r.change).toBeCloseTo(0.5, 1);
    }
    // Rows without repeated samples are never called.
    expect(t.rows.find((r) => r.name === 'py-sqlite/per-vma-lock/maple')!.verdict).toBe('insufficient');
  });
});
