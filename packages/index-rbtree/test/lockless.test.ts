import { ReferenceIndex } from '@vmakit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RbtreeIndex } from '../src/index.js';

interface T {
  readonly id: number;
}

const P = 4096;

describe('lockless readers (unsafe semantics)', () => {
  it('read cleanly outside updates and record their path root first', () => {
    const ix = new RbtreeIndex<T>();
    const es = Array.from({ length: 15 }, (_, k) => ({ id: 100 + k }));
    for (const [k, e] of es.entries()) ix.insert(2 * k * P, (2 * k + 1) * P, e);
    const r = ix.openReader();
    expect(r.lookup(6 * P)).toBe(es[3]);
    expect(r.outcome).toBe('clean');
    expect(r.path.length).toBeGreaterThan(0);
    expect(r.path[r.path.length - 1]).toBe(103);
    expect(r.find(7 * P)).toBe(es[4]);
    expect(r.lookup(7 * P)).toBeNull();
    expect(r.outcome).toBe('clean');
    r.close();
    expect(() => r.find(0)).toThrow(/after close/);
  });

  it('miss when the walk crosses a node the update in flight restructured', () => {
    const ix = new RbtreeIndex<T>();
    const es = Array.from({ length: 31 }, (_, k) => ({ id: 200 + k }));
    for (const [k, e] of es.entries()) ix.insert(2 * k * P, (2 * k + 1) * P, e);
    ix.beginUpdate();
    expect(ix.restructuredDuringUpdate()).toEqual([]);
    // Erasing the root restructures the top of the tree: every walk crosses the root.
    const rootId = ix.openReader();
    rootId.find(0);
    const top = rootId.path[0]!;
    const victim = es.find((e) => e.id === top)!;
    const k = es.indexOf(victim);
    ix.remove(2 * k * P, (2 * k + 1) * P, victim);
    const changed = ix.restructuredDuringUpdate();
    expect(changed.length).toBeGreaterThan(0);
    const r = ix.openReader();
    let missed = 0;
    for (let j = 0; j < es.length; j++) {
      const got = r.lookup(2 * j * P);
      if (r.outcome === 'missed') {
        missed++;
        expect(got).toBeNull();
        expect(changed).toContain(r.path[r.path.length - 1]);
      } else {
        expect(got).toBe(j === k ? null : es[j]);
      }
    }
    expect(missed).toBeGreaterThan(0);
    const version = ix.version;
    ix.publish();
    expect(ix.version).toBe(version + 1);
    expect(ix.restructuredDuringUpdate()).toEqual([]);
    for (let j = 0; j < es.length; j++) {
      expect(r.lookup(2 * j * P)).toBe(j === k ? null : es[j]);
      expect(r.outcome).toBe('clean');
    }
  });

  it('close a bracket only at the outermost publish; empty updates keep the version', () => {
    const ix = new RbtreeIndex<T>();
    const v0 = ix.version;
    ix.beginUpdate();
    ix.publish();
    expect(ix.version).toBe(v0);
    ix.beginUpdate();
    ix.beginUpdate();
    ix.insert(0, P, { id: 1 });
    ix.publish();
    expect(ix.version).toBe(v0);
    expect(ix.restructuredDuringUpdate()).toContain(1);
    ix.insert(2 * P, 3 * P, { id: 2 });
    ix.publish();
    expect(ix.version).toBe(v0 + 1);
    ix.insert(4 * P, 5 * P, { id: 3 });
    expect(ix.version).toBe(v0 + 2);
    expect(ix.restructuredDuringUpdate()).toEqual([]);
  });

  it('never return a wrong entry, and a clean walk is exact (property)', () => {
    const pool = Array.from({ length: 8 }, (_, k) => ({ id: k + 1 }));
    const step = fc.record({
      kind: fc.constantFrom('begin', 'publish', 'store', 'store', 'erase', 'read', 'read', 'read'),
      at: fc.integer({ min: 0, max: 96 }),
      len: fc.integer({ min: 1, max: 5 }),
      e: fc.option(fc.integer({ min: 0, max: pool.length - 1 }), { nil: null }),
    });
    let missedTotal = 0;
    let readsInFlight = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 250 }), (steps) => {
        const ix = new RbtreeIndex<T>();
        const ref = new ReferenceIndex<T>();
        const reader = ix.openReader();
        let depth = 0;
        for (const s of steps) {
          const a = s.at * P;
          if (s.kind === 'begin') {
            ix.beginUpdate();
            ref.beginUpdate();
            depth++;
          } else if (s.kind === 'publish') {
            if (depth === 0) continue;
            ix.publish();
            ref.publish();
            depth--;
          } else if (s.kind === 'store') {
            const e = s.e === null ? null : pool[s.e]!;
            ix.store(a, a + s.len * P, e);
            ref.store(a, a + s.len * P, e);
          } else if (s.kind === 'erase') {
            ix.eraseAt(a);
            ref.eraseAt(a);
          } else {
            // The writer's current state is the reference's draft.
            const want = ref.find(a + 1);
            const got = reader.find(a + 1);
            if (depth > 0) readsInFlight++;
            if (reader.outcome === 'missed') {
              missedTotal++;
              expect(got).toBeNull();
              expect(depth).toBeGreaterThan(0);
            } else {
              expect(reader.outcome).toBe('clean');
              expect(got).toBe(want);
            }
            const got2 = reader.lookup(a);
            if (got2 !== null) expect(got2).toBe(ref.lookup(a));
          }
          ix.validate();
        }
        while (depth-- > 0) ix.publish();
        expect(ix.restructuredDuringUpdate()).toEqual([]);
      }),
      { seed: 0x10c1e55, numRuns: 250 },
    );
    expect(readsInFlight).toBeGreaterThan(0);
    expect(missedTotal).toBeGreaterThan(0);
  });
});
