import { ReferenceIndex } from '@vmakit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RbtreeIndex } from '../src/index.js';

interface T {
  readonly id: number;
}

const P = 4096;

/** Deterministic PRNG (mulberry32) for the large fixed sequences. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function shuffled(n: number, seed: number): number[] {
  const r = rng(seed);
  const a = Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(r() * (k + 1));
    [a[k], a[j]] = [a[j]!, a[k]!];
  }
  return a;
}

function maxHeight(n: number): number {
  // A red-black tree's longest path is at most twice its black height: 2 log2(n + 1).
  return Math.floor(2 * Math.log2(n + 1));
}

function ranges(ix: RbtreeIndex<T> | ReferenceIndex<T>): number[] {
  const out: number[] = [];
  ix.forEach(0, Number.MAX_SAFE_INTEGER, (s, e, x) => {
    out.push(s, e, x.id);
    return undefined;
  });
  return out;
}

describe('rotation-heavy sequences keep every invariant', () => {
  const N = 3000;
  // Range k is pages [3k + 1, 3k + 2 + (k % 2)): gaps of one or two pages between ranges.
  const at = (k: number): [number, number] => [(3 * k + 1) * P, (3 * k + 2 + (k % 2)) * P];

  it('ascending inserts then ascending erases', () => {
    const ix = new RbtreeIndex<T>({ checked: true });
    for (let k = 0; k < N; k++) {
      ix.insert(...at(k), { id: k + 1 });
      if (k % 97 === 0 || k < 64) ix.validate();
    }
    ix.validate();
    expect(ix.stats().height).toBeLessThanOrEqual(maxHeight(N));
    for (let k = 0; k < N; k++) {
      expect(ix.eraseAt(at(k)[0])?.id).toBe(k + 1);
      if (k % 97 === 0 || N - k < 64) ix.validate();
    }
    expect(ix.size).toBe(0);
    expect(ix.stats().height).toBe(0);
  });

  it('descending inserts then descending erases', () => {
    const ix = new RbtreeIndex<T>();
    for (let k = N - 1; k >= 0; k--) {
      ix.insert(...at(k), { id: k + 1 });
      if (k % 89 === 0) ix.validate();
    }
    expect(ix.stats().height).toBeLessThanOrEqual(maxHeight(N));
    for (let k = N - 1; k >= 0; k--) {
      expect(ix.lookup(at(k)[0])?.id).toBe(k + 1);
      ix.eraseAt(at(k)[0]);
      if (k % 89 === 0) ix.validate();
    }
    ix.validate();
  });

  it('random-order inserts and erases with validation after every operation', () => {
    const n = 700;
    const ix = new RbtreeIndex<T>();
    const ref = new ReferenceIndex<T>();
    const entries = Array.from({ length: n }, (_, k) => ({ id: k + 1 }));
    for (const k of shuffled(n, 7)) {
      ix.insert(...at(k), entries[k]!);
      ref.insert(...at(k), entries[k]!);
      ix.validate();
    }
    expect(ranges(ix)).toEqual(ranges(ref));
    for (const k of shuffled(n, 11)) {
      ix.remove(...at(k), entries[k]!);
      ref.remove(...at(k), entries[k]!);
      ix.validate();
      expect(ix.emptyArea(0, 4 * n * P, 2 * P)).toBe(ref.emptyArea(0, 4 * n * P, 2 * P));
    }
    expect(ix.size).toBe(0);
  });

  it('interleaved inserts and erases from both ends (erase rebalancing cases)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(400)), { minLength: 50, maxLength: 400 }), (ops) => {
        const ix = new RbtreeIndex<T>();
        const ref = new ReferenceIndex<T>();
        for (const [isInsert, k] of ops) {
          const [s, e] = at(k);
          if (isInsert && ref.lookup(s) === null) {
            ix.insert(s, e, { id: k + 1 });
            ref.insert(s, e, { id: k + 1 });
          } else {
            expect(ix.eraseAt(s)?.id).toBe(ref.eraseAt(s)?.id);
          }
          ix.validate();
        }
        expect(ranges(ix)).toEqual(ranges(ref));
      }),
      { seed: 0x0707, numRuns: 120 },
    );
  });

  it('punching holes into one big mapping splits it many times (split keeps the entry)', () => {
    const ix = new RbtreeIndex<T>({ checked: true });
    const ref = new ReferenceIndex<T>({ checked: true });
    const big = { id: 1 };
    ix.insert(0, 8192 * P, big);
    ref.insert(0, 8192 * P, big);
    for (const k of shuffled(2000, 3)) {
      const s = (4 * k + 1) * P;
      ix.store(s, s + P, null);
      ref.store(s, s + P, null);
      if (k % 50 === 0) ix.validate();
    }
    ix.validate();
    expect(ix.size).toBe(2001);
    expect(ranges(ix)).toEqual(ranges(ref));
    // Every piece still maps to the original entry.
    ix.forEach(0, 8192 * P, (_s, _e, x) => {
      expect(x).toBe(big);
      return undefined;
    });
  });

  it('gap search at scale agrees with the reference', () => {
    const r = rng(99);
    const ix = new RbtreeIndex<T>();
    const ref = new ReferenceIndex<T>();
    let cursor = 16 * P;
    for (let k = 0; k < 2500; k++) {
      cursor += Math.floor(r() * r() * 64) * P;
      const len = (1 + Math.floor(r() * 8)) * P;
      ix.insert(cursor, cursor + len, { id: k + 1 });
      ref.insert(cursor, cursor + len, { id: k + 1 });
      cursor += len;
    }
    ix.validate();
    const top = cursor + 64 * P;
    for (let q = 0; q < 3000; q++) {
      const a = Math.floor(r() * top);
      const b = Math.floor(r() * top);
      const min = Math.min(a, b);
      const max = Math.max(a, b);
      const size = Math.floor(r() * r() * 80 * P) + 1;
      expect(ix.emptyArea(min, max, size)).toBe(ref.emptyArea(min, max, size));
      expect(ix.emptyAreaRev(min, max, size)).toBe(ref.emptyAreaRev(min, max, size));
    }
  });
});

describe('iteration while the visitor updates the index', () => {
  it('resumes after the visited range when the visitor removes or splits ranges', () => {
    const ix = new RbtreeIndex<T>();
    const es = Array.from({ length: 50 }, (_, k) => ({ id: k + 1 }));
    for (const [k, e] of es.entries()) ix.insert(4 * k * P, (4 * k + 2) * P, e);
    const seen: number[] = [];
    ix.forEach(0, 400 * P, (s, e, x) => {
      seen.push(x.id);
      if (x.id % 2 === 0) ix.remove(s, e, x);
      else ix.store(s + P, s + 2 * P, null); // split off nothing: trims the tail in place
      return undefined;
    });
    expect(seen).toEqual(es.map((e) => e.id));
    expect(ix.size).toBe(25);
    ix.validate();
    const back: number[] = [];
    ix.forEachReverse(0, 400 * P, (s, e, x) => {
      back.push(x.id);
      ix.remove(s, e, x);
      return undefined;
    });
    expect(back).toEqual(
      es
        .filter((e) => e.id % 2 === 1)
        .map((e) => e.id)
        .reverse(),
    );
    expect(ix.size).toBe(0);
    ix.validate();
  });
});
