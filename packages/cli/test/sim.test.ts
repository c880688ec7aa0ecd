import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry, indexesByNames, strategiesByNames } from '@vmakit/registry';
import { validateResults } from '@vmakit/report';
import { pageFault1Plugin } from '@vmakit/sim';
import { afterAll, describe, expect, it } from 'vitest';
import { planSimMatrix } from '../src/work/sim-matrix.js';
import { fixtureCapture, runCli, runJson } from './fixtures/run-cli.js';

// Short simulated windows keep the suite quick; every point is still a full engine run.
const SHORT = ['--duration-ns', '40000', '--warmup-ns', '20000'];

interface Point {
  cpus: number;
  strategy: string;
  index: string;
  faults_per_sec: number;
  ops_per_sec: number;
  spf_attempt: number;
  spf_abort: number;
  abort_reasons: Record<string, number>;
  vma_lock: Record<string, number>;
  mmap_lock_wait_fraction: number;
  violations: number;
}
interface SimJson {
  points: Point[];
  skipped: { strategy: string; index: string; cpus: number; reason: string }[];
  violations: number;
}

const key = (e: { strategy: string; index: string; cpus: number }) => `${e.strategy}|${e.index}|${e.cpus}`;

describe('vmakit sim', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vmakit-cli-sim-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints every point of the matrix with the documented fields, byte-identical on a second run', async () => {
    const args = [
      'sim',
      'page_fault1',
      '--cpus',
      '1,4',
      '--strategies',
      'mmap-lock,spf-copy-vma',
      '--index',
      'maple',
      '--seed',
      '5',
      '--format',
      'json',
      ...SHORT,
    ];
    const a = await runJson(args);
    const b = await runCli(args);
    expect(b.stdout).toBe(a.run.stdout);
    const doc = a.json as SimJson;
    expect(doc.points.map(key)).toEqual([
      'mmap-lock|maple|1',
      'mmap-lock|maple|4',
      'spf-copy-vma|maple|1',
      'spf-copy-vma|maple|4',
    ]);
    for (const p of doc.points) {
      for (const f of [
        'faults_per_sec',
        'ops_per_sec',
        'spf_attempt',
        'spf_abort',
        'mmap_lock_wait_fraction',
      ])
        expect(typeof (p as unknown as Record<string, unknown>)[f]).toBe('number');
      expect(p.faults_per_sec).toBeGreaterThan(0);
      expect(typeof p.abort_reasons).toBe('object');
      expect(Object.keys(p.vma_lock).sort()).toEqual(['abort', 'miss', 'retry', 'success']);
      expect(p.mmap_lock_wait_fraction).toBeGreaterThanOrEqual(0);
      expect(p.mmap_lock_wait_fraction).toBeLessThanOrEqual(1);
    }
    // mmap-lock never speculates; the speculative strategy tries on every fault after the first.
    expect(doc.points.filter((p) => p.strategy === 'mmap-lock').every((p) => p.spf_attempt === 0)).toBe(true);
    expect(doc.points.filter((p) => p.strategy === 'spf-copy-vma').every((p) => p.spf_attempt > 0)).toBe(
      true,
    );
    expect(doc.violations).toBe(doc.points.reduce((n, p) => n + p.violations, 0));
    expect(doc.violations).toBe(0);
    // No progress on stdout: it parsed as one JSON document above; progress went to stderr.
    expect(a.run.stderr).toContain('points');
  });

  it('a different seed gives a different run', async () => {
    const base = [
      'sim',
      'mixed',
      '--cpus',
      '4',
      '--strategies',
      'per-vma-lock',
      '--index',
      'maple',
      '--format',
      'json',
    ];
    const a = await runCli([...base, '--seed', '1', ...SHORT]);
    const b = await runCli([...base, '--seed', '2', ...SHORT]);
    expect(a.error).toBeNull();
    expect(a.stdout).not.toBe(b.stdout);
  });

  it("'all' covers every strategy x index; unsafe pairings are skipped with the reason", async () => {
    const { json } = await runJson([
      'sim',
      'page_fault1',
      '--cpus',
      '2',
      '--strategies',
      'all',
      '--index',
      'all',
      '--format',
      'json',
      ...SHORT,
    ]);
    const doc = json as SimJson;
    const reg = builtinRegistry();
    expect(doc.points.length + doc.skipped.length).toBe(reg.strategies.length * reg.indexes.length);
    expect(doc.skipped.map(key)).toEqual(['per-vma-lock|rbtree|2']);
    expect(doc.skipped[0]!.reason).toMatch(/^unsafe pairing: .*'unsafe' index/);
  });

  it('--shard i/n splits the matrix: shards are disjoint, their union is the matrix, points equal the whole run', async () => {
    const base = [
      'sim',
      'page_fault1',
      '--cpus',
      '1,2',
      '--strategies',
      'mmap-lock,per-vma-lock',
      '--index',
      'rbtree,maple',
      '--format',
      'json',
      ...SHORT,
    ];
    const whole = (await runJson(base)).json as SimJson;
    const seen = new Map<string, unknown>();
    for (let i = 1; i <= 3; i++) {
      const part = (await runJson([...base, '--shard', `${i}/3`])).json as SimJson;
      for (const e of [...part.points, ...part.skipped]) {
        expect(seen.has(key(e))).toBe(false);
        seen.set(key(e), e);
      }
    }
    expect([...seen.keys()].sort()).toEqual([...whole.points, ...whole.skipped].map(key).sort());
    for (const p of whole.points) expect(seen.get(key(p))).toEqual(p);
  });

  it('the shard plan partitions a large matrix exactly (strategies x indexes x CPUs)', () => {
    const reg = builtinRegistry();
    const spec = {
      workloadName: 'page_fault1',
      workload: pageFault1Plugin,
      params: {},
      cpus: [1, 2, 4, 8, 16, 32, 64, 128],
      strategies: strategiesByNames(reg, 'all'),
      indexes: indexesByNames(reg, 'all'),
      profile: 'skylake-2s',
      seed: 1,
    };
    const whole = planSimMatrix(spec);
    const all = [...whole.tasks, ...whole.skipped].map(key);
    expect(all.length).toBe(spec.cpus.length * spec.strategies.length * spec.indexes.length);
    for (const n of [1, 2, 5, 7]) {
      const union: string[] = [];
      for (let i = 0; i < n; i++) {
        const s = planSimMatrix({ ...spec, shard: { index: i, count: n } });
        union.push(...[...s.tasks, ...s.skipped].map(key));
      }
      expect(new Set(union).size).toBe(union.length);
      expect(union.sort()).toEqual([...all].sort());
    }
  });

  it('syscall-bound tests get the CPU-scaled window unless the user sets one; faulting tests keep the defaults', () => {
    const reg = builtinRegistry();
    const spec = {
      workload: pageFault1Plugin,
      params: {},
      cpus: [1, 32],
      strategies: strategiesByNames(reg, 'mmap-lock'),
      indexes: indexesByNames(reg, 'maple'),
      profile: 'skylake-2s',
      seed: 1,
    };
    const malloc = planSimMatrix({ ...spec, workloadName: 'malloc1' }).tasks;
    expect(malloc.map((t) => [t.cpus, t.warmupNs, t.durationNs])).toEqual([
      [1, 525_000, 1_050_000],
      [32, 1_300_000, 2_600_000],
    ]);
    const explicit = planSimMatrix({ ...spec, workloadName: 'malloc1', durationNs: 40_000 }).tasks;
    expect(explicit.map((t) => [t.warmupNs, t.durationNs])).toEqual([
      [525_000, 40_000],
      [1_300_000, 40_000],
    ]);
    const pf = planSimMatrix({ ...spec, workloadName: 'page_fault1' }).tasks;
    expect(pf.every((t) => t.durationNs === undefined && t.warmupNs === undefined)).toBe(true);
  });

  it('unknown names and impossible CPU counts are one clear error listing what exists', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['sim', 'nope'], /unknown workload 'nope'; known: page_fault1, .*published/],
      [['sim', 'pft', '--strategies', 'spf'], /unknown strategy 'spf'; known: mmap-lock, spf-copy-vma/],
      [['sim', 'pft', '--index', 'maple,btree'], /unknown index 'btree'; known: .*maple/],
      [['sim', 'pft', '--profile', 'epyc'], /unknown profile 'epyc'; known: skylake-2s/],
      [['sim', 'pft', '--mutant', 'typo'], /unknown mutant 'typo'; known: spf-skip-copy-check/],
      [['sim', 'pft', '--cpus', '0'], /--cpus: '0' is not a CPU count \(an integer from 1 to \d+\)/],
      [['sim', 'pft', '--cpus', '4,100000'], /--cpus: '100000' is not a CPU count/],
      [['sim', 'pft', '--cpus', 'two'], /--cpus: 'two' is not a CPU count/],
      [['sim', 'pft', '--shard', '3/2'], /--shard must be i\/n with 1 <= i <= n/],
      [['sim', 'pft', '--format', 'yaml'], /--format must be 'text' or 'json'/],
      [
        ['sim', 'page_fault1', '--params', 'foo=1', '--shard', '2/3'],
        /unknown parameter 'foo'; known: memsize_bytes/,
      ],
      [
        ['sim', `trace:${fixtureCapture('mmap-touch')}`, '--cpus', '1,2'],
        /--cpus 2: .*the capture has 1 threads/,
      ],
      [['sim', `trace:${fixtureCapture('mmap-touch')}/nothing`], /nothing/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.error?.message, args.join(' ')).toMatch(message);
      expect(r.error!.name).not.toBe('TypeError');
      expect(r.stdout).toBe('');
    }
  });

  it('--mutant runs the seeded bug on its catching configuration and the checker reports it', async () => {
    const r = await runCli(['sim', 'ebizzy', '--mutant', 'spf-skip-pte-check', '--format', 'json']);
    expect(r.error).toBeNull();
    const doc = JSON.parse(r.stdout) as SimJson;
    expect(doc.points.length).toBeGreaterThan(0);
    expect(doc.points.every((p) => p.strategy.startsWith('spf-'))).toBe(true);
    expect(doc.violations).toBeGreaterThan(0);
  });

  it('--profile selects the machine; text output is a table', async () => {
    const r = await runCli([
      'sim',
      'pft',
      '--profile',
      'phone-8c',
      '--cpus',
      '1,8',
      '--strategies',
      'mmap-lock',
      '--index',
      'maple',
      ...SHORT,
    ]);
    expect(r.error).toBeNull();
    expect(r.stdout).toMatch(/^CPUs +strategy +index +faults\/s/);
    expect(r.stdout).toContain('violations: 0');
    const j = (
      await runJson([
        'sim',
        'pft',
        '--profile',
        'phone-8c',
        '--cpus',
        '1',
        '--strategies',
        'mmap-lock',
        '--index',
        'maple',
        '--format',
        'json',
        ...SHORT,
      ])
    ).json as { points: { profile: string }[] };
    expect(j.points[0]!.profile).toBe('phone-8c');
  });

  it('--out writes a valid results document (a .json file, or a folder with the report)', async () => {
    const file = join(tmp, 'sim.json');
    const dir = join(tmp, 'sim-report');
    const base = [
      'sim',
      'page_fault1',
      '--cpus',
      '1',
      '--strategies',
      'mmap-lock',
      '--index',
      'maple',
      ...SHORT,
    ];
    expect((await runCli([...base, '--out', file])).error).toBeNull();
    expect(validateResults(JSON.parse(readFileSync(file, 'utf8')))).toEqual([]);
    expect((await runCli([...base, '--out', dir])).error).toBeNull();
    const doc = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(validateResults(doc)).toEqual([]);
    expect(doc.scaling.points).toHaveLength(1);
    expect(readFileSync(join(dir, 'report.md'), 'utf8').length).toBeGreaterThan(0);
  });

  it('shards written with --out merge (vmakit merge) into the results of the whole matrix', async () => {
    const base = [
      'sim',
      'page_fault1',
      '--cpus',
      '1,2',
      '--strategies',
      'mmap-lock,per-vma-lock',
      '--index',
      'rbtree,maple',
      ...SHORT,
    ];
    const whole = join(tmp, 'whole.json');
    expect((await runCli([...base, '--out', whole])).error).toBeNull();
    const parts = [1, 2].map((i) => join(tmp, `shard-${i}.json`));
    for (const [i, part] of parts.entries())
      expect((await runCli([...base, '--shard', `${i + 1}/2`, '--out', part])).error).toBeNull();
    const merged = join(tmp, 'merged');
    const m = await runCli(['merge', ...parts, '--out', merged]);
    expect(m.error).toBeNull();
    expect(m.stdout).toContain('6 of 6 cells finished');
    type Doc = { scaling: { points: { strategy: string; index: string; cpus: number }[] } };
    const sorted = (d: Doc) => [...d.scaling.points].sort((a, b) => key(a).localeCompare(key(b)));
    const a = JSON.parse(readFileSync(join(merged, 'results.json'), 'utf8')) as Doc;
    const b = JSON.parse(readFileSync(whole, 'utf8')) as Doc;
    expect(sorted(a)).toEqual(sorted(b));
  });

  it('sim published compares the simulator with a published figure (json and text)', async () => {
    const args = ['sim', 'published', '--figures', 'lespinasse-2021-pft-48'];
    const { json } = await runJson([...args, '--format', 'json']);
    const doc = json as { profile: string; figures: { figure: string; verdict: string; rows: unknown[] }[] };
    expect(doc.profile).toBe('skylake-2s');
    expect(doc.figures.map((f) => f.figure)).toEqual(['lespinasse-2021-pft-48']);
    expect(doc.figures[0]!.rows.length).toBeGreaterThan(0);
    expect(['match', 'rough', 'direction', 'mismatch']).toContain(doc.figures[0]!.verdict);
    const text = await runCli(args);
    expect(text.stdout).toContain('Verdict:');
    const bad = await runCli(['sim', 'published', '--figures', 'nope']);
    expect(bad.error?.message).toMatch(/unknown published figure 'nope'; known: rasmussen-2021-pft-spf/);
  });

  it('a capture (trace:<dir>) runs on its own thread count, as a whole: every captured fault is taken', async () => {
    const { json } = await runJson([
      'sim',
      `trace:${fixtureCapture('arena-churn')}`,
      '--strategies',
      'mmap-lock,spf-copy-vma',
      '--index',
      'maple',
      '--format',
      'json',
    ]);
    const doc = json as { points: (Point & { faults: number; stopped_by: string })[]; violations: number };
    // 1,049 exceptions:page_fault_user lines in the fixture's trace.txt, from 4 threads.
    for (const p of doc.points) {
      expect(p.cpus).toBe(4);
      expect(p.stopped_by).toBe('threads-exited');
      expect(p.faults).toBe(1049);
    }
    expect(doc.violations).toBe(0);
  });

  it('--help explains the command with examples', async () => {
    const r = await runCli(['sim', '--help']);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--shard <i/n>');
  });
});
