/**
 * The entries the conformance suite stores. Indexes may read only `id` and the guard gaps, so plain
 * objects are enough; identity (===) is what the suite compares.
 */
import { allocId, type IndexEntry } from '@vmakit/core';

/** A conformance-test entry: an identity and an optional stack guard gap below it. */
export interface TestEntry extends IndexEntry {
  readonly id: number;
  readonly guardBelow?: number;
}

/** A fresh entry; `guardBelow` bytes of stack guard gap when non-zero. O(1). */
export function makeTestEntry(guardBelow = 0): TestEntry {
  return guardBelow > 0 ? { id: allocId(), guardBelow } : { id: allocId() };
}
