/**
 * replayKernelVectors(): both vector files of a kernel-vectors folder against one index.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllocRange } from './alloc-range-format.js';
import { parseErase2Sets } from './erase2-format.js';
import { replayAllocRangeInto } from './replay-alloc-range.js';
import { replayErase2Into } from './replay-erase2.js';
import {
  type ReplayOptions,
  resolveReplayOptions,
  Tally,
  type VectorIndexFactory,
  type VectorReport,
} from './report.js';

/** Name of the erase2 traces inside the kernel-vectors folder. */
export const ERASE2_FILE = 'erase2-sets.txt';
/** Name of the alloc-range vectors inside the kernel-vectors folder. */
export const ALLOC_RANGE_FILE = 'alloc-range.txt';

/**
 * Parses `dir/erase2-sets.txt` and `dir/alloc-range.txt` and replays them against fresh indexes
 * from `factory`: every erase2 set on its own index, then the two alloc-range functions. Every
 * update is compared with the reference index, validate() runs every `opts.validateEvery` updates,
 * and every expectation in the files is checked. Throws ParseError on a malformed file; index
 * failures are counted in the report, never thrown.
 *
 * Complexity: about 33,000 updates, each O(n) to compare (n ≤ a few hundred ranges).
 */
export function replayKernelVectors(
  dir: string,
  factory: VectorIndexFactory,
  opts?: ReplayOptions,
): VectorReport {
  const { validateEvery, maxFailures } = resolveReplayOptions(opts);
  const erase2Path = join(dir, ERASE2_FILE);
  const sets = parseErase2Sets(readFileSync(erase2Path, 'utf8'), erase2Path);
  const t = new Tally(maxFailures, validateEvery);
  replayErase2Into(sets, factory, t, opts?.onlySets);
  if (opts?.allocRange ?? true) {
    const allocPath = join(dir, ALLOC_RANGE_FILE);
    replayAllocRangeInto(parseAllocRange(readFileSync(allocPath, 'utf8'), allocPath), factory, t);
  }
  return t.report();
}
