import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createResults,
  parseResults,
  type ResultsDocument,
  ResultsError,
  writeReport,
} from '../src/index.js';
import { sampleResults } from './fixtures/sample.js';

const root = mkdtempSync(join(tmpdir(), 'vmakit-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('writeReport', { timeout: 60_000 }, () => {
  it('writes every file, results.json round-trips, no temporary files remain', () => {
    const dir = join(root, 'a');
    const doc = sampleResults();
    const written = writeReport(dir, doc);
    expect(written.at(-1)).toBe('results.json');
    expect(written).toEqual(expect.arrayContaining(['report.md', 'report.html', 'report.txt']));
    expect(listing(dir)).toEqual(['charts', ...written].sort());
    expect(parseResults(readFileSync(join(dir, 'results.json'), 'utf8'))).toEqual(doc);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    for (const f of written.filter((w) => w.endsWith('.svg'))) expect(md).toContain(`](${f})`);
  });

  it('is byte-identical when written twice', () => {
    const a = join(root, 'b1');
    const b = join(root, 'b2');
    writeReport(a, sampleResults());
    writeReport(b, sampleResults());
    const files = listing(a).filter((x) => x.includes('.'));
    expect(listing(b)).toEqual(listing(a));
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
  });

  it('replaces an earlier report in the same folder, dropping its stale charts only', () => {
    const dir = join(root, 'c');
    writeReport(dir, sampleResults());
    writeFileSync(join(dir, 'charts', 'notes.txt'), 'mine');
    const small: ResultsDocument = {
      ...createResults({
        environment: sampleResults().metadata.environment,
        generatedAt: '2026-01-01T00:00:00Z',
      }),
      bytes_copied: sampleResults().bytes_copied!,
    };
    const written = writeReport(dir, small);
    const charts = readdirSync(join(dir, 'charts')).sort();
    expect(charts).toEqual(
      [...written.filter((w) => w.startsWith('charts/')).map((w) => w.slice(7)), 'notes.txt'].sort(),
    );
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).not.toContain('Simulated scaling');
  });

  it('writes nothing for an invalid document', () => {
    const dir = join(root, 'd');
    expect(() => writeReport(dir, { schema_version: 3 } as unknown as ResultsDocument)).toThrow(ResultsError);
    expect(() => readdirSync(dir)).toThrow();
  });
});
