export type { CaptureDir, CaptureParts } from './capture-dir.js';
export {
  CAPTURE_FILES,
  CaptureDirError,
  readCaptureDir,
  writeCaptureDir,
  writeFileAtomic,
} from './capture-dir.js';
export type { FdSyscallName } from './fd-syscall-signatures.js';
export { FD_SYSCALL_SIGNATURES, isFdSyscallName } from './fd-syscall-signatures.js';
export type { ByteSource, ReadLinesOptions } from './line-source.js';
export { readLineBatches, readLines, splitLines } from './line-source.js';
export type { MapsEntry, MapsFile } from './maps.js';
export {
  formatMaps,
  formatMapsLine,
  isGateEntry,
  MapsAccumulator,
  parseMaps,
  parseMapsLine,
  parseMapsText,
} from './maps.js';
export type { MapsNaming } from './maps-from-vmas.js';
export { mapsEntriesFromVmas, mapsFromVmas, vmaToMapsEntry } from './maps-from-vmas.js';
export type { PairedEvent, PairedFdCall, PairedSyscall, PairOptions } from './pair-syscalls.js';
export { pairSyscalls, SyscallPairer } from './pair-syscalls.js';
export type {
  FaultEvent,
  FdEnterEvent,
  FdExitEvent,
  LostEvent,
  SysEnterEvent,
  SysExitEvent,
  TraceEvent,
  TraceEventBase,
  TraceOptions,
  TraceSummary,
  UnknownEvent,
} from './perf-script.js';
export { emptyTraceSummary, parseTrace, parseTraceLine, parseTraceText, TraceReader } from './perf-script.js';
export type { SmapsEntry, SmapsFile, SmapsOptions } from './smaps.js';
export { formatSmaps, parseSmaps, parseSmapsText } from './smaps.js';
export type { SyscallArgType, SyscallName, SyscallParam } from './syscall-signatures.js';
export { isSyscallName, SYSCALL_SIGNATURES } from './syscall-signatures.js';
export type { DecodedVmFlags, VmFlagMnemonic } from './vmflags-mnemonics.js';
export {
  decodeVmFlagMnemonics,
  OTHER_ARCH_MNEMONICS,
  VM_FLAG_MNEMONICS,
  vmFlagsToMnemonics,
} from './vmflags-mnemonics.js';
