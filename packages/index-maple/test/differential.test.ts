import { IndexContractError } from '@vmakit/core';
import { ReferenceIndex } from '@vmakit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMapleIndex, type MapleIndex } from '../src/index.js';
import { entry, expectSameAnswers, expectSameContents, Rng, type T } from './helpers.js';

type Cmd =
  | { op: 'insert'; s: number; len: number }
  | { op: 'store'; s: number; len: number; clear: boolean }
  | { op: 'remove'; pick: number; exact: boolean }
  | { op: 'eraseAt'; a: number };

function cmdArb(span: number, maxLen: number): fc.Arbitrary<Cmd> {
  const at = fc.integer({ min: 0, max: span });
  const len = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 8 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: maxLen }) },
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('insert' as const), s: at, len }) },
    {
      weight: 5,
      arbitrary: fc.record({ op: fc.constant('store' as const), s: at, len, clear: fc.boolean() }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat(), exact: fc.boolean() }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('eraseAt' as const), a: at }) },
  );
}

/** Applies one command to both indexes, comparing results and thrown errors. */
function apply(m: MapleIndex<T>, r: ReferenceIndex<T>, c: Cmd, span: number): void {
  switch (c.op) {
    case 'insert': {
      const e = entry();
      let me: unknown = null;
      let re: unknown = null;
      try {
        r.insert(c.s, c.s + c.len, e);
      } catch (err) {
        re = err;
      }
      try {
        m.insert(c.s, c.s + c.len, e);
      } catch (err) {
        me = err;
      }
      expect(me === null, `insert [${c.s}, ${c.s + c.len}) rejected by one index only`).toBe(re === null);
      if (me !== null) {
        expect(me).toBeInstanceOf(IndexContractError);
        expect((me as Error).message).toBe((re as Error).message);
      }
      return;
    }
    case 'store': {
      const e = c.clear ? null : entry();
      m.store(c.s, c.s + c.len, e);
      r.store(c.s, c.s + c.len, e);
      return;
    }
    case 'remove': {
      // The first range at or above a picked address (wrapping to the first range).
      const hits: [number, number, T][] = [];
      const take = (s: number, e: number, x: T): boolean => {
        hits.push([s, e, x]);
        return true;
      };
      r.forEach(c.pick % span, Number.MAX_SAFE_INTEGER, take);
      if (hits.length === 0) r.forEach(0, Number.MAX_SAFE_INTEGER, take);
      if (hits.length === 0) return;
      const [s, e, x] = hits[0]!;
      if (c.exact) {
        m.remove(s, e, x);
        r.remove(s, e, x);
      } else {
        expect(() => m.remove(s, e + 1, x)).toThrow(IndexContractError);
        expect(() => m.remove(s, e, entry())).toThrow(IndexContractError);
      }
      return;
    }
    case 'eraseAt': {
      const a = m.eraseAt(c.a);
      const b = r.eraseAt(c.a);
      expect(a?.id ?? null, `eraseAt(${c.a})`).toBe(b?.id ?? null);
      return;
    }
  }
}

describe.each([
  ['rcu', true],
  ['non-rcu', false],
])('maple (%s) against the reference index', (_name, rcu) => {
  it('agrees on every operation of random command sequences (fast-check, fixed seed)', () => {
    const span = 700;
    fc.assert(
      fc.property(
        fc.array(cmdArb(span, 200), { minLength: 1, maxLength: 160 }),
        fc.integer(),
        (cmds, qseed) => {
          const m = createMapleIndex<T>({ rcu });
          const r = new ReferenceIndex<T>();
          const rng = new Rng(qseed);
          for (const c of cmds) {
            apply(m, r, c, span);
            m.validate();
            expectSameContents(m, r, JSON.stringify(c));
          }
          expectSameAnswers(m, r, rng, span, 40, 'final');
        },
      ),
      { seed: rcu ? 20241125 : 5151, numRuns: 120 },
    );
  }, 60_000);

  it('agrees through long random workloads that grow the tree several levels deep', () => {
    for (const seed of [7, 1234]) {
      const rng = new Rng(seed * (rcu ? 3 : 5));
      const m = createMapleIndex<T>({ rcu });
      const r = new ReferenceIndex<T>();
      const span = 60_000;
      let maxHeight = 0;
      for (let i = 0; i < 8000; i++) {
        const k = rng.int(16);
        const s = rng.int(span);
        const len = rng.next() < 0.995 ? 1 + rng.int(12) : 1 + rng.int(3000);
        let c: Cmd;
        if (k < 9) c = { op: 'insert', s, len };
        else if (k < 12) c = { op: 'store', s, len, clear: rng.next() < 0.4 };
        else if (k < 14) c = { op: 'remove', pick: rng.int(1 << 30), exact: true };
        else c = { op: 'eraseAt', a: s };
        apply(m, r, c, span);
        maxHeight = Math.max(maxHeight, m.stats().height);
        if (i % 251 === 0) {
          m.validate();
          expectSameContents(m, r, `seed ${seed} op ${i}`);
          expectSameAnswers(m, r, rng, span, 5, `seed ${seed} op ${i}`);
        }
      }
      m.validate();
      expectSameContents(m, r, `seed ${seed} end`);
      expectSameAnswers(m, r, rng, span, 300, `seed ${seed} end`);
      expect(maxHeight).toBeGreaterThanOrEqual(3);
    }
  }, 60_000);
});
