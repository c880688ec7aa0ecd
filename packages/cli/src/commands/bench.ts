/**
 * `vmakit bench indexes` (index micro-benchmarks: every registered index and the baselines on
 * synthetic and captured layouts, answers checked against the oracle before timing) and
 * `vmakit bench faults` (the fault core's one-CPU fault rate per strategy × index on captures and a
 * synthetic page_fault1, next to the real kernel's rate). Both are @vmakit/bench runs; this module
 * only chooses what to run, splits it into shards and prints.
 *
 * A shard of `bench indexes` is a set of operations: every index and baseline of an operation is
 * timed in the same tinybench run (their ratios against `limit` come from one run), so an operation
 * is never split. A shard of `bench faults` is a set of workloads (captures and page_fault1).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BenchVerificationError,
  type FaultBenchReport,
  FaultBenchVerificationError,
  formatFaultBenchMarkdown,
  formatIndexBenchMarkdown,
  INDEX_BENCH_OPS,
  type IndexBenchReport,
  PAGE_FAULT1,
  runFaultBenchmarks,
  runIndexBenchmarks,
} from '@vmakit/bench/cli';
import { indexesByNames, strategiesByNames } from '@vmakit/registry';
import {
  benchmarkCell,
  createResults,
  faultPathCell,
  memoryCell,
  type NewResults,
  type ResultsDocument,
  writeReport,
} from '@vmakit/report';
import { findRepoRoot, findSharedDir } from '@vmakit/testkit';
import type { Command } from 'commander';
import { runEnvironment } from '../compare/environment.js';
import { runnerOf } from '../compare/run.js';
import { capturesIn } from '../compare/workloads.js';
import { CheckFailedError, UsageError } from '../errors.js';
import { catchInterrupts } from '../interrupt.js';
import {
  inShard,
  parseInteger,
  parseList,
  parsePositive,
  parseSeed,
  parseShard,
  type Shard,
} from '../options.js';
import { note, parseFormat, printJson, printText, writeFileAtomic } from '../output.js';
import { autoProgress, type Progress } from '../progress.js';
import type { RegistrySource } from '../registry.js';
import { benchmarkRowOf, faultPathRowOf, memoryRowOf } from '../results/rows.js';

interface IndexBenchCliOptions {
  index: string;
  layouts?: string;
  ops?: string;
  quick?: boolean;
  seed: string;
  time?: string;
  memory: boolean;
  traces?: string;
  shard?: string;
  format: string;
  out?: string;
}

interface FaultBenchCliOptions {
  index: string;
  strategies: string;
  captures?: string;
  quick?: boolean;
  time?: string;
  kernel: boolean;
  shard?: string;
  format: string;
  out?: string;
}

/** The operations of shard `shard` (all of `ops` in benchmark order when null). O(ops). */
export function benchOpsOfShard(ops: readonly string[], shard: Shard | null): string[] {
  return ops.filter((_, i) => inShard(i, shard));
}

/**
 * The fault benchmark's workloads by default: page_fault1, the shared captures, the repository's
 * fixture captures (bench's defaultCaptureDirs order), by folder path.
 */
export function defaultFaultWorkloads(): string[] {
  const shared = findSharedDir('traces');
  const root = findRepoRoot();
  const fixtures = root === null ? null : join(root, 'fixtures', 'captures');
  return [
    PAGE_FAULT1,
    ...(shared === null ? [] : capturesIn(shared).map((c) => c.dir)),
    ...(fixtures !== null && existsSync(fixtures) ? capturesIn(fixtures).map((c) => c.dir) : []),
  ];
}

function progressHook(progress: Progress, name: string) {
  let phase: ReturnType<Progress['phase']> | null = null;
  let last = 0;
  return {
    onProgress(done: number, total: number, label: string) {
      if (phase === null) phase = progress.phase(name, total);
      phase.tick(label, done - last);
      last = done;
    },
    done() {
      phase?.done();
    },
  };
}

/** Runs `work` with progress and Ctrl-C handling; a verification error is a failed check. */
async function withRun<T extends { aborted: boolean }>(
  prefix: string,
  phaseName: string,
  work: (hooks: { onProgress: (d: number, t: number, l: string) => void; signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const progress = autoProgress(prefix);
  const interrupts = catchInterrupts(() => progress.log('interrupted: finishing the current task'));
  const hook = progressHook(progress, phaseName);
  try {
    const report = await work({ onProgress: hook.onProgress, signal: interrupts.signal });
    hook.done();
    return report;
  } catch (err) {
    if (err instanceof BenchVerificationError || err instanceof FaultBenchVerificationError)
      throw new CheckFailedError(`a benchmarked structure gave a wrong answer: ${err.message}`);
    throw err;
  } finally {
    progress.stop();
    interrupts.dispose();
    if (interrupts.received() !== null) process.exitCode = interrupts.received() === 'SIGINT' ? 130 : 143;
  }
}

/**
 * Prints a benchmark report (marked with its shard) as JSON or text and, with `--out`, writes the
 * results document `results()` builds.
 */
function emitRun(
  report: object,
  text: string,
  format: 'text' | 'json',
  shard: Shard | null,
  out: string | undefined,
  results: () => ResultsDocument,
): void {
  const doc = shard === null ? report : { ...report, shard: { index: shard.index + 1, count: shard.count } };
  if (format === 'json') printJson(doc);
  else printText(text);
  if (out !== undefined) writeResults(out, results());
}

/** The results document of a finished benchmark run: every planned cell finished, with `notes`. */
function benchResults(
  base: Omit<NewResults, 'shard'>,
  shard: Shard | null,
  notes: readonly string[],
): ResultsDocument {
  const doc = createResults({ ...base, ...(shard !== null ? { shard } : {}) });
  const planned = doc.metadata.cells!.planned;
  return {
    ...doc,
    metadata: {
      ...doc.metadata,
      cells: { planned, finished: planned },
      ...(notes.length > 0 ? { notes: [...notes] } : {}),
    },
  };
}

/**
 * The results document (report's schema) of an index benchmark run, so shards written with `--out`
 * combine with `vmakit merge`. `options` must not depend on the shard (merge requires equal options).
 */
export function indexBenchResults(
  report: IndexBenchReport,
  options: { readonly [k: string]: string | number | boolean | null | string[] },
  seed: number,
  shard: Shard | null,
): ResultsDocument {
  const benchmarks = report.results.map(benchmarkRowOf);
  const memory = report.memory.map(memoryRowOf);
  const doc = benchResults(
    {
      environment: runEnvironment(),
      seeds: { bench: seed },
      options: { command: 'bench indexes', ...options },
      planned: [...benchmarks.map(benchmarkCell), ...memory.map(memoryCell)],
    },
    shard,
    report.notes,
  );
  return {
    ...doc,
    benchmarks: { runner: runnerOf(report), rows: benchmarks },
    ...(memory.length > 0 ? { memory: { rows: memory } } : {}),
  };
}

/** What the report's reader should know of a fault benchmark run that its rows do not say. */
function faultBenchNotes(report: FaultBenchReport): string[] {
  const notes: string[] = [];
  const k = report.kernel;
  if (k !== null && !k.measured)
    notes.push(`bench faults: the kernel's rate was not measured (${k.reason}).`);
  if (k?.measured)
    notes.push(
      `bench faults: kernel page_fault1 (one thread, ${k.compiler}) ${Math.round(k.faults_per_sec)} faults/s pooled over ${report.kernel_runs.length} measurement(s), ${k.faults} faults in ${k.iterations} rounds, ru_minflt ${k.minflt}, fastest round ${Math.round(k.faults_per_sec_best)} faults/s, THP ${k.no_huge_pages ? 'off' : 'not disabled'}.`,
    );
  for (const sk of report.skipped)
    notes.push(`bench faults: ${sk.strategy} x ${sk.index} on ${sk.capture} not run: ${sk.reason}`);
  if (report.aborted) notes.push('bench faults: interrupted; the rows hold the pairings that finished.');
  return [...notes, ...report.notes];
}

/**
 * The results document (report's schema) of a fault benchmark run, so shards written with `--out`
 * combine with `vmakit merge`. Each row carries the kernel rate its ratios divide by (each shard
 * measures its own machine's kernel). `options` must not depend on the shard.
 */
export function faultBenchResults(
  report: FaultBenchReport,
  options: { readonly [k: string]: string | number | boolean | null | string[] },
  shard: Shard | null,
): ResultsDocument {
  const rows = report.results.map((r) => faultPathRowOf(r, report.kernel));
  const doc = benchResults(
    {
      environment: runEnvironment(),
      seeds: {},
      options: { command: 'bench faults', ...options },
      planned: rows.map(faultPathCell),
    },
    shard,
    faultBenchNotes(report),
  );
  const o = report.options;
  return {
    ...doc,
    fault_path: {
      runner: {
        name: 'tinybench',
        version: report.environment.tinybench ?? 'unknown',
        settings: {
          time_ms: o.time,
          warmup_ms: o.warmup_time,
          min_samples: o.min_samples,
          quick: o.quick,
          page_fault1_mib: o.page_fault1_megabytes,
          timestamp_provider: report.environment.timestamp_provider,
        },
      },
      rows,
    },
  };
}

/** Writes a results document: to `out` when it ends in .json, else results.json and a report in folder `out`. */
function writeResults(out: string, doc: ResultsDocument): void {
  const path = resolve(out);
  if (path.endsWith('.json')) writeFileAtomic(path, `${JSON.stringify(doc, null, 2)}\n`);
  else writeReport(path, doc);
  note(`wrote ${path.endsWith('.json') ? path : `${path}/`}`);
}

/** Registers `bench indexes` and `bench faults`. */
export function registerBench(program: Command, registry: RegistrySource): void {
  const bench = program
    .command('bench')
    .description('benchmarks: index operations (bench indexes) and the fault path (bench faults)')
    .addHelpText(
      'after',
      '\nExamples:\n  vmakit bench indexes --quick --format json > indexes.json\n' +
        '  vmakit bench faults --quick --strategies per-vma-lock --index maple\n',
    );

  bench
    .command('indexes')
    .description(
      'time find/lookup/gap/update operations of every index and baseline on synthetic and captured layouts',
    )
    .option('--index <names>', "indexes ('all' or a comma-separated list; the baselines always run)", 'all')
    .option(
      '--layouts <names>',
      'layouts: synthetic, captures, or names such as synthetic-1000 (default: all; quick: synthetic)',
    )
    .option('--ops <names>', `operations (default all: ${INDEX_BENCH_OPS.join(', ')})`)
    .option('--quick', 'short budgets and smaller query sets (CI)')
    .option('--seed <n>', 'seed of the layouts and queries', '1')
    .option('--time <ms>', 'time budget per task in ms')
    .option('--no-memory', 'skip the memory-per-VMA measurement (child processes)')
    .option('--traces <dir>', 'folder of captures for capture layouts (default: the shared traces)')
    .option('--shard <i/n>', 'run only shard i of n (a shard is a set of operations; memory runs in shard 1)')
    .option('--format <format>', 'text or json', 'text')
    .option(
      '--out <path>',
      'also write a results document (vmakit merge combines shards): to PATH if it ends in .json, else a report folder',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  vmakit bench indexes --quick --format json | jq \'.results[] | select(.op=="find-random")\'\n' +
        '  vmakit bench indexes --index maple,rbtree --ops find-random,lookup-random --layouts synthetic-1000\n' +
        '  vmakit bench indexes --quick --shard 1/2 --out a.json   # and --shard 2/2 on another machine\n' +
        '\nExit status: 0; 1 when a structure gave a wrong answer; 2 on bad usage.\n',
    )
    .action(async (opts: IndexBenchCliOptions) => {
      const format = parseFormat(opts.format);
      const reg = await registry();
      const indexes = indexesByNames(reg, opts.index);
      const shard = opts.shard !== undefined ? parseShard(opts.shard) : null;
      const allOps = opts.ops !== undefined ? parseList('--ops', opts.ops) : [...INDEX_BENCH_OPS];
      for (const o of allOps)
        if (!(INDEX_BENCH_OPS as readonly string[]).includes(o))
          throw new UsageError(`unknown op '${o}'; known: ${INDEX_BENCH_OPS.join(', ')}`);
      const ops = benchOpsOfShard(allOps, shard);
      if (ops.length === 0)
        throw new UsageError(`shard ${opts.shard} is empty: only ${allOps.length} operation(s)`);
      const seed = parseSeed(opts.seed);
      const time = opts.time !== undefined ? parsePositive('--time', opts.time) : undefined;
      const tracesDir = opts.traces !== undefined ? resolve(opts.traces) : undefined;
      if (tracesDir !== undefined && !existsSync(tracesDir))
        throw new UsageError(`--traces: ${tracesDir}: no such directory`);
      const report = await withRun('bench indexes: ', 'tasks', (hooks) =>
        runIndexBenchmarks({
          indexes,
          ops,
          quick: opts.quick === true,
          seed,
          memory: opts.memory && (shard === null || shard.index === 0),
          ...(opts.layouts !== undefined ? { layouts: parseList('--layouts', opts.layouts) } : {}),
          ...(time !== undefined ? { time } : {}),
          ...(tracesDir !== undefined ? { tracesDir } : {}),
          ...hooks,
        }),
      );
      emitRun(report, formatIndexBenchMarkdown(report), format, shard, opts.out, () =>
        indexBenchResults(
          report,
          {
            indexes: indexes.map((i) => i.meta.name),
            ops: allOps,
            layouts: opts.layouts ?? null,
            quick: opts.quick === true,
            time_ms: time ?? null,
            memory: opts.memory,
          },
          seed,
          shard,
        ),
      );
    });

  bench
    .command('faults')
    .description(
      "one-CPU fault rate of the fault core per strategy x index on captures and page_fault1, next to the kernel's",
    )
    .option('--strategies <names>', "fault strategies ('all' or a comma-separated list)", 'all')
    .option('--index <names>', "indexes ('all' or a comma-separated list)", 'maple')
    .option(
      '--captures <names>',
      `workloads: ${PAGE_FAULT1}, capture names (shared traces, fixtures) or capture folders (default: all)`,
    )
    .option('--quick', 'short budgets (CI): 40 ms per task, a 16 MiB page_fault1, a 0.3 s kernel run')
    .option('--time <ms>', 'time budget per task in ms')
    .option('--no-kernel', "do not measure the kernel's own fault rate")
    .option('--shard <i/n>', 'run only shard i of n (a shard is a set of workloads)')
    .option('--format <format>', 'text or json', 'text')
    .option(
      '--out <path>',
      'also write a results document (vmakit merge combines shards): to PATH if it ends in .json, else a report folder',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  vmakit bench faults --quick --format json > faults.json\n' +
        `  vmakit bench faults --captures ${PAGE_FAULT1},mmap-touch --strategies mmap-lock,per-vma-lock --index all\n` +
        '  vmakit bench faults --quick --shard 1/2 --out a.json   # and --shard 2/2; then vmakit merge a.json b.json --out report\n' +
        '\nExit status: 0; 1 when a pairing ended differently from the reference replay; 2 on bad usage.\n',
    )
    .action(async (opts: FaultBenchCliOptions) => {
      const format = parseFormat(opts.format);
      const reg = await registry();
      const strategies = strategiesByNames(reg, opts.strategies);
      const indexes = indexesByNames(reg, opts.index);
      const shard = opts.shard !== undefined ? parseShard(opts.shard) : null;
      const all =
        opts.captures !== undefined ? parseList('--captures', opts.captures) : defaultFaultWorkloads();
      const captures = all.filter((_, i) => inShard(i, shard));
      if (captures.length === 0)
        throw new UsageError(`shard ${opts.shard} is empty: only ${all.length} workload(s)`);
      const time = opts.time !== undefined ? parseInteger('--time', opts.time, 1) : undefined;
      const report = await withRun('bench faults: ', 'tasks', (hooks) =>
        runFaultBenchmarks({
          strategies,
          indexes,
          captures,
          quick: opts.quick === true,
          kernel: opts.kernel,
          // Per-fault samples let compare-runs test a change between two written runs.
          ...(opts.out !== undefined ? { retainSamples: 100 } : {}),
          ...(time !== undefined ? { time } : {}),
          ...hooks,
        }),
      );
      emitRun(report, formatFaultBenchMarkdown(report), format, shard, opts.out, () =>
        faultBenchResults(
          report,
          {
            strategies: strategies.map((x) => x.meta.name),
            indexes: indexes.map((i) => i.meta.name),
            captures: all,
            quick: opts.quick === true,
            time_ms: time ?? null,
            kernel: opts.kernel,
          },
          shard,
        ),
      );
    });
}
