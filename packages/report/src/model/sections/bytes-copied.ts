/**
 * Bytes the fault path copies out of VMAs per fault: none under mmap_lock or a per-VMA lock, the
 * fault attributes for Dufour's SPF, the whole vm_area_struct for Lespinasse's SPF.
 */
import { groupedBarChart } from '../../charts/bar-chart.js';
import type { BytesCopiedSection } from '../../schema/types.js';
import type { BuildContext } from '../context.js';
import { byCodeUnit, distinct, groupBy, INDEX_ORDER, knownFirst, STRATEGY_ORDER } from '../order.js';
import { type Block, cell, type Section } from '../types.js';

const byStrategy = knownFirst(STRATEGY_ORDER);
const byIndex = knownFirst(INDEX_ORDER);

/** The bytes-copied section. */
export function bytesCopiedSection(s: BytesCopiedSection, ctx: BuildContext): Section {
  const rows = [...s.rows].sort(
    (a, b) =>
      byCodeUnit(a.workload, b.workload) || byStrategy(a.strategy, b.strategy) || byIndex(a.index, b.index),
  );
  const blocks: Block[] = [];
  if (rows.length === 0)
    blocks.push({ kind: 'paragraph', text: 'No bytes-copied measurements in this document.' });
  for (const wl of groupBy(rows, (r) => [r.workload]).values()) {
    const workload = wl[0]!.workload;
    const strategies = distinct(
      wl.map((r) => r.strategy),
      byStrategy,
    );
    const indexes = distinct(
      wl.map((r) => r.index),
      byIndex,
    );
    const title = `${workload}: bytes copied per fault`;
    blocks.push(
      ctx.chart('bytes-copied', title, (id) =>
        groupedBarChart({
          id,
          title,
          groups: strategies,
          xLabel: 'fault strategy',
          y: { label: 'bytes per fault', unit: 'bytes', scale: 'linear' },
          series: indexes.map((ix) => ({
            name: ix,
            values: strategies.map((st) => {
              const r = wl.find((x) => x.strategy === st && x.index === ix);
              return r === undefined ? null : { value: r.bytes_per_fault };
            }),
          })),
        }),
      ),
    );
  }
  if (rows.length > 0)
    blocks.push({
      kind: 'table',
      caption: 'Bytes copied per fault',
      columns: [
        { label: 'workload', numeric: false },
        { label: 'strategy', numeric: false },
        { label: 'index', numeric: false },
        { label: 'faults', numeric: true },
        { label: 'bytes copied', numeric: true },
        { label: 'bytes/fault', numeric: true },
        { label: 'lines/fault', numeric: true },
      ],
      rows: rows.map((r) => [
        cell.text(r.workload),
        cell.text(r.strategy),
        cell.text(r.index),
        cell.num(r.faults, 'count'),
        cell.num(r.bytes_copied, 'bytes'),
        cell.num(r.bytes_per_fault, 'bytes'),
        cell.num(r.cache_lines_per_fault ?? null, 'plain'),
      ]),
      keyColumns: 3,
    });
  return { id: 'bytes-copied', title: 'Bytes copied per fault', blocks };
}
