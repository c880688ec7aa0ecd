/**
 * anon_vma_prepare() (mm/rmap.c) with find_mergeable_anon_vma(), reusable_anon_vma() and
 * anon_vma_compatible() of mm/vma.c (v6.12): the first anonymous fault of a VMA gives it an anon_vma,
 * reusing an adjacent VMA's when the two could later be merged by mprotect, so that they can.
 */
import { PAGE_SIZE } from '../constants.js';
import { allocId } from '../ids.js';
import { VM_ACCESS_FLAGS, VM_SOFTDIRTY } from '../vm-flags.js';
import type { AnonVma, Vma } from '../vma.js';
import { anonVmaChainSingular, sameFile } from './merge.js';
import type { MmState } from './mm-state.js';

/**
 * anon_vma_compatible(): `a` ends where `b` starts, same policy and file, flags equal except the
 * access bits and VM_SOFTDIRTY, pgoff contiguous.
 */
export function anonVmaCompatible(a: Vma, b: Vma): boolean {
  return (
    a.end === b.start &&
    a.policy === b.policy &&
    sameFile(a.file, b.file) &&
    ((a.flags ^ b.flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) === 0 &&
    a.flagsHigh === b.flagsHigh &&
    b.pgoff === a.pgoff + (b.start - a.start) / PAGE_SIZE
  );
}

/** reusable_anon_vma(): `old`'s anon_vma, if a/b are compatible and old's chain is singular. */
function reusableAnonVma(old: Vma, a: Vma, b: Vma): AnonVma | null {
  if (anonVmaCompatible(a, b) && old.anonVma !== null && anonVmaChainSingular(old)) return old.anonVma;
  return null;
}

/** find_mergeable_anon_vma(): try the next VMA first, then the previous one. O(log n). */
export function findMergeableAnonVma(mm: MmState, vma: Vma): AnonVma | null {
  const next = mm.index.lookup(vma.end);
  if (next !== null) {
    const av = reusableAnonVma(next, vma, next);
    if (av !== null) return av;
  }
  const prev = mm.index.prevOf(vma.start);
  if (prev !== null) return reusableAnonVma(prev, prev, vma);
  return null;
}

/**
 * anon_vma_prepare(): `vma`'s anon_vma, set up on first use (under the mmap read lock in the kernel,
 * so no sequence count moves). O(log n).
 */
export function anonVmaPrepare(mm: MmState, vma: Vma): AnonVma {
  if (vma.anonVma !== null) return vma.anonVma;
  const av = findMergeableAnonVma(mm, vma) ?? { id: allocId() };
  vma.anonVma = av;
  return av;
}
