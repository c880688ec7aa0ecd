import { describeVmaIndex } from '@vmakit/testkit/conformance';
import { createMapleIndex } from '../src/index.js';

// RCU mode, the VMA tree's mode since v6.4 and this package's default: the full suite.
describeVmaIndex('maple', (o) => createMapleIndex(o), { semantics: 'rcu' });

// Non-RCU mode: nodes rewritten in place, unsafe lockless reads. The kernel vectors are replayed
// in this mode by kernel-vectors.test.ts (the sets with gap-search expectations).
describeVmaIndex('maple (non-RCU)', (o) => createMapleIndex({ ...o, rcu: false }), {
  semantics: 'unsafe',
  skipVectors: true,
  ops: 15_000,
});
