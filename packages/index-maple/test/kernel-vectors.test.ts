import { findSharedDir, replayKernelVectors, sharedMissingMessage } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import { createMapleIndex } from '../src/index.js';

const dir = findSharedDir('kernel-vectors');

describe.skipIf(dir === null)('kernel maple-tree vectors (check_erase2_sets, check_alloc_range)', () => {
  // RCU mode (the default) replays every set in conformance.test.ts (describeVmaIndex).
  it('replays the sets with gap-search expectations in non-RCU mode', () => {
    // The sets whose replay ends in an asserted gap search, plus set42's 32-bit address space.
    const onlySets = ['set2', 'set11', 'set16', 'set17', 'set18', 'set26', 'set28', 'set33', 'set42'];
    const report = replayKernelVectors(dir!, (o) => createMapleIndex({ ...o, rcu: false }), {
      validateEvery: 1,
      onlySets,
    });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.sets).toBe(onlySets.length);
  }, 60_000);
});

if (dir === null) {
  describe('kernel maple-tree vectors', () => {
    it.skip(sharedMissingMessage('kernel-vectors'), () => {});
  });
}
