export { ebizzyPlugin } from './ebizzy.js';
export { tempFile, WORKLOADS_VERSION } from './files.js';
export type { SubProgram } from './glibc.js';
export {
  ARENA_INITIAL_BYTES,
  DEFAULT_THREAD_STACK,
  HEAP_MAX_SIZE,
  MMAP_THRESHOLD_MAX,
  mmappedChunkBytes,
  request2size,
  stackKey,
} from './glibc.js';
export type { WorkloadInitialState, WorkloadWithState } from './initial-state.js';
export { initialStateOf, installInitialState } from './initial-state.js';
export { MIXED_REGION_KEY, mixedPlugin } from './mixed.js';
export type { ParamRule, ParamSpec, ParamSpecs } from './params.js';
export { describeParams, MAX_THREADS, WorkloadAbortError, WorkloadParamError } from './params.js';
export { PFT_MAX_TESTS, PFT_REGION_KEY, PFT_SLICE_KEY, pftGeometry, pftPlugin } from './pft.js';
export type { ProcessImageOptions } from './process-image.js';
export { NO_ASLR_EXE_BASE, processImage } from './process-image.js';
export { builtinWorkloads, resolveWorkload, TRACE_PREFIX, workloadByName } from './registry.js';
export type {
  TraceRunStats,
  TraceStep,
  TraceSummaryCounts,
  TraceWorkload,
  TraceWorkloadPlugin,
} from './trace.js';
export { faultCanSucceed, traceWorkload, traceWorkloadFromEvents } from './trace.js';
export { TraceFiles, traceInitialState } from './trace-state.js';
export {
  brk1Plugin,
  malloc1Plugin,
  mmap1Plugin,
  mmap2Plugin,
  pageFault1Plugin,
  pageFault2Plugin,
  pageFault3Plugin,
  WIS_MEMSIZE,
  willItScalePlugins,
} from './will-it-scale.js';
