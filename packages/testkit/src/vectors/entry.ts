/**
 * The entries the kernel-vector replayer stores: the harness stores xa_mk_value(first), so each
 * entry carries the first index of the STORE (or alloc-range insert) that created it.
 */
import { allocId } from '@vmakit/core';

/** An entry of a replayed kernel vector: a fresh identity and the tag the kernel harness checks. */
export interface VectorEntry {
  readonly id: number;
  /** First index of the operation that created the entry (trimming keeps it). */
  readonly tag: number;
}

/** A new entry tagged `tag`. O(1). */
export function makeVectorEntry(tag: number): VectorEntry {
  return { id: allocId(), tag };
}
