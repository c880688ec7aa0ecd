/**
 * unmapped_area() and unmapped_area_topdown() of mm/mmap.c (v6.12), written over the index's raw
 * gap search (mas_empty_area / mas_empty_area_rev) and neighbour queries, so that any index can
 * offer the kernel's placement semantics without modelling guard gaps itself.
 *
 * The kernel asks for a raw gap of length + align_mask + start_gap, aligns inside it, then checks the
 * stack guard gap of the VMA above (or the end gap of the VMA below) and retries with tightened
 * limits when the guard would be violated. Each retry strictly narrows [low, high), so it ends.
 */
import { ENOMEM } from './errno.js';
import type { IndexEntry, UnmappedAreaRequest, VmaIndex } from './vma-index.js';

/** Top of the index space used when a search is unbounded. */
const INDEX_MAX = Number.MAX_SAFE_INTEGER;

interface Neighbour<E> {
  start: number;
  end: number;
  entry: E;
}

function nextRange<E extends IndexEntry>(index: VmaIndex<E>, addr: number): Neighbour<E> | null {
  let found: Neighbour<E> | null = null;
  index.forEach(addr, INDEX_MAX, (start, end, entry) => {
    if (start >= addr) {
      found = { start, end, entry };
      return true;
    }
    return undefined;
  });
  return found;
}

function prevRange<E extends IndexEntry>(index: VmaIndex<E>, addr: number): Neighbour<E> | null {
  let found: Neighbour<E> | null = null;
  index.forEachReverse(0, addr, (start, end, entry) => {
    if (end <= addr) {
      found = { start, end, entry };
      return true;
    }
    return undefined;
  });
  return found;
}

/** vm_start_gap(): the range's start less its guard gap, floored at 0. */
function startGapOf(n: Neighbour<IndexEntry>): number {
  return Math.max(0, n.start - (n.entry.guardBelow ?? 0));
}

/** vm_end_gap(): the range's end plus its guard gap. */
function endGapOf(n: Neighbour<IndexEntry>): number {
  return n.end + (n.entry.guardAbove ?? 0);
}

/** `(a) & mask` for a mask of the form 2^k - 1, on unsigned 64-bit semantics. */
function maskMod(a: number, mask: number): number {
  if (mask === 0) return 0;
  const m = mask + 1;
  return ((a % m) + m) % m;
}

/**
 * The kernel's gap search over any index: bottom-up (unmapped_area) or top-down
 * (unmapped_area_topdown). Returns the address or -ENOMEM.
 *
 * Complexity: each attempt costs one emptyArea search plus two neighbour lookups; attempts repeat
 * only when a stack guard gap intrudes (rare).
 */
export function unmappedAreaVia<E extends IndexEntry>(index: VmaIndex<E>, req: UnmappedAreaRequest): number {
  const alignMask = req.alignMask ?? 0;
  const alignOffset = req.alignOffset ?? 0;
  const startGap = req.startGap ?? 0;
  const length = req.length + alignMask + startGap;
  let low = req.lowLimit;
  let high = req.highLimit;

  for (;;) {
    if (high <= low || high - low < length) return -ENOMEM;
    if (!req.topDown) {
      const at = index.emptyArea(low, high - 1, length);
      if (at < 0) return -ENOMEM;
      let gap = at + startGap;
      gap += maskMod(alignOffset - gap, alignMask);
      const next = nextRange(index, at);
      if (next !== null && (next.entry.guardBelow ?? 0) > 0) {
        if (startGapOf(next) < gap + length - 1) {
          low = next.end;
          continue;
        }
      } else {
        const prev = prevRange(index, at);
        if (prev !== null && endGapOf(prev) > gap) {
          low = endGapOf(prev);
          continue;
        }
      }
      return gap;
    }

    const at = index.emptyAreaRev(low, high - 1, length);
    if (at < 0) return -ENOMEM;
    const gapEnd = at + length;
    let gap = gapEnd - req.length;
    gap -= maskMod(gap - alignOffset, alignMask);
    const next = nextRange(index, gapEnd);
    if (next !== null && (next.entry.guardBelow ?? 0) > 0) {
      if (startGapOf(next) < gapEnd) {
        high = startGapOf(next);
        continue;
      }
    } else {
      const prev = prevRange(index, at);
      if (prev !== null && endGapOf(prev) > gap) {
        high = prev.start;
        continue;
      }
    }
    return gap;
  }
}
