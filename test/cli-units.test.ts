/**
 * The CLI's own pieces without a child process: the compare plan splits into shards that cover
 * the matrix exactly once, option parsers refuse bad values, names cannot act on a terminal, and
 * atomic writes leave no temporary file behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CompareSelection,
  parseCpus,
  parseShard,
  planCompare,
  projectRegistry,
  safeJsonText,
  safeName,
  terminalSafe,
  writeFileAtomic,
} from '@vmakit/cli';
import { describe, expect, it } from 'vitest';

describe('compare plan', () => {
  it('shards partition the units in matrix order, for every shard count', { timeout: 60_000 }, async () => {
    const reg = await projectRegistry();
    const sel: CompareSelection = {
      indexes: reg.indexes,
      strategies: reg.strategies,
      workloads: reg.workloads.filter((w) => ['page_fault1', 'pft'].includes(w.meta.name)),
      captures: [{ name: 'c', dir: '/nonexistent' }],
      cpus: [1, 2, 4],
      profile: 'skylake-2s',
      seed: 1,
      quick: true,
      bench: true,
      published: true,
      benchTracesDir: null,
    };
    const whole = planCompare(sel, null).units.map((u) => u.key);
    expect(new Set(whole).size).toBe(whole.length);
    expect(whole[0]).toBe('unit/bench');
    expect(whole[1]).toBe('unit/published');
    // Unsafe pairings are skipped, never run: every planned pairing is one the registry allows.
    expect(planCompare(sel, null).skipped.every((s) => /unsafe pairing/.test(s.reason))).toBe(true);
    for (const n of [1, 2, 3, 7]) {
      const parts = Array.from({ length: n }, (_, i) =>
        planCompare(sel, { index: i, count: n }).units.map((u) => u.key),
      );
      expect(parts.flat().sort()).toEqual([...whole].sort());
      parts.forEach((p, i) => {
        expect(p).toEqual(whole.filter((_, pos) => pos % n === i));
      });
    }
  });
});

describe('compare windows', () => {
  it('syscall-bound workloads get windows that grow with the CPUs; faulting ones keep the run default', async () => {
    const reg = await projectRegistry();
    const sel: CompareSelection = {
      indexes: reg.indexes.filter((i) => i.meta.name === 'maple'),
      strategies: reg.strategies.filter((s) => s.meta.name === 'mmap-lock'),
      workloads: reg.workloads.filter((w) => ['malloc1', 'pft'].includes(w.meta.name)),
      captures: [],
      cpus: [1, 32],
      profile: 'skylake-2s',
      seed: 1,
      quick: true,
      bench: false,
      published: false,
      durationNs: 100_000,
      benchTracesDir: null,
    };
    const sims = planCompare(sel, null).units.flatMap((u) => (u.kind === 'sim' ? [u.task] : []));
    const at = (w: string, c: number) => sims.find((t) => t.workload === w && t.cpus === c)!;
    expect(at('pft', 32).durationNs).toBe(100_000);
    expect(at('pft', 32).warmupNs).toBeUndefined();
    const [m1, m32] = [at('malloc1', 1), at('malloc1', 32)];
    // One convoy round of malloc1 at 32 CPUs is about 1.4 ms: the window must hold a few.
    expect(m32.durationNs!).toBeGreaterThanOrEqual(2_000_000);
    expect(m32.durationNs!).toBeGreaterThan(m1.durationNs!);
    expect(m32.warmupNs!).toBeGreaterThan(m1.warmupNs!);
  });
});

describe('option parsers', () => {
  it('parse shards and CPU lists and refuse bad values with the option named', () => {
    expect(parseShard('2/3')).toEqual({ index: 1, count: 3 });
    for (const bad of ['0/2', '3/2', '1/0', 'a/b', '1', ''])
      expect(() => parseShard(bad)).toThrow(/--shard must be i\/n/);
    expect(parseCpus('1,4,4,16', 1024)).toEqual([1, 4, 16]);
    for (const bad of ['0', '-1', '1.5', 'x', '2000', ','])
      expect(() => parseCpus(bad, 1024)).toThrow(/--cpus/);
  });
});

describe('terminal safety', () => {
  it('escapes escape sequences, controls and bidi marks; keeps ordinary text', () => {
    expect(terminalSafe('a\u001b[31mb\u0007c\u202ed\u009be')).toBe('a\\x1b[31mb\\x07c\\u202ed\\x9be');
    expect(terminalSafe('line 1\n\tline 2')).toBe('line 1\n\tline 2');
    expect(safeName('x\ny\tz')).toBe('x\\ny\\tz');
    expect(safeName('<script>alert("1")</script> é 漢')).toBe('<script>alert("1")</script> é 漢');
    const json = safeJsonText({ name: 'a\u001b\u202e\u0085' });
    for (const ch of ['\u001b', '\u202e', '\u0085']) expect(json).not.toContain(ch);
    expect(JSON.parse(json)).toEqual({ name: 'a\u001b\u202e\u0085' });
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmakit-atomic-'));
    try {
      const file = join(dir, 'sub', 'results.json');
      writeFileAtomic(file, 'one');
      writeFileAtomic(file, 'two');
      expect(readFileSync(file, 'utf8')).toBe('two');
      expect(readdirSync(join(dir, 'sub'))).toEqual(['results.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
