/**
 * The kernel vectors as shipped in ../shared/kernel-vectors: the parser and the replayer must
 * reproduce every count of its README, and the reference index must agree with every expectation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createReferenceIndex,
  findSharedDir,
  parseAllocRange,
  parseErase2Sets,
  replayAllocRange,
  replayKernelVectors,
  sharedMissingMessage,
  type VectorEntry,
} from '../src/index.js';

const dir = findSharedDir('kernel-vectors');
const reference = (o?: object) => createReferenceIndex<VectorEntry>(o);

// From README.txt, "Counts": triplets per set, in replay order.
const PER_SET: ReadonlyArray<[string, number]> = [
  ['set', 16],
  ['set2', 22],
  ['set3', 40],
  ['set4', 18],
  ['set5', 130],
  ['set6', 130],
  ['set7', 130],
  ['set8', 130],
  ['set9', 3862],
  ['set10', 3862],
  ['set11', 23],
  ['set12', 25],
  ['set13', 11],
  ['set14', 282],
  ['set15', 282],
  ['set16', 208],
  ['set17', 60],
  ['set18', 31],
  ['set19', 267],
  ['set20', 154],
  ['set21', 68],
  ['set22', 124],
  ['set23', 3322],
  ['set24', 1160],
  ['set25', 6785],
  ['set26', 22],
  ['set27', 394],
  ['set28', 66],
  ['set29', 873],
  ['set30', 880],
  ['set31', 811],
  ['set32', 794],
  ['set33', 139],
  ['set34', 879],
  ['set35', 755],
  ['set36', 859],
  ['set37', 124],
  ['set38', 807],
  ['set39', 370],
  ['set40', 749],
  ['set41', 308],
  ['set42', 2666],
  ['set43', 18],
];

describe.skipIf(dir === null)(
  dir === null ? `kernel vectors: ${sharedMissingMessage('kernel-vectors')}` : 'kernel vectors',
  { timeout: 120_000 },
  () => {
    const erase2 = () => parseErase2Sets(readFileSync(join(dir!, 'erase2-sets.txt'), 'utf8'));
    const alloc = () => parseAllocRange(readFileSync(join(dir!, 'alloc-range.txt'), 'utf8'));

    it('parses erase2-sets.txt into the README counts', () => {
      const sets = erase2();
      expect(sets.map((s) => [s.name, s.triplets])).toEqual(PER_SET);
      const steps = sets.flatMap((s) => s.steps);
      const ops = steps.filter((s) => s.step === 'op');
      expect(ops.length).toBe(32_656);
      expect(ops.filter((o) => o.kind === 'STORE').length).toBe(24_059);
      expect(ops.filter((o) => o.kind === 'SNULL').length).toBe(4_079);
      expect(ops.filter((o) => o.kind === 'ERASE').length).toBe(4_518);
      const gaps = sets.filter((s) => s.steps.some((x) => x.step === 'gap')).map((s) => s.name);
      expect(gaps).toEqual(['set11', 'set16', 'set17', 'set18', 'set26', 'set28', 'set33', 'set42']);
      expect(steps.filter((s) => s.step === 'gap').every((g) => g.kind === 'EMPTY_AREA_REV')).toBe(true);
      expect(steps.filter((s) => s.step === 'assert').length).toBe(9);
      const flags0 = sets.filter((s) => s.flags === '0').map((s) => s.name);
      expect(flags0).toEqual(['set', 'set3', 'set4']);
      const set13 = sets.find((s) => s.name === 'set13')!;
      expect(set13.steps.filter((s) => s.step === 'post-erase' || s.step === 'unchecked-gap').length).toBe(2);
      const set28 = sets.find((s) => s.name === 'set28')!;
      expect(set28.steps.find((s) => s.step === 'gap')).toMatchObject({
        expectAligned: { index: 139918401601536, clearMask: 2093056, offset: 0 },
      });
      // set9..set12 write every ERASE with last == first (README, "Operations").
      for (const name of ['set9', 'set10', 'set11', 'set12']) {
        const erases = sets
          .find((s) => s.name === name)!
          .steps.filter((s) => s.step === 'op' && s.kind === 'ERASE');
        expect(erases.every((e) => e.step === 'op' && e.first === e.last)).toBe(true);
      }
    });

    it('parses alloc-range.txt into the README counts', () => {
      const v = alloc();
      expect(v.ranges.length).toBe(24);
      expect(v.reserved).toMatchObject({ first: 562949953421312, last: 18446744073709551615n });
      const count = (steps: typeof v.forward, kind: string) => steps.filter((s) => s.kind === kind).length;
      expect([count(v.forward, 'hole'), count(v.forward, 'request')]).toEqual([3, 8]);
      expect([count(v.reverse, 'hole'), count(v.reverse, 'request'), count(v.reverse, 'erase')]).toEqual([
        3, 8, 2,
      ]);
      expect(v.reverse.filter((s) => s.kind === 'request' && s.post).length).toBe(1);
    });

    it('replays both files against the reference index with no mismatch, validating after every op', () => {
      const r = replayKernelVectors(dir!, reference);
      expect({
        sets: r.sets,
        ops: r.ops,
        triplets: r.triplets,
        mismatches: r.mismatches,
        gap_checks: r.gap_checks,
        erase2_gap_checks: r.erase2_gap_checks,
        alloc_checks: r.alloc_checks,
        gap_mismatches: r.gap_mismatches,
        assertions: r.assertions,
        assertion_failures: r.assertion_failures,
        extra_ops: r.extra_ops,
        failures: r.failures,
        ok: r.ok,
      }).toEqual({
        sets: 43,
        ops: 32_656,
        triplets: { STORE: 24_059, SNULL: 4_079, ERASE: 4_518 },
        mismatches: 0,
        gap_checks: 30,
        erase2_gap_checks: 8,
        alloc_checks: 22,
        gap_mismatches: 0,
        assertions: 9,
        assertion_failures: 0,
        extra_ops: 2,
        failures: [],
        ok: true,
      });
      expect(r.per_set.map((s) => [s.name, s.ops])).toEqual(PER_SET);
      // Every triplet was validated, plus the extra erase and the alloc-range updates and ends.
      expect(r.validations).toBeGreaterThanOrEqual(32_656 + 1 + r.alloc_ops);
      expect(r.validate_every).toBe(1);
    }, 120_000);

    it('validates every k-th op when asked, still with no mismatch', () => {
      const r = replayKernelVectors(dir!, reference, {
        validateEvery: 64,
        allocRange: false,
        onlySets: ['set9', 'set25'],
      });
      expect(r.ok).toBe(true);
      expect(r.validations).toBe(Math.floor(3862 / 64) + 1 + Math.floor(6785 / 64) + 1);
      expect(r.alloc_checks).toBe(0);
    }, 120_000);

    it('replays a subset of sets and rejects unknown set names', () => {
      const r = replayKernelVectors(dir!, reference, { onlySets: ['set19', 'set28'], allocRange: false });
      expect(r.per_set.map((s) => s.name)).toEqual(['set19', 'set28']);
      expect([r.gap_checks, r.assertions]).toEqual([1, 2]);
      expect(() => replayKernelVectors(dir!, reference, { onlySets: ['set99'] })).toThrow(/set99/);
    });

    it('replays alloc-range.txt on its own', () => {
      const r = replayAllocRange(alloc(), reference);
      expect([r.alloc_checks, r.gap_mismatches, r.mismatches, r.sets]).toEqual([22, 0, 0, 0]);
    });
  },
);
