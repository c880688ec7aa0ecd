/**
 * What a system call will lock, decided before it runs.
 *
 * The simulator executes each system call's VMA and page-table changes atomically at one instant
 * (MmStruct is synchronous), but the kernel's writer first takes the mmap lock, then write-locks each
 * VMA it will change (vma_start_write(): down_write on the VMA's lock, which waits for the faults
 * holding it for reading, then vm_lock_seq = mm_lock_seq), and takes each PTE table's lock while it
 * zaps or changes PTEs. The engine reproduces that ordering with this plan: it write-locks the
 * planned VMAs and takes the planned PTE-table locks before executing the call.
 *
 * The plan is a superset of what the call touches: every VMA intersecting the range plus the
 * neighbours a merge could change (adjacent to the range, or to the predicted placement of a
 * non-fixed mmap). Extra VMAs only make the writer wait a little longer. If the call marks a VMA the
 * plan missed while a fault holds it, the engine counts an `engine_conflict` (never hidden).
 */
import { type FileRef, type MmStruct, PAGE_SIZE, uapi, VM_MAYSHARE, type Vma } from '@vmakit/core';
import { predictPlacement } from './placement.js';
import type { SyscallOp } from './syscall-op.js';

const {
  MADV_COLD,
  MADV_COLLAPSE,
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_REMOVE,
  MADV_WILLNEED,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_SHARED,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
} = uapi;

/** What the writer locks before executing a call. */
export interface WritePlan {
  /** mmap_lock for writing (false: madvise advice handled under the read lock). */
  readonly write: boolean;
  /** The kernel downgrades to the read lock before zapping (munmap, brk shrink, mremap shrink). */
  readonly downgrade: boolean;
  /** VMAs to write-lock first, in address order. */
  readonly vmas: readonly Vma[];
  /** Flat [start, end) pairs whose existing PTE tables' locks the call takes. */
  readonly ranges: readonly number[];
  /** Predicted address of a non-fixed mmap (-1 when none or not applicable). */
  readonly placement: number;
}

/**
 * madvise_need_mmap_write() (mm/madvise.c v6.12; core's madvise.ts): advice that only looks at page
 * tables runs under the read lock.
 */
export function madviseUnderReadLock(advice: number): boolean {
  switch (advice) {
    case MADV_REMOVE:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_FREE:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
    case MADV_COLLAPSE:
      return true;
    default:
      return false;
  }
}

const MAX = Number.MAX_SAFE_INTEGER;

function pageUp(x: number): number {
  const r = Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
  return Math.min(r, MAX);
}

function sane(...xs: number[]): boolean {
  return xs.every((x) => Number.isSafeInteger(x) && x >= 0);
}

/** Collects VMAs once each. */
class VmaSet {
  readonly list: Vma[] = [];
  private readonly seen = new Set<Vma>();
  add(v: Vma | null): void {
    if (v !== null && !this.seen.has(v)) {
      this.seen.add(v);
      this.list.push(v);
    }
  }
}

/** VMAs intersecting [lo, hi), and with `neighbours` the ones adjacent to lo and hi. */
function around(mm: MmStruct, set: VmaSet, lo: number, hi: number, neighbours: boolean): void {
  if (!(lo < hi)) return;
  mm.index.forEach(lo, hi, (_s, _e, v) => {
    set.add(v);
    return undefined;
  });
  if (neighbours) {
    const prev = mm.index.prevOf(lo);
    if (prev !== null && prev.end === lo) set.add(prev);
    const next = mm.index.nextOf(hi);
    if (next !== null && next.start === hi) set.add(next);
  }
}

function plan(set: VmaSet, ranges: number[], write = true, downgrade = false, placement = -1): WritePlan {
  const vmas = set.list.sort((a, b) => a.start - b.start);
  return { write, downgrade, vmas, ranges, placement };
}

/** The plan of `op` against the current state of `mm`. Never throws; O(VMAs in range + log n). */
export function planSyscall(mm: MmStruct, op: SyscallOp): WritePlan {
  const set = new VmaSet();
  switch (op.op) {
    case 'mmap': {
      if (!sane(op.addr, op.len) || op.len === 0) return plan(set, []);
      const len = pageUp(op.len);
      if ((op.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0) {
        const lo = op.addr;
        around(mm, set, lo, Math.min(MAX, lo + len), true);
        return plan(set, [lo, Math.min(MAX, lo + len)]);
      }
      // do_mmap(): round_hint_to_min(), then get_unmapped_area().
      let hint = op.addr - (op.addr % PAGE_SIZE);
      if (hint !== 0 && hint < mm.mmapMinAddr) hint = pageUp(mm.mmapMinAddr);
      const file: FileRef | null = (op.flags & MAP_ANONYMOUS) !== 0 ? null : (op.file ?? null);
      const p = predictPlacement(mm, file, hint, len, op.pgoff ?? 0, op.flags);
      if (p >= 0) around(mm, set, p, p + len, true);
      return plan(set, [], true, false, p);
    }
    case 'munmap': {
      if (!sane(op.addr, op.len)) return plan(set, []);
      const hi = Math.min(MAX, op.addr + pageUp(op.len));
      around(mm, set, op.addr, hi, false);
      return plan(set, [op.addr, hi], true, true);
    }
    case 'mprotect': {
      if (!sane(op.addr, op.len)) return plan(set, []);
      const hi = Math.min(MAX, op.addr + pageUp(op.len));
      around(mm, set, op.addr, hi, true);
      return plan(set, [op.addr, hi]);
    }
    case 'madvise': {
      if (!sane(op.addr, op.len)) return plan(set, [], !madviseUnderReadLock(op.advice));
      const hi = Math.min(MAX, op.addr + pageUp(op.len));
      const write = !madviseUnderReadLock(op.advice);
      if (write) around(mm, set, op.addr, hi, true);
      return plan(set, [op.addr, hi], write);
    }
    case 'brk': {
      if (!sane(op.brk)) return plan(set, []);
      const oldTop = pageUp(mm.brkValue);
      const newTop = pageUp(op.brk);
      if (newTop < oldTop) {
        around(mm, set, newTop, oldTop, false);
        return plan(set, [newTop, oldTop], true, true);
      }
      if (newTop > oldTop) around(mm, set, oldTop, newTop, true);
      return plan(set, []);
    }
    case 'mremap': {
      if (!sane(op.addr, op.oldLen, op.newLen)) return plan(set, []);
      const oldLen = pageUp(op.oldLen);
      const newLen = pageUp(op.newLen);
      const oldEnd = Math.min(MAX, op.addr + oldLen);
      around(mm, set, op.addr, oldEnd, true);
      const ranges = [op.addr, oldEnd];
      let placement = -1;
      if ((op.flags & MREMAP_FIXED) !== 0 && op.newAddr !== undefined && sane(op.newAddr)) {
        const nEnd = Math.min(MAX, op.newAddr + newLen);
        around(mm, set, op.newAddr, nEnd, true);
        ranges.push(op.newAddr, nEnd);
      } else if (newLen > oldLen) {
        around(mm, set, oldEnd, Math.min(MAX, op.addr + newLen), true);
        const vma = mm.index.lookup(op.addr);
        if ((op.flags & MREMAP_MAYMOVE) !== 0 && vma !== null) {
          // mremap_to()/move_vma(): get_unmapped_area(vma->vm_file, 0, new_len, pgoff, MAP_SHARED if
          // the VMA may be shared).
          const mapFlags = (vma.flags & VM_MAYSHARE) !== 0 ? MAP_SHARED : 0;
          const pgoff = vma.pgoff + Math.floor((op.addr - vma.start) / PAGE_SIZE);
          placement = predictPlacement(mm, vma.file, 0, newLen, pgoff, mapFlags);
          if (placement >= 0) {
            around(mm, set, placement, placement + newLen, true);
            ranges.push(placement, placement + newLen);
          }
        }
      }
      const downgrade = newLen < oldLen && (op.flags & MREMAP_FIXED) === 0;
      return plan(set, ranges, true, downgrade, placement);
    }
  }
}
