export type { SyscallOutcome } from './apply-syscall.js';
export { applySyscall, describeOutcome } from './apply-syscall.js';
export type { MapsComparison } from './compare.js';
export { compareMaps, flagMismatches, pageMismatches } from './compare.js';
export type { CoreFaultHandlerOptions } from './core-fault-handler.js';
export { coreFaultHandler } from './core-fault-handler.js';
export { digestLines, Fnv1a } from './digest.js';
export type { LoadedCapture, TraceScan } from './events.js';
export { loadCaptureEvents, scanTrace } from './events.js';
export type { ReplayFaultEnvOptions } from './fault-env.js';
export { createReplayFaultEnv, faultRequestOf, seedPresentPage } from './fault-env.js';
export type {
  CountedFaultsSummary,
  FaultHandler,
  FaultHandlerFactory,
  FaultHandlingSummary,
  FaultOutcomeCounts,
  ReplayContext,
  ResolvedFaultsSummary,
} from './fault-handler.js';
export { countingFaultHandler } from './fault-handler.js';
export type { OpenFileDescription } from './fd-table.js';
export { FdTable, fmodeOfOpenFlags } from './fd-table.js';
export type {
  InitialState,
  InitialStateInfo,
  InitialStateOptions,
  InitialStateTemplate,
} from './initial-state.js';
export { buildInitialState, describeInitialState, FileTable, installInitialState } from './initial-state.js';
export type { ReplayMatrixCell, ReplayMatrixOptions } from './matrix.js';
export { replayMatrix, strategyDisagreements } from './matrix.js';
export type { ReplayOptions, ReplayReport } from './replay.js';
export { replayCapture } from './replay.js';
