/**
 * Replays alloc-range.txt as check_alloc_range() and check_alloc_rev_range() of
 * lib/test_maple_tree.c do: each function starts from an empty tree, stores the reserved top entry
 * and the 24 ranges, runs its hole searches, then its allocation requests, each successful request
 * inserting its block so that later requests see it.
 */
import { errnoName, type VmaIndex } from '@vmakit/core';
import { entryLabel, errorText, INDEX_END } from '../compare.js';
import { ReferenceIndex } from '../reference-index.js';
import type { AllocRangeVectors, AllocStep } from './alloc-range-format.js';
import { checkAfterUpdate } from './check-step.js';
import { makeVectorEntry, type VectorEntry } from './entry.js';
import {
  type ReplayOptions,
  resolveReplayOptions,
  Tally,
  type VectorIndexFactory,
  type VectorReport,
} from './report.js';

const FILE = 'alloc-range.txt';
const INDEX_OPTIONS = { pageAligned: false } as const;

function resultText(r: number): string {
  return r < 0 ? `-${errnoName(-r)}` : String(r);
}

/** Inserts [first, endExclusive) on both sides; returns a problem or null. */
function insertBoth(
  subject: VmaIndex<VectorEntry>,
  model: VmaIndex<VectorEntry>,
  first: number,
  endExclusive: number,
): string | null {
  const entry = makeVectorEntry(first);
  model.insert(first, endExclusive, entry);
  try {
    subject.insert(first, endExclusive, entry);
  } catch (err) {
    return `insert threw ${errorText(err)}`;
  }
  return null;
}

function search(
  ix: VmaIndex<VectorEntry>,
  dir: 'fwd' | 'rev',
  min: number,
  max: number,
  size: number,
): number {
  return dir === 'fwd' ? ix.emptyArea(min, max, size) : ix.emptyAreaRev(min, max, size);
}

/** One test function (forward or reverse). */
function replayFunction(
  name: string,
  vectors: AllocRangeVectors,
  steps: readonly AllocStep[],
  factory: VectorIndexFactory,
  t: Tally,
): void {
  let subject: VmaIndex<VectorEntry>;
  try {
    subject = factory(INDEX_OPTIONS);
  } catch (err) {
    t.mismatches++;
    t.fail(`${name}: the factory threw: ${errorText(err)}`);
    return;
  }
  const model = new ReferenceIndex<VectorEntry>(INDEX_OPTIONS);
  let updates = 0;
  const update = (label: string, problem: string | null, addrs: number[]): void => {
    t.allocOps++;
    updates++;
    const validate = updates % t.validateEvery === 0;
    if (validate) t.validations++;
    const d = problem ?? checkAfterUpdate(subject, model, addrs, validate);
    if (d !== null) {
      t.mismatches++;
      t.fail(`${name} ${label}: ${d}`);
    }
  };

  // The reserved entry runs to ULONG_MAX; JavaScript indexes stop at 2^53 - 1 (exclusive end), which
  // is far above every search window in the file (max <= 2^52 - 1), so no search can tell.
  const r = vectors.reserved;
  const reservedEnd = r.last >= BigInt(INDEX_END) ? INDEX_END : Number(r.last) + 1;
  update(`(${FILE}:${r.line} RESERVED)`, insertBoth(subject, model, r.first, reservedEnd), [r.first]);
  for (const range of vectors.ranges) {
    update(
      `(${FILE}:${range.line} RANGE ${range.first} ${range.last})`,
      insertBoth(subject, model, range.first, range.last + 1),
      [range.first, range.last, range.last + 1],
    );
  }

  for (const step of steps) {
    if (step.kind === 'erase') {
      let got: VectorEntry | null = null;
      let problem: string | null = null;
      try {
        got = subject.eraseAt(step.index);
      } catch (err) {
        problem = `threw ${errorText(err)}`;
      }
      const want = model.eraseAt(step.index);
      if (problem === null && got !== want)
        problem = `erased ${entryLabel(got)}, model erased ${entryLabel(want)}`;
      update(`(${FILE}:${step.line} POST_ERASE ${step.index})`, problem, [step.index]);
      continue;
    }
    t.gapChecks++;
    t.allocChecks++;
    const label = `(${FILE}:${step.line} ${step.kind === 'hole' ? 'HOLE' : step.post ? 'POST_REQ' : 'REQ'}_${step.dir.toUpperCase()} ${step.min} ${step.max} ${step.size})`;
    let got: number;
    try {
      got = search(subject, step.dir, step.min, step.max, step.size);
    } catch (err) {
      t.gapMismatches++;
      t.fail(`${name} ${label}: threw ${errorText(err)}`);
      // Keep the model in step so later rows are still meaningful.
      if (step.kind === 'request' && step.ret === 0) {
        const m = search(model, step.dir, step.min, step.max, step.size);
        if (m >= 0) {
          const entry = makeVectorEntry(m);
          model.insert(m, m + step.size, entry);
          try {
            subject.insert(m, m + step.size, entry);
          } catch {
            // Already reported as a mismatch.
          }
        }
      }
      continue;
    }
    const want = search(model, step.dir, step.min, step.max, step.size);
    const problems: string[] = [];
    if (step.kind === 'hole') {
      if (got !== step.expectIndex) problems.push(`mas.index ${resultText(got)} != ${step.expectIndex}`);
      if (step.expectLast !== undefined && got >= 0 && got + step.size - 1 !== step.expectLast) {
        problems.push(`mas.last ${got + step.size - 1} != ${step.expectLast}`);
      }
    } else if (step.ret === 0) {
      if (got !== step.expectIndex) problems.push(`start ${resultText(got)} != ${step.expectIndex}`);
    } else if (got !== step.ret) {
      problems.push(`returned ${resultText(got)}, ${resultText(step.ret)} expected`);
    }
    if (got !== want) problems.push(`model says ${resultText(want)}, index says ${resultText(got)}`);
    if (problems.length > 0) {
      t.gapMismatches++;
      t.fail(`${name} ${label}: ${problems.join('; ')}`);
    }
    // mtree_alloc_range()/mtree_alloc_rrange() store the block where the search put it.
    if (step.kind === 'request' && want >= 0) {
      const entry = makeVectorEntry(want);
      model.insert(want, want + step.size, entry);
      let problem: string | null = null;
      try {
        subject.insert(want, want + step.size, entry);
      } catch (err) {
        problem = `insert of the allocated block threw ${errorText(err)}`;
      }
      update(`${label} insert [${want}, ${want + step.size - 1}]`, problem, [want, want + step.size]);
    }
  }
  t.validations++;
  try {
    subject.validate();
  } catch (err) {
    t.mismatches++;
    t.fail(`${name}: final validate() failed: ${errorText(err)}`);
  }
}

/** Replays parsed alloc-range vectors into an existing tally. */
export function replayAllocRangeInto(
  vectors: AllocRangeVectors,
  factory: VectorIndexFactory,
  t: Tally,
): void {
  replayFunction('check_alloc_range', vectors, vectors.forward, factory, t);
  replayFunction('check_alloc_rev_range', vectors, vectors.reverse, factory, t);
}

/**
 * Replays parsed alloc-range vectors against indexes built by `factory` (page-number index space,
 * `{ pageAligned: false }`), checking every expectation and comparing with the reference index.
 *
 * Complexity: O(steps × n), n ≈ 40 ranges.
 */
export function replayAllocRange(
  vectors: AllocRangeVectors,
  factory: VectorIndexFactory,
  opts?: ReplayOptions,
): VectorReport {
  const { validateEvery, maxFailures } = resolveReplayOptions(opts);
  const t = new Tally(maxFailures, validateEvery);
  replayAllocRangeInto(vectors, factory, t);
  return t.report();
}
