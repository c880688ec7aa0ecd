import type { VmaIndex } from '@vmakit/core';
import { describeSnapshotSemantics, type TestEntry } from '@vmakit/testkit/conformance';
import { createPersistentRbtreeIndex } from '../src/index.js';

/** The index's private fields the shared suite needs to reach. */
interface Internals {
  readonly versions: { readers: Map<number, { root: { _count: number } }> };
  readonly tracker: { ids: Map<unknown, number> };
}
const internals = (ix: VmaIndex<TestEntry>): Internals => ix as unknown as Internals;

describeSnapshotSemantics('persistent-rbtree', (o) => createPersistentRbtreeIndex(o), {
  trackedNodeIds: (ix) => internals(ix).tracker.ids.size,
  // Miscount the root of the pinned (old) version: its size no longer matches its nodes.
  corruptPinned: (ix) => {
    const root = [...internals(ix).versions.readers.values()][0]!.root;
    root._count += 1;
    return () => {
      root._count -= 1;
    };
  },
});
