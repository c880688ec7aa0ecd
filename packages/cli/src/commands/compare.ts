/**
 * `vmakit compare` (`pnpm compare`): the head-to-head on embedded defaults. Every registered index
 * × strategy is benchmarked (tinybench, quick settings), replayed on the fixture captures through
 * the fault core (one CPU), simulated on the synthetic will-it-scale and pft workloads over a range
 * of CPU counts (worker threads; the syscall-bound tests brk1, malloc1, mmap1 and mmap2 with the
 * longer windows of compare/windows.ts), and set against published results. Writes reports/<timestamp>/
 * and reports/latest/: results.json (validated), report.md with SVG charts, report.html, report.txt.
 * Ctrl-C keeps what finished (a partial results.json) and `--resume` continues it; `--shard i/n`
 * runs a deterministic part of the matrix for `vmakit merge`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { indexesByNames, profileByName, type Registry, strategiesByNames } from '@vmakit/registry';
import { type ResultsDocument, ResultsError, writeReport } from '@vmakit/report';
import { MAX_CPUS, type WorkloadPlugin } from '@vmakit/sim';
import type { Command } from 'commander';
import { compareDocument, restoreCollected } from '../compare/document.js';
import { runEnvironment } from '../compare/environment.js';
import {
  BENCH_UNIT,
  type CompareSelection,
  PUBLISHED_UNIT,
  planCompare,
  type SkippedCell,
} from '../compare/plan.js';
import { emptyCollected, runUnits } from '../compare/run.js';
import { compareWindowPolicy } from '../compare/windows.js';
import {
  type CaptureWorkload,
  capturesIn,
  DEFAULT_SIM_WORKLOADS,
  defaultCaptures,
  fixtureCapturesDir,
  publishedTraceDirs,
} from '../compare/workloads.js';
import { CheckFailedError, InterruptedError, UsageError } from '../errors.js';
import { catchInterrupts } from '../interrupt.js';
import { parseCpus, parseInteger, parseList, parseSeed, parseShard, type Shard } from '../options.js';
import { note, parseFormat, printJson, printText, writeFileAtomic } from '../output.js';
import { autoProgress, silentProgress } from '../progress.js';
import type { RegistrySource } from '../registry.js';
import { loadResults } from '../results/load.js';
import { safeName } from '../terminal.js';
import { defaultJobs, openPool } from '../work/open-pool.js';

/**
 * Simulated CPU counts by default: log2-spaced from one CPU to past one socket of the 2 x 28-core
 * Skylake profile (32 CPUs span both sockets), kept small enough for the 120 s budget on 2 cores.
 */
export const DEFAULT_CPUS: readonly number[] = [1, 2, 4, 8, 16, 32];
/** ... and with --quick. */
export const QUICK_CPUS: readonly number[] = [1, 4, 16];
/** Simulated window per point with --quick (ns); the default run uses the engine's. */
export const QUICK_DURATION_NS = 100_000;

interface CompareCliOptions {
  index: string;
  strategy: string;
  workload: string;
  cpus?: string;
  quick?: boolean;
  shard?: string;
  resume?: string | boolean;
  out: string;
  captures?: string;
  profile: string;
  seed: string;
  jobs?: string;
  bench: boolean;
  published: boolean;
  progress: boolean;
  format: string;
}

/** The simulated workloads and captures `--workload` names. */
function selectWorkloads(
  reg: Registry,
  value: string,
  captures: readonly CaptureWorkload[],
): { workloads: WorkloadPlugin[]; captures: CaptureWorkload[] } {
  const defaults = reg.workloads.filter((w) => DEFAULT_SIM_WORKLOADS.includes(w.meta.name));
  if (value.trim() === 'all') return { workloads: defaults, captures: [...captures] };
  const workloads: WorkloadPlugin[] = [];
  const picked: CaptureWorkload[] = [];
  for (const name of parseList('--workload', value)) {
    const bare = name.startsWith('capture:') ? name.slice('capture:'.length) : name;
    const w = name.startsWith('capture:') ? undefined : reg.workloads.find((x) => x.meta.name === name);
    const c = captures.find((x) => x.name === bare);
    if (w !== undefined) {
      if (!workloads.includes(w)) workloads.push(w);
    } else if (c !== undefined) {
      if (!picked.includes(c)) picked.push(c);
    } else {
      const known = [...reg.workloads.map((x) => x.meta.name), ...captures.map((x) => `capture:${x.name}`)];
      throw new UsageError(`--workload: unknown workload '${safeName(name)}' (known: ${known.join(', ')})`);
    }
  }
  return { workloads, captures: picked };
}

/** A folder name from a time that sorts as the time does and is valid on every file system. */
function stampOf(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/** JSON with sorted keys, to compare option records. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function summarizeSkipped(skipped: readonly SkippedCell[]): string[] {
  const byReason = new Map<string, number>();
  for (const s of skipped) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
  return [...byReason].map(([reason, n]) => `skipped ${n} cell(s): ${reason}`);
}

/** Checks a previous document can be resumed by this run. */
function checkResumable(prev: ResultsDocument, path: string, options: unknown, shard: Shard | null): void {
  if (prev.metadata.cells === undefined)
    throw new UsageError(`--resume: ${path} records no cells (not written by vmakit compare)`);
  if (canonical(prev.metadata.options) !== canonical(options))
    throw new UsageError(
      `--resume: ${path} was run with other options (${canonical(prev.metadata.options)}); ` +
        `run again with the same --index, --strategy, --workload, --cpus, --quick, --profile and --seed`,
    );
  const a = prev.metadata.shard ?? null;
  if (canonical(a) !== canonical(shard))
    throw new UsageError(
      `--resume: ${path} is ${a === null ? 'not a shard' : `shard ${a.index + 1}/${a.count}`}`,
    );
}

async function runCompare(source: RegistrySource, opts: CompareCliOptions): Promise<void> {
  const started = performance.now();
  const format = parseFormat(opts.format);
  const reg = await source();
  const quick = opts.quick === true;
  const shard = opts.shard === undefined ? null : parseShard(opts.shard);
  const seed = parseSeed(opts.seed);
  const jobs = opts.jobs === undefined ? defaultJobs() : parseInteger('--jobs', opts.jobs, 1, 256);
  const cpus =
    opts.cpus === undefined ? [...(quick ? QUICK_CPUS : DEFAULT_CPUS)] : parseCpus(opts.cpus, MAX_CPUS);
  const profile = profileByName(reg, opts.profile);
  const fixtures = fixtureCapturesDir();
  const allCaptures = opts.captures !== undefined ? capturesIn(resolve(opts.captures)) : defaultCaptures();
  const { workloads, captures } = selectWorkloads(reg, opts.workload, allCaptures);
  const sel: CompareSelection = {
    indexes: indexesByNames(reg, opts.index),
    strategies: strategiesByNames(reg, opts.strategy),
    workloads,
    captures,
    cpus,
    profile: profile.meta.name,
    seed,
    quick,
    bench: opts.bench,
    published: opts.published,
    ...(quick ? { durationNs: QUICK_DURATION_NS } : {}),
    benchTracesDir: opts.captures !== undefined ? resolve(opts.captures) : fixtures,
    publishedTraceDirs: opts.published ? publishedTraceDirs() : {},
  };
  // What decides the cells: equal for the shards of one run, and checked by --resume and merge.
  const options = {
    command: 'compare',
    indexes: sel.indexes.map((i) => i.meta.name),
    strategies: sel.strategies.map((s) => s.meta.name),
    workloads: workloads.map((w) => w.meta.name),
    captures: captures.map((c) => c.name),
    cpus,
    profile: sel.profile,
    quick,
    bench: sel.bench,
    published: sel.published,
    published_captures: Object.keys(sel.publishedTraceDirs ?? {}),
    syscall_bound_windows: compareWindowPolicy(),
  };
  const { units, skipped } = planCompare(sel, shard);
  if (units.length === 0) throw new UsageError('compare: nothing to run for this selection (see --help)');

  const out = resolve(opts.out);
  const collected = emptyCollected();
  const notes = summarizeSkipped(skipped);
  if (allCaptures.length === 0)
    notes.push('no capture directories found (fixtures/captures is outside this folder): nothing replayed');
  if (opts.resume !== undefined && opts.resume !== false) {
    const from = opts.resume === true ? join(out, 'latest') : resolve(opts.resume);
    if (!existsSync(from)) throw new UsageError(`--resume: ${from} does not exist (nothing to resume)`);
    const prev = loadResults(from);
    checkResumable(prev.doc, prev.path, options, shard);
    restoreCollected(prev.doc, collected, BENCH_UNIT, PUBLISHED_UNIT);
    notes.push(`resumed a run of ${prev.doc.metadata.generated_at}`);
  }
  const todo = units.filter((u) => !collected.finished.has(u.key));
  const generatedAt = new Date();
  let stamp = stampOf(generatedAt);
  for (let n = 2; existsSync(join(out, stamp)); n++) stamp = `${stampOf(generatedAt)}-${n}`;
  const runDir = join(out, stamp);
  const meta = {
    environment: runEnvironment(),
    generatedAt,
    seeds: { sim: seed, bench: seed },
    options,
    shard,
    planned: units.map((u) => u.key),
    notes,
  };
  const docNow = () => compareDocument({ ...meta, generatedAt: new Date() }, collected);

  if (todo.length < units.length)
    note(`resuming: ${units.length - todo.length} of ${units.length} cells done`);
  const progress = opts.progress ? autoProgress('compare: ') : silentProgress();
  let lastCheckpoint = performance.now();
  const every = checkpointIntervalMs();
  // A crash or SIGKILL still leaves the finished cells on disk (resume with --resume <run dir>).
  const checkpoint = () => {
    if (performance.now() - lastCheckpoint < every) return;
    lastCheckpoint = performance.now();
    writeFileAtomic(join(runDir, 'results.json'), `${JSON.stringify(docNow(), null, 2)}\n`);
  };
  const pool = openPool(source, reg, jobs);
  const interrupts = catchInterrupts((sig) => {
    progress.log(`${sig}: stopping; finished cells are kept (press Ctrl-C again to quit at once)`);
    void pool.abort();
  });
  try {
    await runUnits(pool, todo, collected, seed, { progress, onUnit: checkpoint });
  } finally {
    progress.stop();
    interrupts.dispose();
    await pool.close();
  }
  const doc = docNow();
  try {
    for (const dir of [runDir, join(out, 'latest')]) writeReport(dir, doc);
  } catch (err) {
    if (!(err instanceof ResultsError)) throw err;
    // A model that produced an out-of-schema number must not cost the run: keep the rows for a look.
    const kept = join(runDir, 'results.invalid.json');
    writeFileAtomic(kept, `${JSON.stringify(doc, null, 2)}\n`);
    throw new CheckFailedError(`${err.message}\n(the unvalidated results are kept in ${kept})`);
  }
  const cells = doc.metadata.cells!;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const where = `${join(opts.out, stamp)}/ and ${join(opts.out, 'latest')}/`;
  const sig = interrupts.received();
  if (sig !== null) {
    note(
      `interrupted: ${cells.finished.length} of ${cells.planned.length} cells finished, written to ${where}`,
    );
    note(`continue with: vmakit compare --resume (and the same options)`);
    throw new InterruptedError(sig, `interrupted by ${sig}`);
  }
  if (format === 'json')
    printJson({
      run: join(opts.out, stamp),
      latest: join(opts.out, 'latest'),
      cells_planned: cells.planned.length,
      cells_finished: cells.finished.length,
      seconds: Number(seconds),
      failures: collected.failures,
    });
  else printText(`wrote ${where} (${cells.finished.length} of ${cells.planned.length} cells, ${seconds} s)`);
  const violations = doc.scaling?.violations.length ?? 0;
  if (violations > 0)
    note(`warning: the simulator's checker found ${violations} protocol violation(s); see the report`);
  if (collected.failures.length > 0) {
    for (const f of collected.failures) note(`failed: ${f}`);
    throw new CheckFailedError(`${collected.failures.length} cell(s) failed; the report lists them`);
  }
}

/** Registers the command. */
export function registerCompare(program: Command, registry: RegistrySource): void {
  program
    .command('compare')
    .description(
      'benchmark, replay and simulate every index x strategy on the default workloads; write reports/<time>/ and reports/latest/',
    )
    .option('--index <names>', "indexes ('all' or a comma-separated list)", 'all')
    .option('--strategy <names>', "fault strategies ('all' or a comma-separated list)", 'all')
    .option(
      '--workload <names>',
      "'all', or simulated workloads (page_fault1, pft, ...) and captures (capture:NAME), comma-separated",
      'all',
    )
    .option(
      '--cpus <list>',
      `simulated CPU counts (default ${DEFAULT_CPUS.join(',')}; --quick ${QUICK_CPUS.join(',')})`,
    )
    .option('--quick', 'fewer CPU counts, shorter simulated windows and benchmark budgets')
    .option('--shard <i/n>', 'run shard i of n of the matrix (combine the shards with vmakit merge)')
    .option(
      '--resume [dir]',
      'continue an interrupted run (default: OUT/latest) without redoing finished cells',
    )
    .option('--out <dir>', 'reports folder', 'reports')
    .option('--captures <dir>', 'folder of capture directories to replay (default: fixtures/captures)')
    .option('--profile <name>', 'machine profile of the simulation', 'skylake-2s')
    .option('--seed <n>', 'seed of the simulation and the benchmark inputs', '1')
    .option('--jobs <n>', 'worker threads (default: available CPUs)')
    .option('--no-bench', 'skip the index micro-benchmarks')
    .option('--no-published', 'skip the published-results comparison')
    .option('--no-progress', 'no progress output on stderr')
    .option('--format <format>', "what to print when done: 'text' or 'json' (where the report went)", 'text')
    .addHelpText(
      'after',
      '\nExamples:\n  pnpm compare\n  vmakit compare --quick --index maple,rbtree --strategy mmap-lock,per-vma-lock\n' +
        '  vmakit compare --shard 1/2 --out a && vmakit compare --shard 2/2 --out b && vmakit merge a b --out all\n' +
        '  vmakit compare --resume\n',
    )
    .action((opts: CompareCliOptions) => runCompare(registry, opts));
}

/**
 * How often the run's finished cells are saved: every 3 s by default (a checkpoint rewrites the
 * whole document), or every `VMAKIT_CHECKPOINT_MS` ms (0: after every unit, as the end-to-end test
 * of a killed run needs to be independent of the machine's speed).
 */
function checkpointIntervalMs(): number {
  const raw = process.env.VMAKIT_CHECKPOINT_MS;
  if (raw === undefined || raw === '') return 3000;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0)
    throw new UsageError(`VMAKIT_CHECKPOINT_MS: '${raw}' is not a number of milliseconds >= 0`);
  return ms;
}
