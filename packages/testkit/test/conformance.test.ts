import { describeVmaIndex } from '../src/conformance/index.js';
import { createReferenceIndex } from '../src/index.js';

// The reference index does not model memory traffic, so its probe checks are skipped here; the
// probe check itself is exercised on a probing wrapper in conformance-selftest.test.ts.
// Its updates copy the arrays (O(n)), so the big scenario is scaled down for it.
describeVmaIndex('reference', (o) => createReferenceIndex(o), {
  skipProbe: true,
  big: { count: 8192, churn: 4000 },
});
