import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createPersistentRbtreeIndex } from '../src/index.js';
import { countingProbe, opArb, probeArb, runDifferential, type TestEntry } from './differential-harness.js';

describe('persistent-rbtree against the reference index', () => {
  it('agrees on every operation, query and reader answer (validate() after each op)', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        fc.array(probeArb, { minLength: 1, maxLength: 4 }),
        (ops, probes) => {
          runDifferential<TestEntry>((o) => createPersistentRbtreeIndex<TestEntry>(o), ops, probes);
        },
      ),
      { seed: 20240611, numRuns: 300 },
    );
  }, 60_000);

  it('agrees on long sequences', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 200, maxLength: 400 }),
        fc.array(probeArb, { minLength: 1, maxLength: 4 }),
        (ops, probes) => {
          runDifferential<TestEntry>((o) => createPersistentRbtreeIndex<TestEntry>(o), ops, probes);
        },
      ),
      { seed: 7, numRuns: 20 },
    );
  }, 60_000);

  it('gives the same answers with a probe attached (the probe replays descents)', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.array(probeArb, { minLength: 1, maxLength: 4 }),
        (ops, probes) => {
          const probe = countingProbe();
          runDifferential<TestEntry>((o) => createPersistentRbtreeIndex<TestEntry>(o), ops, probes, {
            probe,
          });
        },
      ),
      { seed: 98, numRuns: 100 },
    );
  }, 60_000);
});
