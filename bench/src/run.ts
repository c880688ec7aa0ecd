/**
 * runIndexBenchmarks(): every index plug-in and baseline, on every layout, for every operation,
 * timed with tinybench 6 driven directly, after a correctness check against the reference index;
 * then heap bytes per VMA measured in child processes.
 */
import { loadavg } from 'node:os';
import { DEFAULT_MAX_MAP_COUNT, type IndexPlugin, UnknownNameError } from '@vmakit/core';
import { findSharedDir } from '@vmakit/testkit';
import { Bench, type Statistics } from 'tinybench';
import { type BenchEnvironment, benchEnvironment } from './environment.js';
import { type BenchLayout, loadCaptureLayouts, syntheticLayoutFor } from './layouts.js';
import { type MemoryRow, measureMemory, type PluginModule } from './memory.js';
import {
  type CompiledLoop,
  compileLoop,
  INDEX_BENCH_OPS,
  type IndexBenchOp,
  iterateAllWalks,
  OP_SPECS,
} from './ops.js';
import { generateQueries, type QuerySizes } from './queries.js';
import { deriveSeed } from './rng.js';
import { baselineSubjects, indexSubject, type Subject, supports } from './subjects.js';
import { buildOracle, expectedChecksum, inputLength, verifyContents, verifyOp } from './verify.js';

/** Options of runIndexBenchmarks(). */
export interface IndexBenchOptions {
  /** Index plug-ins to measure (the baselines are always added). Names must be unique. */
  readonly indexes: readonly IndexPlugin[];
  /**
   * Layouts by name (`synthetic-1000`, `capture:c-arenas/end`), by capture (`capture:c-arenas`) or
   * by group (`synthetic`, `captures`). Default: every layout; quick mode: the synthetic ones.
   */
  readonly layouts?: readonly string[];
  /** Operations (see INDEX_BENCH_OPS); default all. */
  readonly ops?: readonly string[];
  /** Time budget per task in ms (default 500; quick 60). */
  readonly time?: number;
  /** Warm-up budget per task in ms (default 100; quick 20). */
  readonly warmupTime?: number;
  /** CI mode: short budgets, smaller query arrays, synthetic layouts only by default. */
  readonly quick?: boolean;
  /** Seed of layouts and queries (default 1): the same seed gives the same inputs. */
  readonly seed?: number;
  /** Captures folder; undefined: ../shared/traces when present; null: no capture layouts. */
  readonly tracesDir?: string | null;
  /** Sizes of the synthetic layouts (default 1,000 and 65,530 = vm.max_map_count). */
  readonly syntheticSizes?: readonly number[];
  /** Measure heap bytes per VMA in child processes (default true). */
  readonly memory?: boolean;
  /** VMAs of the memory measurement's layout (default 65,530). */
  readonly memoryVmas?: number;
  /** Where the memory child imports plug-ins from, beyond the built-in ones. */
  readonly pluginModules?: Readonly<Record<string, PluginModule>>;
  /** Keep per-sample timings in the rows: true (up to 1,000 per row) or a cap. Default false. */
  readonly retainSamples?: boolean | number;
  /** Called after each timed task and each memory measurement. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Stops the run; what finished is returned with `aborted: true`. */
  readonly signal?: AbortSignal;
}

/** One timed (layout, structure, operation). Times are per operation, in nanoseconds. */
export interface IndexBenchRow {
  readonly layout: string;
  readonly vmas: number;
  /** Index plug-in name, or a baseline: `limit`, `raw:sorted-btree`, `raw:functional-red-black-tree`. */
  readonly index: string;
  readonly kind: 'index' | 'baseline';
  readonly op: IndexBenchOp;
  /** Operations per tinybench sample (the per-op times are sample times divided by it). */
  readonly ops_per_sample: number;
  readonly ns_p50: number;
  readonly ns_p99: number;
  readonly ns_mean: number;
  /** Relative margin of error of the mean sample latency, in percent. */
  readonly rme: number;
  /** Mean throughput in operations per second. */
  readonly ops_per_sec: number;
  /** tinybench samples (each one batch of ops_per_sample operations). */
  readonly samples: number;
  /** ns_p50 / ns_p50 of `limit` for the same layout and op (find and lookup ops), else null. */
  readonly ratio_vs_limit: number | null;
  /** Per-operation ns of retained samples (sorted, evenly thinned to the cap). */
  readonly samples_ns?: number[];
}

/** A performance target, reported (never asserted). */
export interface TargetCheck {
  readonly target: string;
  readonly layout: string;
  /** The measured ratio. */
  readonly value: number;
  readonly threshold: number;
  readonly met: boolean;
}

/** A layout as the report describes it. */
export interface LayoutInfo {
  readonly name: string;
  readonly source: 'synthetic' | 'capture';
  readonly vmas: number;
  readonly description: string;
  readonly mmap_base: string;
}

/** Everything a run produced. */
export interface IndexBenchReport {
  readonly schema: 'vmakit-bench-indexes/1';
  readonly results: IndexBenchRow[];
  readonly memory: MemoryRow[];
  readonly environment: BenchEnvironment;
  readonly options: {
    readonly indexes: string[];
    readonly baselines: string[];
    readonly layouts: string[];
    readonly ops: IndexBenchOp[];
    readonly quick: boolean;
    readonly seed: number;
    readonly time_ms: number;
    readonly warmup_ms: number;
    readonly min_iterations: number;
    readonly query_sizes: QuerySizes;
    readonly memory_vmas: number | null;
  };
  readonly layouts: LayoutInfo[];
  /** What one operation of each op is. */
  readonly ops: {
    readonly name: IndexBenchOp;
    readonly unit: string;
    readonly ops_per_sample: number | 'whole walks';
  }[];
  readonly targets: TargetCheck[];
  /** Skipped parts and why. */
  readonly notes: string[];
  readonly aborted: boolean;
}

const FULL = {
  time: 500,
  iterations: 10,
  warmupIterations: 4,
  sizes: { addresses: 32768, windows: 4096, gaps: 1024, splits: 1024 },
} as const;
const QUICK = {
  time: 60,
  iterations: 4,
  warmupIterations: 2,
  sizes: { addresses: 8192, windows: 1024, gaps: 256, splits: 256 },
} as const;
const DEFAULT_SAMPLE_CAP = 1000;
const RATIO_OPS: ReadonlySet<IndexBenchOp> = new Set([
  'find-random',
  'find-seq',
  'find-seq-cached',
  'lookup-random',
]);

/** Written by every timed iteration so that no result is dead code. */
let sink = 0;

async function resolveLayouts(
  options: IndexBenchOptions,
  quick: boolean,
  seed: number,
  notes: string[],
): Promise<(() => BenchLayout)[]> {
  const sizes = options.syntheticSizes ?? [1000, DEFAULT_MAX_MAP_COUNT];
  const available = new Map<string, () => BenchLayout>();
  for (const n of sizes) available.set(`synthetic-${n}`, () => syntheticLayoutFor(n, seed));
  const traces = options.tracesDir === undefined ? findSharedDir('traces') : options.tracesDir;
  if (traces === null) notes.push('capture layouts skipped: no traces folder (../shared/traces is absent)');
  else {
    for (const l of await loadCaptureLayouts(traces)) available.set(l.name, () => l);
  }
  const names = [...available.keys()];
  const wanted = options.layouts ?? (quick ? ['synthetic'] : names);
  const chosen = new Set<string>();
  for (const w of wanted) {
    const hits = names.filter(
      (n) =>
        n === w ||
        (w === 'synthetic' && n.startsWith('synthetic-')) ||
        (w === 'captures' && n.startsWith('capture:')) ||
        n.startsWith(`${w}/`),
    );
    if (hits.length === 0) throw new UnknownNameError('layout', w, [...names, 'synthetic', 'captures']);
    for (const h of hits) chosen.add(h);
  }
  return names.filter((n) => chosen.has(n)).map((n) => available.get(n)!);
}

function resolveOps(ops: readonly string[] | undefined): IndexBenchOp[] {
  if (ops === undefined) return [...INDEX_BENCH_OPS];
  for (const o of ops) {
    if (!(INDEX_BENCH_OPS as readonly string[]).includes(o))
      throw new UnknownNameError('op', o, INDEX_BENCH_OPS);
  }
  return INDEX_BENCH_OPS.filter((o) => ops.includes(o));
}

function thin(samples: ArrayLike<number>, cap: number, scale: number): number[] {
  const n = samples.length;
  const out: number[] = [];
  if (n <= cap) for (let i = 0; i < n; i++) out.push(samples[i]! * scale);
  else for (let k = 0; k < cap; k++) out.push(samples[Math.round((k * (n - 1)) / (cap - 1))]! * scale);
  return out;
}

function row(
  layout: BenchLayout,
  subject: Subject,
  op: IndexBenchOp,
  perSample: number,
  latency: Statistics,
  throughput: Statistics,
  sampleCap: number,
): IndexBenchRow {
  const scale = 1e6 / perSample;
  const r: IndexBenchRow = {
    layout: layout.name,
    vmas: layout.vmas,
    index: subject.name,
    kind: subject.kind,
    op,
    ops_per_sample: perSample,
    ns_p50: latency.p50 * scale,
    ns_p99: latency.p99 * scale,
    ns_mean: latency.mean * scale,
    rme: latency.rme,
    ops_per_sec: throughput.mean * perSample,
    samples: latency.samplesCount,
    ratio_vs_limit: null,
  };
  if (sampleCap > 0 && latency.samples !== undefined)
    return { ...r, samples_ns: thin(latency.samples, sampleCap, scale) };
  return r;
}

function withRatios(rows: IndexBenchRow[]): IndexBenchRow[] {
  return rows.map((r) => {
    if (!RATIO_OPS.has(r.op)) return r;
    const limit = rows.find((x) => x.index === 'limit' && x.layout === r.layout && x.op === r.op);
    return limit === undefined ? r : { ...r, ratio_vs_limit: r.ns_p50 / limit.ns_p50 };
  });
}

function targetChecks(rows: readonly IndexBenchRow[], vmas: number): TargetCheck[] {
  const layout = `synthetic-${vmas}`;
  const pick = (index: string): IndexBenchRow | undefined =>
    rows.find((r) => r.layout === layout && r.op === 'find-random' && r.index === index);
  const maple = pick('maple');
  const limit = pick('limit');
  const btree = pick('raw:sorted-btree');
  const out: TargetCheck[] = [];
  if (maple !== undefined && limit !== undefined) {
    const value = maple.ns_p50 / limit.ns_p50;
    out.push({
      target: 'maple find-random within 1.5x of limit (p50)',
      layout,
      value,
      threshold: 1.5,
      met: value <= 1.5,
    });
  }
  if (maple !== undefined && btree !== undefined) {
    const value = maple.ns_p50 / btree.ns_p50;
    out.push({
      target: 'maple find-random faster than raw:sorted-btree (p50 ratio < 1)',
      layout,
      value,
      threshold: 1,
      met: value < 1,
    });
  }
  return out;
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

/**
 * Runs the index benchmarks. For each layout: builds the oracle and the seeded query arrays; for
 * each op: builds each structure (again after an op that updates), checks its contents and its
 * answers against the oracle (BenchVerificationError on any difference), then times all structures
 * in one tinybench Bench. Finally measures memory in child processes. The report carries the rows,
 * the ratios against `limit` from the same run, the reported targets and the environment.
 */
export async function runIndexBenchmarks(options: IndexBenchOptions): Promise<IndexBenchReport> {
  const quick = options.quick ?? false;
  const mode = quick ? QUICK : FULL;
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const time = options.time ?? mode.time;
  if (!(time > 0) || !Number.isFinite(time))
    throw new RangeError(`time must be a positive number of ms, got ${time}`);
  const warmupTime = options.warmupTime ?? (quick ? 20 : 100);
  if (!(warmupTime >= 0)) throw new RangeError(`warmupTime must be >= 0 ms, got ${warmupTime}`);
  const sampleCap =
    options.retainSamples === true
      ? DEFAULT_SAMPLE_CAP
      : typeof options.retainSamples === 'number'
        ? options.retainSamples
        : 0;
  const signal = options.signal;
  const notes: string[] = [];
  const environment = benchEnvironment('hrtimeNow');

  const subjects: Subject[] = [...options.indexes.map(indexSubject), ...baselineSubjects()];
  const seen = new Set<string>();
  for (const s of subjects) {
    if (seen.has(s.name))
      throw new RangeError(`two structures are named '${s.name}'; index names must be unique`);
    seen.add(s.name);
  }
  const layoutMakers = await resolveLayouts(options, quick, seed, notes);
  const ops = resolveOps(options.ops);
  const memoryOn = options.memory ?? true;
  const memoryVmas = options.memoryVmas ?? DEFAULT_MAX_MAP_COUNT;

  const perLayoutTasks = ops.reduce((sum, op) => sum + subjects.filter((s) => supports(s, op)).length, 0);
  const total = perLayoutTasks * layoutMakers.length + (memoryOn ? subjects.length : 0);
  let done = 0;
  const progress = (label: string): void => {
    done++;
    options.onProgress?.(done, total, label);
  };

  let rows: IndexBenchRow[] = [];
  const layoutInfo: LayoutInfo[] = [];
  let aborted = false;
  for (const make of layoutMakers) {
    if (signal?.aborted) break;
    const layout = make();
    layoutInfo.push({
      name: layout.name,
      source: layout.source,
      vmas: layout.vmas,
      description: layout.description,
      mmap_base: `0x${layout.mmapBase.toString(16)}`,
    });
    const oracle = buildOracle(layout);
    const queries = generateQueries(layout, deriveSeed(seed, `queries:${layout.name}`), mode.sizes, (req) =>
      oracle.unmappedArea(req),
    );
    const built = new Map<Subject, unknown>();
    const targetOf = (s: Subject): unknown => {
      let t = built.get(s);
      if (t === undefined) {
        t = s.build(layout);
        verifyContents(s, t, layout, 'build');
        built.set(s, t);
      }
      return t;
    };
    for (const op of ops) {
      if (signal?.aborted) break;
      const spec = OP_SPECS[op];
      const participants = subjects.filter((s) => supports(s, op));
      const len = inputLength(op, queries);
      if (len === 0) {
        notes.push(`${layout.name}: ${op} skipped (no VMA of 3 pages or more to split)`);
        for (const s of participants) progress(`${layout.name} ${op} ${s.name} (skipped)`);
        continue;
      }
      const expected = expectedChecksum(op, oracle, queries, layout);
      const prepared: { subject: Subject; target: unknown; loop: CompiledLoop }[] = [];
      for (const subject of participants) {
        const target = targetOf(subject);
        const loop = compileLoop(spec.loops[subject.flavor]!);
        verifyOp({ subject, target, layout, queries, op, oracle, loop, expected });
        prepared.push({ subject, target, loop });
      }
      const bench = new Bench({
        name: `${layout.name} ${op}`,
        time,
        warmupTime,
        iterations: mode.iterations,
        warmupIterations: mode.warmupIterations,
        timestampProvider: 'hrtimeNow',
        retainSamples: sampleCap > 0,
        throws: true,
        ...(signal === undefined ? {} : { signal }),
      });
      const batch = op === 'iterate-all' ? iterateAllWalks(layout.vmas) : Math.min(spec.batch, len);
      for (const p of prepared) {
        let cursor = 0;
        const { loop, target } = p;
        bench.add(p.subject.name, () => {
          const i0 = cursor;
          cursor += batch;
          if (cursor + batch > len) cursor = 0;
          sink += loop(target, queries, i0, batch);
        });
      }
      bench.addEventListener('cycle', (evt) => progress(`${layout.name} ${op} ${evt.task?.name ?? ''}`));
      await bench.run();
      const perSample = op === 'iterate-all' ? batch * layout.vmas : batch;
      for (const p of prepared) {
        const result = bench.getTask(p.subject.name)?.result;
        if (result?.state === 'completed') {
          rows.push(row(layout, p.subject, op, perSample, result.latency, result.throughput, sampleCap));
        }
      }
      if (spec.updates) built.clear();
    }
  }
  if (signal?.aborted) aborted = true;
  rows = withRatios(rows);

  let memory: MemoryRow[] = [];
  if (memoryOn && !aborted) {
    try {
      const m = await measureMemory({
        subjects,
        vmas: memoryVmas,
        seed,
        ...(options.pluginModules === undefined ? {} : { pluginModules: options.pluginModules }),
        ...(signal === undefined ? {} : { signal }),
        onEach: (name) => progress(`memory ${name}`),
      });
      memory = m.rows;
      notes.push(...m.notes);
    } catch (err) {
      if (!isAbort(err, signal)) throw err;
      aborted = true;
    }
  }
  environment.finished_at = new Date().toISOString();
  environment.load_average_end = loadavg()[0] ?? 0;
  return {
    schema: 'vmakit-bench-indexes/1',
    results: rows,
    memory,
    environment,
    options: {
      indexes: options.indexes.map((p) => p.meta.name),
      baselines: subjects.filter((s) => s.kind === 'baseline').map((s) => s.name),
      layouts: layoutInfo.map((l) => l.name),
      ops,
      quick,
      seed,
      time_ms: time,
      warmup_ms: warmupTime,
      min_iterations: mode.iterations,
      query_sizes: mode.sizes,
      memory_vmas: memoryOn ? memoryVmas : null,
    },
    layouts: layoutInfo,
    ops: ops.map((o) => ({
      name: o,
      unit: OP_SPECS[o].unit,
      ops_per_sample: o === 'iterate-all' ? ('whole walks' as const) : OP_SPECS[o].batch,
    })),
    targets: targetChecks(rows, DEFAULT_MAX_MAP_COUNT),
    notes,
    aborted,
  };
}

/** The accumulated sink (exposed so that it is observable; its value has no meaning). */
export function benchSink(): number {
  return sink;
}
