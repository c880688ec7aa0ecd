import { describe, expect, it } from 'vitest';
import {
  ATOMIC_STRATEGY,
  comparePublished,
  engineRunner,
  figureById,
  formatComparison,
  judgeAbsolute,
  judgeFraction,
  judgeRatio,
  PUBLISHED_FIGURES,
  type PublishedFigure,
  publishedRuns,
  runKey,
  type SimRunConfig,
  type SimRunMetrics,
  type Variant,
} from '../src/published/index.js';
import { builtinWorkloads } from '../src/workloads/index.js';

const same = (a: Variant, c: SimRunConfig) => a.strategy === c.strategy && a.index === c.index;

/**
 * A fake simulator that reproduces figure `f` exactly (or, with `invert`, turns every gain into the
 * same-sized loss): the oracle for the comparison's wiring.
 */
function exactFake(f: PublishedFigure, invert = false): (c: SimRunConfig) => SimRunMetrics {
  const flip = (r: number) => (invert ? 1 / r : r);
  const rate = (v: number): SimRunMetrics => ({ faults_per_sec: v, ops_per_sec: v });
  return (c) => {
    const k = f.check;
    switch (k.kind) {
      case 'series': {
        const p = k.points.find((x) => x.threads === c.threads)!;
        return rate(same(k.baseline, c) ? p.baseline : p.baseline * flip(p.variant / p.baseline));
      }
      case 'ratios': {
        const i = k.items.find((x) => x.threads === c.threads && x.workload === c.workload)!;
        const v = i.published.value ?? Math.sqrt(i.published.range![0] * i.published.range![1]);
        return rate(same(i.baseline, c) ? 1000 : 1000 * flip(v));
      }
      case 'scaling':
        return rate(c.threads === k.fromThreads ? 1000 : 1000 * flip(k.published.value!));
      case 'benefit-fraction': {
        if (same(k.baseline, c)) return rate(1000);
        if (same(k.reference, c)) return rate(2000);
        return rate(1000 + 1000 * k.published.value!);
      }
      case 'spf-rates': {
        const i = k.items.find((x) => x.threads === c.threads)!;
        const v = i.published.value ?? Math.sqrt(i.published.range![0] * i.published.range![1]);
        const faults = 1_000_000;
        const attempts = faults;
        const abort = i.quantity === 'abort-rate' ? Math.round(v * attempts) : Math.round((1 - v) * faults);
        return { faults_per_sec: 1, ops_per_sec: 1, faults, spf_attempt: attempts, spf_abort: abort };
      }
      case 'not-modelled':
        throw new Error('not-modelled figures need no runs');
    }
  };
}

const TRACE_DIRS = { 'c-arenas': '/captures/c-arenas' };

describe('published figures as data', () => {
  it('have unique ids, citations with a lore id or index, and explanations', () => {
    const ids = PUBLISHED_FIGURES.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of PUBLISHED_FIGURES) {
      expect(f.citation.where).toMatch(/lore |https?:/);
      expect(f.citation.factSheet).toMatch(/\.md §/);
      expect(f.whyMayDisagree.length).toBeGreaterThan(80);
      expect(figureById(f.id)).toBe(f);
    }
  });

  it('quote Rasmussen 2021 as published (the derived changes equal the stated ones)', () => {
    const k = figureById('rasmussen-2021-pft-spf')!.check;
    if (k.kind !== 'series') throw new Error('series expected');
    const stated = [1.28, 13.96, 65.28, 68.99, 136.5];
    expect(k.points.map((p) => p.threads)).toEqual([1, 12, 21, 48, 112]);
    k.points.forEach((p, i) => {
      expect((p.variant / p.baseline - 1) * 100).toBeCloseTo(stated[i]!, 1);
    });
  });

  it('ratio items agree with the percentages their sources state', () => {
    for (const f of PUBLISHED_FIGURES) {
      if (f.check.kind !== 'ratios') continue;
      for (const i of f.check.items) {
        const m = /^([+-]\d+(?:\.\d+)?)%/.exec(i.published.text);
        if (m === null || i.published.value === undefined) continue;
        // Sources round their percentages to 0.1 or 0.01.
        expect(Math.abs((i.published.value - 1) * 100 - Number(m[1]))).toBeLessThan(0.1);
      }
    }
  });

  it('name only workloads that exist (or captures) and thread counts >= 1', () => {
    const names = new Set(builtinWorkloads.map((p) => p.meta.name));
    for (const c of publishedRuns({ traceDirs: TRACE_DIRS })) {
      expect(names.has(c.workload) || c.workload.startsWith('trace:')).toBe(true);
      expect(c.threads).toBeGreaterThanOrEqual(1);
      expect(c.cpus).toBe(c.threads);
    }
  });
});

describe('which runs reproduce each figure', () => {
  it('lists each configuration once, on the chosen profile', () => {
    const runs = publishedRuns({
      figures: ['rasmussen-2021-pft-spf', 'lespinasse-2021-pft-48'],
      profile: 'server',
    });
    // 5 thread counts x 2 strategies; Lespinasse's 48-thread pair is already among them.
    expect(runs).toHaveLength(10);
    expect(new Set(runs.map(runKey)).size).toBe(10);
    expect(runs[0]).toEqual({
      workload: 'pft',
      params: { bytes_per_thread: 16 * 1024 * 1024 },
      strategy: 'mmap-lock',
      index: 'rbtree',
      profile: 'server',
      threads: 1,
      cpus: 1,
      seed: 1,
    });
    expect(runs.filter((r) => r.strategy === 'spf-copy-vma').map((r) => r.threads)).toEqual([
      1, 12, 21, 48, 112,
    ]);
  });

  it('applies parameter overrides and capture folders, and leaves out what cannot run', () => {
    const runs = publishedRuns({
      workloadParams: { pft: { size_bytes: 1 << 24 } },
      maxCpus: 48,
      traceDirs: TRACE_DIRS,
    });
    expect(runs.every((r) => r.threads <= 48)).toBe(true);
    expect(runs.filter((r) => r.workload === 'pft').every((r) => r.params.size_bytes === 1 << 24)).toBe(true);
    expect(runs.some((r) => r.workload === 'trace:/captures/c-arenas')).toBe(true);
    expect(publishedRuns().some((r) => r.workload.startsWith('trace:'))).toBe(false);
    // A figure's engine hints travel with its runs and make them distinct configurations.
    const trace = runs.find((r) => r.workload.startsWith('trace:'))!;
    expect(trace).toMatchObject({ params: { time_scale: 1 }, durationNs: 40_000_000, warmupNs: 0 });
    expect(runKey(trace)).not.toBe(runKey({ ...trace, durationNs: undefined, warmupNs: undefined }));
    expect(() => publishedRuns({ figures: ['nope'] })).toThrow(/unknown published figure 'nope'/);
  });
});

describe('comparePublished with a fake simulator', () => {
  for (const f of PUBLISHED_FIGURES) {
    if (f.check.kind === 'not-modelled') continue;
    it(`${f.id}: a simulator reproducing the figure matches; inverted effects do not`, async () => {
      const ok = await comparePublished(exactFake(f), { figures: [f.id], traceDirs: TRACE_DIRS });
      expect(ok.figures).toHaveLength(1);
      const rows = ok.figures[0]!.rows.filter((r) => !r.informational);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect([r.x, r.quantity, r.agreement]).toEqual([r.x, r.quantity, 'match']);
      expect(ok.figures[0]!.verdict).toBe('match');
      const bad = await comparePublished(exactFake(f, true), { figures: [f.id], traceDirs: TRACE_DIRS });
      if (f.check.kind === 'spf-rates' || f.check.kind === 'benefit-fraction') return;
      expect(bad.figures[0]!.verdict).toBe('mismatch');
    });
  }

  it('the Rasmussen series checks shape: the ratio must grow and the baseline must peak early', async () => {
    const f = figureById('rasmussen-2021-pft-spf')!;
    // A simulator whose baseline scales linearly and whose SPF gain is a constant 10%.
    const flat = await comparePublished(
      (c) => {
        const v = 500_000 * c.threads * (c.strategy === 'spf-copy-vma' ? 1.1 : 1);
        return { faults_per_sec: v, ops_per_sec: v };
      },
      { figures: [f.id] },
    );
    const shapes = flat.rows.filter((r) => r.quantity.startsWith('shape'));
    expect(shapes.map((r) => r.agreement)).toEqual(['mismatch', 'mismatch']);
    const calib = flat.rows.find((r) => r.informational)!;
    expect(calib).toMatchObject({ simulated: 500_000, agreement: 'match' });
  });

  it('runs each configuration once and reports failures and missing runs as not-run', async () => {
    const calls: string[] = [];
    const result = await comparePublished(
      (c) => {
        calls.push(runKey(c));
        if (c.threads === 112) throw new Error('profile has 96 CPUs');
        return { faults_per_sec: 1e6, ops_per_sec: 1e6 };
      },
      { figures: ['rasmussen-2021-pft-spf', 'lespinasse-2021-pft-48'] },
    );
    expect(calls).toHaveLength(10);
    expect(new Set(calls).size).toBe(10);
    const at112 = result.rows.find((r) => r.x === '112 threads')!;
    expect(at112).toMatchObject({ agreement: 'not-run', simulated: null });
    expect(at112.note).toMatch(/run failed: profile has 96 CPUs/);

    const points = await comparePublished([], { figures: ['lespinasse-2021-pft-48'] });
    expect(points.figures[0]).toMatchObject({ verdict: 'not-run' });
    expect(points.rows[0]!.note).toMatch(/no such run/);
  });

  it('not-modelled figures, unknown strategies and missing captures are explained, never dropped', async () => {
    const r = await comparePublished(
      (c) => {
        if (c.strategy === ATOMIC_STRATEGY) throw new Error(`unknown strategy '${c.strategy}'`);
        return { faults_per_sec: 1, ops_per_sec: 1 };
      },
      {
        figures: [
          'rasmussen-2021-rome-crossover',
          'lespinasse-2021-atomic',
          'lespinasse-2021-android-aborts',
        ],
      },
    );
    expect(r.figures.map((f) => f.verdict)).toEqual(['not-run', 'not-run', 'not-run']);
    expect(r.rows[0]!.note).toMatch(/AMD Rome/);
    expect(r.rows[1]!.note).toMatch(/run failed: unknown strategy 'spf-copy-vma\+atomic'/);
    expect(r.rows[2]!.note).toMatch(/capture c-arenas not given/);
    const noCounters = await comparePublished(() => ({ faults_per_sec: 1, ops_per_sec: 1 }), {
      figures: ['lespinasse-2021-android-aborts'],
      traceDirs: TRACE_DIRS,
    });
    expect(noCounters.rows[0]!.note).toMatch(/no spf_attempt/);
  });

  it('formats every figure as a Markdown section with a table', async () => {
    const r = await comparePublished([], {});
    const md = formatComparison(r);
    for (const f of PUBLISHED_FIGURES) expect(md).toContain(`### ${f.title}`);
    expect(md).toContain('| configuration | quantity | published | simulated | agreement | note |');
  });
});

describe('agreement rules', () => {
  it('ratios: direction, then size of the log-gain', () => {
    expect(judgeRatio(1.2, { value: 1.2041, text: '' })).toBe('match');
    expect(judgeRatio(1.1, { value: 1.2041, text: '' })).toBe('rough');
    expect(judgeRatio(3, { value: 12.69, text: '' })).toBe('direction');
    expect(judgeRatio(48, { value: 24, text: '' })).toBe('rough');
    expect(judgeRatio(27, { value: 24, text: '' })).toBe('match');
    expect(judgeRatio(6.04, { value: 3.7, text: '' })).toBe('rough');
    expect(judgeRatio(0.8, { value: 1.2, text: '' })).toBe('mismatch');
    expect(judgeRatio(1.01, { value: 1.0128, text: '' })).toBe('match');
    expect(judgeRatio(1.3, { value: 1.0128, text: '' })).toBe('mismatch');
    expect(judgeRatio(0.8, { range: [0.68, 0.87], text: '' })).toBe('match');
    expect(judgeRatio(0.6, { range: [0.68, 0.87], text: '' })).toBe('rough');
    expect(judgeRatio(0.93, { range: [0.68, 0.87], text: '' })).toBe('direction');
    expect(judgeRatio(1.2, { range: [0.68, 0.87], text: '' })).toBe('mismatch');
    expect(judgeRatio(Number.NaN, { value: 2, text: '' })).toBe('mismatch');
  });

  it('fractions and absolute rates', () => {
    expect(judgeFraction(0.7, { value: 0.75, text: '' })).toBe('match');
    expect(judgeFraction(0.45, { value: 0.75, text: '' })).toBe('rough');
    expect(judgeFraction(0.1, { value: 0.75, text: '' })).toBe('mismatch');
    expect(judgeFraction(0.05, { range: [0.01, 0.09], text: '' })).toBe('match');
    expect(judgeFraction(0.15, { range: [0.01, 0.09], text: '' })).toBe('rough');
    expect(judgeFraction(0.4, { range: [0.01, 0.09], text: '' })).toBe('mismatch');
    expect(judgeAbsolute(600_000, 573_625)).toBe('match');
    expect(judgeAbsolute(1_000_000, 573_625)).toBe('rough');
    expect(judgeAbsolute(3_000_000, 573_625)).toBe('mismatch');
  });
});

describe('engineRunner', () => {
  it('resolves names to plug-ins once, passes the run options, and keeps only the metrics', async () => {
    const loads: string[] = [];
    const seen: unknown[] = [];
    const run = engineRunner({
      runSim: (o) => {
        seen.push(o);
        return { faults_per_sec: 5, ops_per_sec: 6, faults: 7, spf_attempt: 3, spf_abort: 1 };
      },
      workload: async (n) => {
        loads.push(n);
        return { plugin: n };
      },
      strategy: (n) => ({ strategy: n }),
      index: (n) => ({ index: n }),
      extra: { durationNs: 1000 },
    });
    const c: SimRunConfig = {
      workload: 'pft',
      params: { cachelines: 2 },
      strategy: 'spf-copy-vma',
      index: 'maple',
      profile: 'skylake-2s',
      threads: 4,
      cpus: 4,
      seed: 9,
    };
    expect(await run(c)).toEqual({
      faults_per_sec: 5,
      ops_per_sec: 6,
      faults: 7,
      spf_attempt: 3,
      spf_abort: 1,
    });
    await run({ ...c, threads: 8, cpus: 8 });
    expect(loads).toEqual(['pft']);
    expect(seen[0]).toEqual({
      durationNs: 1000,
      workload: { plugin: 'pft' },
      params: { cachelines: 2 },
      cpus: 4,
      strategy: { strategy: 'spf-copy-vma' },
      index: { index: 'maple' },
      profile: 'skylake-2s',
      seed: 9,
    });
    await expect(run({ ...c, threads: 2 })).rejects.toThrow(/one thread per CPU/);
  });
});
