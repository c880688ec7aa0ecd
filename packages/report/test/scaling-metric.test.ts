import { describe, expect, it } from 'vitest';
import {
  createResults,
  type ResultsDocument,
  renderHtml,
  renderMarkdown,
  renderText,
  type ScalingPoint,
  validateResults,
} from '../src/index.js';
import { checkHtml, checkMarkdown, checkText, gfmCells } from './support/checks.js';
import { findAll, textContent } from './support/xml.js';

const ENV = {
  node: 'v20.19.0',
  platform: 'linux',
  kernel: '6.8.0',
  cpu_model: 'test cpu',
  cpus: 4,
  git_revision: null,
  git_dirty: null,
};

/** A point with the counters that matter here; the rest zero. */
function point(
  workload: string,
  strategy: string,
  cpus: number,
  o: { faults: number; ops: number; fps: number; ops_ps: number; metric?: 'ops_per_sec' | 'faults_per_sec' },
): ScalingPoint {
  return {
    workload,
    profile: 'skylake-2s',
    cpus,
    strategy,
    index: 'maple',
    faults: o.faults,
    ops: o.ops,
    faults_per_sec: o.fps,
    ops_per_sec: o.ops_ps,
    spf_attempt: 0,
    spf_abort: 0,
    abort_reasons: {},
    vma_lock: { success: 0, abort: 0, retry: 0, miss: 0 },
    fallbacks: 0,
    mmap_lock_wait_fraction: 0.5,
    cost_units: 1000,
    ...(o.metric !== undefined ? { metric: o.metric } : {}),
    warmup_ns: 250_000,
    window_ns: 200_000,
  };
}

/** brk1 (iterations, never faults), malloc1 (iterations and faults, starved at 32 CPUs), pft (faults). */
function doc(): ResultsDocument {
  const points: ScalingPoint[] = [];
  for (const s of ['mmap-lock', 'per-vma-lock']) {
    points.push(point('brk1', s, 1, { faults: 0, ops: 95, fps: 0, ops_ps: 475_000, metric: 'ops_per_sec' }));
    points.push(
      point('brk1', s, 16, { faults: 0, ops: 256, fps: 0, ops_ps: 1_280_000, metric: 'ops_per_sec' }),
    );
    points.push(
      point('malloc1', s, 1, { faults: 24, ops: 23, fps: 120_000, ops_ps: 115_000, metric: 'ops_per_sec' }),
    );
    points.push(point('malloc1', s, 32, { faults: 0, ops: 0, fps: 0, ops_ps: 0, metric: 'ops_per_sec' }));
    points.push(point('pft', s, 16, { faults: 1486, ops: 1486, fps: 7_430_000, ops_ps: 7_430_000 }));
  }
  return {
    ...createResults({ environment: ENV, generatedAt: '2026-01-02T03:04:05Z' }),
    scaling: { points, violations: [] },
  };
}

/** Rows (cells) of the Markdown table whose caption starts with `caption`. */
function mdTable(md: string, caption: string): string[][] {
  const lines = md.split('\n');
  const at = lines.findIndex((l) => l.includes(caption));
  expect(at).toBeGreaterThanOrEqual(0);
  const start = lines.findIndex((l, i) => i > at && l.startsWith('|'));
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++)
    rows.push(gfmCells(lines[i]!).map((c) => c.trim()));
  return rows;
}

describe("scaling tables in each workload's own metric", () => {
  const d = doc();

  it('the document is valid', () => {
    expect(validateResults(d)).toEqual([]);
  });

  it('iterations/s for will-it-scale, faults/s for the workloads that fault, never a 0 for no faults', () => {
    const md = renderMarkdown(d).markdown;
    checkMarkdown(md);
    const ops = mdTable(md, "Iterations per second (will-it-scale's metric)");
    expect(ops.map((r) => r[0])).toEqual(['brk1-1', 'brk1-16', 'malloc1-1', 'malloc1-32']);
    expect(ops[1]).toEqual(['brk1-16', '1.28 M', '1.28 M (+0.00%)']);
    expect(ops[2]![1]).toBe('115 k');
    const faults = mdTable(md, 'Faults per second');
    // brk1 takes no page faults: it is not in the faults table at all.
    expect(faults.map((r) => r[0])).toEqual(['malloc1-1', 'malloc1-32', 'pft-16']);
    expect(faults[2]).toEqual(['pft-16', '7.43 M', '7.43 M (+0.00%)']);
  });

  it('a point that completed no iteration is flagged, in every format', () => {
    const md = renderMarkdown(d).markdown;
    const ops = mdTable(md, "Iterations per second (will-it-scale's metric)");
    expect(ops[3]).toEqual(['malloc1-32', 'n/a\\*', 'n/a\\*']);
    expect(md).toContain('window too short: no iteration completed in the measured window of 2 point(s)');
    expect(md).toContain('malloc1-32 (mmap-lock, per-vma-lock; window 200 µs)');

    const txt = renderText(d);
    checkText(txt);
    expect(txt).toMatch(/^ malloc1-32 +n\/a\* +n\/a\*$/m);
    expect(txt).toMatch(/^ brk1-16 +1\.28 M +1\.28 M \(\+0\.00%\)$/m);
    expect(txt).toContain('WARNING: n/a* window too short: no iteration completed');
    expect(txt).not.toMatch(/\d{7}\.\d/);
    // brk1's detail: no fault rate at all rather than a column of zeros.
    expect(txt).toMatch(/^ mmap-lock +16 +- +1\.28 M/m);

    const root = checkHtml(renderHtml(d));
    const warnings = findAll(root, 'p').filter((p) => p.attrs.get('class') === 'warning');
    expect(warnings.map(textContent).join(' ')).toMatch(/window too short: no iteration completed/);
    const captions = findAll(root, 'figure').map((f) => textContent(findAll(f, 'figcaption')[0]!));
    expect(captions).toContain('brk1: iterations/s vs CPUs (profile skylake-2s, index maple)');
    expect(captions).toContain('pft: faults/s vs CPUs (profile skylake-2s, index maple)');
  });

  it('documents without a metric keep faults/s', () => {
    const old: ResultsDocument = {
      ...d,
      scaling: {
        points: d.scaling!.points.filter((p) => p.workload === 'pft'),
        violations: [],
      },
    };
    const md = renderMarkdown(old).markdown;
    expect(md).not.toContain('Iterations per second');
    expect(mdTable(md, 'Faults per second')).toHaveLength(1);
  });
});
