/**
 * Contract violations: each must throw IndexContractError and leave the index exactly as it was
 * (the Mirror validates and compares with the reference after every rejected call).
 */
import { type IndexFactory, PAGE_SIZE } from '@vmakit/core';
import type { Scenario } from './edge-cases.js';
import { makeTestEntry } from './entry.js';
import { expectAccepted, expectRejected, expectSame } from './expect.js';
import { Mirror } from './mirror.js';

const P = PAGE_SIZE;

function layout(factory: IndexFactory, context: string, options = {}) {
  const m = new Mirror(factory, options, context);
  const a = 0x40000000;
  const A = makeTestEntry();
  const B = makeTestEntry();
  m.insert(a, a + 4 * P, A);
  m.insert(a + 6 * P, a + 8 * P, B);
  return { m, a, A, B };
}

const overlap: Scenario = {
  name: 'an overlapping insert is rejected and changes nothing; touching inserts are accepted',
  run(factory, context) {
    const { m, a } = layout(factory, context);
    const shapes: Array<[string, number, number]> = [
      ['the same range', a, a + 4 * P],
      ['overlapping the start', a - P, a + P],
      ['overlapping the end', a + 3 * P, a + 5 * P],
      ['inside', a + P, a + 2 * P],
      ['containing', a - P, a + 5 * P],
      ['containing two ranges', a - P, a + 9 * P],
      ['bridging the hole', a + 3 * P, a + 7 * P],
      ['one byte into the start', a - P, a + 1],
      ['one byte into the end', a + 4 * P - 1, a + 5 * P],
    ];
    for (const [what, s, e] of shapes) {
      expectRejected(m, `insert ${what}`, () => m.insert(s, e, makeTestEntry()));
    }
    expectAccepted(m, 'insert touching below', () => m.insert(a - P, a, makeTestEntry()));
    expectAccepted(m, 'insert filling the hole exactly', () =>
      m.insert(a + 4 * P, a + 6 * P, makeTestEntry()),
    );
    expectSame(m, 'size', m.subject.size, 4);
  },
};

const badRemove: Scenario = {
  name: 'remove of an absent range, of the wrong entry or with wrong bounds is rejected',
  run(factory, context) {
    const { m, a, A, B } = layout(factory, context);
    expectRejected(m, 'remove of a range in a gap', () => m.remove(a + 4 * P, a + 6 * P, A));
    expectRejected(m, 'remove with another entry', () => m.remove(a, a + 4 * P, B));
    expectRejected(m, 'remove with a fresh entry', () => m.remove(a, a + 4 * P, makeTestEntry()));
    expectRejected(m, 'remove of a sub-range', () => m.remove(a, a + 2 * P, A));
    expectRejected(m, 'remove of the tail', () => m.remove(a + 2 * P, a + 4 * P, A));
    expectRejected(m, 'remove of a super-range', () => m.remove(a - P, a + 4 * P, A));
    expectRejected(m, 'remove spanning both ranges', () => m.remove(a, a + 8 * P, A));
    m.store(a + P, a + 2 * P, null);
    expectRejected(m, 'remove with the bounds before a split', () => m.remove(a, a + 4 * P, A));
    expectAccepted(m, 'remove of the left piece', () => m.remove(a, a + P, A));
    expectRejected(m, 'remove of the same piece again', () => m.remove(a, a + P, A));
    expectSame(m, 'size', m.subject.size, 2);
  },
};

const emptyRanges: Scenario = {
  name: 'empty and inverted ranges are rejected by insert, store and remove',
  run(factory, context) {
    for (const options of [{}, { checked: true }, { pageAligned: false }]) {
      const { m, a, A } = layout(factory, `${context} ${JSON.stringify(options)}`, options);
      expectRejected(m, 'insert of an empty range', () => m.insert(a + 5 * P, a + 5 * P, makeTestEntry()));
      expectRejected(m, 'insert of an inverted range', () => m.insert(a + 5 * P, a + 4 * P, makeTestEntry()));
      expectRejected(m, 'store of an empty range', () => m.store(a + P, a + P, makeTestEntry()));
      expectRejected(m, 'store of an inverted range', () => m.store(a + 2 * P, a + P, makeTestEntry()));
      expectRejected(m, 'store null over an inverted range', () => m.store(a + 2 * P, a + P, null));
      expectRejected(m, 'remove of an empty range', () => m.remove(a, a, A));
      expectRejected(m, 'remove of an inverted range', () => m.remove(a + 4 * P, a, A));
    }
  },
};

const misaligned: Scenario = {
  name: 'misaligned ranges are rejected in checked mode and accepted with pageAligned: false',
  run(factory, context) {
    const { m, a, A } = layout(factory, `${context} checked`, { checked: true });
    expectRejected(m, 'insert with a misaligned start', () =>
      m.insert(a + 4 * P + 1, a + 5 * P, makeTestEntry()),
    );
    expectRejected(m, 'insert with a misaligned end', () =>
      m.insert(a + 4 * P, a + 5 * P - 1, makeTestEntry()),
    );
    expectRejected(m, 'store with a misaligned start', () => m.store(a + 100, a + P, makeTestEntry()));
    expectRejected(m, 'store null with a misaligned end', () => m.store(a, a + P + 1, null));
    expectRejected(m, 'remove with a misaligned end', () => m.remove(a, a + 4 * P - 1, A));
    expectRejected(m, 'insert with a negative start', () => m.insert(-P, P, makeTestEntry()));
    expectRejected(m, 'insert with a NaN end', () => m.insert(a + 4 * P, Number.NaN, makeTestEntry()));
    expectRejected(m, 'insert beyond 2^53', () => m.insert(2 ** 53, 2 ** 53 + 2 * P, makeTestEntry()));
    const loose = layout(factory, `${context} pageAligned: false`, { pageAligned: false });
    expectAccepted(loose.m, 'misaligned insert', () =>
      loose.m.insert(loose.a + 4 * P + 1, loose.a + 5 * P - 1, makeTestEntry()),
    );
    expectAccepted(loose.m, 'misaligned store', () => loose.m.store(loose.a + 100, loose.a + 200, null));
  },
};

/** Every contract-error scenario. */
export const CONTRACT_ERRORS: readonly Scenario[] = [overlap, badRemove, emptyRanges, misaligned];
