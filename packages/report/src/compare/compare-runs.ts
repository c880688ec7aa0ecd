/**
 * Comparing two runs in the manner of benchstat (golang.org/x/perf/cmd/benchstat): wall-clock
 * metrics with repeated samples get a median, a 95 % order-statistic interval for it and a
 * two-sided Mann–Whitney U test at alpha 0.05, and the change is called only when the test says
 * so; deterministic (simulated, counted) metrics are compared exactly. Each metric ends with a
 * geomean row.
 */

import {
  benchmarkCell,
  bytesCopiedCell,
  faultPathCell,
  memoryCell,
  replayCell,
  scalingCell,
} from '../schema/cells.js';
import type { ResultsDocument } from '../schema/types.js';
import { assertResults } from '../schema/validate.js';
import { canonicalJson } from '../schema/validator.js';
import { geomean, medianOfSorted, sortedCopy } from '../stats/descriptive.js';
import { mannWhitneyU, minimumPValue } from '../stats/mann-whitney.js';
import { medianInterval, minSamplesForInterval } from '../stats/median-ci.js';
import type { Unit } from '../text/numbers.js';

/** Fewest samples per side before a U test is run at all (at n = 4 + 4 the smallest p is 0.029). */
export const MIN_TEST_SAMPLES = 4;

/** Options of `compareRuns`. */
export interface CompareOptions {
  /** Significance level of the U test (default 0.05, benchstat's -alpha). */
  readonly alpha?: number;
  /** Confidence level of the median interval (default 0.95, benchstat's -confidence). */
  readonly confidence?: number;
  /** Names of the two runs in the output (default "a" and "b"). */
  readonly labels?: readonly [string, string];
}

/** One side of a row: the sample summary. */
export interface SampleSummary {
  readonly n: number;
  /** Median of the samples (the value itself for a deterministic metric). */
  readonly median: number;
  /** Order-statistic interval for the median; null when n is too small (n < 6 at 95 %). */
  readonly ci: { readonly low: number; readonly high: number; readonly coverage: number } | null;
}

/** What a row concluded. */
export type Verdict =
  /** Significant change in the better direction (sampled metrics). */
  | 'better'
  /** Significant change in the worse direction (sampled metrics). */
  | 'worse'
  /** The test found no significant difference (`~`). */
  | 'same'
  /** Too few samples to test (`~` with the reason). */
  | 'insufficient'
  /** Deterministic metric: values differ. */
  | 'changed'
  /** Deterministic metric: values are identical. */
  | 'unchanged'
  /** The cell exists in one run only. */
  | 'only-a'
  | 'only-b';

/** One compared cell. */
export interface ComparisonRow {
  /** The matrix cell key (see cellKey functions). */
  readonly key: string;
  /** Human name of the cell, e.g. `maple-era/find/1000/maple`. */
  readonly name: string;
  readonly a: SampleSummary | null;
  readonly b: SampleSummary | null;
  /** (b − a) / a of the medians; null when a side is missing or a is 0. */
  readonly change: number | null;
  /** Two-sided U-test p-value; null when not tested. */
  readonly p: number | null;
  readonly test: 'exact' | 'normal' | null;
  readonly verdict: Verdict;
  /** Why no call was made (e.g. "need ≥ 4 samples per side (have 3+10)"), or null. */
  readonly reason: string | null;
}

/** All rows of one metric. */
export interface ComparisonTable {
  readonly metric: string;
  readonly unit: Unit;
  /** `sampled`: wall clock with repeated samples; `exact`: deterministic. */
  readonly kind: 'sampled' | 'exact';
  readonly better: 'lower' | 'higher';
  readonly rows: readonly ComparisonRow[];
  /** Geometric means over rows present in both runs with positive values; null when none. */
  readonly geomean: {
    readonly a: number;
    readonly b: number;
    readonly change: number;
    readonly n: number;
  } | null;
}

/** Identification of a compared run. */
export interface RunLabel {
  readonly label: string;
  readonly generated_at: string;
  readonly git_revision: string | null;
  readonly cpu_model: string;
  readonly node: string;
}

/** The result of `compareRuns`. */
export interface Comparison {
  readonly a: RunLabel;
  readonly b: RunLabel;
  readonly alpha: number;
  readonly confidence: number;
  readonly tables: readonly ComparisonTable[];
  /** Caveats: different machines, different options, protocol violations. */
  readonly notes: readonly string[];
}

interface Cell {
  readonly key: string;
  readonly name: string;
  readonly samples: readonly number[];
  /** Why the samples are not repeated measurements (a single figure), for the reason text. */
  readonly single?: string;
}

interface MetricDef {
  readonly metric: string;
  readonly unit: Unit;
  readonly kind: 'sampled' | 'exact';
  readonly better: 'lower' | 'higher';
  readonly cells: (d: ResultsDocument) => Cell[];
}

/** A wall-clock cell: the row's retained samples, or its median alone (which is never called). */
function sampledCell(
  key: string,
  name: string,
  r: { readonly ns_p50: number; readonly samples_ns?: readonly number[] },
): Cell {
  const sampled = r.samples_ns !== undefined && r.samples_ns.length > 0;
  return {
    key,
    name,
    samples: sampled ? r.samples_ns! : [r.ns_p50],
    ...(sampled ? {} : { single: 'no repeated samples (samples_ns)' }),
  };
}

const exactCell = (key: string, name: string, v: number | null | undefined): Cell[] =>
  v === null || v === undefined ? [] : [{ key, name, samples: [v] }];

const METRICS: readonly MetricDef[] = [
  {
    metric: 'ns/op (wall clock)',
    unit: 'ns',
    kind: 'sampled',
    better: 'lower',
    cells: (d) =>
      (d.benchmarks?.rows ?? []).map((r) =>
        sampledCell(benchmarkCell(r), `${r.layout}/${r.op}/${r.index}`, r),
      ),
  },
  {
    metric: 'ns/fault (wall clock, one CPU)',
    unit: 'ns',
    kind: 'sampled',
    better: 'lower',
    cells: (d) =>
      (d.fault_path?.rows ?? []).map((r) =>
        sampledCell(faultPathCell(r), `${r.workload}/${r.strategy}/${r.index}`, r),
      ),
  },
  {
    metric: 'faults/s (simulated)',
    unit: 'per_sec',
    kind: 'exact',
    better: 'higher',
    cells: (d) =>
      (d.scaling?.points ?? []).flatMap((p) =>
        exactCell(
          scalingCell(p),
          `${p.workload}/${p.profile}/${p.cpus}/${p.strategy}/${p.index}`,
          p.faults_per_sec,
        ),
      ),
  },
  {
    metric: 'cost units/fault (simulated)',
    unit: 'cost',
    kind: 'exact',
    better: 'lower',
    cells: (d) =>
      (d.scaling?.points ?? []).flatMap((p) =>
        exactCell(
          scalingCell(p),
          `${p.workload}/${p.profile}/${p.cpus}/${p.strategy}/${p.index}`,
          p.cost_units_per_fault ?? (p.faults > 0 ? p.cost_units / p.faults : null),
        ),
      ),
  },
  {
    metric: 'bytes copied/fault',
    unit: 'bytes',
    kind: 'exact',
    better: 'lower',
    cells: (d) =>
      (d.bytes_copied?.rows ?? []).flatMap((r) =>
        exactCell(bytesCopiedCell(r), `${r.workload}/${r.strategy}/${r.index}`, r.bytes_per_fault),
      ),
  },
  {
    metric: 'model bytes/VMA',
    unit: 'bytes',
    kind: 'exact',
    better: 'lower',
    cells: (d) =>
      (d.memory?.rows ?? []).flatMap((r) =>
        exactCell(
          memoryCell(r),
          `${r.vmas}/${r.index}${r.layout === undefined ? '' : `/${r.layout}`}`,
          r.model_bytes_per_vma,
        ),
      ),
  },
  {
    metric: 'replay page mismatches',
    unit: 'count',
    kind: 'exact',
    better: 'lower',
    cells: (d) =>
      (d.replay?.rows ?? []).flatMap((r) =>
        exactCell(replayCell(r), `${r.capture}/${r.index}/${r.strategy ?? '-'}`, r.page_mismatches),
      ),
  },
];

function summarize(samples: readonly number[], kind: 'sampled' | 'exact', confidence: number): SampleSummary {
  const sorted = sortedCopy(samples, 'samples');
  const ci = kind === 'sampled' ? medianInterval(sorted, confidence) : null;
  return {
    n: sorted.length,
    median: medianOfSorted(sorted),
    ci: ci === null ? null : { low: ci.low, high: ci.high, coverage: ci.coverage },
  };
}

function relChange(a: number, b: number): number | null {
  return a === 0 ? null : (b - a) / Math.abs(a);
}

function compareCell(
  def: MetricDef,
  ca: Cell | undefined,
  cb: Cell | undefined,
  alpha: number,
  confidence: number,
): ComparisonRow {
  const key = (ca ?? cb)!.key;
  const name = (ca ?? cb)!.name;
  const a = ca === undefined ? null : summarize(ca.samples, def.kind, confidence);
  const b = cb === undefined ? null : summarize(cb.samples, def.kind, confidence);
  const base = { key, name, a, b, p: null, test: null } as const;
  if (a === null || b === null)
    return {
      ...base,
      change: null,
      verdict: a === null ? 'only-b' : 'only-a',
      reason: `only in run ${a === null ? 'b' : 'a'}`,
    };
  const change = relChange(a.median, b.median);
  if (def.kind === 'exact') {
    const same = a.median === b.median;
    return { ...base, change, verdict: same ? 'unchanged' : 'changed', reason: null };
  }
  const single = ca!.single ?? cb!.single;
  if (single !== undefined) return { ...base, change, verdict: 'insufficient', reason: single };
  if (a.n < MIN_TEST_SAMPLES || b.n < MIN_TEST_SAMPLES)
    return {
      ...base,
      change,
      verdict: 'insufficient',
      reason: `need ≥ ${MIN_TEST_SAMPLES} samples per side (have ${a.n}+${b.n})`,
    };
  const minP = minimumPValue(a.n, b.n);
  if (minP >= alpha)
    return {
      ...base,
      change,
      verdict: 'insufficient',
      reason: `need more samples: the smallest possible p is ${minP.toFixed(3)}`,
    };
  const u = mannWhitneyU(ca!.samples, cb!.samples);
  if (u.p >= alpha || change === null || change === 0)
    return { ...base, change, p: u.p, test: u.method, verdict: 'same', reason: null };
  const improved = def.better === 'lower' ? change < 0 : change > 0;
  return { ...base, change, p: u.p, test: u.method, verdict: improved ? 'better' : 'worse', reason: null };
}

function tableOf(
  def: MetricDef,
  da: ResultsDocument,
  db: ResultsDocument,
  alpha: number,
  confidence: number,
): ComparisonTable | null {
  const ma = new Map(def.cells(da).map((c) => [c.key, c]));
  const mb = new Map(def.cells(db).map((c) => [c.key, c]));
  if (ma.size === 0 && mb.size === 0) return null;
  const keys = [...new Set([...ma.keys(), ...mb.keys()])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const rows = keys.map((k) => compareCell(def, ma.get(k), mb.get(k), alpha, confidence));
  const both = rows.filter((r) => r.a !== null && r.b !== null && r.a.median > 0 && r.b.median > 0);
  const ga = geomean(both.map((r) => r.a!.median));
  const gb = geomean(both.map((r) => r.b!.median));
  return {
    metric: def.metric,
    unit: def.unit,
    kind: def.kind,
    better: def.better,
    rows,
    geomean: ga === null || gb === null ? null : { a: ga, b: gb, change: gb / ga - 1, n: both.length },
  };
}

function labelOf(d: ResultsDocument, label: string): RunLabel {
  const e = d.metadata.environment;
  return {
    label,
    generated_at: d.metadata.generated_at,
    git_revision: e.git_revision,
    cpu_model: e.cpu_model,
    node: e.node,
  };
}

/**
 * Compares run `b` against run `a` cell by cell. O(cells · log cells) plus the U tests
 * (O(n1·n2·n1·n2) for the exact distribution, n ≤ 50; O(n log n) otherwise).
 * @throws ResultsError when a document is invalid; RangeError for alpha or confidence outside (0, 1).
 */
export function compareRuns(
  a: ResultsDocument,
  b: ResultsDocument,
  options: CompareOptions = {},
): Comparison {
  const alpha = options.alpha ?? 0.05;
  const confidence = options.confidence ?? 0.95;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1) (${alpha})`);
  minSamplesForInterval(confidence); // validates confidence
  assertResults(a, options.labels?.[0] ?? 'run a');
  assertResults(b, options.labels?.[1] ?? 'run b');
  const [la, lb] = options.labels ?? ['a', 'b'];
  const notes: string[] = [];
  const ea = a.metadata.environment;
  const eb = b.metadata.environment;
  if (ea.cpu_model !== eb.cpu_model || ea.cpus !== eb.cpus)
    notes.push(
      `the runs used different machines (${ea.cpu_model} × ${ea.cpus} vs ${eb.cpu_model} × ${eb.cpus}): wall-clock differences may come from the hardware`,
    );
  if (ea.node !== eb.node) notes.push(`the runs used different Node.js versions (${ea.node} vs ${eb.node})`);
  if (canonicalJson(a.metadata.options) !== canonicalJson(b.metadata.options))
    notes.push('the runs used different options: some cells may not be comparable');
  if (canonicalJson(a.metadata.seeds) !== canonicalJson(b.metadata.seeds))
    notes.push('the runs used different seeds: simulated values may differ for that reason alone');
  const va = a.scaling?.violations.length ?? 0;
  const vb = b.scaling?.violations.length ?? 0;
  if (va > 0 || vb > 0) notes.push(`protocol violations: ${va} in ${la}, ${vb} in ${lb}`);
  const tables = METRICS.map((m) => tableOf(m, a, b, alpha, confidence)).filter(
    (t): t is ComparisonTable => t !== null,
  );
  return { a: labelOf(a, la!), b: labelOf(b, lb!), alpha, confidence, tables, notes };
}
