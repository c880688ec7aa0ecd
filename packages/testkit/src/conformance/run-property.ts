/**
 * Runs a fast-check property and turns a failure into a ConformanceFailure whose message is the
 * check's own description (what differed, recent operations) plus how to replay it, instead of
 * fast-check's generic report with the whole counterexample.
 */
import fc from 'fast-check';
import { errorText } from '../compare.js';
import { ConformanceFailure } from './failure.js';

/** Runs `property` with a fixed seed; throws ConformanceFailure on the first (shrunk) failure. */
export function runProperty<T>(
  arb: fc.Arbitrary<T>,
  body: (value: T) => void,
  params: { readonly seed: number; readonly numRuns: number; readonly shrink?: boolean },
): void {
  const details = fc.check(fc.property(arb, body), {
    seed: params.seed,
    numRuns: params.numRuns,
    endOnFailure: params.shrink === false,
  });
  if (!details.failed) return;
  const cause = details.errorInstance;
  const what =
    cause instanceof ConformanceFailure
      ? cause.message
      : cause === null
        ? 'the run was interrupted'
        : errorText(cause);
  throw new ConformanceFailure(
    `${what}\n  (fast-check seed ${details.seed}, path "${details.counterexamplePath ?? ''}", run ${details.numRuns}, shrunk ${details.numShrinks} times)`,
    { cause },
  );
}
