/**
 * `vmakit sim WORKLOAD`: the deterministic multi-CPU simulator over a matrix of strategies ×
 * indexes × CPU counts, or one mutant (`--mutant`), or `vmakit sim published`: the published
 * figures next to the simulator's values. Points are pure functions of their options and seed, so
 * the JSON output is byte-identical from run to run; they run in parallel worker threads.
 */
import { resolve } from 'node:path';
import { UnknownNameError } from '@vmakit/core';
import {
  indexesByNames,
  profileByName,
  type Registry,
  strategiesByNames,
  workloadByName,
} from '@vmakit/registry';
import { createResults, scalingCell, writeReport } from '@vmakit/report';
import {
  DEFAULT_PROFILE,
  formatComparison,
  MAX_CPUS,
  type MutantInfo,
  mutantByName,
  resolveWorkload,
  type SimPoint,
  TRACE_PREFIX,
  type TraceWorkloadPlugin,
  type WorkloadPlugin,
} from '@vmakit/sim';
import type { Command } from 'commander';
import { runEnvironment } from '../compare/environment.js';
import { defaultPublishedCaptures, publishedCapturesIn, runPublished } from '../compare/published.js';
import { CheckFailedError, InterruptedError, UsageError } from '../errors.js';
import { catchInterrupts } from '../interrupt.js';
import {
  parseCpus,
  parseInteger,
  parseList,
  parseParams,
  parsePositive,
  parseSeed,
  parseShard,
} from '../options.js';
import {
  formatRate,
  note,
  parseFormat,
  printJson,
  printText,
  textTable,
  writeFileAtomic,
} from '../output.js';
import { autoProgress } from '../progress.js';
import type { RegistrySource } from '../registry.js';
import { scalingPointOf, violationsOf } from '../results/rows.js';
import { defaultJobs, openPool } from '../work/open-pool.js';
import { PoolAbortedError } from '../work/pool.js';
import { defaultCpuList, planSimMatrix, workloadRefusal } from '../work/sim-matrix.js';

interface SimOptions {
  cpus?: string;
  strategies?: string;
  strategy?: string;
  index?: string;
  seed: string;
  profile?: string;
  mutant?: string;
  durationNs?: string;
  warmupNs?: string;
  params?: string;
  shard?: string;
  format: string;
  out?: string;
  jobs?: string;
  figures?: string;
  captures?: string;
}

/** A replayed capture runs one simulated thread per captured thread, so it has one natural CPU count. */
function isTraceWorkload(w: WorkloadPlugin): w is TraceWorkloadPlugin {
  return Array.isArray((w as Partial<TraceWorkloadPlugin>).summary?.tids);
}

/** A workload by name: registered, or `trace:<capture dir>`; unknown names list what exists. */
export async function workloadNamed(reg: Registry, name: string): Promise<WorkloadPlugin> {
  if (name.startsWith(TRACE_PREFIX)) return resolveWorkload(name);
  try {
    return workloadByName(reg, name);
  } catch (err) {
    if (!(err instanceof UnknownNameError)) throw err;
    throw new UnknownNameError('workload', name, [
      ...reg.workloads.map((w) => w.meta.name),
      `${TRACE_PREFIX}<capture dir>`,
      'published',
    ]);
  }
}

function pointsTable(points: readonly SimPoint[]): string {
  return textTable(
    [
      'CPUs',
      'strategy',
      'index',
      'faults/s',
      'ops/s',
      'SPF abort',
      'VMA-lock abort',
      'mmap_lock wait',
      'violations',
    ],
    points.map((p) => [
      String(p.cpus),
      p.strategy,
      p.index,
      formatRate(p.faults_per_sec),
      formatRate(p.ops_per_sec),
      p.spf_attempt > 0 ? `${((100 * p.spf_abort) / p.spf_attempt).toFixed(1)}%` : '-',
      String(p.vma_lock.abort),
      `${(100 * p.mmap_lock_wait_fraction).toFixed(1)}%`,
      String(p.violations),
    ]),
  );
}

async function runPublishedCommand(source: RegistrySource, reg: Registry, opts: SimOptions): Promise<void> {
  const format = parseFormat(opts.format);
  const profile = profileByName(reg, opts.profile ?? DEFAULT_PROFILE).profile;
  const seed = parseSeed(opts.seed);
  const t = profile.topology;
  const maxCpus = t.sockets * t.coresPerSocket * t.threadsPerCore;
  const jobs = opts.jobs === undefined ? defaultJobs() : parseInteger('--jobs', opts.jobs, 1, 256);
  const pool = openPool(source, reg, jobs);
  const progress = autoProgress('sim published: ');
  const interrupts = catchInterrupts(() => progress.log('interrupted: stopping'));
  interrupts.signal.addEventListener('abort', () => void pool.abort(), { once: true });
  try {
    const result = await runPublished(pool, {
      profile: profile.name,
      seed,
      maxCpus,
      captures: opts.captures === undefined ? defaultPublishedCaptures() : publishedCapturesIn(opts.captures),
      figures: opts.figures === undefined ? null : parseList('--figures', opts.figures),
      progress,
      signal: interrupts.signal,
    });
    progress.stop();
    if (format === 'json') printJson(result);
    else printText(formatComparison(result));
  } catch (err) {
    progress.stop();
    if (err instanceof PoolAbortedError && interrupts.received() !== null)
      throw new InterruptedError(interrupts.received()!, 'interrupted: nothing written');
    throw err;
  } finally {
    interrupts.dispose();
    await pool.close();
  }
}

/** Registers the command. */
export function registerSim(program: Command, registry: RegistrySource): void {
  program
    .command('sim')
    .description(
      "simulate WORKLOAD over strategies x indexes x CPU counts (or 'published': the published-figures comparison)",
    )
    .argument('<workload>', "a registered workload, trace:<capture dir>, or 'published'")
    .option(
      '--cpus <list>',
      "simulated CPU counts, e.g. 1,12,21,48,112 (default: the profile's shapes; trace:<dir>: its thread count)",
    )
    .option('--strategies <names>', "fault strategies ('all' or a comma-separated list)")
    .option('--strategy <names>', 'same as --strategies')
    .option('--index <names>', "VMA indexes ('all' or a comma-separated list)")
    .option('--seed <n>', 'seed of the workload streams and the scheduler', '1')
    .option('--profile <name>', `machine profile (default ${DEFAULT_PROFILE})`)
    .option('--mutant <name>', 'run a seeded protocol bug (see vmakit list); the checker must catch it')
    .option(
      '--duration-ns <ns>',
      'measured window in simulated ns (default 200000; brk1, malloc1, mmap1, mmap2: 1 ms + 50 us per CPU; trace:<dir>: the whole capture)',
    )
    .option(
      '--warmup-ns <ns>',
      'warm-up before the window in simulated ns (default 50000 + 5000 per CPU; brk1, malloc1, mmap1, mmap2: 0.5 ms + 25 us per CPU; trace:<dir>: 0)',
    )
    .option('--params <k=v,...>', 'workload parameters (see vmakit list)')
    .option('--shard <i/n>', 'run only shard i of n of the matrix (merge the shards with vmakit merge)')
    .option('--format <format>', 'text or json', 'text')
    .option(
      '--out <path>',
      'also write the results document: to PATH if it ends in .json, else results.json and a report in folder PATH',
    )
    .option('--figures <ids>', 'published: only these figure ids (comma-separated)')
    .option(
      '--captures <dir>',
      'published: folder holding the captures the figures name (default: the shared traces)',
    )
    .option('--jobs <n>', 'worker threads (default: available CPUs; results do not depend on it)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  vmakit sim page_fault1 --cpus 1,12,21,48,112 --strategies all --index maple\n' +
        '  vmakit sim ebizzy --mutant spf-skip-pte-check       # the checker must report violations\n' +
        '  vmakit sim pft --cpus 1,48 --format json > pft.json  # byte-identical for the same seed\n' +
        '  vmakit sim published --profile skylake-2s\n' +
        '\nExit status: 0; 1 when a faithful run has protocol violations or a mutant is not caught.\n',
    )
    .action(async (name: string, opts: SimOptions) => {
      const reg = await registry();
      if (name === 'published') return runPublishedCommand(registry, reg, opts);
      const format = parseFormat(opts.format);
      const workload = await workloadNamed(reg, name);
      const seedGiven = opts.seed !== '1';
      const mutant: MutantInfo | null = opts.mutant === undefined ? null : mutantByName(opts.mutant);
      if (opts.strategies !== undefined && opts.strategy !== undefined)
        throw new UsageError('give --strategies or --strategy, not both');
      const strategyNames =
        opts.strategies ??
        opts.strategy ??
        (mutant !== null
          ? reg.strategies
              .filter((s) => mutant.appliesTo.includes(s.meta.name))
              .map((s) => s.meta.name)
              .join(',') || 'all'
          : 'all');
      const catches =
        mutant !== null && mutant.catches.workload === workload.meta.name ? mutant.catches : null;
      const strategies = strategiesByNames(reg, strategyNames);
      const indexes = indexesByNames(reg, opts.index ?? catches?.index ?? 'all');
      const profile = profileByName(reg, opts.profile ?? DEFAULT_PROFILE).profile;
      const cpus =
        opts.cpus !== undefined
          ? parseCpus(opts.cpus, MAX_CPUS)
          : catches !== null
            ? [catches.cpus]
            : isTraceWorkload(workload)
              ? [workload.summary.tids.length]
              : defaultCpuList(profile.topology);
      const seed = seedGiven || catches === null ? parseSeed(opts.seed) : catches.seed;
      const params = {
        ...(catches?.params ?? {}),
        ...(opts.params !== undefined ? parseParams(opts.params) : {}),
      };
      // A capture replays at its own pace from its first event: no warm-up, and a window long enough
      // for the whole capture (the run ends early once every thread has finished).
      const trace = isTraceWorkload(workload) ? workload : null;
      const traceScale = Math.max(1, params.time_scale ?? 1);
      const durationNs =
        opts.durationNs !== undefined
          ? parsePositive('--duration-ns', opts.durationNs)
          : (catches?.durationNs ??
            (trace !== null
              ? Math.ceil(trace.summary.durationSec * 1e9 * traceScale * 2) + 1_000_000
              : undefined));
      const warmupNs =
        opts.warmupNs !== undefined
          ? parsePositive('--warmup-ns', opts.warmupNs)
          : trace !== null
            ? 0
            : undefined;
      const shard = opts.shard !== undefined ? parseShard(opts.shard) : null;
      const jobs = opts.jobs === undefined ? defaultJobs() : parseInteger('--jobs', opts.jobs, 1, 256);
      const { tasks, skipped } = planSimMatrix({
        workloadName: name,
        workload,
        params,
        cpus,
        strategies,
        indexes,
        profile: profile.name,
        seed,
        ...(durationNs !== undefined ? { durationNs } : {}),
        ...(warmupNs !== undefined ? { warmupNs } : {}),
        mutant,
        shard,
      });
      // Checked on the whole CPU list, not this shard's share, so every shard fails alike. A reason
      // shared by every count is about the parameters; otherwise a CPU count the workload refuses is
      // the user's error when it was asked for explicitly.
      const refusals = cpus.map((c) => ({ cpus: c, reason: workloadRefusal(workload, c, seed, params) }));
      const reasons = new Set(refusals.map((r) => r.reason));
      const only = reasons.size === 1 ? [...reasons][0] : null;
      if (only !== null && only !== undefined) throw new UsageError(only);
      const refused = refusals.find((r) => r.reason !== null);
      if (refused !== undefined && opts.cpus !== undefined)
        throw new UsageError(`--cpus ${refused.cpus}: ${refused.reason}`);
      if (tasks.length === 0 && skipped.length > 0 && shard === null)
        throw new UsageError(
          `nothing to run: every entry is skipped (${[...new Set(skipped.map((s) => s.reason))].join('; ')})`,
        );

      const pool = openPool(registry, reg, jobs);
      const progress = autoProgress(`sim ${name}: `);
      const interrupts = catchInterrupts(() => progress.log('interrupted: stopping'));
      interrupts.signal.addEventListener('abort', () => void pool.abort(), { once: true });
      const phase = progress.phase('points', tasks.length);
      let points: SimPoint[];
      try {
        points = await Promise.all(
          tasks.map(async (t) => {
            const p = await pool.run(t);
            phase.tick(`${t.strategy} ${t.index} ${t.cpus} CPUs`);
            return p;
          }),
        );
        phase.done();
      } catch (err) {
        progress.stop();
        if (interrupts.received() !== null)
          throw new InterruptedError(interrupts.received()!, 'interrupted: nothing written');
        throw err;
      } finally {
        interrupts.dispose();
        await pool.close();
      }
      progress.stop();
      const violations = points.reduce((n, p) => n + p.violations, 0);
      if (format === 'json') printJson({ points, skipped, violations });
      else {
        printText(pointsTable(points));
        for (const s of skipped)
          printText(`skipped ${s.strategy} x ${s.index} at ${s.cpus} CPUs: ${s.reason}`);
        const over = [...new Set(points.filter((p) => p.oversubscribed).map((p) => p.cpus))];
        if (over.length > 0)
          printText(
            `note: ${over.join(', ')} CPUs exceed the ${profile.name} profile's hardware threads (oversubscribed)`,
          );
        printText(`violations: ${violations}`);
      }
      if (opts.out !== undefined) {
        const doc = {
          ...createResults({
            environment: runEnvironment(),
            seeds: { sim: seed },
            options: {
              command: 'sim',
              workload: name,
              params,
              cpus,
              strategies: strategies.map((s) => s.meta.name),
              indexes: indexes.map((i) => i.meta.name),
              profile: profile.name,
              duration_ns: durationNs ?? null,
              warmup_ns: warmupNs ?? null,
              mutant: mutant?.name ?? null,
            },
            ...(shard !== null ? { shard } : {}),
            planned: tasks.map((t) =>
              scalingCell({ ...t, profile: profile.name, workload: workload.meta.name }),
            ),
          }),
        };
        const finished = points.map((p) => scalingCell(p));
        const full = {
          ...doc,
          metadata: { ...doc.metadata, cells: { planned: doc.metadata.cells!.planned, finished } },
          scaling: { points: points.map(scalingPointOf), violations: points.flatMap(violationsOf) },
        };
        const out = resolve(opts.out);
        if (out.endsWith('.json')) writeFileAtomic(out, `${JSON.stringify(full, null, 2)}\n`);
        else writeReport(out, full);
        note(`wrote ${out.endsWith('.json') ? out : `${out}/`}`);
      }
      if (mutant !== null && violations === 0 && points.length > 0)
        throw new CheckFailedError(`mutant ${mutant.name} survived: the checker reported no violation`);
      if (mutant === null && violations > 0)
        throw new CheckFailedError(
          `${violations} protocol violation(s): a faithful strategy broke the protocol`,
        );
    });
}
