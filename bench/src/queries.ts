/**
 * Pre-generated, seeded inputs of every operation, so that every structure answers exactly the
 * same queries in the same order and the timed loops do no random-number work.
 */
import { DEFAULT_MMAP_MIN_ADDR, PAGE_SIZE, TASK_SIZE, type UnmappedAreaRequest } from '@vmakit/core';
import { BenchVma } from './entry.js';
import type { BenchLayout } from './layouts.js';
import { createRng, type Rng } from './rng.js';

/** How many inputs of each kind to generate (each a multiple of the op's batch). */
export interface QuerySizes {
  /** Addresses for find/lookup (random and sequential arrays each). */
  readonly addresses: number;
  /** forEach windows. */
  readonly windows: number;
  /** Gap-search requests (also the churn slots). */
  readonly gaps: number;
  /** mprotect-like split/merge slots. */
  readonly splits: number;
}

/** The inputs of one layout. Arrays are read by the compiled loops by these exact field names. */
export interface QuerySet {
  /** 75 % inside VMAs, 20 % in gaps, 5 % above the highest VMA. */
  readonly random: Float64Array;
  /** Pages in address order, up to 256 per VMA, from a random VMA on (wrapping), like a fault storm. */
  readonly sequential: Float64Array;
  /** forEach windows [windowFrom[i], windowTo[i]) covering up to 16 VMAs. */
  readonly windowFrom: Float64Array;
  readonly windowTo: Float64Array;
  /** Top-down unmappedArea requests; all satisfiable (checked against the oracle). */
  readonly gapReqs: UnmappedAreaRequest[];
  /** Oracle answers of gapReqs (the address of each new mapping). */
  readonly gapAnswers: Float64Array;
  /** Lengths of gapReqs. */
  readonly churnLen: Float64Array;
  /** One fresh entry per churn slot (inserted and removed again). */
  readonly churnEntry: BenchVma[];
  /** Split slots: the VMA [mprStart, mprEnd) gets one page at mprMid replaced by mprPiece. */
  readonly mprStart: Float64Array;
  readonly mprEnd: Float64Array;
  readonly mprMid: Float64Array;
  readonly mprEntry: BenchVma[];
  readonly mprPiece: BenchVma[];
}

const PAGE = PAGE_SIZE;
/** Pages of one VMA a sequential walk touches before moving to the next VMA. */
const SEQ_PAGES_PER_VMA = 256;
/** VMAs a forEach window spans. */
const WINDOW_VMAS = 16;
const TWO_MIB = 2 * 1024 * 1024;

/** One random address as a find/lookup query. */
function randomAddress(layout: BenchLayout, rng: Rng, gapIdx: Int32Array): number {
  const { starts, ends, vmas: n } = layout;
  const r = rng.float();
  if (r < 0.75 || gapIdx.length === 0) {
    const i = rng.int(n);
    return starts[i]! + rng.int(ends[i]! - starts[i]!);
  }
  if (r < 0.95) {
    const i = gapIdx[rng.int(gapIdx.length)]!;
    const lo = i === 0 ? 0 : ends[i - 1]!;
    return lo + rng.int(starts[i]! - lo);
  }
  const top = ends[n - 1]!;
  return top + rng.int(Math.max(1, Math.min(2 ** 30, TASK_SIZE - top)));
}

/**
 * A typical mmap() length with the alignment the kernel would ask for: single pages, small
 * allocations, malloc's mmap threshold region, 2 MiB THP-aligned anonymous mappings
 * (thp_get_unmapped_area, mm/huge_memory.c), 8 MiB thread stacks and 64 MiB glibc arena
 * reservations.
 */
function gapRequest(layout: BenchLayout, rng: Rng): UnmappedAreaRequest {
  const r = rng.float();
  let length: number;
  let alignMask = 0;
  if (r < 0.3) length = PAGE;
  else if (r < 0.6) length = rng.logInt(2, 16) * PAGE;
  else if (r < 0.75) length = 33 * PAGE;
  else if (r < 0.85) {
    length = TWO_MIB;
    alignMask = TWO_MIB - 1;
  } else if (r < 0.95) length = 8 * 1024 * 1024 + PAGE;
  else length = 64 * 1024 * 1024;
  // Mostly below mmap_base as mmap() does; a quarter below a random VMA so that searches also walk
  // other parts of the tree instead of repeating one path.
  let highLimit = layout.mmapBase;
  if (rng.chance(0.25)) highLimit = layout.starts[rng.int(layout.vmas)]!;
  return { length, lowLimit: DEFAULT_MMAP_MIN_ADDR, highLimit, alignMask, topDown: true };
}

/**
 * Generates the inputs of every operation for a layout. `answerGap` is the oracle's unmappedArea;
 * requests it cannot satisfy are redrawn (bounded), so every churn slot has a place. O(sizes · log n)
 * plus the oracle's cost.
 */
export function generateQueries(
  layout: BenchLayout,
  seed: number,
  sizes: QuerySizes,
  answerGap: (req: UnmappedAreaRequest) => number,
): QuerySet {
  const { starts, ends, vmas: n, entries } = layout;
  if (n === 0) throw new RangeError(`${layout.name}: a layout needs at least one VMA`);
  const rng = createRng(seed);

  const gaps: number[] = [];
  for (let i = 0; i < n; i++) if (starts[i]! > (i === 0 ? 0 : ends[i - 1]!)) gaps.push(i);
  const gapIdx = Int32Array.from(gaps);
  const random = new Float64Array(sizes.addresses);
  for (let k = 0; k < random.length; k++) random[k] = randomAddress(layout, rng, gapIdx);

  const sequential = new Float64Array(sizes.addresses);
  let vma = rng.int(n);
  let page = 0;
  for (let k = 0; k < sequential.length; k++) {
    const pages = (ends[vma]! - starts[vma]!) / PAGE;
    sequential[k] = starts[vma]! + page * PAGE;
    if (++page >= Math.min(pages, SEQ_PAGES_PER_VMA)) {
      page = 0;
      vma = (vma + 1) % n;
    }
  }

  const windowFrom = new Float64Array(sizes.windows);
  const windowTo = new Float64Array(sizes.windows);
  for (let k = 0; k < sizes.windows; k++) {
    const i = rng.int(n);
    const j = Math.min(n - 1, i + WINDOW_VMAS - 1);
    windowFrom[k] = starts[i]! + rng.int(ends[i]! - starts[i]!);
    windowTo[k] = ends[j]!;
  }

  const gapReqs: UnmappedAreaRequest[] = [];
  const gapAnswers = new Float64Array(sizes.gaps);
  const churnLen = new Float64Array(sizes.gaps);
  const churnEntry: BenchVma[] = [];
  for (let k = 0, tries = 0; k < sizes.gaps; tries++) {
    if (tries > sizes.gaps * 20)
      throw new RangeError(`${layout.name}: too few gap requests can be satisfied`);
    const req = gapRequest(layout, rng);
    const at = answerGap(req);
    if (at < 0) continue;
    gapReqs.push(req);
    gapAnswers[k] = at;
    churnLen[k] = req.length;
    churnEntry.push(new BenchVma(at, at + req.length));
    k++;
  }

  const big: number[] = [];
  for (let i = 0; i < n; i++) if (ends[i]! - starts[i]! >= 3 * PAGE) big.push(i);
  const m = big.length === 0 ? 0 : sizes.splits;
  const mprStart = new Float64Array(m);
  const mprEnd = new Float64Array(m);
  const mprMid = new Float64Array(m);
  const mprEntry: BenchVma[] = [];
  const mprPiece: BenchVma[] = [];
  for (let k = 0; k < m; k++) {
    const i = big[rng.int(big.length)]!;
    const pages = (ends[i]! - starts[i]!) / PAGE;
    const mid = starts[i]! + (1 + rng.int(pages - 2)) * PAGE;
    mprStart[k] = starts[i]!;
    mprEnd[k] = ends[i]!;
    mprMid[k] = mid;
    mprEntry.push(entries[i]!);
    mprPiece.push(new BenchVma(mid, mid + PAGE));
  }

  return {
    random,
    sequential,
    windowFrom,
    windowTo,
    gapReqs,
    gapAnswers,
    churnLen,
    churnEntry,
    mprStart,
    mprEnd,
    mprMid,
    mprEntry,
    mprPiece,
  };
}
