/**
 * End to end: `vmakit compare` on a tiny subset writes the four report files with a valid
 * results.json; runs are deterministic in their cost-unit sections; shards merged equal the
 * unsharded run; an interrupted run keeps its finished cells and --resume completes it without
 * redoing them; compare-runs compares two runs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliMissing, vmakit, vmakitChild } from './support/cli.js';

const missing = cliMissing();
if (missing !== null) console.warn(`skipping CLI end-to-end tests: ${missing}`);

/** A tiny matrix: one index, one strategy, two CPU counts, one synthetic workload, one capture. */
const TINY = [
  '--quick',
  '--index',
  'maple',
  '--strategy',
  'per-vma-lock',
  '--cpus',
  '1,2',
  '--workload',
  'page_fault1,capture:mmap-touch',
  '--no-published',
  '--no-progress',
  '--jobs',
  '2',
];

interface Doc {
  schema_version: number;
  metadata: { cells?: { planned: string[]; finished: string[] }; shard?: unknown; notes?: string[] };
  scaling?: { points: unknown[]; violations: unknown[] };
  replay?: { rows: unknown[] };
  bytes_copied?: { rows: unknown[] };
  benchmarks?: { rows: unknown[] };
  published?: { rows: unknown[] };
}

function readDoc(dir: string): Doc {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Doc;
}

/** The deterministic sections (simulated cost units and counted replays), as text. */
function costSections(d: Doc): string {
  return JSON.stringify({ scaling: d.scaling, replay: d.replay, bytes_copied: d.bytes_copied });
}

describe.skipIf(missing !== null)('vmakit compare end to end', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'vmakit-e2e-'));
  });
  afterAll(() => {
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  });

  it('writes results.json, report.md with SVG charts, report.html and report.txt; runs repeat exactly', {
    timeout: 180_000,
  }, () => {
    const a = vmakit(['compare', ...TINY, '--out', join(tmp, 'a')]);
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    const latest = join(tmp, 'a', 'latest');
    const files = readdirSync(latest);
    for (const f of ['results.json', 'report.md', 'report.html', 'report.txt']) expect(files).toContain(f);
    expect(readdirSync(join(latest, 'charts')).some((f) => f.endsWith('.svg'))).toBe(true);
    // The timestamped folder holds the same document.
    const stamped = readdirSync(join(tmp, 'a')).filter((d) => d !== 'latest');
    expect(stamped).toHaveLength(1);
    expect(readFileSync(join(tmp, 'a', stamped[0]!, 'results.json'), 'utf8')).toBe(
      readFileSync(join(latest, 'results.json'), 'utf8'),
    );
    const doc = readDoc(latest);
    expect(doc.schema_version).toBe(3);
    expect(doc.metadata.cells!.finished).toEqual([...doc.metadata.cells!.planned].sort());
    expect(doc.scaling!.points).toHaveLength(2);
    expect(doc.replay!.rows).toHaveLength(1);
    expect(doc.benchmarks!.rows.length).toBeGreaterThan(0);
    expect(readFileSync(join(latest, 'report.html'), 'utf8')).toContain('<svg');
    // `vmakit report` validates the document against the schema and renders it again.
    const r = vmakit(['report', join(latest, 'results.json'), '--out', join(tmp, 'rerender')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(tmp, 'rerender', 'report.txt'), 'utf8')).toBe(
      readFileSync(join(latest, 'report.txt'), 'utf8'),
    );

    const b = vmakit(['compare', ...TINY, '--out', join(tmp, 'b')]);
    expect(b.status).toBe(0);
    expect(costSections(readDoc(join(tmp, 'b', 'latest')))).toBe(costSections(doc));

    // compare-runs: benchstat-style tables, wall-clock rows tested, cost units exact, geomean rows.
    const c = vmakit([
      'compare-runs',
      join(tmp, 'a', 'latest'),
      join(tmp, 'b', 'latest'),
      '--format',
      'json',
    ]);
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    const cmp = JSON.parse(c.stdout) as {
      tables: {
        kind: string;
        metric: string;
        rows: { verdict: string; p: number | null }[];
        geomean: unknown;
      }[];
    };
    const exact = cmp.tables.filter((t) => t.kind === 'exact');
    const sampled = cmp.tables.filter((t) => t.kind === 'sampled');
    expect(exact.length).toBeGreaterThan(0);
    expect(sampled.length).toBeGreaterThan(0);
    for (const t of exact) for (const row of t.rows) expect(row.verdict).toBe('unchanged');
    expect(sampled.some((t) => t.rows.some((row) => row.p !== null))).toBe(true);
    expect(cmp.tables.some((t) => t.geomean !== null)).toBe(true);
    const text = vmakit(['compare-runs', join(tmp, 'a', 'latest'), join(tmp, 'b', 'latest')]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/geomean/);
  });

  it('shard 1/2 and 2/2 merged give the unsharded cost-unit results; merge refuses a mismatch', {
    timeout: 180_000,
  }, () => {
    const args = [...TINY, '--no-bench'];
    const whole = vmakit(['compare', ...args, '--out', join(tmp, 'whole')]);
    expect(whole.status).toBe(0);
    for (const i of [1, 2]) {
      const s = vmakit(['compare', ...args, '--shard', `${i}/2`, '--out', join(tmp, `s${i}`)]);
      expect(s.stderr).toBe('');
      expect(s.status).toBe(0);
    }
    const s1 = readDoc(join(tmp, 's1', 'latest'));
    const s2 = readDoc(join(tmp, 's2', 'latest'));
    expect(s1.metadata.cells!.planned.length).toBeGreaterThan(0);
    expect(s2.metadata.cells!.planned.length).toBeGreaterThan(0);
    const m = vmakit([
      'merge',
      join(tmp, 's1', 'latest'),
      join(tmp, 's2', 'latest'),
      '--out',
      join(tmp, 'merged'),
    ]);
    expect(m.stderr).toBe('');
    expect(m.status).toBe(0);
    for (const f of ['results.json', 'report.md', 'report.html', 'report.txt'])
      expect(readdirSync(join(tmp, 'merged'))).toContain(f);
    expect(costSections(readDoc(join(tmp, 'merged')))).toBe(
      costSections(readDoc(join(tmp, 'whole', 'latest'))),
    );

    // The same shard twice, and a run with other options, are refused with the reason.
    const twice = vmakit([
      'merge',
      join(tmp, 's1', 'latest'),
      join(tmp, 's1', 'latest'),
      '--out',
      join(tmp, 'x'),
    ]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/cannot merge/);
    const edited = readDoc(join(tmp, 's2', 'latest')) as Doc & { metadata: { options: { cpus: number[] } } };
    edited.metadata.options.cpus = [1, 2, 4];
    writeFileSync(join(tmp, 'other-options.json'), JSON.stringify(edited));
    const other = vmakit([
      'merge',
      join(tmp, 's1', 'latest'),
      join(tmp, 'other-options.json'),
      '--out',
      join(tmp, 'x'),
    ]);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/cannot merge: options/);
  });

  it('Ctrl-C keeps the finished cells and --resume completes the run without redoing them', {
    timeout: 180_000,
  }, async () => {
    const out = join(tmp, 'interrupted');
    const args = [
      'compare',
      '--quick',
      '--index',
      'maple,cow-btree',
      '--strategy',
      'mmap-lock,per-vma-lock',
      '--cpus',
      '1,2,4,8,16,32',
      '--workload',
      'page_fault1,page_fault2,pft',
      '--no-bench',
      '--no-published',
      '--jobs',
      '1',
      '--out',
      out,
    ];
    const child = vmakitChild(args);
    let stderr = '';
    const status = await new Promise<number | null>((resolve) => {
      let sent = false;
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // A progress line `scaling: k/N` is printed only after k cells finished.
        if (!sent && /scaling: \d+\/\d+ /.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', (code) => resolve(code));
    });
    expect(stderr).toMatch(/SIGINT: stopping/);
    expect(status).toBe(130);
    const partial = readDoc(join(out, 'latest'));
    const planned = partial.metadata.cells!.planned.length;
    const finished = partial.metadata.cells!.finished.length;
    expect(finished).toBeGreaterThan(0);
    expect(finished).toBeLessThan(planned);
    expect(partial.scaling!.points).toHaveLength(finished);

    const resumed = vmakit([...args, '--resume']);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain(`resuming: ${finished} of ${planned} cells done`);
    const done = readDoc(join(out, 'latest'));
    expect(done.metadata.cells!.finished).toHaveLength(planned);
    expect(done.scaling!.points).toHaveLength(planned);
    // The resumed run's points are the same as an uninterrupted run would give (deterministic).
    const firstPoints = JSON.stringify(partial.scaling!.points);
    const kept = (done.scaling!.points as unknown[]).filter((p) => firstPoints.includes(JSON.stringify(p)));
    expect(kept).toHaveLength(finished);

    // Resuming with other options is refused.
    const bad = vmakit([...args.map((a) => (a === '1,2,4,8,16,32' ? '1,2' : a)), '--resume']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--resume: .* other options/);
  });

  it('a killed run leaves a checkpoint that --resume DIR continues', { timeout: 180_000 }, async () => {
    const out = join(tmp, 'killed');
    const args = [
      'compare',
      '--quick',
      '--index',
      'maple,reference',
      '--strategy',
      'mmap-lock,spf-copy-attrs',
      '--cpus',
      '1,2,4,8,16,32',
      '--workload',
      'page_fault1,page_fault3,pft',
      '--no-bench',
      '--no-published',
      '--no-progress',
      '--jobs',
      '1',
      '--out',
      out,
    ];
    // A checkpoint after every unit, so the first one appears long before the run ends however
    // fast the machine is (the default cadence, 3 s, can outlast a quick run).
    const child = vmakitChild(args, { VMAKIT_CHECKPOINT_MS: '0' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Wait for the first checkpoint, then SIGKILL.
    let runDir: string | null = null;
    for (let i = 0; i < 6000 && runDir === null; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const dirs = existsSync(out) ? readdirSync(out).filter((d) => d !== 'latest') : [];
      if (dirs.length > 0 && existsSync(join(out, dirs[0]!, 'results.json'))) runDir = join(out, dirs[0]!);
    }
    child.kill('SIGKILL');
    await exited;
    expect(runDir).not.toBeNull();
    const checkpoint = readDoc(runDir!);
    const finished = checkpoint.metadata.cells!.finished.length;
    const planned = checkpoint.metadata.cells!.planned.length;
    expect(finished).toBeGreaterThan(0);
    expect(finished).toBeLessThan(planned);
    const resumed = vmakit([...args, '--resume', runDir!]);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain(`resuming: ${finished} of ${planned} cells done`);
    expect(readDoc(join(out, 'latest')).metadata.cells!.finished).toHaveLength(planned);
  });

  it('refuses bad flags with one clear line', { timeout: 180_000 }, () => {
    for (const [flag, value, re] of [
      ['--shard', '3/2', /--shard must be i\/n/],
      ['--cpus', 'zero', /--cpus: 'zero' is not a CPU count/],
      ['--index', 'nope', /nope/],
      ['--workload', 'capture:nope', /unknown workload 'capture:nope'/],
    ] as const) {
      const r = vmakit(['compare', '--quick', flag, value, '--out', join(tmp, 'bad')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    }
    // A document that is not a results.json, and a missing run, are refused by report and compare-runs.
    const bogus = join(tmp, 'bogus.json');
    writeFileSync(bogus, '{"schema_version": 3}');
    const rep = vmakit(['report', bogus, '--out', join(tmp, 'bogus-report')]);
    expect(rep.status).toBe(2);
    expect(rep.stderr).toMatch(/bogus\.json: invalid results document/);
    const cr = vmakit(['compare-runs', bogus, join(tmp, 'nowhere')]);
    expect(cr.status).toBe(2);
    expect(cr.stderr).toMatch(/invalid results document|no such file/);
  });
});
