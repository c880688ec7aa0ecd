export { anonymizeProcText, PathAnonymizer } from './anonymize.js';
export { captureCommand, resolveExecutable } from './capture-command.js';
export { capturePid } from './capture-pid.js';
export type { ExecutableKind } from './elf.js';
export { executableKind } from './elf.js';
export type { CaptureErrorCode } from './errors.js';
export { CaptureError } from './errors.js';
export type { LostReport } from './lost-events.js';
export { lostRecordsIn, lostReport, lostWarningsIn } from './lost-events.js';
export type { PerfControl, PerfRecordArgs } from './perf-args.js';
export { buildPerfRecordArgs, buildPerfScriptArgs, PERF_SCRIPT_FIELDS } from './perf-args.js';
export { classifyPerfFailure, perfFailureText, perfMessages } from './perf-messages.js';
export type { PerfReadiness } from './perf-recorder.js';
export type { CaptureEnvironment, EnvironmentOptions, PerfProbe } from './preflight.js';
export {
  checkCaptureEnvironment,
  hasPerfCapability,
  kernelRelease,
  perfExecutable,
  probePerf,
  tracePermissionProblem,
} from './preflight.js';
export type { ProcStat } from './proc.js';
export { parseProcStat } from './proc.js';
export { buildStopHelper, findCCompiler, STOP_HELPER_SOURCE } from './stop-helper.js';
export type { TracefsLookup, TracepointSelection } from './tracepoints.js';
export {
  ESSENTIAL_FD_SYSCALLS,
  FAULT_TRACEPOINT,
  FD_SYSCALLS,
  findTracefsEvents,
  lookupTracefs,
  MEMORY_SYSCALLS,
  selectTracepoints,
  TRACEFS_CANDIDATES,
  tracefsEventExists,
} from './tracepoints.js';
export type {
  CaptureCommandOptions,
  CaptureEnd,
  CaptureEventCounts,
  CaptureOptions,
  CapturePhase,
  CapturePidOptions,
  CaptureProgress,
  CaptureSummary,
} from './types.js';
export { compileWorkload, listWorkloads, workloadsDir } from './workloads.js';
export { LOST_MARKER } from './write-capture.js';
