/**
 * What `vmakit bench indexes` and `vmakit bench faults` need, and nothing else (import
 * `@vmakit/bench/cli`):
 *
 * ```ts
 * const report = await runIndexBenchmarks({ indexes, quick, seed, layouts, ops, onProgress, signal });
 * process.stdout.write(format === 'json' ? JSON.stringify(report, null, 2) : formatIndexBenchMarkdown(report));
 *
 * const faults = await runFaultBenchmarks({ strategies, indexes, captures, quick, onProgress, signal });
 * process.stdout.write(format === 'json' ? JSON.stringify(faults, null, 2) : formatFaultBenchMarkdown(faults));
 * ```
 * A BenchVerificationError (FaultBenchVerificationError) means an index (a strategy × index pairing)
 * gave a wrong answer: report it and exit non-zero. An unknown capture name throws UnknownNameError.
 */

export type { FaultFormatOptions } from './faults/format.js';
export { formatFaultBenchMarkdown } from './faults/format.js';
export type { KernelFaultRate, KernelFaultRateOptions } from './faults/kernel-rate.js';
export type {
  FaultBenchOptions,
  FaultBenchReport,
  FaultBenchRow,
  FaultBenchSkip,
  FaultRateTarget,
} from './faults/run.js';
export { runFaultBenchmarks } from './faults/run.js';
export { FaultBenchVerificationError } from './faults/verify.js';
export { PAGE_FAULT1 } from './faults/workloads.js';
export type { FormatOptions } from './format.js';
export { formatIndexBenchMarkdown } from './format.js';
export type { MemoryRow, PluginModule } from './memory.js';
export type { IndexBenchOp } from './ops.js';
export { INDEX_BENCH_OPS } from './ops.js';
export type { IndexBenchOptions, IndexBenchReport, IndexBenchRow, LayoutInfo, TargetCheck } from './run.js';
export { runIndexBenchmarks } from './run.js';
export { BenchVerificationError } from './verify.js';
