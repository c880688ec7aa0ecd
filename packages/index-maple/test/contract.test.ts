import { IndexContractError, IndexInvariantError } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { createMapleIndex, maplePlugin } from '../src/index.js';
import { LEAF, SHIFT } from '../src/layout.js';
import { DEAD, MapleTree } from '../src/tree.js';
import { validateTree } from '../src/validate.js';
import { Writer } from '../src/write.js';
import { entry, type T } from './helpers.js';

const P = 4096;

describe('contract errors', () => {
  it('rejects overlapping inserts, naming both ranges, and leaves the index unchanged', () => {
    const m = createMapleIndex<T>();
    const a = entry();
    m.insert(0x10000, 0x20000, a);
    expect(() => m.insert(0x18000, 0x28000, entry())).toThrow(
      new IndexContractError('insert: [0x18000, 0x28000) overlaps [0x10000, 0x20000)'),
    );
    expect(() => m.insert(0x8000, 0x11000, entry())).toThrow(
      new IndexContractError('insert: [0x8000, 0x11000) overlaps [0x10000, 0x20000)'),
    );
    expect(() => m.insert(0x8000, 0x30000, entry())).toThrow(/overlaps \[0x10000, 0x20000\)/);
    expect(m.size).toBe(1);
    expect(m.version).toBe(1);
    m.insert(0x20000, 0x30000, entry());
    m.insert(0x0, 0x10000, entry());
    m.validate();
  });

  it('rejects removing what is absent or mapped to another entry', () => {
    const m = createMapleIndex<T>();
    const a = entry();
    m.insert(0x10000, 0x20000, a);
    const msg = /remove: \[0x10000, 0x1f000\) is not a range of the index mapped to that entry/;
    expect(() => m.remove(0x10000, 0x1f000, a)).toThrow(msg);
    expect(() => m.remove(0x10000, 0x20000, entry())).toThrow(IndexContractError);
    expect(() => m.remove(0x30000, 0x40000, a)).toThrow(IndexContractError);
    expect(() => createMapleIndex<T>().remove(0, P, a)).toThrow(IndexContractError);
    m.remove(0x10000, 0x20000, a);
    expect(m.size).toBe(0);
    expect(m.eraseAt(0x10000)).toBeNull();
    expect(m.eraseAt(-1)).toBeNull();
  });

  it('rejects bad ranges always and misaligned ones in checked mode', () => {
    const loose = createMapleIndex<T>();
    expect(() => loose.insert(5, 5, entry())).toThrow(/empty or inverted range/);
    expect(() => loose.store(-1, 5, null)).toThrow(/non-negative safe integers/);
    expect(() => loose.store(0, 2 ** 60, null)).toThrow(/non-negative safe integers/);
    expect(() => loose.insert(0, 1, null as unknown as T)).toThrow(/entry is null/);
    loose.insert(1, 3, entry());
    const checked = createMapleIndex<T>({ checked: true });
    expect(() => checked.insert(1, P, entry())).toThrow(/\[0x1, 0x1000\) is not page aligned/);
    expect(() => checked.insert(0, P, {} as T)).toThrow(/no numeric id/);
    expect(() => createMapleIndex<T>({ reclaimBatch: -1 })).toThrow(/reclaimBatch/);
    expect(() => loose.publish()).toThrow(/publish\(\) without beginUpdate\(\)/);
  });

  it('answers queries outside the index space without crashing', () => {
    const m = createMapleIndex<T>();
    const a = entry();
    m.insert(P, 2 * P, a);
    for (const q of [Number.NaN, -5, 2 ** 60, Number.POSITIVE_INFINITY]) {
      expect(() => m.find(q)).not.toThrow();
      expect(() => m.lookup(q)).not.toThrow();
      expect(() => m.prevOf(q)).not.toThrow();
      expect(() => m.nextOf(q)).not.toThrow();
    }
    expect(m.find(-5)).toBe(a);
    expect(m.find(2 ** 60)).toBeNull();
    expect(m.prevOf(2 ** 60)).toBe(a);
    expect(m.nextOf(-5)).toBe(a);
    expect(m.emptyArea(10, 5, 1)).toBe(-22);
    expect(m.emptyArea(0, 10, 0)).toBe(-22);
    expect(m.emptyArea(P, 2 * P - 1, 1)).toBe(-16);
  });

  it('has the plug-in descriptor and per-instance semantics', () => {
    expect(maplePlugin.meta.name).toBe('maple');
    expect(maplePlugin.semantics).toBe('rcu');
    expect(maplePlugin.era).toBe('maple-era');
    const ix = maplePlugin.create<T>();
    expect(ix.name).toBe('maple');
    expect(ix.semantics).toBe('rcu');
    expect(createMapleIndex<T>({ rcu: false }).semantics).toBe('unsafe');
  });
});

describe('validate() names what is broken', () => {
  function tree(): { t: MapleTree<T>; w: Writer<T> } {
    const t = new MapleTree<T>(true);
    const w = new Writer(t);
    for (let i = 0; i < 200; i++) w.store(10 * i, 10 * i + 4, entry());
    validateTree(t);
    return { t, w };
  }

  it('reports a wrong gap with the node and slot', () => {
    const { t } = tree();
    t.gap[(t.root << SHIFT) + 1] += 1;
    expect(() => validateTree(t)).toThrow(IndexInvariantError);
    expect(() => validateTree(t)).toThrow(
      /arange node #\d+ \(n\d+\) \[0x0, 0x1fffffffffffff\] at depth 0 slot 1: gap/,
    );
  });

  /** The leftmost leaf. */
  function firstLeaf(t: MapleTree<T>): number {
    let n = t.root;
    while (t.type[n] !== LEAF) n = t.child[n << SHIFT]!;
    return n;
  }

  it('reports pivots out of order, adjacent NULLs, bad parent links and counts', () => {
    const cases: [string, (t: MapleTree<T>) => void, RegExp][] = [
      [
        'pivot',
        (t) => {
          const leaf = firstLeaf(t);
          t.piv[(leaf << SHIFT) + 2] = t.piv[(leaf << SHIFT) + 1]!;
        },
        /slot 2: pivot 0x[0-9a-f]+ does not ascend/,
      ],
      [
        'nulls',
        (t) => {
          t.ent[(firstLeaf(t) << SHIFT) + 2] = null;
        },
        /NULL follows a NULL slot/,
      ],
      [
        'parent',
        (t) => {
          const leaf = t.child[(t.root << SHIFT) + 1]!;
          t.pslot[leaf] = 0;
        },
        /slot 1: child #\d+ records parent slot 0/,
      ],
      [
        'count',
        (t) => {
          t.count++;
        },
        /entries in the leaves but size is/,
      ],
      [
        'occupancy',
        (t) => {
          t.end[firstLeaf(t)] = 2;
        },
        /leaf node #\d+ .* holds 3 slots \(end 2\) below the minimum end 6/,
      ],
      [
        'dead',
        (t) => {
          t.state[firstLeaf(t)] = DEAD;
        },
        /is reachable but dead/,
      ],
    ];
    for (const [name, breakIt, msg] of cases) {
      const { t } = tree();
      breakIt(t);
      expect(() => validateTree(t), name).toThrow(msg);
    }
  });
});
