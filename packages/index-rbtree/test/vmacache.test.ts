import { ReferenceIndex } from '@vmakit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RbtreeIndex } from '../src/index.js';

interface T {
  readonly id: number;
}

const P = 4096;

function counters(ix: RbtreeIndex<T>): { calls: number; hits: number } {
  const d = ix.stats().detail;
  return { calls: d.VMACACHE_FIND_CALLS!, hits: d.VMACACHE_FIND_HITS! };
}

describe('per-thread vmacache', () => {
  it('misses on a thread first lookup, then hits', () => {
    const ix = new RbtreeIndex<T>();
    const a = { id: 1 };
    ix.insert(0x10 * P, 0x20 * P, a);
    expect(ix.find(0x11 * P, 7)).toBe(a);
    expect(counters(ix)).toEqual({ calls: 1, hits: 0 });
    expect(ix.find(0x11 * P, 7)).toBe(a);
    expect(ix.lookup(0x11 * P + 5, 7)).toBe(a);
    expect(counters(ix)).toEqual({ calls: 3, hits: 2 });
    // Another thread has its own cache.
    expect(ix.find(0x11 * P, 8)).toBe(a);
    expect(counters(ix)).toEqual({ calls: 4, hits: 2 });
    expect(ix.stats().detail.vmacacheThreads).toBe(2);
  });

  it('is not used without a thread id (kernel threads, foreign mm)', () => {
    const ix = new RbtreeIndex<T>();
    ix.insert(0, P, { id: 1 });
    ix.find(0);
    ix.lookup(0);
    expect(counters(ix)).toEqual({ calls: 0, hits: 0 });
  });

  it('checks all four slots but updates only the hashed one', () => {
    const ix = new RbtreeIndex<T>();
    const a = { id: 1 };
    const b = { id: 2 };
    ix.insert(0, 4 * P, a); // pages 0..3: one per slot
    ix.insert(8 * P, 9 * P, b); // page 8: slot 0
    ix.find(0, 1); // first call: flush, miss, fills slot 0 with a
    ix.find(0, 1); // hit in slot 0
    // Page 1 hashes to slot 1 (empty), but the linear scan finds a in slot 0.
    expect(ix.find(1 * P, 1)).toBe(a);
    expect(counters(ix)).toEqual({ calls: 3, hits: 2 });
    // b goes to slot 0 and evicts a; page 1 now misses and refills slot 1.
    expect(ix.find(8 * P, 1)).toBe(b);
    expect(ix.find(1 * P, 1)).toBe(a);
    expect(counters(ix)).toEqual({ calls: 5, hits: 2 });
    // Slots 0 (b) and 1 (a) both hit now.
    expect(ix.find(8 * P, 1)).toBe(b);
    expect(ix.find(3 * P, 1)).toBe(a);
    expect(counters(ix)).toEqual({ calls: 7, hits: 4 });
  });

  it('hashes on the PMD when vmacacheShift is 21 (v5.1+ mm/vmacache.c)', () => {
    const ix = new RbtreeIndex<T>({ vmacacheShift: 21 });
    const a = { id: 1 };
    const b = { id: 2 };
    ix.insert(0, P, a);
    ix.insert(P, 2 * P, b); // same 2 MiB region: same slot
    ix.find(0, 1);
    ix.find(P, 1); // miss, evicts a from slot 0
    ix.find(0, 1); // miss again
    expect(counters(ix)).toEqual({ calls: 3, hits: 0 });
    expect(() => new RbtreeIndex<T>({ vmacacheShift: 99 })).toThrow(/vmacacheShift/);
  });

  it('is invalidated when a VMA is unlinked', () => {
    const ix = new RbtreeIndex<T>();
    const a = { id: 1 };
    const b = { id: 2 };
    ix.insert(0, P, a);
    ix.insert(4 * P, 5 * P, b);
    ix.find(0, 1);
    ix.find(0, 1);
    const seq = ix.stats().detail.vmacacheSeqnum!;
    ix.remove(4 * P, 5 * P, b);
    expect(ix.stats().detail.vmacacheSeqnum).toBe(seq + 1);
    expect(ix.find(0, 1)).toBe(a); // stale seqnum: flush and miss
    expect(ix.find(0, 1)).toBe(a);
    expect(counters(ix)).toEqual({ calls: 4, hits: 2 });
    ix.validate();
  });

  it('never answers from a cached VMA that a store trimmed or split', () => {
    const ix = new RbtreeIndex<T>();
    const a = { id: 1 };
    const b = { id: 2 };
    const c = { id: 3 };
    ix.insert(0, 8 * P, a);
    ix.insert(16 * P, 17 * P, c);
    for (let p = 0; p < 8; p++) expect(ix.find(p * P, 1)).toBe(a);
    // Overwrite the middle with b: a is split, the cached node now covers pages 0..1 only.
    ix.store(2 * P, 4 * P, b);
    expect(ix.lookup(3 * P, 1)).toBe(b);
    expect(ix.lookup(5 * P, 1)).toBe(a);
    expect(ix.lookup(1 * P, 1)).toBe(a);
    // Unmap the tail of the cached a: find must skip to c, lookup must miss.
    ix.find(7 * P, 1);
    ix.store(6 * P, 8 * P, null);
    expect(ix.find(7 * P, 1)).toBe(c);
    expect(ix.lookup(7 * P, 1)).toBeNull();
    // Boundary move in place (vma_adjust, as mprotect does): b shrinks, the a after it grows down
    // over page 3. Nothing is unlinked, so the cache stays valid, yet page 3 must now give a.
    const aTail = ix.lookup(5 * P, 1);
    expect(ix.lookup(3 * P, 1)).toBe(b);
    const seq = ix.stats().detail.vmacacheSeqnum;
    ix.store(3 * P, 6 * P, a);
    expect(ix.stats().detail.vmacacheSeqnum).toBe(seq);
    expect(ix.lookup(3 * P, 1)).toBe(aTail);
    expect(ix.lookup(2 * P, 1)).toBe(b);
    ix.validate();
  });

  it('agrees with the reference under random updates and cached lookups from 4 threads', () => {
    const pool = Array.from({ length: 6 }, (_, k) => ({ id: k + 1 }));
    const cmd = fc.record({
      kind: fc.constantFrom('store', 'store', 'erase', 'find', 'find', 'find', 'find'),
      at: fc.integer({ min: 0, max: 64 }),
      len: fc.integer({ min: 1, max: 6 }),
      e: fc.option(fc.integer({ min: 0, max: pool.length - 1 }), { nil: null }),
      tid: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 1, maxLength: 200 }), (cmds) => {
        const ix = new RbtreeIndex<T>();
        const ref = new ReferenceIndex<T>();
        for (const c of cmds) {
          const s = c.at * P;
          if (c.kind === 'store') {
            const e = c.e === null ? null : pool[c.e]!;
            ix.store(s, s + c.len * P, e);
            ref.store(s, s + c.len * P, e);
          } else if (c.kind === 'erase') {
            expect(ix.eraseAt(s)).toBe(ref.eraseAt(s));
          } else {
            expect(ix.find(s + 17, c.tid)).toBe(ref.find(s + 17));
            expect(ix.lookup(s, c.tid)).toBe(ref.lookup(s));
          }
          ix.validate();
        }
        const { calls, hits } = counters(ix);
        expect(hits).toBeLessThanOrEqual(calls);
      }),
      { seed: 0xcac4e, numRuns: 200 },
    );
  });
});
