/**
 * Hand-written scenarios for the corners random sequences reach rarely: the empty index, a single
 * range, adjacency and page boundaries, the top of user space and of the index space, stores that
 * replace, span or split ranges, erasing in a gap and iteration windows. Each scenario runs in
 * lockstep with the reference (Mirror) and also states the expected answers explicitly.
 */
import {
  DEFAULT_MMAP_MIN_ADDR,
  DEFAULT_STACK_GUARD_GAP,
  EBUSY,
  EINVAL,
  ENOMEM,
  type IndexFactory,
  PAGE_SIZE,
  TASK_SIZE,
} from '@vmakit/core';
import { makeTestEntry, type TestEntry } from './entry.js';
import { expectAccepted, expectList, expectRejected, expectSame, visitedStarts } from './expect.js';
import { Mirror } from './mirror.js';

const P = PAGE_SIZE;
const MAX = Number.MAX_SAFE_INTEGER;

/** A named scenario run against a factory; throws ConformanceFailure on the first problem. */
export interface Scenario {
  readonly name: string;
  run(factory: IndexFactory, context: string): void;
}

function points(m: Mirror, addrs: readonly number[]): void {
  for (const a of addrs) {
    if (a < 0) continue;
    m.point(a);
    m.point(a, 1);
  }
}

function gapBoth(m: Mirror, reverse: boolean, min: number, max: number, size: number, want: number): void {
  m.gap(reverse, min, max, size);
  const got = reverse ? m.subject.emptyAreaRev(min, max, size) : m.subject.emptyArea(min, max, size);
  expectSame(m, `${reverse ? 'emptyAreaRev' : 'emptyArea'}(${min}, ${max}, ${size})`, got, want);
}

const emptyIndex: Scenario = {
  name: 'an empty index answers every query with nothing',
  run(factory, context) {
    const m = new Mirror(factory, {}, context);
    m.check('creation');
    const addrs = [0, 1, P - 1, P, TASK_SIZE - 1, TASK_SIZE, MAX - 1];
    points(m, addrs);
    for (const a of addrs) {
      expectSame(m, `find(${a})`, m.subject.find(a), null);
      expectSame(m, `lookup(${a})`, m.subject.lookup(a), null);
      expectSame(m, `prevOf(${a})`, m.subject.prevOf(a), null);
      expectSame(m, `nextOf(${a})`, m.subject.nextOf(a), null);
    }
    expectList(m, 'forEach over everything', visitedStarts(m, false, 0, MAX), []);
    expectList(m, 'forEachReverse over everything', visitedStarts(m, true, 0, MAX), []);
    gapBoth(m, false, 0, MAX, 1, 0);
    gapBoth(m, false, P, 2 * P - 1, P, P);
    gapBoth(m, true, 0, TASK_SIZE - 1, P, TASK_SIZE - P);
    gapBoth(m, true, 0, MAX, 1, MAX);
    gapBoth(m, false, 10, 9, 1, -EINVAL);
    gapBoth(m, true, 10, 9, 1, -EINVAL);
    gapBoth(m, false, 0, P, 0, -EINVAL);
    gapBoth(m, true, 0, P - 2, P, -EINVAL);
    gapBoth(m, false, 0, P - 1, P, 0);
    const down = { length: P, lowLimit: DEFAULT_MMAP_MIN_ADDR, highLimit: TASK_SIZE, topDown: true };
    m.unmapped(down);
    expectSame(m, 'unmappedArea top-down on an empty index', m.subject.unmappedArea(down), TASK_SIZE - P);
    const up = { ...down, topDown: false };
    m.unmapped(up);
    expectSame(
      m,
      'unmappedArea bottom-up on an empty index',
      m.subject.unmappedArea(up),
      DEFAULT_MMAP_MIN_ADDR,
    );
    m.unmapped({ ...down, length: TASK_SIZE });
    expectSame(m, 'eraseAt(0) on an empty index', m.eraseAt(0), null);
    expectSame(m, 'eraseAt(0x1000) on an empty index', m.eraseAt(P), null);
    m.store(P, 2 * P, null);
    expectSame(m, 'size', m.subject.size, 0);
  },
};

const oneVma: Scenario = {
  name: 'one VMA: every query at start - 1, start, end - 1 and end',
  run(factory, context) {
    const m = new Mirror(factory, {}, context);
    const s = 0x10000;
    const e = 0x12000;
    const E = makeTestEntry();
    expectAccepted(m, 'insert', () => m.insert(s, e, E));
    points(m, [0, s - 1, s, s + 1, e - 1, e, e + 1, MAX - 1]);
    const x = m.subject;
    expectSame(m, 'find(start - 1)', x.find(s - 1), E);
    expectSame(m, 'find(end - 1)', x.find(e - 1), E);
    expectSame(m, 'find(end)', x.find(e), null);
    expectSame(m, 'lookup(start - 1)', x.lookup(s - 1), null);
    expectSame(m, 'lookup(start)', x.lookup(s), E);
    expectSame(m, 'lookup(end - 1)', x.lookup(e - 1), E);
    expectSame(m, 'lookup(end)', x.lookup(e), null);
    expectSame(m, 'prevOf(end)', x.prevOf(e), E);
    expectSame(m, 'prevOf(end - 1)', x.prevOf(e - 1), null);
    expectSame(m, 'nextOf(start)', x.nextOf(s), E);
    expectSame(m, 'nextOf(start + 1)', x.nextOf(s + 1), null);
    expectSame(m, 'nextOf(0)', x.nextOf(0), E);
    expectList(m, 'forEach(start - P, start)', visitedStarts(m, false, s - P, s), []);
    expectList(m, 'forEach(end - 1, end)', visitedStarts(m, false, e - 1, e), [s]);
    expectList(m, 'forEach(end, end + P)', visitedStarts(m, false, e, e + P), []);
    expectList(m, 'forEachReverse(0, start + 1)', visitedStarts(m, true, 0, s + 1), [s]);
    gapBoth(m, false, s, MAX, 1, e);
    gapBoth(m, false, 0, MAX, s, 0);
    gapBoth(m, false, 0, MAX, s + 1, e);
    gapBoth(m, true, 0, e - 1, P, s - P);
    gapBoth(m, true, 0, e, 1, e);
    gapBoth(m, true, s, e - 1, 1, -EBUSY);
    gapBoth(m, false, s, e - 1, 1, -EBUSY);
    expectSame(m, 'eraseAt(end)', m.eraseAt(e), null);
    expectSame(m, 'eraseAt(start - 1)', m.eraseAt(s - 1), null);
    expectSame(m, 'eraseAt(start + 5)', m.eraseAt(s + 5), E);
    expectSame(m, 'size after erasing it', x.size, 0);
  },
};

const adjacent: Scenario = {
  name: 'adjacent VMAs: boundaries, trimming one of them, filling the hole again',
  run(factory, context) {
    const m = new Mirror(factory, { checked: true }, context);
    const a = 0x400000;
    const [A, B, C, D] = [makeTestEntry(), makeTestEntry(), makeTestEntry(), makeTestEntry()];
    m.insert(a, a + P, A);
    m.insert(a + P, a + 3 * P, B);
    m.insert(a + 3 * P, a + 4 * P, C);
    for (const b of [a, a + P, a + 3 * P, a + 4 * P]) points(m, [b - 1, b, b + 1]);
    const x = m.subject;
    expectSame(m, 'find(a + P - 1)', x.find(a + P - 1), A);
    expectSame(m, 'find(a + P)', x.find(a + P), B);
    expectSame(m, 'lookup(a + P)', x.lookup(a + P), B);
    expectSame(m, 'prevOf(a + P)', x.prevOf(a + P), A);
    expectSame(m, 'nextOf(a + P)', x.nextOf(a + P), B);
    expectSame(m, 'prevOf(a + 3P)', x.prevOf(a + 3 * P), B);
    expectSame(m, 'nextOf(a + 1)', x.nextOf(a + 1), B);
    gapBoth(m, false, a, a + 4 * P - 1, 1, -EBUSY);
    gapBoth(m, false, a, MAX, 1, a + 4 * P);
    gapBoth(m, true, 0, a + 4 * P - 1, 1, a - 1);
    m.store(a + 2 * P, a + 3 * P, null);
    expectSame(m, 'lookup(a + 2P) after trimming B', x.lookup(a + 2 * P), null);
    expectAccepted(m, 'insert into the one-page hole', () => m.insert(a + 2 * P, a + 3 * P, D));
    expectList(m, 'forEach over the four', visitedStarts(m, false, a, a + 4 * P), [
      a,
      a + P,
      a + 2 * P,
      a + 3 * P,
    ]);
    expectRejected(m, 'remove of B with its old bounds', () => m.remove(a + P, a + 3 * P, B));
    expectAccepted(m, 'remove of B with its new bounds', () => m.remove(a + P, a + 2 * P, B));
    expectSame(m, 'prevOf(a + 2P)', x.prevOf(a + 2 * P), A);
  },
};

const holes: Scenario = {
  name: 'one-page holes: gap searches in both directions and unmappedArea',
  run(factory, context) {
    const m = new Mirror(factory, { checked: true }, context);
    const b = 0x1000000;
    for (let i = 0; i < 10; i++) m.insert(b + 2 * i * P, b + (2 * i + 1) * P, makeTestEntry());
    gapBoth(m, false, b, MAX, P, b + P);
    gapBoth(m, false, b, MAX, 2 * P, b + 19 * P);
    gapBoth(m, true, b, b + 19 * P - 1, P, b + 17 * P);
    gapBoth(m, true, 0, b + 19 * P - 1, 2 * P, b - 2 * P);
    gapBoth(m, false, b + P + 100, MAX, 1, b + P + 100);
    gapBoth(m, false, b + P + 100, MAX, P, b + 3 * P);
    gapBoth(m, true, b + P, b + 2 * P - 1, P, b + P);
    gapBoth(m, true, b + P, b + 2 * P - 2, P, -EINVAL);
    gapBoth(m, true, b, b + 18 * P - 1, 2 * P, -EBUSY);
    for (const topDown of [false, true]) {
      for (const alignMask of [0, 0xffff, 0x1fffff]) {
        m.unmapped({ length: P, lowLimit: b, highLimit: b + 20 * P, alignMask, topDown });
        m.unmapped({ length: 2 * P, lowLimit: b, highLimit: b + 40 * P, alignMask, alignOffset: P, topDown });
        m.unmapped({ length: P, lowLimit: b, highLimit: b + 19 * P, startGap: P, alignMask, topDown });
      }
    }
    const bottomUp = m.subject.unmappedArea({
      length: P,
      lowLimit: b,
      highLimit: b + 20 * P,
      topDown: false,
    });
    expectSame(m, 'unmappedArea bottom-up, one page', bottomUp, b + P);
    const full = m.subject.unmappedArea({ length: 2 * P, lowLimit: b, highLimit: b + 19 * P, topDown: true });
    expectSame(m, 'unmappedArea top-down, two pages among one-page holes', full, -ENOMEM);
  },
};

const topOfUserSpace: Scenario = {
  name: 'the top of user space: a stack with a guard gap just below 0x7ffffffff000',
  run(factory, context) {
    const m = new Mirror(factory, { checked: true }, context);
    const T = TASK_SIZE;
    const stack = makeTestEntry(DEFAULT_STACK_GUARD_GAP);
    const below = makeTestEntry();
    m.insert(T - 33 * P, T, stack);
    m.insert(T - 300 * P, T - 290 * P, below);
    points(m, [T - 33 * P - 1, T - 33 * P, T - 1, T, T + 1, T - 290 * P, T - 291 * P]);
    const x = m.subject;
    expectSame(m, 'find(TASK_SIZE - 1)', x.find(T - 1), stack);
    expectSame(m, 'find(TASK_SIZE)', x.find(T), null);
    expectSame(m, 'lookup(TASK_SIZE)', x.lookup(T), null);
    expectSame(m, 'prevOf(TASK_SIZE)', x.prevOf(T), stack);
    expectSame(m, 'nextOf(TASK_SIZE - 33 pages)', x.nextOf(T - 33 * P), stack);
    gapBoth(m, true, 0, T - 1, P, T - 34 * P);
    gapBoth(m, false, T - 295 * P, T - 1, P, T - 290 * P);
    const down = { length: P, lowLimit: DEFAULT_MMAP_MIN_ADDR, highLimit: T, topDown: true };
    m.unmapped(down);
    // The hole right under the stack is inside its guard gap; the one-page hole below that fits.
    expectSame(m, 'unmappedArea top-down under a guarded stack', x.unmappedArea(down), T - 290 * P);
    m.unmapped({ ...down, length: 2 * P });
    m.unmapped({ ...down, lowLimit: T - 295 * P, topDown: false });
    m.unmapped({ ...down, lowLimit: T - 295 * P, length: 2 * P, topDown: false });
    m.unmapped({ ...down, alignMask: 0x1fffff });
    expectAccepted(m, 'insert just above TASK_SIZE', () => m.insert(T, T + P, makeTestEntry()));
    points(m, [T - 1, T, T + P - 1, T + P]);
    expectSame(m, 'lookup(TASK_SIZE) once mapped', x.lookup(T) !== null, true);
  },
};

const topOfIndexSpace: Scenario = {
  name: 'the top of the index space: a range ending at 2^53 - 1 (byte-granular)',
  run(factory, context) {
    const m = new Mirror(factory, { pageAligned: false }, context);
    const E = makeTestEntry();
    expectAccepted(m, 'insert [2^53 - 1 - 4096, 2^53 - 1)', () => m.insert(MAX - P, MAX, E));
    points(m, [MAX - P - 1, MAX - P, MAX - 1, MAX]);
    expectSame(m, 'find(2^53 - 2)', m.subject.find(MAX - 1), E);
    expectSame(m, 'lookup(2^53 - 1)', m.subject.lookup(MAX), null);
    expectSame(m, 'prevOf(2^53 - 1)', m.subject.prevOf(MAX), E);
    gapBoth(m, true, 0, MAX, 1, MAX);
    gapBoth(m, false, MAX - P, MAX, 1, MAX);
    gapBoth(m, true, 0, MAX, 2, MAX - P - 2);
    gapBoth(m, true, MAX - P, MAX - 1, 1, -EBUSY);
    expectSame(m, 'eraseAt(2^53 - 2)', m.eraseAt(MAX - 1), E);
  },
};

const exactReplace: Scenario = {
  name: 'store that exactly replaces a range, and store of the same entry over itself',
  run(factory, context) {
    const m = new Mirror(factory, { checked: true }, context);
    const a = 0x7f0000000000;
    const [A, B, C, N] = [makeTestEntry(), makeTestEntry(), makeTestEntry(), makeTestEntry()];
    m.insert(a, a + 2 * P, A);
    m.insert(a + 2 * P, a + 5 * P, B);
    m.insert(a + 6 * P, a + 7 * P, C);
    m.store(a + 2 * P, a + 5 * P, N);
    expectSame(m, 'lookup(a + 2P)', m.subject.lookup(a + 2 * P), N);
    expectSame(m, 'lookup(a + 5P - 1)', m.subject.lookup(a + 5 * P - 1), N);
    expectSame(m, 'size', m.subject.size, 3);
    m.store(a + 6 * P, a + 7 * P, C);
    expectSame(m, 'lookup(a + 6P)', m.subject.lookup(a + 6 * P), C);
    m.store(a, a + 2 * P, null);
    expectSame(m, 'size after clearing A', m.subject.size, 2);
    expectSame(m, 'find(a)', m.subject.find(a), N);
  },
};

const spanning: Scenario = {
  name: 'store spanning many ranges trims both ends and drops the middle',
  run(factory, context) {
    const m = new Mirror(factory, { checked: true }, context);
    const b = 0x555555554000;
    const es: TestEntry[] = [];
    for (let i = 0; i < 50; i++) {
      es.push(makeTestEntry());
      m.insert(b + 3 * i * P, b + (3 * i + 2) * P, es[i]!);
    }
    const N = makeTestEntry();
    m.store(b + 10 * P, b + 121 * P, N);
    expectSame(m, 'size', m.subject.size, 15);
    expectSame(m, 'lookup(b + 9P)', m.subject.lookup(b + 9 * P), es[3]!);
    expectSame(m, 'lookup(b + 10P)', m.subject.lookup(b + 10 * P), N);
    expectSame(m, 'lookup(b + 121P)', m.subject.lookup(b + 121 * P), es[40]!);
    expectSame(m, 'prevOf(b + 121P)', m.subject.prevOf(b + 121 * P), N);
    m.store(b + 123 * P, b + 143 * P, makeTestEntry());
    expectSame(m, 'size after replacing whole ranges 41..47', m.subject.size, 9);
    m.store(b, b + 150 * P, null);
    expectSame(m, 'size after clearing everything', m.subject.size, 0);
  },
};

const split: Scenario = {
  name: 'store in the middle of a range splits it; both sides keep the entry',
  run(factory, context) {
    const m = new Mirror(factory, { pageAligned: false }, context);
    const a = 0x20000000;
    const A = makeTestEntry();
    m.insert(a, a + 10 * P, A);
    m.store(a + 3 * P, a + 5 * P, null);
    expectSame(m, 'size after the hole', m.subject.size, 2);
    expectSame(m, 'lookup(a + 4P)', m.subject.lookup(a + 4 * P), null);
    expectSame(m, 'lookup(a + 5P)', m.subject.lookup(a + 5 * P), A);
    expectSame(m, 'eraseAt(a) removes the left piece only', m.eraseAt(a), A);
    expectSame(m, 'lookup(a + 6P) after erasing the left piece', m.subject.lookup(a + 6 * P), A);
    const N = makeTestEntry();
    m.store(a + 6 * P, a + 7 * P, N);
    expectSame(m, 'size after storing inside', m.subject.size, 3);
    expectAccepted(m, 'remove of the right piece', () => m.remove(a + 7 * P, a + 10 * P, A));
    expectAccepted(m, 'remove of the left piece', () => m.remove(a + 5 * P, a + 6 * P, A));
    m.store(a + 6 * P + 100, a + 6 * P + 200, null);
    expectSame(m, 'lookup inside the byte hole', m.subject.lookup(a + 6 * P + 150), null);
    expectSame(m, 'lookup above the byte hole', m.subject.lookup(a + 6 * P + 200), N);
    points(m, [a + 6 * P + 99, a + 6 * P + 100, a + 6 * P + 199, a + 6 * P + 200]);
  },
};

const eraseInGap: Scenario = {
  name: 'eraseAt in a gap returns null and changes nothing',
  run(factory, context) {
    const m = new Mirror(factory, {}, context);
    const a = 0x8000000;
    const [A, B] = [makeTestEntry(), makeTestEntry()];
    m.insert(a, a + P, A);
    m.insert(a + 2 * P, a + 3 * P, B);
    for (const addr of [a + P, a + P + 5, a + 2 * P - 1, a - 1, a + 3 * P, 0, MAX - 1]) {
      expectSame(m, `eraseAt(${addr})`, m.eraseAt(addr), null);
    }
    expectSame(m, 'size', m.subject.size, 2);
    expectSame(m, 'eraseAt(last byte of B)', m.eraseAt(a + 3 * P - 1), B);
  },
};

const windows: Scenario = {
  name: 'forEach / forEachReverse windows: straddling, empty, inverted, stopping early',
  run(factory, context) {
    const m = new Mirror(factory, {}, context);
    const a = 0x30000000;
    m.insert(a, a + 2 * P, makeTestEntry());
    m.insert(a + 3 * P, a + 4 * P, makeTestEntry());
    m.insert(a + 4 * P, a + 6 * P, makeTestEntry());
    expectList(m, 'forEach(a + P, a + 4P + 1)', visitedStarts(m, false, a + P, a + 4 * P + 1), [
      a,
      a + 3 * P,
      a + 4 * P,
    ]);
    expectList(m, 'forEach(a + 2P, a + 3P)', visitedStarts(m, false, a + 2 * P, a + 3 * P), []);
    expectList(m, 'forEach(a + 2P, a + 3P + 1)', visitedStarts(m, false, a + 2 * P, a + 3 * P + 1), [
      a + 3 * P,
    ]);
    expectList(m, 'forEachReverse(a + P, a + 5P)', visitedStarts(m, true, a + P, a + 5 * P), [
      a + 4 * P,
      a + 3 * P,
      a,
    ]);
    expectList(m, 'forEach over an empty window inside a range', visitedStarts(m, false, a + P, a + P), []);
    expectList(m, 'forEachReverse over an empty window', visitedStarts(m, true, a + P, a + P), []);
    expectList(m, 'forEach over an inverted window', visitedStarts(m, false, a + 5 * P, a + P), []);
    expectList(m, 'forEachReverse over an inverted window', visitedStarts(m, true, a + 5 * P, a + P), []);
    for (const reverse of [false, true]) {
      for (const stop of [1, 2, 3]) m.walk(reverse, 0, MAX, stop);
      m.walk(reverse, a + 2 * P - 1, a + 4 * P + 1, 0);
    }
  },
};

const growShrink: Scenario = {
  name: 'thousands of ranges in ascending then descending order, down to empty and back',
  run(factory, context) {
    const m = new Mirror(factory, { checked: true }, context);
    const b = 0x10000000;
    const n = 1500;
    const slot = (i: number) => b + 2 * i * P;
    for (let i = 0; i < n; i++) m.insert(slot(i), slot(i) + P, makeTestEntry(), i % 50 === 0);
    m.check('ascending inserts');
    for (let i = n - 1; i >= 0; i--) m.eraseAt(slot(i), i % 50 === 0);
    m.check('descending erases');
    for (let i = n - 1; i >= 0; i--) m.insert(slot(i), slot(i) + P, makeTestEntry(), i % 50 === 0);
    m.check('descending inserts');
    for (let i = 0; i < n; i += 2) m.eraseAt(slot(i), i % 50 === 0);
    m.check('erasing every other range');
    for (let i = 0; i < 40; i++) m.point(slot(i * 37) + (i % 3) * P);
    for (let i = 1; i < n; i += 2) m.eraseAt(slot(i), i % 51 === 0);
    m.check('erasing the rest');
    expectSame(m, 'size', m.subject.size, 0);
    m.insert(b, b + P, makeTestEntry());
    expectSame(m, 'size after reuse', m.subject.size, 1);
  },
};

const guards: Scenario = {
  name: 'unmappedArea honours guard gaps, alignment, alignOffset and startGap',
  run(factory, context) {
    const m = new Mirror(factory, { checked: true }, context);
    const exe = 0x555555554000;
    m.insert(exe, exe + 10 * P, makeTestEntry());
    m.insert(exe + 10 * P, exe + 12 * P, makeTestEntry());
    m.insert(exe + 20 * P, exe + 60 * P, makeTestEntry()); // heap
    const lib = 0x7f1234500000;
    for (let i = 0; i < 12; i++) m.insert(lib + i * 3 * P, lib + (i * 3 + 2) * P, makeTestEntry());
    m.insert(lib + 0x300000, lib + 0x302000, makeTestEntry(P)); // a small guarded range
    m.insert(TASK_SIZE - 33 * P, TASK_SIZE, makeTestEntry(DEFAULT_STACK_GUARD_GAP));
    for (const topDown of [false, true]) {
      for (const length of [P, 3 * P, 0x200000]) {
        for (const alignMask of [0, 0x1fffff]) {
          for (const alignOffset of [0, P]) {
            for (const startGap of [0, P]) {
              for (const [lowLimit, highLimit] of [
                [DEFAULT_MMAP_MIN_ADDR, TASK_SIZE],
                [lib, lib + 0x400000],
                [exe, exe + 0x100000],
              ] as const) {
                m.unmapped({ length, lowLimit, highLimit, alignMask, alignOffset, startGap, topDown });
              }
            }
          }
        }
      }
    }
    const r = m.subject.unmappedArea({
      length: 0x200000,
      lowLimit: DEFAULT_MMAP_MIN_ADDR,
      highLimit: TASK_SIZE,
      alignMask: 0x1fffff,
      topDown: true,
    });
    expectSame(m, 'a 2 MiB-aligned top-down placement is 2 MiB aligned', r > 0 && r % 0x200000 === 0, true);
  },
};

/** Every edge-case scenario, in the order the suite runs them. */
export const EDGE_CASES: readonly Scenario[] = [
  emptyIndex,
  oneVma,
  adjacent,
  holes,
  topOfUserSpace,
  topOfIndexSpace,
  exactReplace,
  spanning,
  split,
  eraseInGap,
  windows,
  growShrink,
  guards,
];
