/**
 * Index micro-benchmarks: per address-space layout, a cover-letter table of median latency per
 * operation with a column per index (change against rbtree, the index of Linux ≤ 6.0); per
 * operation, a bar chart of latency by index and layout with p99 whiskers; and the full detail.
 */
import { groupedBarChart } from '../../charts/bar-chart.js';
import type { BenchmarkRow, BenchmarkSection } from '../../schema/types.js';
import type { BuildContext } from '../context.js';
import { baselineOf, byCodeUnit, distinct, groupBy, INDEX_ORDER, knownFirst, OP_ORDER } from '../order.js';
import { type Block, cell, type Section } from '../types.js';

const byIndex = knownFirst(INDEX_ORDER);
const byOp = knownFirst(OP_ORDER);

function rowSort(a: BenchmarkRow, b: BenchmarkRow): number {
  return a.vmas - b.vmas || byCodeUnit(a.layout, b.layout) || byOp(a.op, b.op) || byIndex(a.index, b.index);
}

/** Indexes first (rbtree leading), then the baselines, each group in the known order. */
function columnOrder(rows: readonly BenchmarkRow[]): string[] {
  const isBaseline = (ix: string) => rows.some((r) => r.index === ix && r.kind === 'baseline');
  const all = distinct(
    rows.map((r) => r.index),
    byIndex,
  );
  return [...all.filter((i) => !isBaseline(i)), ...all.filter(isBaseline)];
}

/** The benchmarks section. */
export function benchmarksSection(s: BenchmarkSection, ctx: BuildContext): Section {
  const settings = Object.keys(s.runner.settings)
    .sort(byCodeUnit)
    .map((k) => `${k}=${String(s.runner.settings[k])}`)
    .join(', ');
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: `Measured with ${s.runner.name} ${s.runner.version}${settings === '' ? '' : ` (${settings})`}. Latencies are wall-clock nanoseconds per operation on the machine of the Run section. Baselines: limit is a sorted array searched by bisection (the floor any index can reach), raw:* are the tree libraries without the VMA layer.`,
    },
  ];
  const rows = [...s.rows].sort(rowSort);
  if (rows.length === 0) {
    blocks.push({ kind: 'paragraph', text: 'No benchmark rows in this document.' });
    return { id: 'benchmarks', title: 'Index micro-benchmarks', blocks };
  }
  const layouts = [...groupBy(rows, (r) => [r.layout]).values()];
  for (const g of layouts) {
    const { layout, vmas } = g[0]!;
    const indexes = columnOrder(g);
    const nonBaseline = indexes.filter((i) => !g.some((r) => r.index === i && r.kind === 'baseline'));
    const base = baselineOf(nonBaseline.length > 0 ? nonBaseline : indexes, 'rbtree')!;
    const ops = distinct(
      g.map((r) => r.op),
      byOp,
    );
    const at = (ix: string, op: string) => g.find((r) => r.index === ix && r.op === op)?.ns_p50;
    blocks.push({
      kind: 'table',
      caption: `Layout ${layout} (${vmas} VMAs): median ns per operation (change against ${base})`,
      columns: [{ label: 'op', numeric: false }, ...indexes.map((i) => ({ label: i, numeric: true }))],
      rows: ops.map((op) => {
        const b = at(base, op) ?? null;
        return [
          cell.text(op),
          ...indexes.map((i) => (i === base ? cell.num(b, 'ns') : cell.vs(at(i, op), b, 'ns'))),
        ];
      }),
      keyColumns: 1,
    });
  }
  const layoutNames = layouts.map((g) => g[0]!.layout);
  for (const g of groupBy(
    [...rows].sort((a, b) => byOp(a.op, b.op)),
    (r) => [r.op],
  ).values()) {
    const op = g[0]!.op;
    const inOp = layoutNames.filter((l) => g.some((r) => r.layout === l));
    const title = `${op}: ns per operation by index and layout (median, whisker to p99)`;
    blocks.push(
      ctx.chart('latency', title, (id) =>
        groupedBarChart({
          id,
          title,
          groups: inOp,
          xLabel: 'address-space layout',
          y: { label: 'ns per operation (log scale)', unit: 'ns', scale: 'log10' },
          series: columnOrder(g).map((ix) => ({
            name: ix,
            values: inOp.map((l) => {
              const r = g.find((x) => x.index === ix && x.layout === l);
              return r === undefined ? null : { value: r.ns_p50, high: r.ns_p99 };
            }),
          })),
        }),
      ),
    );
  }
  blocks.push({
    kind: 'table',
    caption: 'All benchmark rows',
    columns: [
      { label: 'layout', numeric: false },
      { label: 'index', numeric: false },
      { label: 'op', numeric: false },
      { label: 'p50 (ns)', numeric: true },
      { label: 'p99 (ns)', numeric: true },
      { label: 'rme (%)', numeric: true },
      { label: 'ops/s', numeric: true },
      { label: 'samples', numeric: true },
      { label: '× limit', numeric: true },
    ],
    rows: rows.map((r) => [
      cell.text(r.layout),
      cell.text(r.kind === 'baseline' ? `${r.index} (baseline)` : r.index),
      cell.text(r.op),
      cell.num(r.ns_p50, 'ns'),
      cell.num(r.ns_p99, 'ns'),
      cell.num(r.rme, 'percent'),
      cell.num(r.ops_per_sec, 'per_sec'),
      cell.num(r.samples, 'count'),
      cell.num(r.ratio_vs_limit ?? null, 'ratio'),
    ]),
    keyColumns: 3,
  });
  return { id: 'benchmarks', title: 'Index micro-benchmarks', blocks };
}
