/**
 * Differential testing against the reference index: fast-check generates operation sequences for a
 * profile; each runs on a fresh subject and reference in lockstep (see Mirror), then every range is
 * erased again so the structure also shrinks back to empty.
 */
import type { IndexFactory } from '@vmakit/core';
import fc from 'fast-check';
import { Mirror } from './mirror.js';
import { type Op, opArb, runOp } from './ops.js';
import type { Profile } from './profiles.js';
import { runProperty } from './run-property.js';

/** Longest generated sequence; longer budgets add runs, not length. */
export const MAX_SEQUENCE = 400;

/** Options of checkDifferential. */
export interface DifferentialOptions {
  readonly profile: Profile;
  readonly seed: number;
  /** Approximate number of generated operations across all runs. */
  readonly ops: number;
  /** Let fast-check shrink a failing sequence (default true). */
  readonly shrink?: boolean;
  /** Name used in failure messages. */
  readonly name?: string;
}

/** What a differential check did. */
export interface DifferentialResult {
  readonly runs: number;
  /** Operations executed, including the final drain of every run. */
  readonly ops: number;
}

/** Runs one generated sequence; throws ConformanceFailure on the first difference. */
export function runSequence(
  factory: IndexFactory,
  profile: Profile,
  ops: readonly Op[],
  context: string,
): number {
  const m = new Mirror(factory, profile.options, context);
  let executed = 0;
  for (const op of ops) {
    runOp(m, profile, op);
    executed++;
  }
  while (m.depth > 0) m.publish();
  // Drain: erase every range, picking positions spread over the index so that nodes empty unevenly.
  for (let k = 0; m.size > 0; k++) {
    const r = m.rangeAt((k * 7919) % m.size);
    m.eraseAt(r.start);
    executed++;
  }
  m.point(0);
  return executed;
}

/**
 * Generates about `ops` operations for the profile, in runs of up to MAX_SEQUENCE, and checks each
 * run against the reference. Throws ConformanceFailure (with the fast-check seed and path) on failure.
 *
 * Complexity: O(ops × n) where n ≤ a few hundred ranges per run (every update compares contents).
 */
export function checkDifferential(factory: IndexFactory, options: DifferentialOptions): DifferentialResult {
  const { profile, seed } = options;
  const numRuns = Math.max(1, Math.ceil(options.ops / (MAX_SEQUENCE / 2)));
  let executed = 0;
  let runs = 0;
  const context = `${options.name ?? 'index'} [${profile.name}, seed ${seed}]`;
  const arb = fc.oneof(
    fc.array(opArb(profile, false), { minLength: 1, maxLength: MAX_SEQUENCE, size: 'max' }),
    fc.array(opArb(profile, true), { minLength: 1, maxLength: MAX_SEQUENCE, size: 'max' }),
  );
  runProperty(
    arb,
    (ops) => {
      runs++;
      executed += runSequence(factory, profile, ops, context);
    },
    { seed, numRuns, shrink: options.shrink },
  );
  return { runs, ops: executed };
}
