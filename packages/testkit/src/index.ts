export type { RangeRecord } from './compare.js';
export { collectRanges, diffContents, entryLabel } from './compare.js';
export { createReferenceIndex, ReferenceIndex, referencePlugin } from './reference-index.js';
export { findRepoRoot, findSharedDir, sharedMissingMessage } from './shared-dir.js';
export type {
  AllocDirection,
  AllocErase,
  AllocHole,
  AllocRange,
  AllocRangeVectors,
  AllocRequest,
  AllocReserved,
  AllocStep,
} from './vectors/alloc-range-format.js';
export { parseAllocRange } from './vectors/alloc-range-format.js';
export type { VectorEntry } from './vectors/entry.js';
export { makeVectorEntry } from './vectors/entry.js';
export type {
  Erase2Assertion,
  Erase2GapSearch,
  Erase2Op,
  Erase2OpKind,
  Erase2PostErase,
  Erase2Set,
  Erase2Step,
  Erase2UncheckedSearch,
} from './vectors/erase2-format.js';
export { parseErase2Sets } from './vectors/erase2-format.js';
export { ALLOC_RANGE_FILE, ERASE2_FILE, replayKernelVectors } from './vectors/replay.js';
export { replayAllocRange } from './vectors/replay-alloc-range.js';
export { replayErase2Sets } from './vectors/replay-erase2.js';
export type { ReplayOptions, VectorIndexFactory, VectorReport, VectorSetReport } from './vectors/report.js';
