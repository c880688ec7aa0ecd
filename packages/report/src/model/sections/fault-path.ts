/**
 * The fault path on one CPU (`vmakit bench faults`): per workload, the fault core's wall-clock cost
 * per fault for each strategy × index, a chart of it, and its rate next to the real kernel's
 * page_fault1 rate measured on the same machine in the same run.
 */
import { groupedBarChart } from '../../charts/bar-chart.js';
import type { FaultPathRow, FaultPathSection } from '../../schema/types.js';
import { formatHuman } from '../../text/numbers.js';
import type { BuildContext } from '../context.js';
import { byCodeUnit, distinct, groupBy, INDEX_ORDER, knownFirst, STRATEGY_ORDER } from '../order.js';
import { type Block, cell, type Section } from '../types.js';

const byStrategy = knownFirst(STRATEGY_ORDER);
const byIndex = knownFirst(INDEX_ORDER);

// page_fault1 first: it is the workload the kernel's rate belongs to.
const byWorkload = knownFirst(['synthetic:page_fault1']);

function rowSort(a: FaultPathRow, b: FaultPathRow): number {
  return (
    byWorkload(a.workload, b.workload) || byStrategy(a.strategy, b.strategy) || byIndex(a.index, b.index)
  );
}

/** The kernel rates the rows were divided by (one per run; a merged document may hold several). */
function kernelRates(rows: readonly FaultPathRow[]): number[] {
  return distinct(
    rows.flatMap((r) => (r.kernel_faults_per_sec === null ? [] : [r.kernel_faults_per_sec])),
    (a, b) => a - b,
  );
}

/** The fault-path section. */
export function faultPathSection(s: FaultPathSection, ctx: BuildContext): Section {
  const settings = Object.keys(s.runner.settings)
    .sort(byCodeUnit)
    .map((k) => `${k}=${String(s.runner.settings[k])}`)
    .join(', ');
  const rows = [...s.rows].sort(rowSort);
  const kernel = kernelRates(rows);
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text:
        `Measured with ${s.runner.name} ${s.runner.version}${settings === '' ? '' : ` (${settings})`}: ` +
        "the shared fault core resolving every fault of a workload on one CPU, wall-clock nanoseconds per fault on the machine of the Run section (a capture's time includes replaying its memory system calls). " +
        (kernel.length === 0
          ? "The kernel's own rate was not measured."
          : `The kernel's own rate — will-it-scale page_fault1 on one thread, its write loop only — was ${kernel
              .map((k) => `${formatHuman(k, 'per_sec')} faults/s`)
              .join(
                ', ',
              )} on the same machine in the same run; ÷ kernel above 1 means the model resolves faults faster than Linux.`),
    },
  ];
  if (rows.length === 0) {
    blocks.push({ kind: 'paragraph', text: 'No fault-path rows in this document.' });
    return { id: 'fault-path', title: 'Fault path on one CPU', blocks };
  }
  for (const wl of groupBy(rows, (r) => [r.workload]).values()) {
    const { workload, faults } = wl[0]!;
    const strategies = distinct(
      wl.map((r) => r.strategy),
      byStrategy,
    );
    const indexes = distinct(
      wl.map((r) => r.index),
      byIndex,
    );
    const title = `${workload}: ns per fault by strategy and index (median, whisker to p99)`;
    blocks.push(
      ctx.chart('fault-path', title, (id) =>
        groupedBarChart({
          id,
          title,
          groups: strategies,
          xLabel: 'fault strategy',
          y: { label: 'ns per fault', unit: 'ns', scale: 'linear' },
          series: indexes.map((ix) => ({
            name: ix,
            values: strategies.map((st) => {
              const r = wl.find((x) => x.strategy === st && x.index === ix);
              return r === undefined ? null : { value: r.ns_p50, high: r.ns_p99 };
            }),
          })),
        }),
      ),
    );
    blocks.push({
      kind: 'table',
      caption: `${workload} (${formatHuman(faults, 'count')} faults per sample): rate against the kernel`,
      columns: [
        { label: 'strategy', numeric: false },
        { label: 'index', numeric: false },
        { label: 'p50 ns/fault', numeric: true },
        { label: 'faults/s', numeric: true },
        { label: '÷ kernel', numeric: true },
        { label: 'best ÷ kernel best', numeric: true },
      ],
      rows: wl.map((r) => [
        cell.text(r.strategy),
        cell.text(r.index),
        cell.num(r.ns_p50, 'ns'),
        cell.num(r.faults_per_sec, 'per_sec'),
        cell.num(r.ratio_vs_kernel, 'ratio'),
        cell.num(r.ratio_best_vs_kernel_best, 'ratio'),
      ]),
      keyColumns: 2,
    });
  }
  blocks.push({
    kind: 'table',
    caption: 'All fault-path rows',
    columns: [
      { label: 'workload', numeric: false },
      { label: 'strategy', numeric: false },
      { label: 'index', numeric: false },
      { label: 'faults', numeric: true },
      { label: 'p50 (ns)', numeric: true },
      { label: 'p99 (ns)', numeric: true },
      { label: 'rme (%)', numeric: true },
      { label: 'faults/s', numeric: true },
      { label: 'best faults/s', numeric: true },
      { label: 'kernel faults/s', numeric: true },
      { label: 'samples', numeric: true },
    ],
    rows: rows.map((r) => [
      cell.text(r.workload),
      cell.text(r.strategy),
      cell.text(r.index),
      cell.num(r.faults, 'count'),
      cell.num(r.ns_p50, 'ns'),
      cell.num(r.ns_p99, 'ns'),
      cell.num(r.rme, 'percent'),
      cell.num(r.faults_per_sec, 'per_sec'),
      cell.num(r.faults_per_sec_best, 'per_sec'),
      cell.num(r.kernel_faults_per_sec, 'per_sec'),
      cell.num(r.samples, 'count'),
    ]),
    keyColumns: 3,
  });
  return { id: 'fault-path', title: 'Fault path on one CPU', blocks };
}
