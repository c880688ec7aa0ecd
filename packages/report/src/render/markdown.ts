/**
 * GitHub-flavoured Markdown: headings, paragraphs, pipe tables and charts as separate SVG files
 * linked relatively. Every string from the document goes through `escapeMarkdown` (pipes,
 * backslashes, HTML, newlines and control characters), so no name can end a cell or inject
 * markup.
 */
import { buildReport } from '../model/build.js';
import { type Block, type ReportModel, shownIn, type TableBlock } from '../model/types.js';
import type { ResultsDocument } from '../schema/types.js';
import { escapeMarkdown } from '../text/markup.js';
import { humanCell } from './cells.js';

/** Markdown text and the chart files it links to (relative path → SVG). */
export interface MarkdownReport {
  readonly markdown: string;
  readonly files: Readonly<Record<string, string>>;
}

function table(t: TableBlock): string[] {
  const head = t.columns.map((c) => escapeMarkdown(c.label));
  const align = t.columns.map((c) => (c.numeric ? '---:' : '---'));
  const body = t.rows.map((r) =>
    r.map((c) => {
      const { text, untrusted } = humanCell(c);
      return untrusted ? escapeMarkdown(text) : text;
    }),
  );
  return [
    `**${escapeMarkdown(t.caption)}**`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function block(b: Block): string[] {
  switch (b.kind) {
    case 'paragraph':
      return [
        b.tone === 'warning'
          ? `> **Warning:** ${escapeMarkdown(b.text, 2000)}`
          : escapeMarkdown(b.text, 2000),
      ];
    case 'list':
      return b.items.map((i) => `- ${escapeMarkdown(i, 2000)}`);
    case 'table':
      return table(b);
    case 'chart':
      return [`![${escapeMarkdown(b.title)}](${b.file})`];
  }
}

/** Markdown of a built report model. */
export function markdownOf(model: ReportModel): MarkdownReport {
  const out: string[] = [`# ${escapeMarkdown(model.title)}`, ''];
  const files: Record<string, string> = {};
  for (const s of model.sections) {
    out.push(`## ${escapeMarkdown(s.title)}`, '');
    for (const b of s.blocks) {
      if (!shownIn(b, 'md')) continue;
      out.push(...block(b), '');
      if (b.kind === 'chart') files[b.file] = `${b.svg}\n`;
    }
  }
  return { markdown: `${out.join('\n').trimEnd()}\n`, files };
}

/**
 * The Markdown report of `doc` and its chart files (`charts/NN-name.svg` → SVG text), for
 * report.md next to a `charts/` folder. Deterministic. O(document).
 * @throws ResultsError when `doc` is invalid.
 */
export function renderMarkdown(doc: ResultsDocument): MarkdownReport {
  return markdownOf(buildReport(doc));
}
