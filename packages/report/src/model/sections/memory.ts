/**
 * Memory per VMA per index: what the heap grew by (measured in a child process after full
 * garbage collections) next to the index's own estimate with the kernel's struct sizes.
 */
import { groupedBarChart } from '../../charts/bar-chart.js';
import type { MemorySection } from '../../schema/types.js';
import type { BuildContext } from '../context.js';
import { byCodeUnit, groupBy, INDEX_ORDER, knownFirst } from '../order.js';
import { type Block, cell, type Section } from '../types.js';

const byIndex = knownFirst(INDEX_ORDER);

/** The memory section. */
export function memorySection(s: MemorySection, ctx: BuildContext): Section {
  const rows = [...s.rows].sort(
    (a, b) => a.vmas - b.vmas || byCodeUnit(a.layout ?? '', b.layout ?? '') || byIndex(a.index, b.index),
  );
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: 'Measured: heap and ArrayBuffer growth per VMA in a fresh process after full garbage collections (JavaScript objects, so larger than C structs). Model: the index’s own count with the kernel’s struct sizes (vm_area_struct, maple nodes, rb links).',
    },
  ];
  if (rows.length === 0) blocks.push({ kind: 'paragraph', text: 'No memory measurements in this document.' });
  for (const g of groupBy(rows, (r) => [r.vmas, r.layout ?? '']).values()) {
    const { vmas, layout } = g[0]!;
    const title = `Bytes per VMA by index, ${vmas} VMAs${layout === undefined ? '' : ` (${layout})`}`;
    blocks.push(
      ctx.chart('memory', title, (id) =>
        groupedBarChart({
          id,
          title,
          groups: g.map((r) => r.index),
          xLabel: 'index',
          y: { label: 'bytes per VMA', unit: 'bytes', scale: 'linear' },
          series: [
            { name: 'measured (heap)', values: g.map((r) => ({ value: r.heap_bytes_per_vma })) },
            {
              name: 'model (kernel struct sizes)',
              values: g.map((r) =>
                r.model_bytes_per_vma === null ? null : { value: r.model_bytes_per_vma },
              ),
            },
          ],
        }),
      ),
    );
  }
  if (rows.length > 0)
    blocks.push({
      kind: 'table',
      caption: 'Memory per VMA',
      columns: [
        { label: 'vmas', numeric: true },
        { label: 'index', numeric: false },
        { label: 'heap B/VMA', numeric: true },
        { label: 'ArrayBuffer B/VMA', numeric: true },
        { label: 'model B/VMA', numeric: true },
        { label: 'layout', numeric: false },
      ],
      rows: rows.map((r) => [
        cell.num(r.vmas, 'count'),
        cell.text(r.kind === 'baseline' ? `${r.index} (baseline)` : r.index),
        cell.num(r.heap_bytes_per_vma, 'bytes'),
        cell.num(r.array_buffer_bytes_per_vma ?? null, 'bytes'),
        cell.num(r.model_bytes_per_vma, 'bytes'),
        cell.text(r.layout ?? 'synthetic'),
      ]),
      keyColumns: 2,
    });
  return { id: 'memory', title: 'Memory per VMA', blocks };
}
