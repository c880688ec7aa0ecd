import { IndexContractError, IndexInvariantError } from '@vmakit/core';
import { xorshift } from '@vmakit/testkit/conformance';
import { describe, expect, it } from 'vitest';
import {
  btCheckValid,
  btCreate,
  btDeleteExisting,
  btInsertNew,
  btReplaceValue,
  btRoot,
  unwrapDefault,
} from '../src/btree-adapter.js';
import { createCowBtreeIndex } from '../src/index.js';

describe('sorted-btree traps (library facts the adapter hides)', () => {
  it('unwraps a CommonJS default export in both shapes a loader may hand over', () => {
    class K {}
    expect(unwrapDefault<typeof K>({ default: K })).toBe(K);
    expect(unwrapDefault<typeof K>(K)).toBe(K);
  });

  it('set() overwrites silently and reports only new keys; the adapter refuses both mistakes', () => {
    const t = btCreate<string>(16);
    expect(t.set(1, 'a')).toBe(true);
    expect(t.set(1, 'b')).toBe(false);
    expect(t.get(1)).toBe('b');
    expect(() => btInsertNew(t, 1, 'c')).toThrow(IndexInvariantError);
    expect(t.get(1)).toBe('b');
    expect(() => btDeleteExisting(t, 2)).toThrow(IndexInvariantError);
    expect(() => btReplaceValue(t, 1, 'd')).not.toThrow();
    expect(t.get(1)).toBe('d');
    expect(() => btReplaceValue(t, 3, 'x')).toThrow(IndexInvariantError);
  });

  it('a NaN key throws inside the library; the index answers queries at NaN with nothing', () => {
    const t = btCreate<string>(16);
    t.set(1, 'a');
    expect(() => t.getPairOrNextHigher(Number.NaN)).toThrow(/NaN/);
    const ix = createCowBtreeIndex<{ id: number }>();
    ix.insert(0, 0x1000, { id: 1 });
    expect(ix.find(Number.NaN)).toBeNull();
    expect(ix.lookup(Number.NaN)).toBeNull();
  });

  it('clone() writes the shared flag on the source root; the frozen source stays intact', () => {
    const base = btCreate<number>(4);
    for (let i = 0; i < 200; i++) base.set(i * 2, i);
    base.freeze();
    expect(btRoot(base).isShared).toBeUndefined();
    const copy = base.clone();
    expect(btRoot(base).isShared).toBe(true);
    expect(copy.isFrozen).toBe(false);
    const rootBefore = btRoot(base);
    for (let i = 0; i < 200; i++) copy.delete(i * 2);
    for (let i = 0; i < 300; i++) copy.set(i * 2 + 1, -i);
    expect(btRoot(base)).toBe(rootBefore);
    btCheckValid(base, 'base');
    btCheckValid(copy, 'copy');
    expect(base.size).toBe(200);
    expect(base.toArray()).toEqual(Array.from({ length: 200 }, (_, i) => [i * 2, i]));
    expect(copy.size).toBe(300);
  });

  it('clone, then mutate both copies: each matches its own model and stays valid', () => {
    const rnd = xorshift(17);
    for (const size of [4, 16, 32]) {
      const a = btCreate<number>(size);
      const ma = new Map<number, number>();
      for (let i = 0; i < 500; i++) {
        const k = Math.floor(rnd() * 2000);
        a.set(k, i);
        ma.set(k, i);
      }
      const b = a.clone();
      const mb = new Map(ma);
      for (let step = 0; step < 1500; step++) {
        const [t, m] = rnd() < 0.5 ? ([a, ma] as const) : ([b, mb] as const);
        const k = Math.floor(rnd() * 2000);
        if (rnd() < 0.5) {
          t.delete(k);
          m.delete(k);
        } else {
          t.set(k, step);
          m.set(k, step);
        }
        if (step % 50 === 0) {
          btCheckValid(a, 'a');
          btCheckValid(b, 'b');
        }
      }
      const sorted = (m: Map<number, number>) => [...m.entries()].sort((x, y) => x[0] - y[0]);
      expect(a.toArray()).toEqual(sorted(ma));
      expect(b.toArray()).toEqual(sorted(mb));
    }
  });

  it('rejects a node size the library would silently clamp', () => {
    expect(() => createCowBtreeIndex({ maxNodeSize: 2 })).toThrow(IndexContractError);
    expect(() => createCowBtreeIndex({ maxNodeSize: 300 })).toThrow(/4 to 256/);
    expect(() => createCowBtreeIndex({ maxNodeSize: 8.5 })).toThrow(IndexContractError);
    expect(createCowBtreeIndex({ maxNodeSize: 32 }).stats().detail.modelNodeBytes).toBe(8 + 16 * 32);
  });

  it('the index never reaches the traps: overlaps and absent ranges are contract errors', () => {
    const ix = createCowBtreeIndex<{ id: number }>({ checked: true });
    const a = { id: 1 };
    ix.insert(0x1000, 0x2000, a);
    expect(() => ix.insert(0x1000, 0x2000, { id: 2 })).toThrow(IndexContractError);
    expect(() => ix.remove(0x1000, 0x3000, a)).toThrow(/not a range of the index/);
    expect(() => ix.remove(0x1000, 0x2000, { id: 1 })).toThrow(IndexContractError);
    expect(() => ix.insert(0x1800, 0x3000, a)).toThrow(/page aligned/);
    expect(() => ix.insert(0x3000, 0x4000, null as unknown as { id: number })).toThrow(/no entry/);
    expect(ix.eraseAt(0x5000)).toBeNull();
    expect(ix.size).toBe(1);
    expect(ix.version).toBe(1);
    ix.validate();
  });
});
