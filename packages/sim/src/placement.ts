/**
 * Where a non-fixed mmap (or a moving mremap) will put its mapping, computed before the system call
 * runs: the simulator must know which VMAs a call may merge with (and so write-lock) before it
 * executes the call atomically (see predict.ts).
 *
 * This repeats the decision of core's get_unmapped_area (packages/core/src/mm/unmapped-area.ts,
 * itself following __get_unmapped_area() of mm/mmap.c and arch_get_unmapped_area[_topdown]() of
 * arch/x86/kernel/sys_x86_64.c, v6.12) over the index's public unmappedArea(); core does not export
 * its function. The engine compares the prediction with the address the call returns and counts
 * mispredictions, so a divergence is visible, never silent.
 */
import { type FileRef, type MmStruct, PAGE_SIZE, uapi } from '@vmakit/core';

const { MAP_32BIT, MAP_ABOVE4G, MAP_FIXED, MAP_SHARED } = uapi;
const PMD_SIZE = 2 * 1024 * 1024;
const SIZE_4G = 4 * 1024 * 1024 * 1024;

/** Does [addr, addr + len) fit below the next VMA's guard gap? */
function fitsBelowNext(mm: MmStruct, addr: number, len: number): boolean {
  const vma = mm.index.find(addr);
  return vma === null || addr + len <= Math.max(0, vma.start - vma.guardBelow);
}

function search(mm: MmStruct, topDown: boolean, len: number, low: number, high: number, off: number): number {
  return mm.index.unmappedArea({
    length: len,
    lowLimit: Math.max(low, mm.mmapMinAddr),
    highLimit: high,
    alignMask: 0,
    alignOffset: off,
    startGap: 0,
    topDown,
  });
}

function bottomUp(mm: MmStruct, addr: number, len: number, pgoff: number, flags: number): number {
  if ((flags & MAP_FIXED) !== 0) return addr;
  let begin = mm.mmapLegacyBase;
  let end = mm.taskSize;
  if ((flags & MAP_32BIT) !== 0) {
    begin = 0x40000000;
    end = 0x80000000;
  }
  if (len > end) return -1;
  if (addr !== 0) {
    const a = addr % PAGE_SIZE === 0 ? addr : addr + (PAGE_SIZE - (addr % PAGE_SIZE));
    if (end - len >= a && fitsBelowNext(mm, a, len)) return a;
  }
  return search(mm, false, len, begin, end, pgoff * PAGE_SIZE);
}

function topDownArea(mm: MmStruct, addr0: number, len: number, pgoff: number, flags: number): number {
  if (len > mm.taskSize) return -1;
  if ((flags & MAP_FIXED) !== 0) return addr0;
  if ((flags & MAP_32BIT) === 0) {
    if (addr0 !== 0) {
      const a = addr0 - (addr0 % PAGE_SIZE);
      if (!(mm.taskSize - len < a) && fitsBelowNext(mm, a, len)) return a;
    }
    const low = (flags & MAP_ABOVE4G) !== 0 ? SIZE_4G : PAGE_SIZE;
    const found = search(mm, true, len, low, mm.mmapBase, pgoff * PAGE_SIZE);
    if (found >= 0) return found;
  }
  return bottomUp(mm, addr0, len, pgoff, flags);
}

function layoutArea(mm: MmStruct, addr: number, len: number, pgoff: number, flags: number): number {
  return mm.topDown ? topDownArea(mm, addr, len, pgoff, flags) : bottomUp(mm, addr, len, pgoff, flags);
}

function thpArea(mm: MmStruct, addr: number, len: number, pgoff: number, flags: number): number {
  const off = pgoff * PAGE_SIZE;
  const offEnd = off + len;
  const offAlign = Math.ceil(off / PMD_SIZE) * PMD_SIZE;
  if (!(offEnd <= offAlign || offEnd - offAlign < PMD_SIZE)) {
    const ret = layoutArea(mm, addr, len + PMD_SIZE, Math.floor(off / PAGE_SIZE), flags);
    if (ret >= 0) {
      if (ret === addr) return addr;
      const offSub = (((off - ret) % PMD_SIZE) + PMD_SIZE) % PMD_SIZE;
      if (mm.topDown && offSub === 0) return ret + PMD_SIZE;
      return ret + offSub;
    }
  }
  return layoutArea(mm, addr, len, pgoff, flags);
}

/**
 * The address a non-fixed mmap of `len` bytes (already page aligned, non-zero) with hint `addr`
 * (already rounded as do_mmap does) will get, or -1 when the search fails. O(gap searches).
 */
export function predictPlacement(
  mm: MmStruct,
  file: FileRef | null,
  addr: number,
  len: number,
  pgoff: number,
  flags: number,
): number {
  if (len > mm.taskSize) return -1;
  const shmem = file !== null ? file.shmem === true : (flags & MAP_SHARED) !== 0;
  const fileThp = file !== null && !shmem && mm.fileThpAlign;
  if (file === null) pgoff = 0;
  let r: number;
  if (shmem) r = layoutArea(mm, addr, len, pgoff, flags);
  else if (fileThp) r = thpArea(mm, addr, len, pgoff, flags);
  else if (mm.thp && addr === 0 && len % PMD_SIZE === 0) r = thpArea(mm, addr, len, pgoff, flags);
  else r = layoutArea(mm, addr, len, pgoff, flags);
  if (r < 0 || r > mm.taskSize - len || r % PAGE_SIZE !== 0) return -1;
  return r;
}
