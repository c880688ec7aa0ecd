/**
 * Published results next to simulated ones: cover letters and papers (see
 * shared/reference/anchors-and-figures.md §3) against what the simulator predicts for the same
 * experiment. The simulator models costs, not a specific machine, so shapes and ratios are the
 * comparison, not absolute values.
 */
import { groupedBarChart } from '../../charts/bar-chart.js';
import type { PublishedRow, PublishedSection } from '../../schema/types.js';
import { formatChange, significant } from '../../text/numbers.js';
import type { BuildContext } from '../context.js';
import { byCodeUnit, groupBy } from '../order.js';
import { type Block, cell, type Section } from '../types.js';

function rowSort(a: PublishedRow, b: PublishedRow): number {
  return (
    byCodeUnit(a.source, b.source) ||
    byCodeUnit(a.figure, b.figure) ||
    byCodeUnit(a.metric, b.metric) ||
    a.x - b.x
  );
}

/** The published-comparison section. */
export function publishedSection(s: PublishedSection, ctx: BuildContext): Section {
  const rows = [...s.rows].sort(rowSort);
  const blocks: Block[] = [];
  if (rows.length === 0) {
    blocks.push({ kind: 'paragraph', text: 'No published figures in this document.' });
    return { id: 'published', title: 'Published results', blocks };
  }
  const sources = [...new Set(rows.map((r) => `${r.source}\u0000${r.citation}`))].sort(byCodeUnit);
  const refOf = (r: PublishedRow) => sources.indexOf(`${r.source}\u0000${r.citation}`) + 1;
  blocks.push({
    kind: 'table',
    caption: 'Published figures and simulated values',
    columns: [
      { label: 'ref', numeric: false },
      { label: 'figure', numeric: false },
      { label: 'metric', numeric: false },
      { label: 'x', numeric: true },
      { label: 'published', numeric: true },
      { label: 'simulated', numeric: true },
      { label: 'sim. vs pub.', numeric: true },
      { label: 'unit', numeric: false },
    ],
    rows: rows.map((r) => [
      cell.text(`[${refOf(r)}]`),
      cell.text(r.figure),
      cell.text(r.metric),
      cell.text(`${significant(r.x, 6)} ${r.x_unit}`),
      cell.num(r.published, 'plain'),
      cell.num(r.simulated, 'plain'),
      cell.text(r.simulated === null ? '-' : (formatChange(r.simulated, r.published) ?? 'n/a')),
      cell.text(r.unit),
    ]),
    keyColumns: 3,
  });
  blocks.push({
    kind: 'list',
    items: sources.map((k, i) => {
      const [source, citation] = k.split('\u0000') as [string, string];
      return `[${i + 1}] ${source}: ${citation}`;
    }),
  });
  const notes = rows.filter((r) => r.note !== '');
  if (notes.length > 0)
    blocks.push({
      kind: 'list',
      items: notes.map((r) => `[${refOf(r)}] ${r.figure}, ${significant(r.x, 6)} ${r.x_unit}: ${r.note}`),
    });
  for (const g of groupBy(rows, (r) => [r.source, r.figure, r.metric, r.unit]).values()) {
    const { source, figure, metric, unit } = g[0]!;
    const title = `${source}: ${figure} (${metric})`;
    blocks.push(
      ctx.chart('published', title, (id) =>
        groupedBarChart({
          id,
          title,
          groups: g.map((r) => `${significant(r.x, 6)} ${r.x_unit}`),
          xLabel: g[0]!.x_unit,
          y: { label: unit, unit: 'plain', scale: 'linear' },
          series: [
            { name: 'published', values: g.map((r) => ({ value: r.published })) },
            {
              name: 'simulated',
              values: g.map((r) => (r.simulated === null ? null : { value: r.simulated })),
            },
          ],
        }),
      ),
    );
  }
  return { id: 'published', title: 'Published results', blocks };
}
