import { describeVmaIndex } from '@vmakit/testkit/conformance';
import { createSdslRbtreeIndex } from '../src/index.js';

// The whole suite: edge cases, contract errors, differential runs against the reference index
// (fixed seeds), 65,530 VMAs, lockless readers, probe reports and the kernel's maple-tree vectors
// (skipped with a message when ../shared is absent). VMAKIT_CONFORMANCE_OPS=1000000 runs a soak.
// `semantics` is what this package promises: the suite fails if the index declares otherwise.
// The generated index copies its arrays on every update (O(n)), so the big scenario is scaled
// down; give it the full 65,530 VMAs (remove `big`) once updates are O(log n).
describeVmaIndex('sdsl-rbtree', (o) => createSdslRbtreeIndex(o), {
  semantics: 'snapshot',
  big: { count: 8192, churn: 4000 },
});
