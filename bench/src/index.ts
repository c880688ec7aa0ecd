export type { RangeTriple } from './baselines.js';
export { ADDR_MAX, buildFrbTree, buildSortedBtree, LimitArray } from './baselines.js';
export { BenchVma } from './entry.js';
export type { BenchEnvironment } from './environment.js';
export type { FaultFormatOptions } from './faults/format.js';
export { formatFaultBenchMarkdown } from './faults/format.js';
export type { KernelFaultRate, KernelFaultRateOptions } from './faults/kernel-rate.js';
export { measureKernelFaultRate, PAGE_FAULT1_SOURCE } from './faults/kernel-rate.js';
export type {
  FaultBenchOptions,
  FaultBenchReport,
  FaultBenchRow,
  FaultBenchSkip,
  FaultRateTarget,
} from './faults/run.js';
export { runFaultBenchmarks } from './faults/run.js';
export type { TimedReplay } from './faults/timed-replay.js';
export { FAST_RUN, replayOnce } from './faults/timed-replay.js';
export type { FaultEndState } from './faults/verify.js';
export {
  benchedEndState,
  endStateOf,
  FaultBenchVerificationError,
  referenceEndState,
  verifyPairing,
} from './faults/verify.js';
export type { FaultWorkload, PreparedEvent, WorkloadState } from './faults/workloads.js';
export {
  captureWorkload,
  defaultCaptureDirs,
  loadCaptureWorkload,
  PAGE_FAULT1,
  pageFault1Workload,
  resolveCaptureDir,
} from './faults/workloads.js';
export type { FormatOptions } from './format.js';
export { formatIndexBenchMarkdown, formatMeasuredSection } from './format.js';
export type { BenchLayout, SyntheticLayoutOptions } from './layouts.js';
export {
  generateSyntheticLayout,
  loadCaptureLayouts,
  loadMapsLayout,
  syntheticLayoutFor,
} from './layouts.js';
export type { MemoryOptions, MemoryRow, PluginModule } from './memory.js';
export { BUILTIN_PLUGIN_MODULES, measureMemory, memoryChildScript } from './memory.js';
export type { CompiledLoop, Flavor, IndexBenchOp, OpSpec } from './ops.js';
export {
  compileLoop,
  INDEX_BENCH_OPS,
  ITERATE_ALL_VMAS_PER_SAMPLE,
  iterateAllWalks,
  OP_SPECS,
} from './ops.js';
export type { QuerySet, QuerySizes } from './queries.js';
export { generateQueries } from './queries.js';
export type { Rng } from './rng.js';
export { createRng, deriveSeed } from './rng.js';
export type { IndexBenchOptions, IndexBenchReport, IndexBenchRow, LayoutInfo, TargetCheck } from './run.js';
export { runIndexBenchmarks } from './run.js';
export type { Reader, Subject } from './subjects.js';
export { BASELINE_NAMES, baselineSubjects, buildIndex, indexSubject, supports } from './subjects.js';
export type { VerifyInput } from './verify.js';
export { BenchVerificationError, buildOracle, expectedChecksum, verifyContents, verifyOp } from './verify.js';
