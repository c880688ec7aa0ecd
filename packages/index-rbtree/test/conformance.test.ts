import { describeVmaIndex } from '@vmakit/testkit/conformance';
import { createRbtreeIndex } from '../src/index.js';

describeVmaIndex('rbtree', (o) => createRbtreeIndex(o), { semantics: 'unsafe' });
