import { ReferenceIndex } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import { createMapleIndex } from '../src/index.js';
import { entry, expectSameAnswers, expectSameContents, Rng, type T } from './helpers.js';

const P = 4096;
const BASE = 0x10000;
const N = 65_530;

describe.each([
  ['rcu', true],
  ['non-rcu', false],
])('maple (%s) tree shape under split- and merge-heavy sequences', (_name, rcu) => {
  it('inserts 65,530 adjacent ranges in order, then erases every other one, then all', () => {
    const m = createMapleIndex<T>({ rcu, checked: true });
    const vmas: T[] = [];
    for (let i = 0; i < N; i++) {
      const v = entry();
      vmas.push(v);
      m.insert(BASE + i * P, BASE + (i + 1) * P, v);
      if (i % 8191 === 0) m.validate();
    }
    m.validate();
    const full = m.stats();
    expect(full.entries).toBe(N);
    // 65,530 entries plus the two gaps at the ends, 16 slots a leaf: at least 4,096 leaves, and
    // internal nodes of at most 10 children: height >= 1 + ceil(log10(4096)).
    expect(full.detail.leaves).toBeGreaterThanOrEqual(Math.ceil((N + 2) / 16));
    expect(full.height).toBeGreaterThanOrEqual(5);
    expect(full.bytes).toBe(full.nodes * 256);
    expect(full.detail.leaves! + full.detail.internal!).toBe(full.nodes);
    expect(full.detail['store.splitStore']).toBeGreaterThan(0);
    if (!rcu) expect(full.detail['store.append']).toBeGreaterThan(0);
    else expect(full.detail['store.append']).toBe(0);

    expect(m.find(0)).toBe(vmas[0]);
    expect(m.lookup(BASE + 1234 * P + 5)).toBe(vmas[1234]);
    expect(m.find(BASE + N * P)).toBeNull();
    expect(m.prevOf(BASE + N * P + P)).toBe(vmas[N - 1]);

    for (let i = 0; i < N; i += 2) m.remove(BASE + i * P, BASE + (i + 1) * P, vmas[i]!);
    m.validate();
    const half = m.stats();
    expect(half.entries).toBe(N / 2);
    expect(m.lookup(BASE + 2 * P)).toBeNull();
    expect(m.find(BASE + 2 * P)).toBe(vmas[3]);
    expect(m.emptyArea(0, Number.MAX_SAFE_INTEGER, 2 * P)).toBe(0);
    expect(m.emptyArea(BASE, BASE + N * P, P)).toBe(BASE);
    expect(m.emptyArea(BASE + P, BASE + N * P - 1, 2 * P)).toBe(-16);
    expect(m.emptyArea(BASE + P, BASE + N * P + 2 * P - 1, 2 * P)).toBe(BASE + N * P);
    expect(m.emptyAreaRev(0, BASE + 10 * P - 1, P)).toBe(BASE + 8 * P);

    for (let i = 1; i < N; i += 2) expect(m.eraseAt(BASE + i * P + 7)).toBe(vmas[i]);
    m.validate();
    const none = m.stats();
    expect(none).toMatchObject({ entries: 0, nodes: 0, height: 0, bytes: 0 });
    expect(none.detail.retired).toBe(none.detail.allocations);
  }, 60_000);

  it('inserts in random order and drains in random order, validating as it goes', () => {
    const rng = new Rng(rcu ? 77 : 78);
    const count = 6000;
    const order = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const m = createMapleIndex<T>({ rcu });
    const r = new ReferenceIndex<T>();
    const vmas = order.map(() => entry());
    // Ranges of 1-3 pages separated by 0-2 free pages, fixed in advance.
    const starts: number[] = [];
    let a = BASE;
    for (let i = 0; i < count; i++) {
      a += rng.int(3) * P;
      starts.push(a);
      a += (1 + rng.int(3)) * P;
    }
    const endOf = (i: number): number =>
      starts[i]! + (i + 1 < count ? Math.min(P * 3, starts[i + 1]! - starts[i]!) : P);
    for (const [k, i] of order.entries()) {
      m.insert(starts[i]!, endOf(i), vmas[i]!);
      r.insert(starts[i]!, endOf(i), vmas[i]!);
      if (k % 500 === 0) m.validate();
    }
    m.validate();
    expectSameContents(m, r, 'after random inserts');
    expectSameAnswers(m, r, rng, a, 200, 'after random inserts');
    for (const [k, i] of order.reverse().entries()) {
      if (k % 3 === 0) continue;
      m.remove(starts[i]!, endOf(i), vmas[i]!);
      r.remove(starts[i]!, endOf(i), vmas[i]!);
      if (k % 400 === 0) m.validate();
    }
    m.validate();
    expectSameContents(m, r, 'after random removals');
    expectSameAnswers(m, r, rng, a, 200, 'after random removals');
    expect(m.stats().detail['store.rebalance']).toBeGreaterThan(0);
  }, 60_000);

  it('spanning stores over hundreds of ranges replace whole subtrees and can lower the tree', () => {
    const m = createMapleIndex<T>({ rcu });
    const r = new ReferenceIndex<T>();
    const rng = new Rng(rcu ? 5 : 6);
    const count = 5000;
    for (let i = 0; i < count; i++) {
      const v = entry();
      m.insert(BASE + 2 * i * P, BASE + (2 * i + 1) * P, v);
      r.insert(BASE + 2 * i * P, BASE + (2 * i + 1) * P, v);
    }
    m.validate();
    const tall = m.stats().height;
    let wide = 0;
    for (let k = 0; k < 40; k++) {
      // Straddle partial ranges at both ends, covering 100-600 ranges.
      const first = rng.int(count - 700);
      const span = 100 + rng.int(500);
      const s = BASE + 2 * first * P + rng.int(2 * P);
      const e = BASE + 2 * (first + span) * P + rng.int(2 * P) + 1;
      const v = rng.next() < 0.5 ? null : entry();
      let covered = 0;
      r.forEach(s, e, () => {
        covered++;
        return undefined;
      });
      if (covered > 16) wide++;
      const before = m.stats().detail.retired!;
      m.store(s, e, v);
      r.store(s, e, v);
      m.validate();
      // Leaves hold at most 8 ranges of this layout (a range and a gap each); whole ones are dropped.
      const dropped = m.stats().detail.retired! - before;
      expect(dropped, `store ${k} over ${covered} ranges retires their leaves`).toBeGreaterThanOrEqual(
        Math.floor(covered / 8) - 1,
      );
      expectSameContents(m, r, `spanning store ${k}`);
    }
    expectSameAnswers(m, r, rng, BASE + 2 * count * P, 200, 'after spanning stores');
    expect(m.stats().detail['store.spanningStore']).toBeGreaterThanOrEqual(wide);
    // Clearing all but a few ranges collapses the tree to a single leaf.
    m.store(0, BASE + 2 * (count - 3) * P, null);
    r.store(0, BASE + 2 * (count - 3) * P, null);
    m.validate();
    expectSameContents(m, r, 'after clearing');
    expect(tall).toBeGreaterThanOrEqual(3);
    expect(m.stats()).toMatchObject({ entries: 3, nodes: 1, height: 1 });
    // A store over everything leaves one leaf with one range; a NULL one empties the tree.
    const all = entry();
    m.store(0, Number.MAX_SAFE_INTEGER, all);
    m.validate();
    expect(m.stats()).toMatchObject({ entries: 1, nodes: 1, height: 1 });
    expect(m.find(123)).toBe(all);
    m.store(0, Number.MAX_SAFE_INTEGER, null);
    m.validate();
    expect(m.stats()).toMatchObject({ entries: 0, nodes: 0, height: 0 });
  }, 60_000);

  it('takes every kernel write path on the right shapes', () => {
    const m = createMapleIndex<T>({ rcu });
    const a = entry();
    m.store(100, 200, a); // root expand: NULL, a, NULL
    expect(m.stats().detail['store.rootExpand']).toBe(1);
    m.store(100, 200, entry()); // exact fit
    expect(m.stats().detail['store.exactFit']).toBe(1);
    m.store(300, 400, entry()); // inside the trailing gap of the last slot: append (non-RCU) or node store
    expect(m.stats().detail[rcu ? 'store.nodeStore' : 'store.append']).toBe(1);
    m.store(150, 300, entry()); // takes all of a NULL slot and part of another: moves one boundary
    expect(m.stats().detail['store.slotStore']).toBe(1);
    for (let i = 0; i < 20; i++) m.insert(1000 + 10 * i, 1005 + 10 * i, entry());
    expect(m.stats().detail['store.splitStore']).toBeGreaterThan(0);
    expect(m.stats().height).toBe(2);
    m.validate();
  });
});
