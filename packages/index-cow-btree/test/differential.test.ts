import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createCowBtreeIndex } from '../src/index.js';
import { countingProbe, opArb, probeArb, runDifferential, type TestEntry } from './differential-harness.js';

describe('cow-btree against the reference index', () => {
  for (const maxNodeSize of [4, 16]) {
    it(`agrees on every operation, query and reader answer, node size ${maxNodeSize} (validate() after each op)`, () => {
      fc.assert(
        fc.property(
          fc.array(opArb, { minLength: 1, maxLength: 60 }),
          fc.array(probeArb, { minLength: 1, maxLength: 4 }),
          (ops, probes) => {
            runDifferential<TestEntry>(
              (o) => createCowBtreeIndex<TestEntry>({ ...o, maxNodeSize }),
              ops,
              probes,
            );
          },
        ),
        { seed: 20240612 + maxNodeSize, numRuns: 300 },
      );
    }, 60_000);

    it(`agrees on long sequences, node size ${maxNodeSize}`, () => {
      fc.assert(
        fc.property(
          fc.array(opArb, { minLength: 200, maxLength: 400 }),
          fc.array(probeArb, { minLength: 1, maxLength: 4 }),
          (ops, probes) => {
            runDifferential<TestEntry>(
              (o) => createCowBtreeIndex<TestEntry>({ ...o, maxNodeSize }),
              ops,
              probes,
            );
          },
        ),
        { seed: 11 + maxNodeSize, numRuns: 20 },
      );
    }, 60_000);
  }

  it('gives the same answers with a probe attached (the probe replays descents)', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.array(probeArb, { minLength: 1, maxLength: 4 }),
        (ops, probes) => {
          const probe = countingProbe();
          runDifferential<TestEntry>(
            (o) => createCowBtreeIndex<TestEntry>({ ...o, maxNodeSize: 4 }),
            ops,
            probes,
            {
              probe,
            },
          );
        },
      ),
      { seed: 99, numRuns: 100 },
    );
  }, 60_000);
});
