/**
 * The suite can fail: deliberately broken indexes are run through the suite's check functions
 * (not describeVmaIndex, which would register failing tests) and each must be caught. Correct
 * variants of the reader semantics must pass, so the checks are not stricter than the contract.
 */
import type { IndexEntry, IndexOptions } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import {
  CONTRACT_ERRORS,
  checkBigSequential,
  checkDifferential,
  checkProbe,
  checkReaderSemantics,
  EDGE_CASES,
  PROFILES,
} from '../src/conformance/index.js';
import { findSharedDir, replayKernelVectors, sharedMissingMessage } from '../src/index.js';
import {
  BogusRetire,
  CarelessRemove,
  CurrentRcu,
  EagerPublish,
  ForgetfulStore,
  LaxInsert,
  LeakySnapshot,
  LowGapRev,
  MiscountingStats,
  MissingUnsafe,
  OffByOneFind,
  SilentLookup,
  StaleUnsafe,
} from './helpers/broken-indexes.js';
import { factoryOf, ProbingIndex, type WrappedIndex } from './helpers/wrapped-index.js';

type Ctor = new <E extends IndexEntry>(o?: IndexOptions) => WrappedIndex<E>;
const f = (C: Ctor) => factoryOf(<E extends IndexEntry>(o?: IndexOptions) => new C<E>(o));

const scenario = (list: typeof EDGE_CASES, prefix: string) => {
  const s = list.find((x) => x.name.startsWith(prefix));
  if (s === undefined) throw new Error(`no scenario '${prefix}'`);
  return s;
};

const diff =
  (C: Ctor, profile = 0) =>
  () =>
    checkDifferential(f(C), { profile: PROFILES[profile]!, seed: 7, ops: 3000, shrink: false, name: C.name });

const vectorsDir = findSharedDir('kernel-vectors');

describe('the conformance checks catch broken indexes', { timeout: 120_000 }, () => {
  it('a find() that is off by one', () => {
    expect(diff(OffByOneFind)).toThrow(/find\(/);
    expect(() => scenario(EDGE_CASES, 'one VMA').run(f(OffByOneFind), 'off-by-one')).toThrow(/find\(/);
  });

  it('a store() that forgets to trim straddling ranges', () => {
    expect(diff(ForgetfulStore)).toThrow(/contents differ|store/);
    expect(() => scenario(EDGE_CASES, 'store in the middle').run(f(ForgetfulStore), 'forgetful')).toThrow();
    expect(() =>
      checkBigSequential(f(ForgetfulStore), { seed: 1, count: 500, churn: 500, checkEvery: 100 }),
    ).toThrow(/lookup|contents/);
  });

  it.skipIf(vectorsDir === null)(
    vectorsDir === null
      ? `kernel vectors: ${sharedMissingMessage('kernel-vectors')}`
      : 'the kernel vectors catch a forgetful store and a low gap search',
    () => {
      const forgetful = replayKernelVectors(vectorsDir!, f(ForgetfulStore), {
        allocRange: false,
        maxFailures: 3,
      });
      expect(forgetful.mismatches).toBeGreaterThan(0);
      expect(forgetful.failures.length).toBe(3);
      expect(forgetful.failures[0]).toMatch(/^set\d* op #\d+ \(erase2-sets\.txt:\d+ (STORE|SNULL|ERASE) /);
      expect(forgetful.ok).toBe(false);
      const gapSets = ['set11', 'set16', 'set17', 'set18', 'set26', 'set28', 'set33', 'set42'];
      const low = replayKernelVectors(vectorsDir!, f(LowGapRev), { onlySets: gapSets });
      expect(low.mismatches).toBe(0);
      expect(low.gap_mismatches).toBeGreaterThanOrEqual(8);
      expect(low.failures.some((x) => x.includes('EMPTY_AREA_REV'))).toBe(true);
    },
    120_000,
  );

  it('an emptyAreaRev() that is off by one', () => {
    expect(diff(LowGapRev)).toThrow(/emptyAreaRev|unmappedArea/);
    expect(() => scenario(EDGE_CASES, 'one VMA').run(f(LowGapRev), 'low')).toThrow(/emptyAreaRev/);
  });

  it('an insert() that overwrites instead of rejecting overlaps', () => {
    expect(() => scenario(CONTRACT_ERRORS, 'an overlapping insert').run(f(LaxInsert), 'lax')).toThrow(
      /IndexContractError expected/,
    );
    expect(diff(LaxInsert)).toThrow(/IndexContractError/);
  });

  it('a remove() that ignores the entry or throws the wrong error', () => {
    expect(() => scenario(CONTRACT_ERRORS, 'remove of an absent').run(f(CarelessRemove), 'careless')).toThrow(
      /IndexContractError expected/,
    );
  });

  it('stats() that miscounts', () => {
    expect(diff(MiscountingStats)).toThrow(/stats\(\)\.entries/);
  });

  it('readers that break the declared semantics', () => {
    const readers = (C: Ctor) => () =>
      checkReaderSemantics(f(C), {
        semantics: new C().semantics,
        seed: 3,
        runs: 30,
        shrink: false,
        name: C.name,
      });
    expect(readers(LeakySnapshot)).toThrow(/snapshot/);
    expect(readers(StaleUnsafe)).toThrow(/unsafe/);
    expect(readers(EagerPublish)).toThrow(/inner publish/);
    expect(() =>
      checkReaderSemantics(f(CurrentRcu), { semantics: 'snapshot', seed: 3, runs: 5, shrink: false }),
    ).toThrow(/declares semantics 'rcu'/);
  });

  it('probes that retire unknown ids or report no reads', () => {
    expect(() => checkProbe(f(BogusRetire), 5)).toThrow(/retire\(/);
    expect(() => checkProbe(f(SilentLookup), 5)).toThrow(/lookup.*no read/);
  });
});

describe('correct variants pass the same checks', { timeout: 120_000 }, () => {
  it('the reference with probe reports passes the probe check', () => {
    const r = checkProbe(f(ProbingIndex), 5);
    expect(r.reads).toBeGreaterThan(0);
    expect(r.writes).toBeGreaterThan(0);
    expect(r.allocs).toBeGreaterThan(r.live);
    expect(r.retires).toBeGreaterThan(0);
  });

  it('an unsafe index whose readers miss during updates passes', () => {
    const r = checkReaderSemantics(f(MissingUnsafe), { semantics: 'unsafe', seed: 3, runs: 30 });
    expect(r.queries).toBeGreaterThan(0);
  });

  it('an rcu index whose readers see the current state passes', () => {
    const r = checkReaderSemantics(f(CurrentRcu), { semantics: 'rcu', seed: 3, runs: 30 });
    expect(r.queries).toBeGreaterThan(0);
  });

  it('an index answering like the reference passes differential, scenario and big checks', () => {
    const ok = f(ProbingIndex);
    for (const profile of PROFILES) checkDifferential(ok, { profile, seed: 11, ops: 1500 });
    for (const s of [...EDGE_CASES, ...CONTRACT_ERRORS]) s.run(ok, s.name);
    const big = checkBigSequential(ok, { seed: 2, count: 3000, churn: 1500, checkEvery: 500 });
    expect(big.checkpoints).toBeGreaterThan(5);
  });
});
