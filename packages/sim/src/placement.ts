/**
 * Where a non-fixed mmap (or a moving mremap) will put its mapping, computed before the system call
 * runs: the simulator must know which VMAs a call may merge with (and so write-lock) before it
 * executes the call atomically (see predict.ts). The decision is core's get_unmapped_area(); the
 * engine compares the prediction with the address the call returns and counts mispredictions.
 */
import { type FileRef, getUnmappedArea, type MmStruct } from '@vmakit/core';

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
  const r = getUnmappedArea(mm, file, addr, len, pgoff, flags);
  return r < 0 ? -1 : r;
}
