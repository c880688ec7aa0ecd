/**
 * Compares simulator runs with the published figures (figures.ts): which runs reproduce each figure,
 * and whether the simulated numbers agree in direction, rough size and shape.
 *
 * The simulator is plugged in as a callback `run(config) -> metrics` (or as a list of finished runs),
 * so this module depends on no engine. Agreement levels, from best to worst:
 * - `match`: same direction and close in size (a ratio below 2x: its log-gain within [0.75, 1.33] of
 *   the published one; a ratio of 2x or more: within 25% of it; a fraction within 10%; a value inside
 *   a published range);
 * - `rough`: same direction, size within a factor of 2 (log-gain ratio in [0.5, 2], or a large ratio
 *   within 2x; a fraction within 50%; a value within a factor of 2 of a published range);
 * - `direction`: only the direction agrees (both gains or both losses, sizes far apart);
 * - `mismatch`: opposite directions, or a shape property the published curve has is missing;
 * - `not-run`: no simulation for it (not modelled, too many CPUs, missing capture, run failed).
 * Ratios within 3% of 1 count as "no change"; a no-change published value agrees with a simulated
 * change below 10%.
 */
import type {
  BenefitItem,
  EngineHints,
  Metric,
  PublishedFigure,
  PublishedValue,
  RatioItem,
  SeriesCheck,
  SpfRateItem,
  Variant,
} from './figures.js';
import { PUBLISHED_FIGURES } from './figures.js';

/** One simulator run the comparison needs. */
export interface SimRunConfig {
  /** Workload name (`trace:<dir>` for captures). */
  readonly workload: string;
  readonly params: Readonly<Record<string, number>>;
  readonly strategy: string;
  readonly index: string;
  readonly profile: string;
  readonly threads: number;
  /** CPUs of the simulated machine in use: one per thread, as the benchmarks pin them. */
  readonly cpus: number;
  readonly seed: number;
  /** Measured window the figure needs (simulated ns), when not the engine's default. */
  readonly durationNs?: number;
  /** Warm-up the figure needs (simulated ns), when not the engine's default. */
  readonly warmupNs?: number;
}

/** What a run reports. Counts are over the measured window (only their ratios are used). */
export interface SimRunMetrics {
  readonly faults_per_sec: number;
  readonly ops_per_sec: number;
  /** Page faults taken (pgfault). */
  readonly faults?: number;
  readonly spf_attempt?: number;
  readonly spf_abort?: number;
}

/** The simulator as the comparison sees it. */
export type SimRunner = (config: SimRunConfig) => SimRunMetrics | Promise<SimRunMetrics>;

/** A finished run. */
export interface FinishedRun {
  readonly config: SimRunConfig;
  readonly metrics: SimRunMetrics;
}

/** How well a simulated number agrees with a published one. */
export type Agreement = 'match' | 'rough' | 'direction' | 'mismatch' | 'not-run';

const ORDER: readonly Agreement[] = ['match', 'rough', 'direction', 'mismatch'];

/** One compared quantity. */
export interface ComparisonRow {
  readonly figure: string;
  readonly source: string;
  /** The configuration compared (thread count, benchmark label). */
  readonly x: string;
  readonly quantity: string;
  /** The published number as the source states it. */
  readonly published: string;
  readonly publishedValue: number | null;
  readonly simulated: number | null;
  /** simulated / published, when both are numbers. */
  readonly ratio: number | null;
  readonly agreement: Agreement;
  /** Informational rows (absolute calibration) do not count towards the figure's verdict. */
  readonly informational: boolean;
  readonly note: string;
}

/** The comparison of one figure. */
export interface FigureComparison {
  readonly figure: string;
  readonly title: string;
  readonly source: string;
  readonly machine: string;
  /** The simulator runs that reproduce it. */
  readonly runs: readonly SimRunConfig[];
  readonly rows: readonly ComparisonRow[];
  /** The worst agreement of its non-informational rows that ran; `not-run` if none ran. */
  readonly verdict: Agreement;
  readonly whyMayDisagree: string;
}

/** The whole comparison. */
export interface PublishedComparison {
  readonly profile: string;
  readonly figures: readonly FigureComparison[];
  readonly rows: readonly ComparisonRow[];
}

/** Options of the comparison. */
export interface CompareOptions {
  /** Machine profile of every run (default DEFAULT_COMPARE_PROFILE). */
  readonly profile?: string;
  readonly seed?: number;
  /** Runs needing more CPUs are not made (their rows are `not-run`). */
  readonly maxCpus?: number;
  /** Only these figures (ids). */
  readonly figures?: readonly string[];
  /** Capture folders by name, for `trace:<name>` workloads (e.g. `{ 'c-arenas': '../shared/traces/c-arenas' }`). */
  readonly traceDirs?: Readonly<Record<string, string>>;
  /** Parameter overrides per workload name (e.g. a smaller memsize_bytes). */
  readonly workloadParams?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * The engine's 2-socket Skylake server profile: 2 x 28 cores with SMT, the machine class of
 * Rasmussen's measurements (2 x Skylake, 56 cores / 112 threads).
 */
export const DEFAULT_COMPARE_PROFILE = 'skylake-2s';

/** A stable key of a run configuration. */
export function runKey(c: SimRunConfig): string {
  const params = Object.keys(c.params)
    .sort()
    .map((k) => `${k}=${c.params[k]}`)
    .join(',');
  const hints = `${c.durationNs ?? '-'}/${c.warmupNs ?? '-'}`;
  return `${c.workload}|${params}|${c.strategy}|${c.index}|${c.profile}|t${c.threads}|c${c.cpus}|s${c.seed}|${hints}`;
}

/** Why a needed run cannot be configured, or its configuration. */
type Planned = { readonly config: SimRunConfig } | { readonly skip: string };

interface Ctx {
  readonly profile: string;
  readonly seed: number;
  readonly maxCpus: number;
  readonly traceDirs: Readonly<Record<string, string>>;
  readonly workloadParams: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

function plan(
  ctx: Ctx,
  workload: string,
  params: Readonly<Record<string, number>> | undefined,
  threads: number,
  v: Variant,
  engine?: EngineHints,
): Planned {
  let name = workload;
  if (workload.startsWith('trace:')) {
    const capture = workload.slice('trace:'.length);
    const dir = ctx.traceDirs[capture];
    if (dir === undefined) return { skip: `capture ${capture} not given (traceDirs)` };
    name = `trace:${dir}`;
  }
  if (threads > ctx.maxCpus) return { skip: `needs ${threads} CPUs, the run is limited to ${ctx.maxCpus}` };
  return {
    config: {
      workload: name,
      params: { ...(params ?? {}), ...(ctx.workloadParams[workload] ?? {}) },
      strategy: v.strategy,
      index: v.index,
      profile: ctx.profile,
      threads,
      cpus: threads,
      seed: ctx.seed,
      ...(engine?.durationNs !== undefined ? { durationNs: engine.durationNs } : {}),
      ...(engine?.warmupNs !== undefined ? { warmupNs: engine.warmupNs } : {}),
    },
  };
}

/** Every run the selected figures need, deduplicated, in figure order. */
export function publishedRuns(options: CompareOptions = {}): SimRunConfig[] {
  const ctx = makeCtx(options);
  const seen = new Map<string, SimRunConfig>();
  for (const f of selectFigures(options)) {
    for (const p of plansOf(ctx, f)) if ('config' in p) seen.set(runKey(p.config), p.config);
  }
  return [...seen.values()];
}

function makeCtx(o: CompareOptions): Ctx {
  return {
    profile: o.profile ?? DEFAULT_COMPARE_PROFILE,
    seed: o.seed ?? 1,
    maxCpus: o.maxCpus ?? Number.POSITIVE_INFINITY,
    traceDirs: o.traceDirs ?? {},
    workloadParams: o.workloadParams ?? {},
  };
}

function selectFigures(o: CompareOptions): readonly PublishedFigure[] {
  if (o.figures === undefined) return PUBLISHED_FIGURES;
  const known = new Set(PUBLISHED_FIGURES.map((f) => f.id));
  for (const id of o.figures) {
    if (!known.has(id)) throw new Error(`unknown published figure '${id}'; known: ${[...known].join(', ')}`);
  }
  return PUBLISHED_FIGURES.filter((f) => o.figures!.includes(f.id));
}

function plansOf(ctx: Ctx, f: PublishedFigure): Planned[] {
  const c = f.check;
  switch (c.kind) {
    case 'series':
      return c.points.flatMap((p) => [
        plan(ctx, c.workload, c.params, p.threads, c.baseline, c.engine),
        plan(ctx, c.workload, c.params, p.threads, c.variant, c.engine),
      ]);
    case 'ratios':
      return c.items.flatMap((i) => [
        plan(ctx, i.workload, i.params, i.threads, i.baseline, i.engine),
        plan(ctx, i.workload, i.params, i.threads, i.variant, i.engine),
      ]);
    case 'scaling':
      return [
        plan(ctx, c.workload, c.params, c.fromThreads, c.variant, c.engine),
        plan(ctx, c.workload, c.params, c.threads, c.variant, c.engine),
      ];
    case 'benefit-fraction':
      return c.items.flatMap((i) =>
        [c.baseline, c.reference, c.candidate].map((v) =>
          plan(ctx, i.workload, i.params, i.threads, v, i.engine),
        ),
      );
    case 'spf-rates':
      return c.items.map((i) => plan(ctx, i.workload, i.params, i.threads, i.variant, i.engine));
    case 'not-modelled':
      return [];
  }
}

// ---- judging -------------------------------------------------------------------------------------

function direction(r: number): -1 | 0 | 1 {
  if (r > 1.03) return 1;
  if (r < 0.97) return -1;
  return 0;
}

/** Agreement of a simulated ratio (variant / baseline) with a published one. */
export function judgeRatio(sim: number, pub: PublishedValue): Agreement {
  if (!(sim > 0) || !Number.isFinite(sim)) return 'mismatch';
  if (pub.range !== undefined) {
    const [lo, hi] = pub.range;
    if (sim >= lo && sim <= hi) return 'match';
    // Outside the range it is at best rough, judged against the range's geometric middle.
    const a = judgeRatio(sim, { value: Math.sqrt(lo * hi), text: pub.text });
    return a === 'match' ? 'rough' : a;
  }
  const p = pub.value!;
  const dp = direction(p);
  const ds = direction(sim);
  if (dp === 0) {
    const g = Math.abs(Math.log(sim));
    return g < Math.log(1.05) ? 'match' : g < Math.log(1.1) ? 'rough' : 'mismatch';
  }
  if (ds !== dp) return ds === 0 && Math.abs(Math.log(p)) < Math.log(1.1) ? 'rough' : 'mismatch';
  // Large ratios (2x or more either way) compare directly: 48x against 24x is a factor of 2 off.
  if (Math.abs(Math.log(p)) >= Math.log(2)) {
    const off = Math.abs(Math.log(sim / p));
    return off <= Math.log(1.25) ? 'match' : off <= Math.log(2) ? 'rough' : 'direction';
  }
  // Small gains compare by their log-gain: +10% against +20% is a factor of 2 off.
  const q = Math.log(sim) / Math.log(p);
  if (q >= 0.75 && q <= 4 / 3) return 'match';
  if (q >= 0.5 && q <= 2) return 'rough';
  return 'direction';
}

/** Agreement of a simulated fraction (a share, a benefit fraction) with a published one. */
export function judgeFraction(sim: number, pub: PublishedValue): Agreement {
  if (!Number.isFinite(sim)) return 'mismatch';
  if (pub.range !== undefined) {
    const [lo, hi] = pub.range;
    if (sim >= lo && sim <= hi) return 'match';
    return sim >= lo / 2 && sim <= hi * 2 ? 'rough' : 'mismatch';
  }
  const p = pub.value!;
  const rel = Math.abs(sim - p) / Math.max(Math.abs(p), 1e-9);
  return rel <= 0.1 ? 'match' : rel <= 0.5 ? 'rough' : 'mismatch';
}

/** Agreement of a simulated absolute rate with a published one (calibration; no direction). */
export function judgeAbsolute(sim: number, pub: number): Agreement {
  if (!(sim > 0) || !(pub > 0)) return 'mismatch';
  const q = Math.abs(Math.log(sim / pub));
  return q <= Math.log(1.25) ? 'match' : q <= Math.log(2) ? 'rough' : 'mismatch';
}

function worst(rows: readonly ComparisonRow[]): Agreement {
  const counted = rows.filter((r) => !r.informational && r.agreement !== 'not-run');
  if (counted.length === 0) return 'not-run';
  let w = 0;
  for (const r of counted) w = Math.max(w, ORDER.indexOf(r.agreement));
  return ORDER[w]!;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e5) return n.toExponential(3);
  if (a >= 100) return n.toFixed(0);
  return n.toPrecision(3);
}

function describeValue(p: PublishedValue): string {
  if (p.range !== undefined) return `${fmt(p.range[0])}-${fmt(p.range[1])} (${p.text})`;
  return p.value !== undefined ? `${fmt(p.value)} (${p.text})` : p.text;
}

// ---- evaluation ----------------------------------------------------------------------------------

type Lookup = (p: Planned) => { metrics: SimRunMetrics } | { skip: string };

function metricOf(m: SimRunMetrics, metric: Metric): number {
  return metric === 'faults_per_sec' ? m.faults_per_sec : m.ops_per_sec;
}

interface RowBase {
  readonly figure: PublishedFigure;
  readonly x: string;
  readonly quantity: string;
  readonly pub: PublishedValue;
}

function row(
  b: RowBase,
  simulated: number | null,
  agreement: Agreement,
  note: string,
  informational = false,
): ComparisonRow {
  const pv = b.pub.value ?? (b.pub.range !== undefined ? Math.sqrt(b.pub.range[0] * b.pub.range[1]) : null);
  return {
    figure: b.figure.id,
    source: `${b.figure.citation.who}, ${b.figure.citation.date}, ${b.figure.citation.where}`,
    x: b.x,
    quantity: b.quantity,
    published: describeValue(b.pub),
    publishedValue: pv,
    simulated,
    ratio: simulated !== null && pv !== null && pv !== 0 ? simulated / pv : null,
    agreement,
    informational,
    note,
  };
}

/** Both sides of a ratio, or why one is missing. */
function pair(
  look: Lookup,
  a: Planned,
  b: Planned,
  metric: Metric,
): { base: number; variant: number } | { skip: string } {
  const ra = look(a);
  if ('skip' in ra) return ra;
  const rb = look(b);
  if ('skip' in rb) return rb;
  return { base: metricOf(ra.metrics, metric), variant: metricOf(rb.metrics, metric) };
}

function ratioRow(ctx: Ctx, look: Lookup, f: PublishedFigure, i: RatioItem): ComparisonRow {
  const b: RowBase = {
    figure: f,
    x: i.label,
    quantity: `${i.metric} ${i.variant.strategy}/${i.variant.index} over ${i.baseline.strategy}/${i.baseline.index}`,
    pub: i.published,
  };
  const r = pair(
    look,
    plan(ctx, i.workload, i.params, i.threads, i.baseline, i.engine),
    plan(ctx, i.workload, i.params, i.threads, i.variant, i.engine),
    i.metric,
  );
  if ('skip' in r) return row(b, null, 'not-run', r.skip);
  if (!(r.base > 0)) return row(b, null, 'not-run', `baseline rate is ${r.base}`);
  const sim = r.variant / r.base;
  return row(
    b,
    sim,
    judgeRatio(sim, i.published),
    `${i.workload} at ${i.threads} threads: ${fmt(r.base)} -> ${fmt(r.variant)}`,
  );
}

function seriesRows(ctx: Ctx, look: Lookup, f: PublishedFigure, c: SeriesCheck): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const sim: { threads: number; base: number; variant: number }[] = [];
  for (const p of c.points) {
    const pub = p.variant / p.baseline;
    const b: RowBase = {
      figure: f,
      x: `${p.threads} thread${p.threads === 1 ? '' : 's'}`,
      quantity: `${c.metric} ${c.variant.strategy} over ${c.baseline.strategy} (${c.baseline.index})`,
      pub: { value: pub, text: `${fmt(p.baseline)} -> ${fmt(p.variant)}, ${((pub - 1) * 100).toFixed(2)}%` },
    };
    const r = pair(
      look,
      plan(ctx, c.workload, c.params, p.threads, c.baseline, c.engine),
      plan(ctx, c.workload, c.params, p.threads, c.variant, c.engine),
      c.metric,
    );
    if ('skip' in r) {
      rows.push(row(b, null, 'not-run', r.skip));
      continue;
    }
    sim.push({ threads: p.threads, base: r.base, variant: r.variant });
    const s = r.variant / r.base;
    rows.push(row(b, s, judgeRatio(s, b.pub), `simulated ${fmt(r.base)} -> ${fmt(r.variant)}`));
  }
  // Absolute calibration at the smallest thread count (informational).
  const first = c.points[0]!;
  const s0 = sim.find((s) => s.threads === first.threads);
  const calib: RowBase = {
    figure: f,
    x: `${first.threads} thread${first.threads === 1 ? '' : 's'}`,
    quantity: `${c.metric} of ${c.baseline.strategy} (absolute)`,
    pub: { value: first.baseline, text: `${fmt(first.baseline)} on the published machine` },
  };
  rows.push(
    s0 === undefined
      ? row(calib, null, 'not-run', 'no run at this thread count', true)
      : row(
          calib,
          s0.base,
          judgeAbsolute(s0.base, first.baseline),
          'profile calibration: per-fault cost',
          true,
        ),
  );
  for (const shape of c.shape) rows.push(shapeRow(f, c, shape, sim));
  return rows;
}

function shapeRow(
  f: PublishedFigure,
  c: SeriesCheck,
  shape: SeriesCheck['shape'][number],
  sim: readonly { threads: number; base: number; variant: number }[],
): ComparisonRow {
  const b: RowBase = { figure: f, x: 'all points', quantity: `shape: ${shape}`, pub: { text: '' } };
  if (sim.length < 3)
    return row({ ...b, pub: { text: shapeText(c, shape) } }, null, 'not-run', 'fewer than 3 points ran');
  const pubB = { ...b, pub: { text: shapeText(c, shape) } };
  if (shape === 'ratio-increasing') {
    const r = sim.map((s) => s.variant / s.base);
    let dips = 0;
    for (let i = 1; i < r.length; i++) if (r[i]! < r[i - 1]! * 0.97) dips++;
    const grows = r.at(-1)! > r[0]! * 1.03;
    const agreement: Agreement = dips === 0 && grows ? 'match' : grows ? 'rough' : 'mismatch';
    return row(pubB, null, agreement, `simulated ratios ${r.map(fmt).join(', ')}`);
  }
  let peak = 0;
  for (let i = 1; i < sim.length; i++) if (sim[i]!.base > sim[peak]!.base) peak = i;
  const last = sim.at(-1)!;
  const peaksEarly = peak < sim.length - 1 && last.base < sim[peak]!.base * 0.95;
  const agreement: Agreement =
    peaksEarly && sim[peak]!.threads <= 21 ? 'match' : peaksEarly ? 'rough' : 'mismatch';
  return row(
    pubB,
    null,
    agreement,
    `simulated baseline ${sim.map((s) => `${s.threads}:${fmt(s.base)}`).join(', ')}; peak at ${sim[peak]!.threads} threads`,
  );
}

function shapeText(c: SeriesCheck, shape: SeriesCheck['shape'][number]): string {
  if (shape === 'ratio-increasing') {
    return `gain grows with threads: ${c.points.map((p) => fmt(p.variant / p.baseline)).join(', ')}`;
  }
  const peak = c.points.reduce((a, p) => (p.baseline > a.baseline ? p : a));
  return `baseline peaks at ${peak.threads} threads (${fmt(peak.baseline)}) and falls to ${fmt(c.points.at(-1)!.baseline)}`;
}

function spfRateRow(ctx: Ctx, look: Lookup, f: PublishedFigure, i: SpfRateItem): ComparisonRow {
  const b: RowBase = {
    figure: f,
    x: i.label,
    quantity: `${i.quantity} (${i.variant.strategy})`,
    pub: i.published,
  };
  const r = look(plan(ctx, i.workload, i.params, i.threads, i.variant, i.engine));
  if ('skip' in r) return row(b, null, 'not-run', r.skip);
  const { spf_attempt: att, spf_abort: ab, faults } = r.metrics;
  if (att === undefined || ab === undefined)
    return row(b, null, 'not-run', 'the run reports no spf_attempt/spf_abort');
  let sim: number;
  if (i.quantity === 'abort-rate') {
    if (att === 0) return row(b, null, 'not-run', 'no speculative attempts (single-threaded mm?)');
    sim = ab / att;
  } else {
    if (faults === undefined || faults === 0)
      return row(b, null, 'not-run', 'the run reports no fault count');
    sim = (att - ab) / faults;
  }
  return row(
    b,
    sim,
    judgeFraction(sim, i.published),
    `spf_attempt ${att}, spf_abort ${ab}, faults ${faults ?? '?'}`,
  );
}

function benefitRow(
  ctx: Ctx,
  look: Lookup,
  f: PublishedFigure,
  c: Extract<PublishedFigure['check'], { kind: 'benefit-fraction' }>,
  i: BenefitItem,
): ComparisonRow {
  const b: RowBase = {
    figure: f,
    x: i.label,
    quantity: `(${c.candidate.strategy} gain) / (${c.reference.strategy} gain) over ${c.baseline.strategy}, ${c.baseline.index}`,
    pub: c.published,
  };
  const got = [c.baseline, c.reference, c.candidate].map((v) =>
    look(plan(ctx, i.workload, i.params, i.threads, v, i.engine)),
  );
  const rates: number[] = [];
  for (const x of got) {
    if ('skip' in x) return row(b, null, 'not-run', x.skip);
    rates.push(metricOf(x.metrics, c.metric));
  }
  const [rb, rr, rc] = rates as [number, number, number];
  const note = `baseline ${fmt(rb)}, ${c.reference.strategy} ${fmt(rr)}, ${c.candidate.strategy} ${fmt(rc)}`;
  if (!(rr > rb * 1.03)) return row(b, null, 'mismatch', `${note}: the reference scheme gains nothing`);
  const s = (rc / rb - 1) / (rr / rb - 1);
  return row(b, s, judgeFraction(s, c.published), note);
}

function evaluate(ctx: Ctx, look: Lookup, f: PublishedFigure): ComparisonRow[] {
  const c = f.check;
  switch (c.kind) {
    case 'series':
      return seriesRows(ctx, look, f, c);
    case 'ratios':
      return c.items.map((i) => ratioRow(ctx, look, f, i));
    case 'scaling': {
      const b: RowBase = {
        figure: f,
        x: `${c.threads} vs ${c.fromThreads} threads`,
        quantity: `${c.metric} scaling of ${c.variant.strategy}/${c.variant.index}`,
        pub: c.published,
      };
      const r = pair(
        look,
        plan(ctx, c.workload, c.params, c.fromThreads, c.variant, c.engine),
        plan(ctx, c.workload, c.params, c.threads, c.variant, c.engine),
        c.metric,
      );
      if ('skip' in r) return [row(b, null, 'not-run', r.skip)];
      const s = r.variant / r.base;
      return [row(b, s, judgeRatio(s, c.published), `${fmt(r.base)} -> ${fmt(r.variant)}`)];
    }
    case 'benefit-fraction':
      return c.items.map((i) => benefitRow(ctx, look, f, c, i));
    case 'spf-rates':
      return c.items.map((i) => spfRateRow(ctx, look, f, i));
    case 'not-modelled':
      return [
        row(
          { figure: f, x: '-', quantity: 'not modelled', pub: c.published },
          null,
          'not-run',
          `needs ${c.needs}`,
        ),
      ];
  }
}

/**
 * Runs (or looks up) every simulation the selected figures need, once each, and compares.
 * `source` is the simulator callback, or finished runs (missing ones become `not-run` rows).
 * A run that throws becomes `not-run` with the error message. O(figures + runs).
 */
export async function comparePublished(
  source: SimRunner | readonly FinishedRun[],
  options: CompareOptions = {},
): Promise<PublishedComparison> {
  const ctx = makeCtx(options);
  const figures = selectFigures(options);
  const results = new Map<string, { metrics: SimRunMetrics } | { skip: string }>();
  if (typeof source !== 'function') {
    for (const p of source) results.set(runKey(p.config), { metrics: p.metrics });
  }
  for (const f of figures) {
    for (const p of plansOf(ctx, f)) {
      if (!('config' in p)) continue;
      const key = runKey(p.config);
      if (results.has(key)) continue;
      if (typeof source !== 'function') {
        results.set(key, { skip: 'no such run among the given points' });
        continue;
      }
      try {
        results.set(key, { metrics: await source(p.config) });
      } catch (err) {
        results.set(key, { skip: `run failed: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
  }
  const look: Lookup = (p) => ('skip' in p ? p : results.get(runKey(p.config))!);
  const out: FigureComparison[] = figures.map((f) => {
    const rows = evaluate(ctx, look, f);
    return {
      figure: f.id,
      title: f.title,
      source: `${f.citation.who}, "${f.citation.title}", ${f.citation.date}, ${f.citation.where}`,
      machine: f.machine,
      runs: plansOf(ctx, f).flatMap((p) => ('config' in p ? [p.config] : [])),
      rows,
      verdict: worst(rows),
      whyMayDisagree: f.whyMayDisagree,
    };
  });
  return { profile: ctx.profile, figures: out, rows: out.flatMap((f) => f.rows) };
}

function cell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The comparison as Markdown: one section per figure with its rows and explanation. */
export function formatComparison(c: PublishedComparison): string {
  const lines: string[] = [`Profile: \`${c.profile}\``, ''];
  for (const f of c.figures) {
    lines.push(
      `### ${f.title}`,
      '',
      `Source: ${f.source}. Machine: ${f.machine}.`,
      '',
      `Verdict: **${f.verdict}**`,
      '',
    );
    lines.push(
      '| configuration | quantity | published | simulated | agreement | note |',
      '|---|---|---|---|---|---|',
    );
    for (const r of f.rows) {
      const sim = r.simulated === null ? '-' : fmt(r.simulated);
      const ag = r.informational ? `${r.agreement} (info)` : r.agreement;
      lines.push(
        `| ${cell(r.x)} | ${cell(r.quantity)} | ${cell(r.published)} | ${sim} | ${ag} | ${cell(r.note)} |`,
      );
    }
    lines.push('', `Why the model may disagree: ${f.whyMayDisagree}`, '');
  }
  return lines.join('\n');
}
