export type { AccessVma } from './access-error.js';
export { accessError, archVmaAccessPermitted, badAreaAccessFromPkeys } from './access-error.js';
export { doAnonymousPage, vmfAnonPrepare } from './anon-fault.js';
export { createFaultEnv } from './create-env.js';
export { drain, uncontendedResult } from './drain.js';
export type { FaultConfig, ResolvedFaultConfig } from './env.js';
export { FaultEnv, layoutOfEra } from './env.js';
export type { AddressClass } from './error-code.js';
export {
  checkErrorCode,
  checkFaultAddress,
  classifyAddress,
  describeErrorCode,
  KERNEL_HALF_START,
  TASK_SIZE_MAX,
  USER_HALF_END,
  VSYSCALL_ADDR,
  X86_PF_INSTR,
  X86_PF_KNOWN,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_RMP,
  X86_PF_RSVD,
  X86_PF_SGX,
  X86_PF_SHSTK,
  X86_PF_USER,
  X86_PF_WRITE,
} from './error-code.js';
export {
  BUS_ADRERR,
  describeFaultFlags,
  describeVmFault,
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_DEFAULT,
  FAULT_FLAG_INSTRUCTION,
  FAULT_FLAG_INTERRUPTIBLE,
  FAULT_FLAG_KILLABLE,
  FAULT_FLAG_MKWRITE,
  FAULT_FLAG_ORIG_PTE_VALID,
  FAULT_FLAG_REMOTE,
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_SPECULATIVE,
  FAULT_FLAG_TRIED,
  FAULT_FLAG_UNSHARE,
  FAULT_FLAG_USER,
  FAULT_FLAG_VMA_LOCK,
  FAULT_FLAG_WRITE,
  faultFlagAllowRetryFirst,
  SEGV_ACCERR,
  SEGV_MAPERR,
  SEGV_PKUERR,
  SI_KERNEL,
  SIGBUS,
  SIGKILL,
  SIGSEGV,
  VM_FAULT_COMPLETED,
  VM_FAULT_DONE_COW,
  VM_FAULT_ERROR,
  VM_FAULT_FALLBACK,
  VM_FAULT_HWPOISON,
  VM_FAULT_HWPOISON_LARGE,
  VM_FAULT_LOCKED,
  VM_FAULT_MAJOR,
  VM_FAULT_NEEDDSYNC,
  VM_FAULT_NOPAGE,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from './fault-flags.js';
export { handleMmFault, isCowMapping } from './handle-mm-fault.js';
export type { AccessKind } from './hw-access.js';
export { ACCESS_OK, hardwareAccess } from './hw-access.js';
export { findVmaLocked, locklessLookup, locklessLookupStep } from './lookup.js';
export type { CachedFile } from './page-cache.js';
export { MMAP_LOTSAMISS, PageCache } from './page-cache.js';
export type { PageTableCounts } from './page-table.js';
export {
  LEVEL_PGD,
  LEVEL_PMD,
  LEVEL_PTE,
  LEVEL_PUD,
  PageTables,
  PGDIR_SIZE,
  PMD_SIZE,
  PTE_PKEY_MASK,
  PTE_PKEY_SHIFT,
  PTRS_PER_TABLE,
  PUD_SIZE,
  ptePresent,
} from './page-table.js';
export type { PhysMemStats } from './phys-mem.js';
export {
  FRAME_ANON,
  FRAME_CACHE,
  FRAME_DIRTY,
  FRAME_EXCLUSIVE,
  FRAME_UPTODATE,
  PhysMem,
  ZERO_FRAME,
} from './phys-mem.js';
export {
  INIT_PKRU_VALUE,
  NR_PKEYS,
  PKEY_DISABLE_ACCESS,
  PKEY_DISABLE_WRITE,
  PKRU_AD_BIT,
  PKRU_WD_BIT,
  pkruAllowsPkey,
  pkruAllowsRead,
  pkruAllowsWrite,
  pkruWithKeyAccess,
} from './pkru.js';
export { PageTableObserver } from './pt-observer.js';
export { pageTableSnapshot } from './pt-snapshot.js';
export type { FastPathTail, FaultOutcome, FaultPath, FaultRequest, FaultResult } from './result.js';
export { FaultState } from './result.js';
export type { FlaggedFaultResult, RecordedStep, RunFaultOptions } from './run-fault.js';
export { recordFault, runFault, UnsafePairingError } from './run-fault.js';
export type {
  AbortStep,
  AcquireStep,
  DowngradeStep,
  HeldMode,
  LockKind,
  LockMode,
  LookupStep,
  MemAccess,
  MemStep,
  MemWhat,
  RcuStep,
  ReleaseStep,
  SeqCheckStep,
  SeqName,
  SeqReadStep,
  Step,
  StepGen,
  StepResult,
  VmaCopyStep,
  WorkStep,
  WorkUnit,
} from './steps.js';
export { abortStep, acquire, describeStep, mem, RCU_ENTER, RCU_EXIT, release, work } from './steps.js';
export type {
  FaultStrategy,
  LookupNeed,
  PairingOptions,
  PairingVerdict,
  StrategyNeeds,
  StrategyPlugin,
} from './strategy.js';
export { checkPairing, defineStrategyPlugin } from './strategy.js';
export type { FastPath, FastPathResult } from './user-fault.js';
export {
  badAreaAccessError,
  doUserAddrFault,
  effectivePkru,
  FALLBACK,
  faultDone,
  HANDLE_MM_FAULT,
} from './user-fault.js';
export { assertPageTablesValid, validatePageTables } from './validate.js';
export type { VmaCopyCost, VmaCopyKind } from './vma-copy.js';
export { VmaSnapshot, vmaCopyCost } from './vma-copy.js';
export type { FaultVma, SpecState } from './vmf.js';
export { Vmf } from './vmf.js';
export type { SpfAbortReason, VmstatName } from './vmstat.js';
export { EV, VMSTAT_NAMES, Vmstat } from './vmstat.js';
export { pteMapLock, releaseFaultLock, specAbort } from './walk.js';
