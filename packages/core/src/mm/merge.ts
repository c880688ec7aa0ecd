/**
 * VMA merging as mm/vma.c (v6.12) does it: the mergeability predicates (is_mergeable_vma,
 * is_mergeable_anon_vma, can_vma_merge_before/after/left/right), the two merge entry points
 * (vma_merge_new_range for a range about to be mapped, vma_merge_existing_range for a range of an
 * existing VMA whose attributes change), vma_expand, vma_shrink, vma_modify_* (merge, else split),
 * vma_merge_extend (mremap growth) and copy_vma (mremap move).
 *
 * Model notes:
 * - `anon_vma_chain` is not kept; a VMA's chain is singular exactly when it has an anon_vma, which
 *   holds while no fork() is modelled (fork is the only way to get a longer chain).
 * - vm_ops->close is modelled for `special` VMAs only (special_mapping_vmops has one; regular files and
 *   shmem have none); such VMAs are never removed by a merge.
 * - The anon name compared by is_mergeable_vma is a VMA name of the form `[anon:NAME]` or
 *   `[anon_shmem:NAME]`; display names such as `[heap]` or `[stack]` are not VMA attributes in the
 *   kernel and do not prevent merges.
 * - userfaultfd contexts are not modelled (always mergeable).
 *
 * Complexity: every function does O(1) index operations (each O(log n) or the index's update cost).
 */
import { PAGE_SIZE } from '../constants.js';
import { VM_SOFTDIRTY, VM_SPECIAL } from '../vm-flags.js';
import type { AnonVma, FileRef, Vma } from '../vma.js';
import type { MmState } from './mm-state.js';
import { splitVma } from './split.js';

/** Outcome of a merge attempt (enum vma_merge_state). */
export type VmaMergeStateKind = 'start' | 'nomem' | 'nomerge' | 'success';

/** struct vma_merge_struct: a merge request and, after the call, what happened. */
export interface VmaMergeState {
  prev: Vma | null;
  next: Vma | null;
  /** The VMA being modified (existing-range merges) or, on success, the merged VMA. */
  vma: Vma | null;
  start: number;
  end: number;
  /** Page offset of `start`. */
  pgoff: number;
  flags: number;
  flagsHigh: number;
  file: FileRef | null;
  anonVma: AnonVma | null;
  policy: number;
  anonName: string | null;
  /** VMG_FLAG_JUST_EXPAND: only try to expand prev (do_brk_flags). */
  justExpand: boolean;
  state: VmaMergeStateKind;
}

/** VMG_STATE(): a request to map [start, end) anew. */
export function vmgForNewRange(
  start: number,
  end: number,
  flags: number,
  flagsHigh: number,
  pgoff: number,
  file: FileRef | null = null,
): VmaMergeState {
  return {
    prev: null,
    next: null,
    vma: null,
    start,
    end,
    pgoff,
    flags,
    flagsHigh,
    file,
    anonVma: null,
    policy: 0,
    anonName: null,
    justExpand: false,
    state: 'start',
  };
}

/** VMG_VMA_STATE(): a request to change [start, end) of `vma`, taking its attributes. */
export function vmgForVma(prev: Vma | null, vma: Vma, start: number, end: number): VmaMergeState {
  return {
    prev,
    next: null,
    vma,
    start,
    end,
    pgoff: vmaPgoffOffset(vma, start),
    flags: vma.flags,
    flagsHigh: vma.flagsHigh,
    file: vma.file,
    anonVma: vma.anonVma,
    policy: vma.policy,
    anonName: anonNameOf(vma),
    justExpand: false,
    state: 'start',
  };
}

/** vma_pgoff_offset(): the page offset of `addr` within `vma`. */
export function vmaPgoffOffset(vma: Vma, addr: number): number {
  return vma.pgoff + (addr - vma.start) / PAGE_SIZE;
}

/** anon_vma_name(): the user-set anon name of a VMA, or null. */
export function anonNameOf(vma: Vma): string | null {
  const n = vma.name;
  return n !== null && (n.startsWith('[anon:') || n.startsWith('[anon_shmem:')) ? n : null;
}

/** Two FileRefs are the same vm_file. */
export function sameFile(a: FileRef | null, b: FileRef | null): boolean {
  return a === b || (a !== null && b !== null && a.id === b.id);
}

/** Two anon_vma pointers are equal. */
export function sameAnonVma(a: AnonVma | null, b: AnonVma | null): boolean {
  return a === b || (a !== null && b !== null && a.id === b.id);
}

/** list_is_singular(&vma->anon_vma_chain) without fork: the VMA has an anon_vma. */
export function anonVmaChainSingular(vma: Vma): boolean {
  return vma.anonVma !== null;
}

/** The VMA has a vm_ops->close hook (special mappings). */
export function hasCloseHook(vma: Vma): boolean {
  return vma.kind === 'special';
}

/** can_merge_remove_vma(): a merge may delete only a VMA without a close hook. */
export function canMergeRemoveVma(vma: Vma): boolean {
  return !hasCloseHook(vma);
}

/**
 * is_mergeable_vma(): same policy, flags equal except VM_SOFTDIRTY (the high word must match
 * exactly: pkey, shadow stack...), same file, same anon name.
 */
export function isMergeableVma(vmg: VmaMergeState, mergeNext: boolean): boolean {
  const vma = (mergeNext ? vmg.next : vmg.prev)!;
  if (vmg.policy !== vma.policy) return false;
  if (((vma.flags ^ vmg.flags) & ~VM_SOFTDIRTY) !== 0) return false;
  if (vma.flagsHigh !== vmg.flagsHigh) return false;
  if (!sameFile(vma.file, vmg.file)) return false;
  if (anonNameOf(vma) !== vmg.anonName) return false;
  return true;
}

/**
 * is_mergeable_anon_vma(): two anon_vmas are compatible when equal, or when one is null and the
 * VMA merged with (if given) has a singular anon_vma_chain. Note the asymmetry this gives: a range
 * with an anon_vma does not merge into a neighbour that has none (its chain is empty, not singular).
 */
export function isMergeableAnonVma(a1: AnonVma | null, a2: AnonVma | null, vma: Vma | null): boolean {
  if ((a1 === null || a2 === null) && (vma === null || anonVmaChainSingular(vma))) return true;
  return sameAnonVma(a1, a2);
}

/** are_anon_vmas_compatible(). */
export function areAnonVmasCompatible(v1: Vma, v2: Vma): boolean {
  return isMergeableAnonVma(v1.anonVma, v2.anonVma, null);
}

/** can_vma_merge_before(): the range can be merged in front of vmg.next (pgoff contiguous). */
export function canVmaMergeBefore(vmg: VmaMergeState): boolean {
  const next = vmg.next!;
  const pglen = (vmg.end - vmg.start) / PAGE_SIZE;
  return (
    isMergeableVma(vmg, true) &&
    isMergeableAnonVma(vmg.anonVma, next.anonVma, next) &&
    next.pgoff === vmg.pgoff + pglen
  );
}

/** can_vma_merge_after(): the range can be merged after vmg.prev (pgoff contiguous). */
export function canVmaMergeAfter(vmg: VmaMergeState): boolean {
  const prev = vmg.prev!;
  return (
    isMergeableVma(vmg, false) &&
    isMergeableAnonVma(vmg.anonVma, prev.anonVma, prev) &&
    prev.pgoff + prev.pages === vmg.pgoff
  );
}

/** can_vma_merge_left(): prev ends where the range starts and is mergeable. */
export function canVmaMergeLeft(vmg: VmaMergeState): boolean {
  return vmg.prev !== null && vmg.prev.end === vmg.start && canVmaMergeAfter(vmg);
}

/**
 * can_vma_merge_right(): next starts where the range ends and is mergeable; when merging left too,
 * prev and next must also be anon_vma-compatible with each other.
 */
export function canVmaMergeRight(vmg: VmaMergeState, canMergeLeft: boolean): boolean {
  if (vmg.next === null || vmg.end !== vmg.next.start || !canVmaMergeBefore(vmg)) return false;
  if (!canMergeLeft) return true;
  return areAnonVmasCompatible(vmg.prev!, vmg.next);
}

/**
 * dup_anon_vma(): when the surviving VMA has no anon_vma but the one it absorbs has, it inherits it
 * so the absorbed anonymous pages stay reachable.
 */
function dupAnonVma(mm: MmState, dst: Vma, src: Vma): void {
  if (src.anonVma !== null && dst.anonVma === null) {
    if (!mm.isVmaWriteLocked(dst)) mm.vmaStartWrite(dst);
    dst.anonVma = src.anonVma;
  }
}

/** vma_complete() for removed VMAs: detach, account, free. */
function completeRemovals(mm: MmState, remove: Vma | null, remove2: Vma | null): void {
  for (const r of [remove, remove2]) {
    if (r === null) continue;
    mm.releaseVma(r);
    mm.mapCount--;
  }
}

/**
 * commit_merge(): set vmg.vma to [vmg.start, vmg.end) at vmg.pgoff, move `adjust`'s start by
 * `adjStart` bytes, remove `remove` / `remove2`, and store the result in the index.
 */
function commitMerge(
  mm: MmState,
  vmg: VmaMergeState,
  adjust: Vma | null,
  remove: Vma | null,
  remove2: Vma | null,
  adjStart: number,
  expanded: boolean,
): void {
  const vma = vmg.vma!;
  vma.start = vmg.start;
  vma.end = vmg.end;
  vma.pgoff = vmg.pgoff;
  // The stored range overwrites the VMAs it absorbs and trims the one it grows into.
  if (expanded) mm.index.store(vmg.start, vmg.end, vma);
  if (adjStart !== 0 && adjust !== null) {
    adjust.start += adjStart;
    adjust.pgoff += adjStart / PAGE_SIZE;
    if (adjStart < 0) mm.index.store(adjust.start, adjust.end, adjust);
  }
  completeRemovals(mm, remove, remove2);
}

/**
 * vma_merge_existing_range(): the attributes of [vmg.start, vmg.end) of vmg.vma change to those of
 * vmg; merge that range with prev and/or next when they match. Returns the merged VMA or null
 * (vmg.state tells why). vmg.prev must be the VMA before the range, or vmg.vma itself when the range
 * starts inside it.
 */
export function vmaMergeExistingRange(mm: MmState, vmg: VmaMergeState): Vma | null {
  const vma = vmg.vma!;
  const prev = vmg.prev;
  const start = vmg.start;
  const end = vmg.end;
  const leftSide = start === vma.start;
  const rightSide = end === vma.end;

  vmg.state = 'nomerge';
  // A special mapping, or a range in the middle of the VMA, cannot merge.
  if ((vmg.flags & VM_SPECIAL) !== 0 || (!leftSide && !rightSide)) return null;

  const mergeLeft = leftSide ? canVmaMergeLeft(vmg) : false;
  let next: Vma | null = null;
  let mergeRight = false;
  if (rightSide) {
    const n = mm.index.lookup(vma.end);
    next = n !== null && n.start === vma.end ? n : null;
    vmg.next = next;
    mergeRight = canVmaMergeRight(vmg, mergeLeft);
  }
  if (!mergeLeft && !mergeRight) return null;

  let mergeBoth = mergeLeft && mergeRight;
  const mergeWillDeleteVma = leftSide && rightSide;
  if (mergeWillDeleteVma && !canMergeRemoveVma(vma)) return null;
  let mergeWillDeleteNext = mergeBoth;
  if (mergeWillDeleteNext && !canMergeRemoveVma(next!)) {
    mergeWillDeleteNext = false;
    mergeRight = false;
    mergeBoth = false;
  }

  mm.vmaStartWrite(vma);
  if (mergeLeft) mm.vmaStartWrite(prev!);
  if (mergeRight) mm.vmaStartWrite(next!);

  let adjust: Vma | null = null;
  let adjStart = 0;
  if (mergeBoth) {
    // prev extends over vma and next, which are deleted.
    vmg.vma = prev;
    vmg.start = prev!.start;
    vmg.end = next!.end;
    vmg.pgoff = prev!.pgoff;
    dupAnonVma(mm, prev!, next!.anonVma !== null ? next! : vma);
  } else if (mergeLeft) {
    // prev extends over the range; vma shrinks or is deleted.
    vmg.vma = prev;
    vmg.start = prev!.start;
    vmg.pgoff = prev!.pgoff;
    if (!mergeWillDeleteVma) {
      adjust = vma;
      adjStart = vmg.end - vma.start;
    }
    dupAnonVma(mm, prev!, vma);
  } else {
    // next extends down over the range; vma shrinks or is deleted.
    const pglen = (vmg.end - vmg.start) / PAGE_SIZE;
    if (mergeWillDeleteVma) {
      vmg.vma = next;
      vmg.end = next!.end;
      vmg.pgoff = next!.pgoff - pglen;
    } else {
      // The one case where the result is next rather than vmg.vma.
      vmg.start = vma.start;
      vmg.end = start;
      vmg.pgoff = vma.pgoff;
      adjust = next;
      adjStart = -(vma.end - start);
    }
    dupAnonVma(mm, next!, vma);
  }

  const expanded = !mergeRight || mergeWillDeleteVma;
  commitMerge(
    mm,
    vmg,
    adjust,
    mergeWillDeleteVma ? vma : null,
    mergeWillDeleteNext ? next : null,
    adjStart,
    expanded,
  );
  vmg.state = 'success';
  return mergeLeft ? prev : next;
}

/**
 * vma_merge_new_range(): [vmg.start, vmg.end) is about to be mapped (it is empty except for VMAs
 * being unmapped); expand prev and/or next over it when they match. vmg.prev and vmg.next must be
 * the VMAs around the range. Returns the expanded VMA, or null (vmg restored for a retry).
 */
export function vmaMergeNewRange(mm: MmState, vmg: VmaMergeState): Vma | null {
  const prev = vmg.prev;
  const next = vmg.next;
  const start = vmg.start;
  const end = vmg.end;
  const pgoff = vmg.pgoff;
  const pglen = (end - start) / PAGE_SIZE;
  const justExpand = vmg.justExpand;

  vmg.state = 'nomerge';
  if ((vmg.flags & VM_SPECIAL) !== 0 || (prev === null && next === null)) return null;

  const canMergeLeft = canVmaMergeLeft(vmg);
  const canMergeRight = !justExpand && canVmaMergeRight(vmg, canMergeLeft);

  if (canMergeRight) {
    vmg.end = next!.end;
    vmg.vma = next;
    vmg.pgoff = next!.pgoff - pglen;
  }
  if (canMergeLeft) {
    vmg.start = prev!.start;
    vmg.vma = prev;
    vmg.pgoff = prev!.pgoff;
    // Merging both would delete next; without that right, only prev expands.
    if (canMergeRight && !canMergeRemoveVma(next!)) vmg.end = end;
  }

  if (vmg.vma !== null && vmaExpand(mm, vmg) === 0) {
    vmg.state = 'success';
    return vmg.vma;
  }
  if (!justExpand) {
    vmg.vma = null;
    vmg.start = start;
    vmg.end = end;
    vmg.pgoff = pgoff;
  }
  return null;
}

/**
 * vma_expand(): grow vmg.vma to [vmg.start, vmg.end), deleting vmg.next when the new end is next's
 * end. Returns 0 (allocation failures are not modelled).
 */
export function vmaExpand(mm: MmState, vmg: VmaMergeState): number {
  const vma = vmg.vma!;
  const next = vmg.next;
  mm.vmaStartWrite(vma);
  let removeNext = false;
  if (next !== null && vma !== next && vmg.end === next.end) {
    removeNext = true;
    mm.vmaStartWrite(next);
    dupAnonVma(mm, vma, next);
  }
  commitMerge(mm, vmg, null, removeNext ? next : null, null, 0, true);
  return 0;
}

/** vma_shrink(): cut `vma` down to [start, end) (one side only). Returns 0. */
export function vmaShrink(mm: MmState, vma: Vma, start: number, end: number, pgoff: number): number {
  mm.vmaStartWrite(vma);
  if (vma.start < start) mm.index.store(vma.start, start, null);
  if (vma.end > end) mm.index.store(end, vma.end, null);
  vma.start = start;
  vma.end = end;
  vma.pgoff = pgoff;
  return 0;
}

/**
 * vma_modify(): merge the changed range with its neighbours if possible, else split it off the VMA.
 * Returns the VMA now covering exactly the range, or -errno from split_vma() (-ENOMEM at
 * vm.max_map_count, -EINVAL for a special mapping). A failure of the second split leaves the first
 * in place, as in the kernel.
 */
export function vmaModify(mm: MmState, vmg: VmaMergeState): Vma | number {
  const vma = vmg.vma!;
  const start = vmg.start;
  const end = vmg.end;
  const merged = vmaMergeExistingRange(mm, vmg);
  if (merged !== null) return merged;
  if (vma.start < start) {
    const err = splitVma(mm, vma, start, true);
    if (err !== 0) return err;
  }
  if (vma.end > end) {
    const err = splitVma(mm, vma, end, false);
    if (err !== 0) return err;
  }
  return vma;
}

/** vma_modify_flags(): [start, end) of `vma` gets new vm_flags. */
export function vmaModifyFlags(
  mm: MmState,
  prev: Vma | null,
  vma: Vma,
  start: number,
  end: number,
  flags: number,
  flagsHigh: number,
): Vma | number {
  const vmg = vmgForVma(prev, vma, start, end);
  vmg.flags = flags;
  vmg.flagsHigh = flagsHigh;
  return vmaModify(mm, vmg);
}

/** vma_modify_flags_name(): [start, end) of `vma` gets new vm_flags and anon name. */
export function vmaModifyFlagsName(
  mm: MmState,
  prev: Vma | null,
  vma: Vma,
  start: number,
  end: number,
  flags: number,
  flagsHigh: number,
  anonName: string | null,
): Vma | number {
  const vmg = vmgForVma(prev, vma, start, end);
  vmg.flags = flags;
  vmg.flagsHigh = flagsHigh;
  vmg.anonName = anonName;
  return vmaModify(mm, vmg);
}

/** vma_modify_policy(): [start, end) of `vma` gets a new memory policy. */
export function vmaModifyPolicy(
  mm: MmState,
  prev: Vma | null,
  vma: Vma,
  start: number,
  end: number,
  policy: number,
): Vma | number {
  const vmg = vmgForVma(prev, vma, start, end);
  vmg.policy = policy;
  return vmaModify(mm, vmg);
}

/**
 * vma_merge_extend(): grow `vma` by `delta` bytes at its end (mremap in place), merging with the next
 * VMA when it becomes adjacent and compatible. Returns the grown VMA or null.
 */
export function vmaMergeExtend(mm: MmState, vma: Vma, delta: number): Vma | null {
  const vmg = vmgForVma(vma, vma, vma.end, vma.end + delta);
  vmg.next = mm.index.find(vma.end);
  vmg.vma = null;
  return vmaMergeNewRange(mm, vmg);
}

/** What copy_vma() produced. */
export interface CopyVmaResult {
  /** The VMA now covering the destination. */
  readonly newVma: Vma;
  /** The source VMA (replaced when the source merged into the destination). */
  readonly vma: Vma;
  readonly needRmapLocks: boolean;
}

/**
 * copy_vma(): create the destination VMA of an mremap move at [addr, addr + len) with page offset
 * `pgoff`, merging with its new neighbours when possible. An anonymous VMA without anon_vma gets
 * pgoff = addr >> PAGE_SHIFT to improve its chance of merging; with `keepSource` (MREMAP_DONTUNMAP)
 * such a VMA may not merge with its own source. Returns null if the destination is not free.
 */
export function copyVma(
  mm: MmState,
  vma: Vma,
  addr: number,
  len: number,
  pgoff: number,
  keepSource: boolean,
): CopyVmaResult | null {
  const vmaStart = vma.start;
  let faultedInAnonVma = true;
  if (vma.isAnonymous && vma.anonVma === null) {
    pgoff = Math.floor(addr / PAGE_SIZE);
    faultedInAnonVma = false;
  }
  const vmg = vmgForVma(null, vma, addr, addr + len);
  const found = mm.index.find(addr);
  vmg.prev = mm.index.prevOf(addr);
  if (found !== null && found.start < addr + len) return null;
  vmg.vma = null;
  vmg.pgoff = pgoff;
  vmg.next = found;
  if (!faultedInAnonVma && keepSource) {
    if (vmg.prev === vma) vmg.prev = null;
    if (vmg.next === vma) vmg.next = null;
  }

  let newVma = vmaMergeNewRange(mm, vmg);
  if (newVma !== null) {
    if (vmaStart >= newVma.start && vmaStart < newVma.end) {
      // Only an unfaulted anonymous source can merge with its own destination.
      vma = newVma;
    }
    return { newVma, vma, needRmapLocks: newVma.pgoff <= vma.pgoff };
  }
  newVma = vma.clone();
  newVma.pageProt = vma.pageProt;
  newVma.start = addr;
  newVma.end = addr + len;
  newVma.pgoff = pgoff;
  vmaLink(mm, newVma);
  return { newVma, vma, needRmapLocks: false };
}

/** vma_link(): insert a new VMA into an empty range. */
export function vmaLink(mm: MmState, vma: Vma): void {
  mm.vmaStartWrite(vma);
  mm.index.insert(vma.start, vma.end, vma);
  mm.mapCount++;
}
