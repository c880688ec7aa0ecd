import { describe, expect, it } from 'vitest';
import {
  createResults,
  type ResultsDocument,
  ResultsError,
  renderAll,
  renderHtml,
  renderMarkdown,
  renderText,
} from '../src/index.js';
import { prng, sampleResults } from './fixtures/sample.js';
import { checkHtml, checkMarkdown, checkText, markdownTables } from './support/checks.js';
import { findAll, parseXml, textContent } from './support/xml.js';

const ENV = {
  node: 'v20.19.0',
  platform: 'linux',
  kernel: '6.8.0',
  cpu_model: 'test cpu',
  cpus: 4,
  git_revision: null,
  git_dirty: null,
};

/** The sample with every row list shuffled (and object keys reversed): same content, other order. */
function shuffled(doc: ResultsDocument, seed: number): ResultsDocument {
  const rnd = prng(seed);
  const mix = <T>(xs: readonly T[]): T[] => [...xs].sort(() => rnd() - 0.5);
  const rev = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T;
  return {
    ...doc,
    benchmarks: { ...doc.benchmarks!, rows: mix(doc.benchmarks!.rows).map(rev) },
    memory: { rows: mix(doc.memory!.rows).map(rev) },
    replay: { rows: mix(doc.replay!.rows).map(rev) },
    scaling: { points: mix(doc.scaling!.points).map(rev), violations: mix(doc.scaling!.violations) },
    bytes_copied: { rows: mix(doc.bytes_copied!.rows) },
    published: { rows: mix(doc.published!.rows) },
  };
}

describe('rendering the sample (all sections)', { timeout: 60_000 }, () => {
  const doc = sampleResults();
  const md = renderMarkdown(doc);
  const html = renderHtml(doc);
  const txt = renderText(doc);

  it('is deterministic, and independent of row order', () => {
    expect(renderMarkdown(sampleResults())).toEqual(md);
    expect(renderHtml(sampleResults())).toBe(html);
    expect(renderText(sampleResults())).toBe(txt);
    const other = shuffled(doc, 11);
    expect(renderMarkdown(other)).toEqual(md);
    expect(renderHtml(other)).toBe(html);
    expect(renderText(other)).toBe(txt);
  });

  it('Markdown: every section, well-formed tables, charts as relative links to the files', () => {
    for (const h of [
      '## Run',
      '## Simulated scaling',
      '## Protocol violations',
      '## Bytes copied per fault',
      '## Index micro-benchmarks',
      '## Memory per VMA',
      '## Replay of captured processes',
      '## Published results',
    ])
      expect(md.markdown).toContain(`\n${h}\n`);
    checkMarkdown(md.markdown);
    expect(markdownTables(md.markdown).length).toBeGreaterThan(10);
    const links = [...md.markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(5);
    expect([...links].sort()).toEqual(Object.keys(md.files).sort());
    for (const [name, svg] of Object.entries(md.files)) {
      expect(name).toMatch(/^charts\/\d{2}-[a-z0-9-]+\.svg$/);
      expect(parseXml(svg).name).toBe('svg');
    }
  });

  it('HTML: self-contained, well-formed, every chart inline with its title, the violation flagged', () => {
    const root = checkHtml(html);
    const svgs = findAll(root, 'svg');
    expect(svgs).toHaveLength(Object.keys(md.files).length);
    for (const svg of svgs) {
      expect(findAll(svg, 'title').length).toBeGreaterThan(0);
      expect(findAll(svg, 'desc')).toHaveLength(1);
    }
    const figures = findAll(root, 'figure');
    expect(figures.map((f) => textContent(findAll(f, 'figcaption')[0]!))).toContain(
      'page_fault1: iterations/s vs CPUs (profile x86-48, index maple)',
    );
    const warnings = findAll(root, 'p').filter((p) => p.attrs.get('class') === 'warning');
    expect(warnings.map(textContent).join(' ')).toMatch(/1 violation/);
    const nav = findAll(findAll(root, 'nav')[0]!, 'a').map((a) => a.attrs.get('href'));
    expect(nav).toEqual([
      '#run',
      '#scaling',
      '#violations',
      '#bytes-copied',
      '#fault-path',
      '#benchmarks',
      '#memory',
      '#replay',
      '#published',
    ]);
    // Row headers and numeric alignment.
    expect(findAll(root, 'th').some((th) => th.attrs.get('scope') === 'row')).toBe(true);
    expect(findAll(root, 'td').some((td) => td.attrs.get('class') === 'num')).toBe(true);
  });

  it('text: cover-letter tables within 80 columns', () => {
    checkText(txt);
    expect(txt).toMatch(/^ workload-cpus +mmap-lock +spf-copy-attrs +spf-copy-vma/m);
    // A row like " page_fault1-48   17.7 M   35.3 M (+99.17%) ...": SI prefixes, as in md and html.
    expect(txt).toMatch(/^ page_fault1-48 +\d+(\.\d+)? M +\d+(\.\d+)? M \([+-]\d+\.\d\d%\)/m);
    expect(txt).toContain('WARNING: Protocol checker: 1 violation(s)');
    expect(txt).toContain('(chart(s) for this section are in report.html'.slice(2));
  });
});

describe('partial documents', { timeout: 60_000 }, () => {
  const meta = createResults({ environment: ENV, generatedAt: '2026-01-02T03:04:05Z' });

  it('metadata only: just the run section, saying what is absent', () => {
    const md = renderMarkdown(meta);
    expect(md.files).toEqual({});
    expect(md.markdown.match(/^## /gm)).toEqual(['## ']);
    expect(md.markdown).toContain('Not in this document: simulated scaling, bytes copied per fault');
    checkHtml(renderHtml(meta));
    checkText(renderText(meta));
  });

  it('empty sections: each says it is empty, nothing crashes', () => {
    const empty: ResultsDocument = {
      ...meta,
      benchmarks: { runner: { name: 'tinybench', version: '6', settings: {} }, rows: [] },
      memory: { rows: [] },
      replay: { rows: [] },
      scaling: { points: [], violations: [] },
      bytes_copied: { rows: [] },
      published: { rows: [] },
    };
    const md = renderMarkdown(empty).markdown;
    for (const s of [
      'No scaling points in this document.',
      'The protocol checker found no violations.',
      'No bytes-copied measurements in this document.',
      'No benchmark rows in this document.',
      'No memory measurements in this document.',
      'No replay results in this document.',
      'No published figures in this document.',
    ])
      expect(md).toContain(s);
    checkHtml(renderHtml(empty));
    checkText(renderText(empty));
  });

  it('every single section alone renders in every format', () => {
    const full = sampleResults();
    for (const key of ['benchmarks', 'memory', 'replay', 'scaling', 'bytes_copied', 'published'] as const) {
      const one = { ...meta, [key]: full[key] } as ResultsDocument;
      const files = renderAll(one);
      checkMarkdown(files.get('report.md')!);
      checkHtml(files.get('report.html')!);
      checkText(files.get('report.txt')!);
    }
  });

  it('a partial run says which cells are missing', () => {
    const doc = {
      ...meta,
      metadata: { ...meta.metadata, cells: { planned: ['scaling/a', 'scaling/b'], finished: ['scaling/a'] } },
    };
    expect(renderMarkdown(doc).markdown).toContain(
      '> **Warning:** Partial run: 1 of 2 planned cell(s) finished; 1 missing (first: scaling/b).',
    );
    expect(renderText(doc)).toContain(
      'WARNING: Partial run: 1 of 2 planned cell(s) finished; 1 missing (first:\n',
    );
  });

  it('refuses an invalid document', () => {
    expect(() => renderHtml({ schema_version: 3 } as unknown as ResultsDocument)).toThrow(ResultsError);
  });
});
