export {
  DEFAULT_MAX_MAP_COUNT,
  DEFAULT_MMAP_MIN_ADDR,
  DEFAULT_RLIMIT_STACK,
  DEFAULT_STACK_GUARD_GAP,
  isPageAligned,
  MAX_EXACT,
  PAGE_MASK_BITS,
  PAGE_SHIFT,
  PAGE_SIZE,
  pageDown,
  pagesIn,
  pageUp,
  pfnOf,
  TASK_SIZE,
} from './constants.js';
export {
  EACCES,
  EAGAIN,
  EBADF,
  EBUSY,
  EEXIST,
  EFAULT,
  EFBIG,
  EINTR,
  EINVAL,
  ENODEV,
  ENOENT,
  ENOMEM,
  ENOSPC,
  EOPNOTSUPP,
  EOVERFLOW,
  EPERM,
  errnoName,
  isErr,
} from './errno.js';
export {
  IndexContractError,
  IndexInvariantError,
  ParseError,
  UnknownNameError,
  VmakitError,
} from './errors.js';
export { allocId } from './ids.js';
export type { RangeWalk } from './index-support/gap-walk.js';
export { emptyAreaRevWalk, emptyAreaWalk, INDEX_MAX } from './index-support/gap-walk.js';
export type { PublishedVersion, VersionedTree } from './index-support/published-versions.js';
export { PublishedVersions } from './index-support/published-versions.js';
export { checkRangeArgs, requireEntry } from './index-support/range-args.js';
export type { StoredRange } from './index-support/stored-range.js';
export type { NodeShape, TrackerCounters } from './index-support/version-tracker.js';
export { VersionTracker } from './index-support/version-tracker.js';
export type { StructField, StructLayout, VmaLayoutName } from './layout.js';
export {
  CACHE_LINE_BYTES,
  cacheLinesOf,
  FAULT_ATTRIBUTES_LAYOUT,
  MAPLE_ERA_LAYOUT,
  RBTREE_ERA_LAYOUT,
  VMA_LAYOUTS,
} from './layout.js';
export type { MmApi, MmConfig, MmFile, MmObserver, ZapReason } from './mm/api.js';
export { legacyMmapBase, mmapBase } from './mm/layout.js';
export { MmState } from './mm/mm-state.js';
export { MmStruct } from './mm/mm-struct.js';
export { getUnmappedArea } from './mm/unmapped-area.js';
export {
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_NX,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_RW,
  PTE_SPECIAL,
  PTE_USER,
  vmGetPageProt,
} from './page-prot.js';
export type { IndexPlugin, PluginMeta } from './plugin.js';
export { defineIndexPlugin } from './plugin.js';
export * as uapi from './uapi.js';
export { unmappedAreaVia } from './unmapped-area.js';
export * as vmFlags from './vm-flags.js';
export {
  describeVmFlags,
  VM_ACCESS_FLAGS,
  VM_ACCOUNT,
  VM_DATA_DEFAULT_FLAGS,
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_HUGEPAGE,
  VM_LOCKED,
  VM_LOCKONFAULT,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_MERGEABLE,
  VM_NOHUGEPAGE,
  VM_NONE,
  VM_NORESERVE,
  VM_READ,
  VM_SHARED,
  VM_WIPEONFORK,
  VM_WRITE,
  VMH_SHADOW_STACK,
} from './vm-flags.js';
export type { AnonVma, FileRef, VmaInit, VmaKind, VmaOwner } from './vma.js';
export { Vma } from './vma.js';
export type {
  IndexEntry,
  IndexEra,
  IndexFactory,
  IndexOptions,
  IndexProbe,
  IndexStats,
  LocklessReader,
  LocklessSemantics,
  RangeVisitor,
  ReaderOutcome,
  UnmappedAreaRequest,
  VmaIndex,
} from './vma-index.js';
