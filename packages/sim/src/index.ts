export type { Action, CostCategory, SimAction } from './actions.js';
export { COST_CATEGORIES, LOCK_KIND_NAMES } from './actions.js';
export type { CacheStats } from './cache.js';
export { CacheModel, LINES_PER_OBJECT, lineKey, READ, RMW, WRITE } from './cache.js';
export type { CheckerHost, Violation, ViolationRule } from './checker.js';
export { SafetyChecker, VIOLATION_RULES } from './checker.js';
export type { EngineOptions, EngineResult } from './engine.js';
export { Engine } from './engine.js';
export { EventQueue } from './heap.js';
export type { AppliedMutant, MutantCatch, MutantInfo } from './mutants.js';
export { applyMutant, MUTANTS, mutantByName } from './mutants.js';
export { predictPlacement } from './placement.js';
export type { WritePlan } from './predict.js';
export { madviseUnderReadLock, planSyscall } from './predict.js';
export type {
  CacheCostName,
  CompiledCache,
  CompiledProfile,
  CoreClass,
  CostValue,
  KernelCostName,
  MachineProfile,
  MachineTopology,
} from './profile.js';
export { compileProfile, describeProfile, findProfile, MAX_CPUS, PS_PER_NS, WORK_UNITS } from './profile.js';
export { phone8c } from './profiles/phone-soc.js';
export { builtinProfiles, DEFAULT_PROFILE, profileByName } from './profiles/registry.js';
export { skylake2s } from './profiles/skylake-2s.js';
export type {
  ComparisonRow,
  FigureComparison,
  PublishedComparison,
  PublishedFigure,
  SimRunConfig,
  SimRunMetrics,
  SimRunner,
} from './published/index.js';
export {
  ATOMIC_STRATEGY,
  comparePublished,
  DEFAULT_COMPARE_PROFILE,
  engineRunner,
  formatComparison,
  PUBLISHED_FIGURES,
  publishedRuns,
  withAtomicPerVma,
} from './published/index.js';
export { randomStream } from './rng.js';
export type { RunSimOptions, SimPoint } from './run-sim.js';
export {
  checkCpus,
  DEFAULT_DURATION_NS,
  DEFAULT_MAX_STEPS,
  defaultWarmupNs,
  pairingOf,
  resolveProfile,
  runSim,
  strategyOf,
} from './run-sim.js';
export type { SkippedPoint, SweepOptions, SweepProgress, SweepResult } from './sweep.js';
export { runSweep } from './sweep.js';
export { Rcu } from './sync/rcu.js';
export type { Grant } from './sync/rwsem.js';
export { MAX_READERS_WAKEUP, RwSem } from './sync/rwsem.js';
export { readSeq, seqStable, seqUnchanged } from './sync/seqcount.js';
export { SpinLock } from './sync/spinlock.js';
export type { SyscallOp } from './syscall-op.js';
export { applySyscallOp } from './syscall-op.js';
export type {
  PcpStart,
  ThreadContext,
  ThreadProgram,
  Workload,
  WorkloadOp,
  WorkloadOptions,
  WorkloadPlacement,
  WorkloadPlugin,
} from './workload.js';
export { defineWorkloadPlugin } from './workload.js';
export type { TraceWorkload, TraceWorkloadPlugin, WorkloadWithState } from './workloads/index.js';
export {
  brk1Plugin,
  builtinWorkloads,
  ebizzyPlugin,
  malloc1Plugin,
  mixedPlugin,
  mmap1Plugin,
  mmap2Plugin,
  pageFault1Plugin,
  pageFault2Plugin,
  pageFault3Plugin,
  pftPlugin,
  resolveWorkload,
  TRACE_PREFIX,
  traceWorkload,
  WorkloadAbortError,
  WorkloadParamError,
  willItScalePlugins,
  workloadByName,
} from './workloads/index.js';
export type { WriterEffects, WriterHost } from './writer.js';
export { syscallProgram } from './writer.js';
