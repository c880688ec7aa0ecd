import { describeVmaIndex } from '@vmakit/testkit/conformance';
import { createCowBtreeIndex } from '../src/index.js';

// The default node size (16, maple-like) gets the full suite; a tiny node size makes every
// operation split, borrow or merge nodes, so it gets the differential part again.
describeVmaIndex('cow-btree', (o) => createCowBtreeIndex(o), { semantics: 'snapshot' });
describeVmaIndex('cow-btree (4 keys per node)', (o) => createCowBtreeIndex({ ...o, maxNodeSize: 4 }), {
  semantics: 'snapshot',
  skipVectors: true,
  ops: 6_000,
  big: { count: 3_000, churn: 3_000 },
});
