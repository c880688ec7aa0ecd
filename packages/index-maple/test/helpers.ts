/**
 * Test helpers: entries, a seeded PRNG, and comparison of a maple index against the reference.
 */
import type { IndexEntry, VmaIndex } from '@vmakit/core';
import { expect } from 'vitest';

/** A test entry. */
export interface T extends IndexEntry {
  readonly id: number;
  readonly guardBelow?: number;
  readonly guardAbove?: number;
}

let nextId = 1;

/** A fresh entry with a unique id. */
export function entry(guardBelow = 0): T {
  return { id: nextId++, guardBelow };
}

/** xorshift32: deterministic for a seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return x / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Every range of an index, ascending: [start, end, id]. */
export function contents(index: VmaIndex<T>): [number, number, number][] {
  const out: [number, number, number][] = [];
  index.forEach(0, Number.MAX_SAFE_INTEGER, (s, e, x) => {
    out.push([s, e, x.id]);
    return undefined;
  });
  return out;
}

/** Asserts both indexes hold the same ranges. */
export function expectSameContents(a: VmaIndex<T>, b: VmaIndex<T>, what: string): void {
  const x = contents(a);
  const y = contents(b);
  if (JSON.stringify(x) !== JSON.stringify(y)) {
    expect(x, what).toEqual(y);
  }
  expect(a.size, `${what}: size`).toBe(b.size);
}

/** Compares `count` random queries of every read method between two indexes over [0, span). */
export function expectSameAnswers(
  a: VmaIndex<T>,
  b: VmaIndex<T>,
  rng: Rng,
  span: number,
  count: number,
  what: string,
): void {
  const id = (x: T | null): number | null => (x === null ? null : x.id);
  for (let k = 0; k < count; k++) {
    const q = rng.int(span + 2);
    expect(id(a.find(q)), `${what}: find(${q})`).toBe(id(b.find(q)));
    expect(id(a.lookup(q)), `${what}: lookup(${q})`).toBe(id(b.lookup(q)));
    expect(id(a.prevOf(q)), `${what}: prevOf(${q})`).toBe(id(b.prevOf(q)));
    expect(id(a.nextOf(q)), `${what}: nextOf(${q})`).toBe(id(b.nextOf(q)));
    const lo = rng.int(span);
    const hi = lo + rng.int(span);
    const size = 1 + rng.int(Math.max(2, span >> 6));
    expect(a.emptyArea(lo, hi, size), `${what}: emptyArea(${lo}, ${hi}, ${size})`).toBe(
      b.emptyArea(lo, hi, size),
    );
    expect(a.emptyAreaRev(lo, hi, size), `${what}: emptyAreaRev(${lo}, ${hi}, ${size})`).toBe(
      b.emptyAreaRev(lo, hi, size),
    );
    const stop = 1 + rng.int(5);
    const walk = (ix: VmaIndex<T>, rev: boolean): number[] => {
      const seen: number[] = [];
      const v = (_s: number, _e: number, x: T): boolean => {
        seen.push(x.id);
        return seen.length >= stop;
      };
      if (rev) ix.forEachReverse(lo, hi, v);
      else ix.forEach(lo, hi, v);
      return seen;
    };
    expect(walk(a, false), `${what}: forEach(${lo}, ${hi})`).toEqual(walk(b, false));
    expect(walk(a, true), `${what}: forEachReverse(${lo}, ${hi})`).toEqual(walk(b, true));
  }
}
