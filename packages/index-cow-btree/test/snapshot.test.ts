import type { VmaIndex } from '@vmakit/core';
import { describeSnapshotSemantics, type TestEntry } from '@vmakit/testkit/conformance';
import { describe, expect, it } from 'vitest';
import { createCowBtreeIndex } from '../src/index.js';

/** The index's private fields the shared suite needs to reach. */
interface Internals {
  readonly versions: { readers: Map<number, { root: { keys: number[] } }> };
  readonly tracker: { ids: Map<unknown, number> };
}
const internals = (ix: VmaIndex<TestEntry>): Internals => ix as unknown as Internals;

describeSnapshotSemantics('cow-btree', (o) => createCowBtreeIndex(o), {
  trackedNodeIds: (ix) => internals(ix).tracker.ids.size,
  // Small nodes, so the pinned version has a root with several keys to disorder.
  corruptionFactory: (o) => createCowBtreeIndex({ ...o, maxNodeSize: 4 }),
  corruptPinned: (ix) => {
    const root = [...internals(ix).versions.readers.values()][0]!.root;
    const saved = root.keys[0]!;
    root.keys[0] = saved + 1;
    return () => {
      root.keys[0] = saved;
    };
  },
});

describe('cow-btree published versions', () => {
  it('published versions are frozen: the library refuses to mutate them', () => {
    const ix = createCowBtreeIndex<TestEntry>();
    ix.insert(0, 0x1000, { id: 1 });
    const published = (
      ix as unknown as { versions: { published: { set(k: number, v: unknown): void; isFrozen: boolean } } }
    ).versions.published;
    expect(published.isFrozen).toBe(true);
    expect(() => published.set(5, {})).toThrow(/frozen/);
    ix.validate();
  });
});
