import { describeVmaIndex } from '@vmakit/testkit/conformance';
import { createSdslRbtreeIndex } from '../src/index.js';

// The whole suite at full size (updates are O(log n)): edge cases, contract errors, differential
// runs against the reference index (fixed seeds), 65,530 VMAs, lockless readers (`unsafe`: a lookup
// during an open update misses), probe reports and the kernel's maple-tree vectors.
describeVmaIndex('sdsl-rbtree', (o) => createSdslRbtreeIndex(o), { semantics: 'unsafe' });
