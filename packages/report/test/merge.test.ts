import { describe, expect, it } from 'vitest';
import {
  cellsOf,
  MergeError,
  mergeResults,
  type ResultsDocument,
  ResultsError,
  renderMarkdown,
  validateResults,
} from '../src/index.js';
import { canonicalJson } from '../src/schema/validator.js';
import { prng, sampleResults } from './fixtures/sample.js';

/** Splits the sample into `count` shards, assigning each cell by `pick` (a deterministic hash). */
function shards(doc: ResultsDocument, count: number, pick: (key: string) => number): ResultsDocument[] {
  const keyed = new Map(cellsOf(doc).map((c) => [c.path, c.key]));
  const take = <R>(rows: readonly R[] | undefined, path: string, k: number) =>
    rows?.filter((_, i) => pick(keyed.get(`${path}[${i}]`)!) % count === k);
  return [...Array(count).keys()].map((k) => {
    const planned = cellsOf(doc)
      .map((c) => c.key)
      .filter((key) => pick(key) % count === k);
    const points = take(doc.scaling?.points, '$.scaling.points', k)!;
    const pointKeys = new Set(
      points.map((p) => JSON.stringify([p.workload, p.profile, p.cpus, p.strategy, p.index])),
    );
    return {
      schema_version: 3,
      metadata: {
        ...doc.metadata,
        generated_at: `2026-11-26T0${k}:00:00.000Z`,
        shard: { index: k, count },
        cells: { planned, finished: planned },
      },
      benchmarks: {
        runner: doc.benchmarks!.runner,
        rows: take(doc.benchmarks?.rows, '$.benchmarks.rows', k)!,
      },
      memory: { rows: take(doc.memory?.rows, '$.memory.rows', k)! },
      replay: { rows: take(doc.replay?.rows, '$.replay.rows', k)! },
      scaling: {
        points,
        violations: doc.scaling!.violations.filter((v) =>
          pointKeys.has(JSON.stringify([v.workload, v.profile, v.cpus, v.strategy, v.index])),
        ),
      },
      bytes_copied: { rows: take(doc.bytes_copied?.rows, '$.bytes_copied.rows', k)! },
      published: { rows: take(doc.published?.rows, '$.published.rows', k)! },
      fault_path: {
        runner: doc.fault_path!.runner,
        rows: take(doc.fault_path?.rows, '$.fault_path.rows', k)!,
      },
    };
  });
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** The rows of every section as sorted canonical JSON (order-free content). */
function content(doc: ResultsDocument): string[] {
  return [
    ...(doc.benchmarks?.rows ?? []),
    ...(doc.memory?.rows ?? []),
    ...(doc.replay?.rows ?? []),
    ...(doc.scaling?.points ?? []),
    ...(doc.scaling?.violations ?? []),
    ...(doc.bytes_copied?.rows ?? []),
    ...(doc.published?.rows ?? []),
    ...(doc.fault_path?.rows ?? []),
  ]
    .map(canonicalJson)
    .sort();
}

describe('mergeResults', { timeout: 60_000 }, () => {
  const whole = sampleResults();
  const parts = shards(whole, 3, hash);

  it('splits into valid, disjoint shards', () => {
    for (const p of parts) expect(validateResults(p)).toEqual([]);
    expect(parts.map((p) => cellsOf(p).length).reduce((a, b) => a + b)).toBe(cellsOf(whole).length);
  });

  it('recombines the shards into the whole run', () => {
    const merged = mergeResults(parts);
    expect(validateResults(merged)).toEqual([]);
    expect(content(merged)).toEqual(content(whole));
    expect(merged.metadata.shard).toBeUndefined();
    expect(merged.metadata.merged_from!.map((m) => m.shard)).toEqual([
      { index: 0, count: 3 },
      { index: 1, count: 3 },
      { index: 2, count: 3 },
    ]);
    expect(merged.metadata.generated_at).toBe('2026-11-26T02:00:00.000Z');
    expect([...merged.metadata.cells!.finished].sort()).toEqual(
      cellsOf(whole)
        .map((c) => c.key)
        .sort(),
    );
    expect(merged.metadata.notes).toEqual(whole.metadata.notes);
  });

  it('gives the same document, and the same report, whatever the input order', () => {
    const rnd = prng(5);
    const a = mergeResults(parts);
    for (let t = 0; t < 5; t++) {
      const shuffled = [...parts].sort(() => rnd() - 0.5);
      const b = mergeResults(shuffled);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
    expect(renderMarkdown(a).markdown).toBe(renderMarkdown(mergeResults([...parts].reverse())).markdown);
  });

  it('notes missing shards in a partial merge', () => {
    const merged = mergeResults([parts[0]!, parts[2]!]);
    expect(merged.metadata.notes).toContain('partial merge: shard(s) 1 of 3 missing');
  });

  it('rejects a cell present in two inputs, naming it and both inputs', () => {
    const dup: ResultsDocument = {
      ...parts[1]!,
      scaling: { points: [...parts[1]!.scaling!.points, parts[0]!.scaling!.points[0]!], violations: [] },
      metadata: { ...parts[1]!.metadata, cells: undefined },
    };
    expect(() => mergeResults([parts[0]!, dup, parts[2]!], ['s0.json', 's1.json', 's2.json'])).toThrow(
      MergeError,
    );
    expect(() => mergeResults([parts[0]!, dup, parts[2]!], ['s0.json', 's1.json', 's2.json'])).toThrow(
      /1 duplicate cell\(s\): scaling\/.* \(in s0\.json and s1\.json\)/,
    );
  });

  it('rejects the same shard twice and overlapping plans', () => {
    expect(() => mergeResults([parts[0]!, parts[0]!])).toThrow(/shard 0 of 3 is in both input 1 and input 2/);
    const again = { ...parts[1]!, metadata: { ...parts[1]!.metadata, shard: { index: 2, count: 3 } } };
    expect(() => mergeResults([again, parts[2]!])).toThrow(/shard 2 of 3 is in both/);
  });

  it('refuses inputs of another experiment', () => {
    const [a, b] = parts as [ResultsDocument, ResultsDocument];
    const withMeta = (d: ResultsDocument, m: object): ResultsDocument => ({
      ...d,
      metadata: { ...d.metadata, ...m },
    });
    expect(() => mergeResults([a, withMeta(b, { options: { cpus: [1, 2] } })])).toThrow(
      /options of input 2 \(\{"cpus":\[1,2\]\}\) differs from input 1/,
    );
    expect(() => mergeResults([a, withMeta(b, { seeds: { sim: 2 } })])).toThrow(/seeds of input 2/);
    expect(() => mergeResults([a, withMeta(b, { shard: { index: 1, count: 4 } })])).toThrow(
      /disagree on the shard count \(3 vs 4\)/,
    );
    expect(() =>
      mergeResults([a, withMeta(b, { environment: { ...b.metadata.environment, git_revision: 'abc' } })]),
    ).toThrow(/different git revisions/);
    const v0 = { ...b, schema_version: 0 } as unknown as ResultsDocument;
    expect(() => mergeResults([a, v0])).toThrow(/schema_version 0 of input 2 differs from 3 of input 1/);
    const bench = {
      ...b,
      benchmarks: { ...b.benchmarks!, runner: { ...b.benchmarks!.runner, version: '5' } },
    };
    expect(() => mergeResults([a, bench])).toThrow(/benchmark runner of input 2/);
    const faults = {
      ...b,
      fault_path: { ...b.fault_path!, runner: { ...b.fault_path!.runner, settings: { time_ms: 40 } } },
    };
    expect(() => mergeResults([a, faults])).toThrow(/fault-path benchmark runner of input 2/);
  });

  it('refuses invalid inputs and an empty list', () => {
    expect(() => mergeResults([])).toThrow(/no input documents/);
    expect(() => mergeResults([{ schema_version: 3 } as unknown as ResultsDocument])).toThrow(ResultsError);
  });

  it('merges metadata-only shards (a run that produced nothing yet)', () => {
    const empty = (k: number): ResultsDocument => ({
      schema_version: 3,
      metadata: { ...whole.metadata, cells: undefined, shard: { index: k, count: 2 } },
    });
    const merged = mergeResults([empty(1), empty(0)]);
    expect(validateResults(merged)).toEqual([]);
    expect(merged.scaling).toBeUndefined();
    expect(merged.metadata.cells).toBeUndefined();
  });
});
