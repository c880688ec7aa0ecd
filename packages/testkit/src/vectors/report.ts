/**
 * What a kernel-vector replay found. Counter names follow the brief's snake_case so that reports
 * can be printed as JSON next to the README's numbers.
 */
import type { IndexOptions, VmaIndex } from '@vmakit/core';
import type { VectorEntry } from './entry.js';

/** Builds a fresh, empty index for one set or one alloc-range function. */
export type VectorIndexFactory = (options?: IndexOptions) => VmaIndex<VectorEntry>;

/** Options of the replayers. */
export interface ReplayOptions {
  /** Run validate() after every k-th operation (and always at the end of a set). Default 1. */
  readonly validateEvery?: number;
  /** How many failure descriptions to keep. Default 20. */
  readonly maxFailures?: number;
  /** Replay only these erase2 sets (by name); default all. */
  readonly onlySets?: readonly string[];
  /** Replay alloc-range.txt too (default true; replayKernelVectors only). */
  readonly allocRange?: boolean;
}

/** Counts for one erase2 set. */
export interface VectorSetReport {
  readonly name: string;
  readonly flags: string;
  readonly ops: number;
  readonly mismatches: number;
  readonly gap_checks: number;
  readonly gap_mismatches: number;
  readonly assertions: number;
  readonly assertion_failures: number;
  /** Ranges in the tree after the set's last step. */
  readonly final_size: number;
}

/** The result of replaying the kernel vectors against one index. */
export interface VectorReport {
  /** erase2 sets replayed. */
  readonly sets: number;
  /** erase2 triplets applied (STORE + SNULL + ERASE). */
  readonly ops: number;
  /** Operations (erase2 triplets, set13's extra erase, alloc-range inserts and erases) whose result
   * disagreed with the model, that threw, whose validate() failed, or whose ERASE tag check failed;
   * plus unasserted searches that disagreed with the model. */
  readonly mismatches: number;
  /** Gap searches with an expected result: erase2 EMPTY_AREA(_REV) rows + alloc-range checks. */
  readonly gap_checks: number;
  /** Gap searches whose result broke the file's expectation or disagreed with the model. */
  readonly gap_mismatches: number;
  /** erase2 '# ASSERT_*' checks run. */
  readonly assertions: number;
  /** erase2 '# ASSERT_*' checks that failed. */
  readonly assertion_failures: number;
  /** Triplets by kind. */
  readonly triplets: { readonly STORE: number; readonly SNULL: number; readonly ERASE: number };
  /** erase2 share of gap_checks. */
  readonly erase2_gap_checks: number;
  /** alloc-range share of gap_checks (hole searches, requests, the post-erase request). */
  readonly alloc_checks: number;
  /** alloc-range updates applied (stored ranges, successful requests, erases). */
  readonly alloc_ops: number;
  /** Steps that are neither triplets nor expectations (set13's extra erase and search). */
  readonly extra_ops: number;
  /** validate() cadence used. */
  readonly validate_every: number;
  /** validate() calls made. */
  readonly validations: number;
  readonly per_set: readonly VectorSetReport[];
  /** The first `maxFailures` failure descriptions (set, op number, file line, detail). */
  readonly failures: readonly string[];
  /** True when nothing failed. */
  readonly ok: boolean;
}

/** Mutable counters shared by the two replayers. */
export class Tally {
  sets = 0;
  ops = 0;
  mismatches = 0;
  gapChecks = 0;
  gapMismatches = 0;
  assertions = 0;
  assertionFailures = 0;
  triplets = { STORE: 0, SNULL: 0, ERASE: 0 };
  erase2GapChecks = 0;
  allocChecks = 0;
  allocOps = 0;
  extraOps = 0;
  validations = 0;
  readonly perSet: VectorSetReport[] = [];
  readonly failures: string[] = [];

  constructor(
    readonly maxFailures: number,
    readonly validateEvery: number,
  ) {}

  fail(description: string): void {
    if (this.failures.length < this.maxFailures) this.failures.push(description);
  }

  report(): VectorReport {
    return {
      sets: this.sets,
      ops: this.ops,
      mismatches: this.mismatches,
      gap_checks: this.gapChecks,
      gap_mismatches: this.gapMismatches,
      assertions: this.assertions,
      assertion_failures: this.assertionFailures,
      triplets: { ...this.triplets },
      erase2_gap_checks: this.erase2GapChecks,
      alloc_checks: this.allocChecks,
      alloc_ops: this.allocOps,
      extra_ops: this.extraOps,
      validate_every: this.validateEvery,
      validations: this.validations,
      per_set: this.perSet.slice(),
      failures: this.failures.slice(),
      ok: this.mismatches === 0 && this.gapMismatches === 0 && this.assertionFailures === 0,
    };
  }
}

/** Resolves the cadence and failure cap, rejecting nonsense. */
export function resolveReplayOptions(opts: ReplayOptions | undefined): {
  validateEvery: number;
  maxFailures: number;
} {
  const validateEvery = opts?.validateEvery ?? 1;
  const maxFailures = opts?.maxFailures ?? 20;
  if (!Number.isInteger(validateEvery) || validateEvery < 1) {
    throw new RangeError(`validateEvery must be a positive integer, got ${validateEvery}`);
  }
  if (!Number.isInteger(maxFailures) || maxFailures < 0) {
    throw new RangeError(`maxFailures must be a non-negative integer, got ${maxFailures}`);
  }
  return { validateEvery, maxFailures };
}
