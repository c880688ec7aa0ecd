/**
 * Plain text in the manner of a Linux kernel patch cover letter: fixed-width columns no wider
 * than 80, figures like `3.82 M (+68.99%)`, a header row and no rules between rows. Tables too
 * wide for 80 columns are split into blocks that repeat the row labels. Names are made visible
 * (control characters, bidi overrides and the like as escapes) and cut to fit their column.
 */
import { buildReport } from '../model/build.js';
import { type Block, type ReportModel, shownIn, type TableBlock } from '../model/types.js';
import type { ResultsDocument } from '../schema/types.js';
import { columnDecimals } from '../text/numbers.js';
import { displayWidth, padEndWidth, padStartWidth, truncateToWidth, visible } from '../text/visible.js';
import { fixedCell } from './cells.js';

/** The widest line the text report writes. */
export const TEXT_WIDTH = 80;

const KEY_BUDGET = 36;
const GAP = 2;

/** Words of `text` wrapped to `width` columns with `indent` before continuation lines. */
function wrap(text: string, width: number, first = '', indent = ''): string[] {
  const words = visible(text)
    .split(' ')
    .filter((w) => w !== '');
  const lines: string[] = [];
  let line = first;
  let lineHasWord = false;
  for (let w of words) {
    const room = width - displayWidth(lineHasWord ? `${line} ` : line);
    if (displayWidth(w) > width - displayWidth(indent)) w = truncateToWidth(w, width - displayWidth(indent));
    if (lineHasWord && displayWidth(w) > room) {
      lines.push(line);
      line = indent;
      lineHasWord = false;
    }
    line = lineHasWord ? `${line} ${w}` : `${line}${w}`;
    lineHasWord = true;
  }
  if (lineHasWord || line.trim() !== '') lines.push(line);
  return lines;
}

function table(t: TableBlock): string[] {
  const keyN = Math.min(t.keyColumns, t.columns.length);
  const decimals = t.columns.map((_, i) => {
    const nums = t.rows.flatMap((r) => {
      const c = r[i];
      return c !== undefined && (c.kind === 'num' || c.kind === 'vs') && c.value !== null ? [c] : [];
    });
    return columnDecimals(
      nums.map((c) => c.value!),
      nums[0]?.unit,
    );
  });
  const cells = t.rows.map((r) => r.map((c, i) => visible(fixedCell(c, decimals[i]).text)));
  const heads = t.columns.map((c) => visible(c.label));
  const natural = (i: number) =>
    Math.max(displayWidth(heads[i]!), ...cells.map((r) => displayWidth(r[i] ?? '')));
  const widths = t.columns.map((_, i) => natural(i));
  // Key columns keep their width when the widest value column still fits beside them; otherwise
  // the widest key columns give up columns first, down to a shared budget.
  const widestValue = Math.min(40, Math.max(0, ...widths.slice(keyN)));
  const keyRoom = Math.max(KEY_BUDGET, TEXT_WIDTH - 1 - GAP * keyN - widestValue);
  const keySum = () => widths.slice(0, keyN).reduce((a, b) => a + b, 0);
  while (keyN > 0 && keySum() > keyRoom) {
    let widest = 0;
    for (let i = 1; i < keyN; i++) if (widths[i]! > widths[widest]!) widest = i;
    if (widths[widest]! <= 6) break;
    widths[widest]!--;
  }
  const keysWidth = keySum() + GAP * Math.max(0, keyN - 1);
  const valueCap = Math.max(8, TEXT_WIDTH - 1 - keysWidth - (keyN > 0 ? GAP : 0));
  for (let i = keyN; i < widths.length; i++) widths[i] = Math.min(widths[i]!, valueCap);

  // Greedy blocks of value columns that fit beside the keys.
  const blocks: number[][] = [];
  let cur: number[] = [];
  let used = 1 + keysWidth;
  for (let i = keyN; i < t.columns.length; i++) {
    const w = widths[i]! + (keyN > 0 || cur.length > 0 ? GAP : 0);
    if (cur.length > 0 && used + w > TEXT_WIDTH) {
      blocks.push(cur);
      cur = [];
      used = 1 + keysWidth;
    }
    cur.push(i);
    used += widths[i]! + (keyN > 0 || cur.length > 1 ? GAP : 0);
  }
  if (cur.length > 0 || blocks.length === 0) blocks.push(cur);

  const fmt = (s: string, i: number) => {
    const w = widths[i]!;
    const cut = truncateToWidth(s, w);
    return t.columns[i]!.numeric ? padStartWidth(cut, w) : padEndWidth(cut, w);
  };
  const out: string[] = [...wrap(`${t.caption}:`, TEXT_WIDTH)];
  blocks.forEach((cols, bi) => {
    if (bi > 0) out.push('');
    const idx = [...Array(keyN).keys(), ...cols];
    out.push(` ${idx.map((i) => fmt(heads[i]!, i)).join(' '.repeat(GAP))}`.trimEnd());
    for (const r of cells) out.push(` ${idx.map((i) => fmt(r[i] ?? '', i)).join(' '.repeat(GAP))}`.trimEnd());
  });
  return out;
}

function block(b: Block): string[] {
  switch (b.kind) {
    case 'paragraph':
      return wrap(
        b.text,
        TEXT_WIDTH,
        b.tone === 'warning' ? 'WARNING: ' : '',
        b.tone === 'warning' ? '         ' : '',
      );
    case 'list':
      return b.items.flatMap((i) => wrap(i, TEXT_WIDTH, '  - ', '    '));
    case 'table':
      return table(b);
    case 'chart':
      return [];
  }
}

/** Plain text of a built report model. */
export function textOf(model: ReportModel): string {
  const out: string[] = [model.title, '='.repeat(displayWidth(model.title)), ''];
  for (const s of model.sections) {
    out.push(s.title, '-'.repeat(Math.min(TEXT_WIDTH, displayWidth(s.title))), '');
    const charts = s.blocks.filter((b) => b.kind === 'chart' && shownIn(b, 'text')).length;
    for (const b of s.blocks) {
      if (!shownIn(b, 'text') || b.kind === 'chart') continue;
      out.push(...block(b), '');
    }
    if (charts > 0) out.push(`(${charts} chart(s) for this section are in report.html and charts/.)`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The plain-text report of `doc`: every line at most 80 columns, no control characters.
 * Deterministic. O(document).
 * @throws ResultsError when `doc` is invalid.
 */
export function renderText(doc: ResultsDocument): string {
  return textOf(buildReport(doc));
}
