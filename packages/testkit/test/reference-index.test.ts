import { ENOMEM, IndexContractError } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { ReferenceIndex } from '../src/index.js';

interface T {
  id: number;
  guardBelow?: number;
}
const e = (id: number, guardBelow = 0): T => ({ id, guardBelow });

describe('ReferenceIndex', () => {
  it('finds, looks up and iterates', () => {
    const ix = new ReferenceIndex<T>();
    const a = e(1);
    const b = e(2);
    ix.insert(0x1000, 0x3000, a);
    ix.insert(0x5000, 0x6000, b);
    expect(ix.find(0)).toBe(a);
    expect(ix.find(0x3000)).toBe(b);
    expect(ix.lookup(0x3000)).toBeNull();
    expect(ix.lookup(0x2fff)).toBe(a);
    expect(ix.find(0x6000)).toBeNull();
    expect(ix.prevOf(0x5000)).toBe(a);
    expect(ix.prevOf(0x2fff)).toBeNull();
    expect(ix.nextOf(0x1001)).toBe(b);
    const seen: number[] = [];
    ix.forEachReverse(0, 0x10000, (s) => {
      seen.push(s);
      return undefined;
    });
    expect(seen).toEqual([0x5000, 0x1000]);
    expect(() => ix.insert(0x2000, 0x5000, e(3))).toThrow(IndexContractError);
  });

  it('stores over ranges like mas_store: trims and splits', () => {
    const ix = new ReferenceIndex<T>();
    const a = e(1);
    ix.insert(0x1000, 0x9000, a);
    ix.store(0x3000, 0x4000, null);
    const ranges: Array<[number, number, number]> = [];
    ix.forEach(0, 0x10000, (s, en, x) => {
      ranges.push([s, en, x.id]);
      return undefined;
    });
    expect(ranges).toEqual([
      [0x1000, 0x3000, 1],
      [0x4000, 0x9000, 1],
    ]);
    expect(ix.eraseAt(0x4000)).toBe(a);
    expect(ix.size).toBe(1);
  });

  it('searches gaps both ways with inclusive bounds', () => {
    const ix = new ReferenceIndex<T>();
    ix.insert(10, 20, e(1));
    ix.insert(30, 40, e(2));
    expect(ix.emptyArea(0, 100, 10)).toBe(0);
    expect(ix.emptyArea(5, 100, 10)).toBe(20);
    expect(ix.emptyArea(5, 100, 11)).toBe(40);
    expect(ix.emptyAreaRev(0, 35, 5)).toBe(25);
    expect(ix.emptyAreaRev(0, 100, 5)).toBe(96);
    expect(ix.emptyAreaRev(0, 8, 10)).toBeLessThan(0);
  });

  it('honours stack guard gaps in unmappedArea', () => {
    const ix = new ReferenceIndex<T>();
    ix.insert(0x100000, 0x200000, e(1, 0x10000));
    const top = ix.unmappedArea({ length: 0x1000, lowLimit: 0, highLimit: 0x100000, topDown: true });
    expect(top).toBe(0x100000 - 0x10000 - 0x1000);
    expect(ix.unmappedArea({ length: 0x300000, lowLimit: 0x1000, highLimit: 0x300000, topDown: false })).toBe(
      -ENOMEM,
    );
  });

  it('gives readers the version published before they opened', () => {
    const ix = new ReferenceIndex<T>();
    const a = e(1);
    ix.insert(0x1000, 0x2000, a);
    ix.beginUpdate();
    ix.remove(0x1000, 0x2000, a);
    const r = ix.openReader();
    expect(r.lookup(0x1000)).toBe(a);
    ix.publish();
    expect(r.lookup(0x1000)).toBe(a);
    expect(ix.openReader().lookup(0x1000)).toBeNull();
  });

  it('visits nothing for an empty or inverted window, even inside a range', () => {
    const ix = new ReferenceIndex<T>();
    ix.insert(0x1000, 0x9000, e(1));
    const seen: number[] = [];
    const visit = (s: number) => {
      seen.push(s);
      return undefined;
    };
    ix.forEach(0x2000, 0x2000, visit);
    ix.forEach(0x5000, 0x2000, visit);
    ix.forEachReverse(0x2000, 0x2000, visit);
    ix.forEachReverse(0x5000, 0x2000, visit);
    expect(seen).toEqual([]);
    ix.forEach(0x2000, 0x2001, visit);
    expect(seen).toEqual([0x1000]);
  });

  it('leaves no draft behind after a rejected insert', () => {
    const ix = new ReferenceIndex<T>();
    ix.insert(0x1000, 0x2000, e(1));
    const v = ix.version;
    expect(() => ix.insert(0x1000, 0x3000, e(2))).toThrow(IndexContractError);
    ix.beginUpdate();
    ix.publish();
    expect(ix.version).toBe(v);
  });
});
