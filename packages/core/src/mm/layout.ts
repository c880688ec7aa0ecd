/**
 * Where the mmap area starts: mmap_base() and mmap_legacy_base() of arch/x86/mm/mmap.c (v6.12) for a
 * process without address-space randomisation (PF_RANDOMIZE clear, so the random factor and
 * stack_maxrandom_size() are 0).
 */
import { PAGE_SIZE } from '../constants.js';
import { pageAlignU64 } from './arith.js';

/** SIZE_128M: the smallest gap left for the stack below the top of user space. */
const SIZE_128M = 128 * 1024 * 1024;

/**
 * mmap_base(): the top of the top-down mmap area, TASK_SIZE less a gap for the stack. The gap is
 * RLIMIT_STACK plus stack_guard_gap (not added when the sum would overflow, e.g. RLIM_INFINITY),
 * clamped to [128 MiB, 5/6 of TASK_SIZE]. O(1).
 *
 * With the defaults (8 MiB stack limit, 1 MiB guard gap) the gap is 128 MiB and the base is
 * 0x7ffff7fff000, the familiar address of the first library of a non-randomised process.
 */
export function mmapBase(taskSize: number, rlimitStack: number, stackGuardGap: number): number {
  let gap = rlimitStack;
  const pad = stackGuardGap;
  // `gap + pad > gap` fails in C only on overflow; an infinite limit behaves the same way here.
  if (Number.isFinite(gap) && gap + pad <= 2 ** 64 - 1) gap += pad;
  const gapMin = SIZE_128M;
  const gapMax = Math.floor(taskSize / 6) * 5;
  if (gap < gapMin) gap = gapMin;
  else if (gap > gapMax) gap = gapMax;
  return pageAlignU64(taskSize - gap);
}

/** mmap_legacy_base() = __TASK_UNMAPPED_BASE(task_size) = PAGE_ALIGN(task_size / 3). O(1). */
export function legacyMmapBase(taskSize: number): number {
  const third = Math.floor(taskSize / 3);
  return third % PAGE_SIZE === 0 ? third : third + (PAGE_SIZE - (third % PAGE_SIZE));
}
