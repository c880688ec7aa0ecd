/**
 * Simulated scaling: each workload's own metric against CPUs per strategy — will-it-scale's
 * iterations per second, pft's (and the others') faults per second — as cover-letter tables per
 * profile and index and a log2-x chart per workload; fast-path abort and fallback rates, the
 * detail per point, and the protocol checker's violations. A point whose window saw no iteration
 * (and no fault) complete is flagged, not shown as a rate of 0: it measured the start-up convoy.
 *
 * Rates, following the kernel's counters: the abort rate is aborts / fast-path attempts, where
 * attempts = spf_attempt + VMA_LOCK_SUCCESS + VMA_LOCK_ABORT + VMA_LOCK_RETRY (every fault that
 * tried lock_vma_under_rcu() ends in one of the three, arch/x86/mm/fault.c) and aborts =
 * spf_abort + VMA_LOCK_ABORT; the fallback rate is faults retried under mmap_lock / faults.
 */
import { lineChart } from '../../charts/line-chart.js';
import type { ScalingMetric, ScalingPoint, ScalingSection } from '../../schema/types.js';
import { formatNs } from '../../text/numbers.js';
import type { BuildContext } from '../context.js';
import {
  baselineOf,
  byCodeUnit,
  distinct,
  groupBy,
  INDEX_ORDER,
  knownFirst,
  STRATEGY_ORDER,
} from '../order.js';
import { type Block, type Cell, cell, type Section } from '../types.js';

const byStrategy = knownFirst(STRATEGY_ORDER);
const byIndex = knownFirst(INDEX_ORDER);

/** Fast-path aborts / attempts, or null when the strategy has no fast path. */
export function abortRate(p: ScalingPoint): number | null {
  const attempts = p.spf_attempt + p.vma_lock.success + p.vma_lock.abort + p.vma_lock.retry;
  return attempts === 0 ? null : (p.spf_abort + p.vma_lock.abort) / attempts;
}

/** Faults retried under mmap_lock / faults, or null without faults. */
export function fallbackRate(p: ScalingPoint): number | null {
  return p.faults === 0 ? null : p.fallbacks / p.faults;
}

function topReason(p: ScalingPoint): string {
  const entries = Object.entries(p.abort_reasons).filter(([, n]) => n > 0);
  if (entries.length === 0) return '-';
  entries.sort((a, b) => b[1] - a[1] || byCodeUnit(a[0], b[0]));
  return `${entries[0]![0]} (${entries[0]![1]})`;
}

function pointSort(a: ScalingPoint, b: ScalingPoint): number {
  return (
    byCodeUnit(a.workload, b.workload) ||
    byCodeUnit(a.profile, b.profile) ||
    byIndex(a.index, b.index) ||
    byStrategy(a.strategy, b.strategy) ||
    a.cpus - b.cpus
  );
}

/** The workload's own metric (documents before schema 2 have none: faults/s). */
export function metricOf(p: ScalingPoint): ScalingMetric {
  return p.metric ?? 'faults_per_sec';
}

/**
 * True when nothing the point's metric counts completed in its window (no iteration, and for a
 * faults/s workload no fault either): its rates say the window was too short, not that the
 * machine did nothing.
 */
export function starved(p: ScalingPoint): boolean {
  return p.ops === 0 && (metricOf(p) === 'ops_per_sec' || p.faults === 0);
}

/** The mark a starved point shows instead of its rates. */
export const STARVED_MARK = 'n/a*';

/** A rate cell of `p` (null when absent, the mark when starved). */
function rateCell(p: ScalingPoint | undefined, metric: ScalingMetric, base: ScalingPoint | undefined): Cell {
  if (p === undefined) return cell.num(null, 'per_sec');
  if (starved(p)) return cell.text(STARVED_MARK);
  if (base === undefined || base === p) return cell.num(p[metric], 'per_sec');
  return cell.vs(p[metric], starved(base) ? null : base[metric], 'per_sec');
}

const METRIC_CAPTION: Readonly<Record<ScalingMetric, string>> = {
  ops_per_sec: "Iterations per second (will-it-scale's metric)",
  faults_per_sec: 'Faults per second',
};

/**
 * The cover-letter table of one profile × index for `metric`: rows workload-cpus (the workloads
 * whose own metric it is, and for faults/s every workload that faults), a column per strategy;
 * null when no workload belongs in it.
 */
function pivot(
  points: readonly ScalingPoint[],
  profile: string,
  index: string,
  metric: ScalingMetric,
): Block | null {
  const byWorkload = groupBy(points, (p) => [p.workload]);
  const shown = new Set(
    [...byWorkload.values()]
      .filter(
        (g) => metricOf(g[0]!) === metric || (metric === 'faults_per_sec' && g.some((p) => p.faults > 0)),
      )
      .map((g) => g[0]!.workload),
  );
  const mine = points.filter((p) => shown.has(p.workload));
  if (mine.length === 0) return null;
  const strategies = distinct(
    mine.map((p) => p.strategy),
    byStrategy,
  );
  const base = baselineOf(strategies, 'mmap-lock')!;
  const rowsByKey = groupBy(mine, (p) => [p.workload, p.cpus]);
  const keys = [...rowsByKey.values()]
    .map((g) => g[0]!)
    .sort((a, b) => byCodeUnit(a.workload, b.workload) || a.cpus - b.cpus);
  const rows: Cell[][] = keys.map((k) => {
    const g = rowsByKey.get(JSON.stringify([k.workload, k.cpus]))!;
    const b = g.find((p) => p.strategy === base);
    return [
      cell.text(`${k.workload}-${k.cpus}`),
      ...strategies.map((s) =>
        rateCell(
          g.find((p) => p.strategy === s),
          metric,
          b,
        ),
      ),
    ];
  });
  return {
    kind: 'table',
    caption: `${METRIC_CAPTION[metric]}, profile ${profile}, index ${index} (change against ${base})`,
    columns: [
      { label: 'workload-cpus', numeric: false },
      ...strategies.map((s) => ({ label: s, numeric: true })),
    ],
    rows,
    keyColumns: 1,
  };
}

/** The warning under the tables of a profile × index that has starved points, or null. */
function starvedNote(points: readonly ScalingPoint[]): Block | null {
  const bad = points.filter(starved);
  if (bad.length === 0) return null;
  const byRow = groupBy(bad, (p) => [p.workload, p.cpus]);
  const rows = [...byRow.values()]
    .sort((a, b) => byCodeUnit(a[0]!.workload, b[0]!.workload) || a[0]!.cpus - b[0]!.cpus)
    .map((g) => {
      const w = g[0]!.window_ns;
      const strategies = g.map((p) => p.strategy).sort(byStrategy);
      return `${g[0]!.workload}-${g[0]!.cpus} (${strategies.join(', ')}${w === undefined ? '' : `; window ${formatNs(w)}`})`;
    });
  return {
    kind: 'paragraph',
    tone: 'warning',
    text: `${STARVED_MARK} window too short: no iteration completed in the measured window of ${bad.length} point(s): ${rows.join('; ')}. Such a point measures the start-up lock convoy, not a rate; rerun with a longer simulated window.`,
  };
}

function detail(points: readonly ScalingPoint[], workload: string, profile: string, index: string): Block {
  const sorted = [...points].sort(pointSort);
  // A workload that never faults (brk1, mmap1, mmap2) has no fault rate: '-', not a column of 0.
  const faults = points.some((p) => p.faults > 0);
  return {
    kind: 'table',
    caption: `Detail: ${workload}, profile ${profile}, index ${index}`,
    columns: [
      { label: 'strategy', numeric: false },
      { label: 'cpus', numeric: true },
      { label: 'faults/s', numeric: true },
      { label: 'ops/s', numeric: true },
      { label: 'abort rate', numeric: true },
      { label: 'fallback rate', numeric: true },
      { label: 'mmap_lock wait', numeric: true },
      { label: 'cost/fault', numeric: true },
      { label: 'top abort reason', numeric: false },
    ],
    rows: sorted.map((p) => [
      cell.text(p.strategy),
      cell.num(p.cpus, 'cpus'),
      starved(p) ? cell.text(STARVED_MARK) : cell.num(faults ? p.faults_per_sec : null, 'per_sec'),
      starved(p) ? cell.text(STARVED_MARK) : cell.num(p.ops_per_sec, 'per_sec'),
      cell.num(abortRate(p), 'fraction'),
      cell.num(fallbackRate(p), 'fraction'),
      cell.num(p.mmap_lock_wait_fraction, 'fraction'),
      cell.num(p.cost_units_per_fault ?? (p.faults > 0 ? p.cost_units / p.faults : null), 'cost'),
      cell.text(topReason(p)),
    ]),
    keyColumns: 2,
  };
}

function violationBlocks(s: ScalingSection): Block[] {
  if (s.violations.length === 0)
    return [{ kind: 'paragraph', text: 'The protocol checker found no violations.' }];
  const sorted = [...s.violations].sort(
    (a, b) =>
      byCodeUnit(a.workload, b.workload) ||
      byCodeUnit(a.profile, b.profile) ||
      a.cpus - b.cpus ||
      byStrategy(a.strategy, b.strategy) ||
      byIndex(a.index, b.index) ||
      byCodeUnit(a.kind, b.kind) ||
      (a.step ?? -1) - (b.step ?? -1) ||
      byCodeUnit(a.detail, b.detail),
  );
  return [
    {
      kind: 'paragraph',
      tone: 'warning',
      text: `The protocol checker found ${s.violations.length} violation(s): a strategy used state it had not validated. Their throughput figures are not meaningful.`,
    },
    {
      kind: 'table',
      caption: 'Protocol violations',
      only: ['md', 'html'],
      columns: [
        { label: 'workload', numeric: false },
        { label: 'profile', numeric: false },
        { label: 'cpus', numeric: true },
        { label: 'strategy', numeric: false },
        { label: 'index', numeric: false },
        { label: 'kind', numeric: false },
        { label: 'step', numeric: true },
        { label: 'detail', numeric: false },
      ],
      rows: sorted.map((v) => [
        cell.text(v.workload),
        cell.text(v.profile),
        cell.num(v.cpus, 'cpus'),
        cell.text(v.strategy),
        cell.text(v.index),
        cell.text(v.kind),
        cell.num(v.step ?? null, 'count'),
        cell.text(v.detail),
      ]),
      keyColumns: 0,
    },
    {
      kind: 'list',
      only: ['text'],
      items: sorted.map(
        (v) =>
          `${v.workload}, ${v.profile}, ${v.cpus} cpus, ${v.strategy}, ${v.index}: ${v.kind}${v.step === undefined ? '' : ` at step ${v.step}`}: ${v.detail}`,
      ),
    },
  ];
}

/** The scaling section and the protocol-violations section. */
export function scalingSections(s: ScalingSection, ctx: BuildContext): Section[] {
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: "Simulated with the deterministic multi-CPU simulator. Rates are per simulated second; each workload is shown in its own benchmark's metric (will-it-scale: iterations per second; pft and the others: faults per second), and every workload that takes page faults also in faults per second. The abort rate counts fast-path attempts that were abandoned, the fallback rate faults that ended up taking mmap_lock after trying the fast path.",
    },
  ];
  if (s.points.length === 0) blocks.push({ kind: 'paragraph', text: 'No scaling points in this document.' });
  const byProfileIndex = groupBy([...s.points].sort(pointSort), (p) => [p.profile, p.index]);
  const pairs = [...byProfileIndex.values()].sort(
    (a, b) => byCodeUnit(a[0]!.profile, b[0]!.profile) || byIndex(a[0]!.index, b[0]!.index),
  );
  for (const group of pairs) {
    const { profile, index } = group[0]!;
    for (const metric of ['ops_per_sec', 'faults_per_sec'] as const) {
      const table = pivot(group, profile, index, metric);
      if (table !== null) blocks.push(table);
    }
    const note = starvedNote(group);
    if (note !== null) blocks.push(note);
    for (const wl of groupBy(group, (p) => [p.workload]).values()) {
      const workload = wl[0]!.workload;
      const metric = metricOf(wl[0]!);
      const strategies = distinct(
        wl.map((p) => p.strategy),
        byStrategy,
      );
      const ops = metric === 'ops_per_sec';
      const title = `${workload}: ${ops ? 'iterations/s' : 'faults/s'} vs CPUs (profile ${profile}, index ${index})`;
      blocks.push(
        ctx.chart(ops ? 'scaling-ops' : 'scaling-faults', title, (id) =>
          lineChart({
            id,
            title,
            x: { label: 'simulated CPUs', unit: 'cpus', scale: 'log2' },
            y: {
              label: ops ? 'iterations per second' : 'faults per second',
              unit: 'per_sec',
              scale: 'linear',
            },
            // Starved points are left out: their 0 is the window's, not the machine's.
            series: strategies.map((st) => ({
              name: st,
              points: wl
                .filter((p) => p.strategy === st && !starved(p))
                .map((p) => ({ x: p.cpus, y: p[metric] })),
            })),
          }),
        ),
      );
      const rateSeries = strategies.flatMap((st) => {
        const pts = wl.filter((p) => p.strategy === st);
        const aborts = pts.flatMap((p) => {
          const r = abortRate(p);
          return r === null ? [] : [{ x: p.cpus, y: r }];
        });
        const falls = pts.flatMap((p) => {
          const r = fallbackRate(p);
          return r === null || (abortRate(p) === null && p.fallbacks === 0) ? [] : [{ x: p.cpus, y: r }];
        });
        return [
          ...(aborts.length > 0 ? [{ name: `${st} abort rate`, points: aborts }] : []),
          ...(falls.length > 0 ? [{ name: `${st} fallback rate`, points: falls }] : []),
        ];
      });
      if (rateSeries.length > 0) {
        const rtitle = `${workload}: abort and fallback rates vs CPUs (profile ${profile}, index ${index})`;
        blocks.push(
          ctx.chart('scaling-aborts', rtitle, (id) =>
            lineChart({
              id,
              title: rtitle,
              x: { label: 'simulated CPUs', unit: 'cpus', scale: 'log2' },
              y: { label: 'share of attempts / faults', unit: 'fraction', scale: 'linear' },
              series: rateSeries,
            }),
          ),
        );
      }
      blocks.push(detail(wl, workload, profile, index));
    }
  }
  return [
    { id: 'scaling', title: 'Simulated scaling', blocks },
    { id: 'violations', title: 'Protocol violations', blocks: violationBlocks(s) },
  ];
}
