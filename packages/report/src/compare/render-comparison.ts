/**
 * Output of compare-runs as benchstat-like text, a Markdown table per metric, or JSON.
 * Sampled metrics show `median ± x%` (half-width of the 95 % interval relative to the median, `∞`
 * with a footnote below 6 samples) and `-7.29% (p=0.002 n=10+10)` or `~ (p=0.446 n=10+10)`.
 */
import { escapeMarkdown } from '../text/markup.js';
import { formatHuman, type Unit } from '../text/numbers.js';
import { displayWidth, padEndWidth, padStartWidth, truncateToWidth, visible } from '../text/visible.js';
import type { Comparison, ComparisonRow, ComparisonTable, RunLabel, SampleSummary } from './compare-runs.js';

/** Output formats of `renderComparison`. */
export type ComparisonFormat = 'text' | 'md' | 'json';

function pct(change: number): string {
  const v = Number((change * 100).toFixed(2));
  const z = Object.is(v, -0) ? 0 : v;
  return `${z >= 0 ? '+' : ''}${z.toFixed(2)}%`;
}

/** Footnotes of one table: reason text → number. */
class Notes {
  readonly list: string[] = [];
  mark(text: string): string {
    let i = this.list.indexOf(text);
    if (i < 0) i = this.list.push(text) - 1;
    return `[${i + 1}]`;
  }
}

function side(
  s: SampleSummary | null,
  unit: Unit,
  kind: ComparisonTable['kind'],
  notes: Notes,
  confidence: number,
): string {
  if (s === null) return '-';
  const v = formatHuman(s.median, unit, 4);
  if (kind === 'exact') return v;
  if (s.ci === null)
    return `${v} ± ∞ ${notes.mark(`need ≥ 6 samples for a ${Math.round(confidence * 100)}% confidence interval of the median`)}`;
  const half = Math.max(s.ci.high - s.median, s.median - s.ci.low);
  const rel = s.median === 0 ? 0 : (half / Math.abs(s.median)) * 100;
  return `${v} ± ${rel < 1 && rel > 0 ? '<1' : Math.round(rel).toString()}%`;
}

function delta(r: ComparisonRow, notes: Notes): string {
  const n = r.a !== null && r.b !== null ? ` n=${r.a.n}+${r.b.n}` : '';
  switch (r.verdict) {
    case 'only-a':
      return 'only in a';
    case 'only-b':
      return 'only in b';
    case 'unchanged':
      return 'unchanged';
    case 'changed':
      return r.change === null ? 'changed (from 0)' : pct(r.change);
    case 'insufficient':
      return `~ ${notes.mark(r.reason ?? 'too few samples')}`;
    case 'same':
      return `~ (p=${r.p!.toFixed(3)}${n})`;
    case 'better':
    case 'worse':
      return `${pct(r.change!)} (p=${r.p!.toFixed(3)}${n})`;
  }
}

function runLine(tag: string, r: RunLabel): string {
  const rev = r.git_revision === null ? 'no revision' : `rev ${r.git_revision.slice(0, 12)}`;
  return `${tag}: ${r.label} (${rev}, ${r.generated_at}, ${r.cpu_model}, node ${r.node})`;
}

function heading(t: ComparisonTable): string {
  return `${t.metric}; ${t.better} is better; ${t.kind === 'exact' ? 'deterministic, compared exactly' : 'median ± 95% CI, Mann-Whitney U'}`;
}

interface Rendered {
  readonly rows: string[][];
  readonly notes: string[];
}

function cellsOf(t: ComparisonTable, confidence: number): Rendered {
  const notes = new Notes();
  const rows = t.rows.map((r) => [
    r.name,
    side(r.a, t.unit, t.kind, notes, confidence),
    side(r.b, t.unit, t.kind, notes, confidence),
    delta(r, notes),
  ]);
  if (t.geomean !== null)
    rows.push([
      'geomean',
      formatHuman(t.geomean.a, t.unit),
      formatHuman(t.geomean.b, t.unit),
      pct(t.geomean.change),
    ]);
  return { rows, notes: notes.list };
}

function textTable(t: ComparisonTable, c: Comparison): string[] {
  const { rows, notes } = cellsOf(t, c.confidence);
  const header = ['name', visible(c.a.label), visible(c.b.label), `vs ${visible(c.a.label)}`];
  const shown = rows.map((r) => [visible(r[0]!), r[1]!, r[2]!, r[3]!]);
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...shown.map((r) => displayWidth(r[i]!))));
  widths[0] = Math.min(widths[0]!, 56);
  widths[1] = Math.min(widths[1]!, 24);
  widths[2] = Math.min(widths[2]!, 24);
  const line = (r: string[]) =>
    r
      .map((s, i) => {
        const cut = truncateToWidth(s, widths[i]!);
        return i === 0 ? padEndWidth(cut, widths[i]!) : i === 3 ? cut : padStartWidth(cut, widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [heading(t), line(header), ...shown.map(line), ...notes.map((n, i) => `[${i + 1}] ${visible(n)}`)];
}

function mdTable(t: ComparisonTable, c: Comparison): string[] {
  const { rows, notes } = cellsOf(t, c.confidence);
  const e = (s: string) => escapeMarkdown(s);
  return [
    `### ${e(t.metric)}`,
    '',
    `_${e(heading(t))}_`,
    '',
    `| name | ${e(c.a.label)} | ${e(c.b.label)} | vs ${e(c.a.label)} |`,
    '| --- | ---: | ---: | --- |',
    ...rows.map((r) => `| ${e(r[0]!)} | ${e(r[1]!)} | ${e(r[2]!)} | ${e(r[3]!)} |`),
    ...(notes.length > 0 ? ['', ...notes.map((n, i) => `${i + 1}. ${e(n)}`)] : []),
  ];
}

/**
 * `c` as `text` (benchstat-like, for terminals), `md` (GitHub Markdown) or `json` (the
 * Comparison object, 2-space indented). Names are made visible and escaped for the format.
 * Deterministic. O(rows).
 */
export function renderComparison(c: Comparison, format: ComparisonFormat): string {
  if (format === 'json') return `${JSON.stringify(c, null, 2)}\n`;
  if (format === 'md') {
    const out = [
      '## Run comparison',
      '',
      `- ${escapeMarkdown(runLine('a', c.a), 2000)}`,
      `- ${escapeMarkdown(runLine('b', c.b), 2000)}`,
      `- alpha ${c.alpha}, confidence ${c.confidence}`,
      ...c.notes.map((n) => `- **Note:** ${escapeMarkdown(n, 2000)}`),
      '',
    ];
    if (c.tables.length === 0) out.push('_No metric is present in either run._', '');
    for (const t of c.tables) out.push(...mdTable(t, c), '');
    return `${out.join('\n').trimEnd()}\n`;
  }
  const out = [
    visible(runLine('a', c.a)),
    visible(runLine('b', c.b)),
    `alpha ${c.alpha}, confidence ${c.confidence}`,
  ];
  for (const n of c.notes) out.push(`note: ${visible(n)}`);
  out.push('');
  if (c.tables.length === 0) out.push('No metric is present in either run.', '');
  for (const t of c.tables) out.push(...textTable(t, c), '');
  return `${out.join('\n').trimEnd()}\n`;
}
