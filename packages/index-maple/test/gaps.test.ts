import type { UnmappedAreaRequest } from '@vmakit/core';
import { ReferenceIndex } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import { createMapleIndex } from '../src/index.js';
import { entry, Rng, type T } from './helpers.js';

const P = 4096;

describe('gap search over the gap arrays', () => {
  it('emptyArea / emptyAreaRev match the reference on a deep tree, window edges included', () => {
    const rng = new Rng(21);
    const m = createMapleIndex<T>();
    const r = new ReferenceIndex<T>();
    let a = 16 * P;
    for (let i = 0; i < 8000; i++) {
      a += (rng.next() < 0.4 ? 0 : 1 + rng.int(rng.next() < 0.01 ? 400 : 6)) * P;
      const len = (1 + rng.int(8)) * P;
      const v = entry();
      m.insert(a, a + len, v);
      r.insert(a, a + len, v);
      a += len;
    }
    expect(m.stats().height).toBeGreaterThanOrEqual(4);
    m.validate();
    for (let k = 0; k < 3000; k++) {
      const min = rng.int(a + 100 * P);
      const max = rng.next() < 0.1 ? Number.MAX_SAFE_INTEGER : min + rng.int(a / 4);
      const size = rng.next() < 0.5 ? (1 + rng.int(8)) * P : 1 + rng.int(300 * P);
      expect(m.emptyArea(min, max, size), `emptyArea(${min}, ${max}, ${size})`).toBe(
        r.emptyArea(min, max, size),
      );
      expect(m.emptyAreaRev(min, max, size), `emptyAreaRev(${min}, ${max}, ${size})`).toBe(
        r.emptyAreaRev(min, max, size),
      );
    }
  });

  it('unmappedArea (v6.12 unmapped_area over mas_empty_area) matches the reference with guard gaps and alignment', () => {
    const rng = new Rng(34);
    const m = createMapleIndex<T>({ checked: true });
    const r = new ReferenceIndex<T>({ checked: true });
    let a = 256 * P;
    for (let i = 0; i < 3000; i++) {
      a += (rng.next() < 0.3 ? 0 : 1 + rng.int(rng.next() < 0.05 ? 600 : 20)) * P;
      const len = (1 + rng.int(16)) * P;
      const v = entry(rng.next() < 0.05 ? 256 * P : 0);
      m.insert(a, a + len, v);
      r.insert(a, a + len, v);
      a += len;
    }
    for (let k = 0; k < 2000; k++) {
      const low = rng.int(a / P) * P;
      const req: UnmappedAreaRequest = {
        length: (1 + rng.int(rng.next() < 0.1 ? 2000 : 40)) * P,
        lowLimit: low,
        highLimit: rng.next() < 0.3 ? a + 4096 * P : low + rng.int(a / P) * P,
        alignMask: rng.next() < 0.3 ? 512 * P - 1 : 0,
        alignOffset: rng.next() < 0.2 ? 16 * P : 0,
        topDown: rng.next() < 0.5,
      };
      expect(m.unmappedArea(req), JSON.stringify(req)).toBe(r.unmappedArea(req));
    }
  });

  it('keeps every gap array exact through stores that open and close gaps', () => {
    const rng = new Rng(55);
    for (const rcu of [true, false]) {
      const m = createMapleIndex<T>({ rcu });
      const r = new ReferenceIndex<T>();
      for (let k = 0; k < 3000; k++) {
        const s = rng.int(5000) * P;
        const len = (1 + rng.int(k % 50 === 0 ? 300 : 4)) * P;
        const v = rng.next() < 0.45 ? null : entry();
        m.store(s, s + len, v);
        r.store(s, s + len, v);
        m.validate(); // checks every recorded gap against a recomputation
        const size = (1 + rng.int(64)) * P;
        expect(m.emptyArea(0, Number.MAX_SAFE_INTEGER, size)).toBe(
          r.emptyArea(0, Number.MAX_SAFE_INTEGER, size),
        );
        expect(m.emptyAreaRev(0, 5000 * P, size)).toBe(r.emptyAreaRev(0, 5000 * P, size));
      }
    }
  }, 60_000);
});
