/**
 * Rows of results.json from what the packages return: simulated points (sim's SimPoint), replays
 * (replay's ReplayReport) and the published-figures comparison (sim's PublishedComparison). The
 * conversions keep the units the schema fixes (report/README: Units).
 */
import type {
  MemoryRow as BenchMemoryRow,
  FaultBenchRow,
  IndexBenchRow,
  KernelFaultRate,
} from '@vmakit/bench/cli';
import type { ReplayReport } from '@vmakit/replay';
import {
  type BenchmarkRow,
  type BytesCopiedRow,
  type FaultPathRow,
  type MemoryRow,
  type ProtocolViolation,
  type PublishedRow,
  type ReplayRow,
  replayRowFrom,
  type ScalingPoint,
} from '@vmakit/report';
import {
  type ComparisonRow,
  type FigureComparison,
  PUBLISHED_FIGURES,
  type SimPoint,
  willItScalePlugins,
} from '@vmakit/sim';

/** will-it-scale's tests: their own metric is iterations per second (its main.c prints them). */
const ITERATION_WORKLOADS: ReadonlySet<string> = new Set(willItScalePlugins.map((p) => p.meta.name));

/**
 * A scaling point from a simulated one. `fallbacks` are the faults that fell back to the mmap_lock
 * after a failed fast path: every aborted speculative attempt and every VMA-lock abort or retry
 * (a VMA_LOCK_MISS repeats the lookup and is not a fallback), capped at the faults.
 */
export function scalingPointOf(p: SimPoint): ScalingPoint {
  const fallbacks = Math.min(p.faults, p.spf_abort + p.vma_lock.abort + p.vma_lock.retry);
  const c = p.cache as Readonly<Record<string, number>>;
  const transfers = (c.smtTransfers ?? 0) + (c.sameSocketTransfers ?? 0) + (c.crossSocketTransfers ?? 0);
  return {
    workload: p.workload,
    profile: p.profile,
    cpus: p.cpus,
    strategy: p.strategy,
    index: p.index,
    faults: p.faults,
    ops: p.ops,
    faults_per_sec: p.faults_per_sec,
    ops_per_sec: p.ops_per_sec,
    // The simulator counts a fault's attempt and abort with the fault, in the window it completes
    // in (sim engine: spfInFlight), so spf_abort <= spf_attempt holds without adjustment.
    spf_attempt: p.spf_attempt,
    spf_abort: p.spf_abort,
    abort_reasons: { ...p.abort_reasons },
    vma_lock: { ...p.vma_lock },
    fallbacks,
    mmap_lock_wait_fraction: p.mmap_lock_wait_fraction,
    cost_units: p.cost_units.total,
    ...(p.faults > 0 ? { cost_units_per_fault: p.cost_units.total / p.faults } : {}),
    cacheline_transfers: transfers,
    metric: ITERATION_WORKLOADS.has(p.workload) ? 'ops_per_sec' : 'faults_per_sec',
    warmup_ns: p.warmup_ns,
    window_ns: p.simulated_ns,
  };
}

/** The checker's violations of a point, as listed (the checker keeps samples of the first ones). */
export function violationsOf(p: SimPoint): ProtocolViolation[] {
  return p.violation_samples.map((v) => ({
    workload: p.workload,
    profile: p.profile,
    cpus: p.cpus,
    strategy: p.strategy,
    index: p.index,
    kind: v.rule,
    detail: `CPU ${v.cpu} at ${v.ns} ns: ${v.message}`,
  }));
}

/** A replay row; `capture` names the capture as the run knows it. */
export function replayRowOf(r: ReplayReport, capture: string): ReplayRow {
  // The summary is a closed interface; a spread copy is an object literal the adapter's record accepts.
  return { ...replayRowFrom({ ...r, fault_handling: { ...r.fault_handling } }), capture };
}

/**
 * Bytes copied by the strategy over a replayed capture (measured through the fault core), as a
 * bytes_copied row whose workload is `capture:<name>`; null when faults were only counted.
 */
export function bytesRowOf(r: ReplayReport, capture: string): BytesCopiedRow | null {
  const fh = r.fault_handling;
  if (!fh.resolved || r.strategy === null) return null;
  const faults = r.events.faults;
  return {
    strategy: r.strategy,
    index: r.index,
    workload: `capture:${capture}`,
    faults,
    bytes_copied: fh.bytes_copied,
    bytes_per_fault: faults > 0 ? fh.bytes_copied / faults : 0,
  };
}

/** A benchmark row (the bench rows already have the schema's shape; samples are kept when present). */
export function benchmarkRowOf(r: IndexBenchRow): BenchmarkRow {
  return {
    layout: r.layout,
    vmas: r.vmas,
    index: r.index,
    op: r.op,
    kind: r.kind,
    ops_per_sample: r.ops_per_sample,
    ns_p50: r.ns_p50,
    ns_p99: Math.max(r.ns_p99, r.ns_p50),
    ns_mean: r.ns_mean,
    rme: Number.isFinite(r.rme) ? r.rme : 0,
    ops_per_sec: r.ops_per_sec,
    samples: r.samples,
    ratio_vs_limit: r.ratio_vs_limit,
    ...(r.samples_ns !== undefined ? { samples_ns: r.samples_ns } : {}),
  };
}

/**
 * A fault-path row from a fault benchmark row; `kernel` is the kernel rate the run divided by (its
 * pooled write-loop rate), null when it was not measured.
 */
export function faultPathRowOf(r: FaultBenchRow, kernel: KernelFaultRate | null): FaultPathRow {
  const measured = kernel?.measured === true && r.ratio_vs_kernel !== null;
  return {
    workload: r.capture,
    kind: r.kind,
    strategy: r.strategy,
    index: r.index,
    faults: r.faults,
    ns_p50: r.ns_per_fault_p50,
    ns_p99: Math.max(r.ns_p99, r.ns_per_fault_p50),
    ns_mean: r.ns_mean,
    rme: Number.isFinite(r.rme) ? r.rme : 0,
    faults_per_sec: r.faults_per_sec,
    faults_per_sec_best: r.faults_per_sec_best,
    samples: r.samples,
    kernel_faults_per_sec: measured ? kernel.faults_per_sec : null,
    ratio_vs_kernel: measured ? r.ratio_vs_kernel : null,
    ratio_best_vs_kernel_best: measured ? r.ratio_best_vs_kernel_best : null,
    ...(r.samples_ns !== undefined ? { samples_ns: r.samples_ns } : {}),
  };
}

/** A memory row. */
export function memoryRowOf(r: BenchMemoryRow): MemoryRow {
  return {
    index: r.index,
    kind: r.kind,
    vmas: r.vmas,
    // Growth below zero is garbage-collector noise on a small layout: the index used no measurable heap.
    heap_bytes_per_vma: Math.max(0, r.heap_bytes_per_vma),
    array_buffer_bytes_per_vma: Math.max(0, r.array_buffer_bytes_per_vma),
    model_bytes_per_vma: r.model_bytes_per_vma,
  };
}

const X_PATTERNS: readonly RegExp[] = [
  /^(\d+) (threads?|CPUs?)$/,
  /\b(\d+)[ -](threads?|CPUs?|faulters)\b/,
  /-(threads|processes)-(\d+)\b/,
];

/** The numeric x of a comparison row label ("12 threads" → 12 threads), or null. */
function numericX(label: string): { x: number; unit: string } | null {
  for (const re of X_PATTERNS) {
    const m = re.exec(label);
    if (m === null) continue;
    if (re === X_PATTERNS[2]) return { x: Number(m[2]), unit: m[1] === 'threads' ? 'threads' : 'processes' };
    const unit = m[2]!.startsWith('CPU') ? 'CPUs' : m[2]!.startsWith('thread') ? 'threads' : m[2]!;
    return { x: Number(m[1]), unit };
  }
  return null;
}

/** The unit of a comparison row's values, from its quantity. */
function unitOf(r: ComparisonRow): string {
  if (r.publishedValue === null) return 'holds (1 = yes)';
  if (r.quantity.includes('(absolute)'))
    return r.quantity.startsWith('ops_per_sec')
      ? 'ops/s'
      : r.quantity.startsWith('faults_per_sec')
        ? 'faults/s'
        : '';
  return 'ratio';
}

/**
 * Published rows of one figure's comparison. Each row's x is the thread or CPU count its label names
 * when every row of the same quantity has a distinct one; otherwise the rows are numbered
 * (`case` 1, 2, …) and the label goes into the note. Rows whose published value is a shape
 * ("grows with threads") are 1 = holds, 0 = does not; figures that are not modelled give no rows.
 */
export function publishedRowsOf(f: FigureComparison): PublishedRow[] {
  const fig = PUBLISHED_FIGURES.find((x) => x.id === f.figure);
  const source = fig === undefined ? f.source : `${fig.citation.who} (${fig.citation.date})`;
  const citation = fig === undefined ? f.source : `${fig.citation.title}, ${fig.citation.where}`;
  const rows = f.rows.filter((r) => r.x !== '-' || r.publishedValue !== null);
  const byQuantity = new Map<string, ComparisonRow[]>();
  for (const r of rows) {
    const g = byQuantity.get(r.quantity);
    if (g === undefined) byQuantity.set(r.quantity, [r]);
    else g.push(r);
  }
  const out: PublishedRow[] = [];
  for (const [quantity, group] of byQuantity) {
    const xs = group.map((r) => numericX(r.x));
    const numeric =
      xs.every((x) => x !== null) && new Set(xs.map((x) => `${x!.x} ${x!.unit}`)).size === group.length;
    group.forEach((r, i) => {
      const x = numeric ? xs[i]! : { x: i + 1, unit: 'case' };
      const shape = r.publishedValue === null;
      const simulated = shape
        ? r.agreement === 'not-run'
          ? null
          : r.agreement === 'mismatch'
            ? 0
            : 1
        : r.simulated;
      const verdict = `${r.agreement}${r.informational ? ' (informational)' : ''}`;
      const parts = [verdict, numeric ? '' : r.x, `published: ${r.published}`, r.note].filter(
        (s) => s !== '',
      );
      out.push({
        source,
        citation,
        figure: f.title,
        metric: quantity,
        x: x.x,
        x_unit: x.unit,
        published: shape ? 1 : r.publishedValue!,
        simulated: simulated !== null && Number.isFinite(simulated) ? simulated : null,
        unit: unitOf(r),
        note: parts.join('; '),
      });
    });
  }
  return out;
}
