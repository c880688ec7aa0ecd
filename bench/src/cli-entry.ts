/**
 * What `vmakit bench indexes` needs, and nothing else (import `@vmakit/bench/cli`):
 *
 * ```ts
 * const report = await runIndexBenchmarks({ indexes, quick, seed, layouts, ops, onProgress, signal });
 * process.stdout.write(format === 'json' ? JSON.stringify(report, null, 2) : formatIndexBenchMarkdown(report));
 * ```
 * A BenchVerificationError means an index gave a wrong answer: report it and exit non-zero.
 */
export type { FormatOptions } from './format.js';
export { formatIndexBenchMarkdown } from './format.js';
export type { MemoryRow, PluginModule } from './memory.js';
export type { IndexBenchOp } from './ops.js';
export { INDEX_BENCH_OPS } from './ops.js';
export type { IndexBenchOptions, IndexBenchReport, IndexBenchRow, LayoutInfo, TargetCheck } from './run.js';
export { runIndexBenchmarks } from './run.js';
export { BenchVerificationError } from './verify.js';
