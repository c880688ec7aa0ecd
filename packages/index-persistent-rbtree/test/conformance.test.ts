import { describeVmaIndex } from '@vmakit/testkit/conformance';
import { createPersistentRbtreeIndex } from '../src/index.js';

describeVmaIndex('persistent-rbtree', (o) => createPersistentRbtreeIndex(o), { semantics: 'snapshot' });
