/**
 * The entry every benchmarked structure stores: a minimal VMA (identity, range, guard gaps). The
 * indexes read only `id` and the guard gaps; the raw-library baselines read `start` to answer
 * vma_lookup(). One class, so every structure sees objects of one shape.
 */
import { allocId, type IndexEntry } from '@vmakit/core';

/** A VMA as the benchmarks store it. */
export class BenchVma implements IndexEntry {
  /** Identity from the core's counter (cache-line key of a cost model). */
  readonly id: number = allocId();

  constructor(
    /** vm_start. */
    readonly start: number,
    /** vm_end (exclusive). */
    readonly end: number,
    /** Stack guard gap below the VMA (VM_GROWSDOWN stacks), else 0. */
    readonly guardBelow: number = 0,
    /** Always 0 on x86 (no VM_GROWSUP). */
    readonly guardAbove: number = 0,
  ) {}
}
