import { ReferenceIndex } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import { createMapleIndex } from '../src/index.js';
import { LEAF, SHIFT } from '../src/layout.js';
import { DEAD, MapleTree } from '../src/tree.js';
import { Writer } from '../src/write.js';
import { entry, Rng, type T } from './helpers.js';

const P = 4096;

/** A tree of `count` one-page ranges with one-page gaps, deep enough for several levels. */
function build(rcu: boolean, count: number) {
  const m = createMapleIndex<T>({ rcu, reclaimBatch: 0 });
  const r = new ReferenceIndex<T>();
  for (let i = 0; i < count; i++) {
    const v = entry();
    m.insert(2 * i * P, (2 * i + 1) * P, v);
    r.insert(2 * i * P, (2 * i + 1) * P, v);
  }
  return { m, r };
}

describe('lockless readers during an update', () => {
  it('RCU: every answer is the old or the new state, and crossing a replaced node restarts', () => {
    const { m, r } = build(true, 3000);
    const old = new ReferenceIndex<T>();
    r.forEach(0, Number.MAX_SAFE_INTEGER, (s, e, x) => {
      old.insert(s, e, x);
      return undefined;
    });
    const rng = new Rng(3);
    m.beginUpdate();
    r.beginUpdate();
    for (let k = 0; k < 30; k++) {
      const s = rng.int(6000) * P;
      const len = (1 + rng.int(k % 5 === 0 ? 200 : 3)) * P;
      const v = rng.next() < 0.3 ? null : entry();
      m.store(s, s + len, v);
      r.store(s, s + len, v);
    }
    const reader = m.openReader();
    const changed = m.nodesChangedDuringUpdate();
    expect(changed.created.length).toBeGreaterThan(0);
    expect(changed.retired.length).toBeGreaterThan(0);
    const touched = new Set([...changed.created, ...changed.retired]);
    let restarted = 0;
    let clean = 0;
    for (let q = 0; q < 6000 * P; q += 12_347) {
      for (const op of ['find', 'lookup'] as const) {
        const got = reader[op](q);
        const before = old[op](q);
        const after = r[op](q);
        expect(got === before || got === after, `${op}(${q}) is neither old nor new`).toBe(true);
        expect(got, `${op}(${q}) answers from the new state`).toBe(after);
        expect(reader.outcome).not.toBe('missed');
        const crossed = reader.path.some((id) => touched.has(id));
        expect(reader.outcome).toBe(crossed ? 'restarted' : 'clean');
        if (reader.outcome === 'restarted') restarted++;
        else clean++;
      }
    }
    expect(restarted).toBeGreaterThan(0);
    reader.close();
    m.publish();
    r.publish();
    expect(m.nodesChangedDuringUpdate()).toEqual({ created: [], retired: [], writtenInPlace: [] });
    const after = m.openReader();
    after.find(12345);
    expect(after.outcome).toBe('clean');
    expect(() => {
      after.close();
      after.find(1);
    }).toThrow();
    expect(clean + restarted).toBeGreaterThan(0);
  });

  it('RCU: a node store restarts only readers that reach the copied leaf', () => {
    const { m } = build(true, 3000);
    const far = m.openReader();
    far.find(5000 * P);
    const farPath = far.path;
    m.beginUpdate();
    // Moves two boundaries without changing the slot count: a node store, one leaf copied.
    m.store(10 * P + 50, 12 * P + 100, entry());
    const ch = m.nodesChangedDuringUpdate();
    expect(ch.created.length).toBe(1);
    expect(ch.retired.length).toBe(1);
    // The parent's slot was swapped in place (rcu_assign_pointer), which does not restart readers.
    expect(ch.writtenInPlace.length).toBe(1);
    far.find(5000 * P);
    expect(far.outcome).toBe('clean');
    expect(far.path).toEqual(farPath);
    const near = m.openReader();
    near.lookup(11 * P + 150);
    expect(near.outcome).toBe('restarted');
    expect(near.path[near.path.length - 1]).toBe(ch.created[0]);
    expect(near.path).toContain(ch.writtenInPlace[0]);
    m.publish();
  });

  it('non-RCU: crossing a node rewritten in place misses; other lookups are clean', () => {
    const { m, r } = build(false, 3000);
    m.beginUpdate();
    m.beginUpdate();
    m.store(10 * P + 50, 12 * P + 100, entry()); // the same slot count: rewritten in place
    m.publish(); // inner bracket: still in flight
    const ch = m.nodesChangedDuringUpdate();
    expect(ch.created).toEqual([]);
    expect(ch.writtenInPlace.length).toBe(1);
    const reader = m.openReader();
    expect(reader.lookup(11 * P + 150)).toBeNull();
    expect(reader.outcome).toBe('missed');
    expect(reader.find(11 * P)).toBeNull();
    expect(reader.outcome).toBe('missed');
    expect(reader.find(4000 * P + 1)).toBe(r.find(4000 * P + 1));
    expect(reader.outcome).toBe('clean');
    const v = m.version;
    m.publish();
    expect(m.version).toBe(v + 1);
    expect(reader.lookup(11 * P + 150)?.id).toBeGreaterThan(0);
    expect(reader.outcome).toBe('clean');
    expect(m.semantics).toBe('unsafe');
  });
});

describe('retirement and grace periods', () => {
  it('RCU: retired nodes wait for a grace period and for readers that may hold them', () => {
    const { m } = build(true, 2000);
    let s = m.stats().detail;
    expect(s.retired).toBeGreaterThan(0);
    expect(s.pendingFree).toBe(s.retired! - s.freed!);
    expect(m.gracePeriod()).toBe(s.pendingFree);
    s = m.stats().detail;
    expect(s.pendingFree).toBe(0);
    expect(s.freed).toBe(s.retired);

    const early = m.openReader();
    m.store(100 * P + 1, 100 * P + 2, entry());
    const late = m.openReader();
    m.store(300 * P + 1, 300 * P + 2, entry());
    const pending = m.stats().detail.pendingFree!;
    expect(pending).toBeGreaterThanOrEqual(2);
    expect(m.gracePeriod()).toBe(0); // `early` may hold everything retired since it opened
    early.close();
    const first = m.gracePeriod();
    expect(first).toBeGreaterThan(0); // the nodes retired before `late` opened
    expect(first).toBeLessThan(pending);
    late.close();
    expect(m.gracePeriod()).toBe(pending - first);
    m.validate();
  });

  it('RCU: retired nodes are reclaimed automatically in batches', () => {
    const m = createMapleIndex<T>({ reclaimBatch: 16 });
    for (let i = 0; i < 500; i++) m.insert(2 * i * P, (2 * i + 1) * P, entry());
    const s = m.stats().detail;
    expect(s.freed).toBeGreaterThan(0);
    expect(s.pendingFree).toBeLessThan(16);
    expect(m.semantics).toBe('rcu');
  });

  it('non-RCU: retired nodes are reused at once', () => {
    const { m } = build(false, 2000);
    const s = m.stats().detail;
    expect(s.pendingFree).toBe(0);
    expect(s.freed).toBe(s.retired);
    expect(m.gracePeriod()).toBe(0);
  });
});

interface NodeImage {
  type: number;
  end: number;
  piv: number[];
  slots: unknown[];
}

/** Image of every reachable node, keyed by node id; slots hold child ids or entries. */
function snapshot(t: MapleTree<T>): Map<number, NodeImage> {
  const out = new Map<number, NodeImage>();
  const visit = (n: number): void => {
    const b = n << SHIFT;
    const end = t.end[n]!;
    const img: NodeImage = { type: t.type[n]!, end, piv: [], slots: [] };
    for (let i = 0; i <= end; i++) {
      img.piv.push(t.piv[b + i]!);
      img.slots.push(t.type[n] === LEAF ? t.ent[b + i] : t.id[t.child[b + i]!]);
    }
    out.set(t.id[n]!, img);
    if (t.type[n] !== LEAF) for (let i = 0; i <= end; i++) visit(t.child[b + i]!);
  };
  if (t.root >= 0) visit(t.root);
  return out;
}

/** Image of node number `n` regardless of state. */
function imageOf(t: MapleTree<T>, n: number): NodeImage {
  const b = n << SHIFT;
  const end = t.end[n]!;
  const img: NodeImage = { type: t.type[n]!, end, piv: [], slots: [] };
  for (let i = 0; i <= end; i++) {
    img.piv.push(t.piv[b + i]!);
    img.slots.push(t.type[n] === LEAF ? t.ent[b + i] : t.id[t.child[b + i]!]);
  }
  return img;
}

describe('RCU mode never reshapes a node readers can reach', () => {
  it('changes a live node only by single-word publications, and leaves retired nodes intact', () => {
    const t = new MapleTree<T>(true);
    const w = new Writer(t);
    const rng = new Rng(11);
    const problems: string[] = [];
    let inPlaceOps = 0;
    let retiredChecked = 0;
    for (let k = 0; k < 2500 && problems.length === 0; k++) {
      const before = snapshot(t);
      const numberOf = new Map<number, number>();
      for (const id of before.keys()) numberOf.set(id, -1);
      for (let n = 0; n < t.cap; n++) if (numberOf.has(t.id[n]!)) numberOf.set(t.id[n]!, n);
      const s = rng.int(12_000);
      const len = 1 + (rng.next() < 0.97 ? rng.int(6) : rng.int(1500));
      w.store(s, s + len - 1, rng.next() < 0.25 ? null : entry());
      const after = snapshot(t);
      let changedNodes = 0;
      for (const [id, img] of after) {
        const old = before.get(id);
        if (old === undefined) continue; // created by this store
        if (img.type !== old.type || img.end !== old.end) {
          problems.push(`store ${k}: node #${id} reshaped in place (end ${old.end} -> ${img.end})`);
          continue;
        }
        let pivDiff = 0;
        let slotDiff = 0;
        let slotAt = -1;
        for (let i = 0; i <= img.end; i++) {
          if (img.piv[i] !== old.piv[i]) pivDiff++;
          if (img.slots[i] !== old.slots[i]) {
            slotDiff++;
            slotAt = i;
          }
        }
        if (pivDiff + slotDiff === 0) continue;
        changedNodes++;
        // Exact fit: one slot; slot store: one boundary and at most one slot (none when a NULL
        // grows over part of its neighbour); node replacement: one child pointer to a new node.
        if (slotDiff > 1 || pivDiff > 1)
          problems.push(`store ${k}: node #${id} had ${slotDiff} slots, ${pivDiff} pivots rewritten`);
        if (img.type !== LEAF && (pivDiff !== 0 || before.has(img.slots[slotAt] as number))) {
          problems.push(`store ${k}: internal node #${id} changed other than by a pointer to a new child`);
        }
      }
      if (changedNodes > 1) problems.push(`store ${k}: ${changedNodes} live nodes rewritten in place`);
      inPlaceOps += changedNodes;
      // Nodes that left the tree keep their words until a grace period.
      for (const [id, img] of before) {
        if (after.has(id)) continue;
        const n = numberOf.get(id)!;
        retiredChecked++;
        if (t.state[n] !== DEAD || t.parent[n] !== n)
          problems.push(`store ${k}: node #${id} not marked dead`);
        if (JSON.stringify(imageOf(t, n)) !== JSON.stringify(img))
          problems.push(`store ${k}: retired node #${id} was modified`);
      }
    }
    expect(problems).toEqual([]);
    expect(inPlaceOps).toBeGreaterThan(0);
    expect(retiredChecked).toBeGreaterThan(1000);
    expect(t.pendingFree).toBe(t.retiredTotal);
  }, 60_000);

  it('non-RCU mode does rewrite leaves in place (node store, append)', () => {
    const t = new MapleTree<T>(false);
    const w = new Writer(t);
    w.store(100, 199, entry());
    const before = snapshot(t);
    w.store(300, 399, entry());
    const after = snapshot(t);
    const [id] = [...before.keys()];
    expect(after.get(id!)!.end).toBeGreaterThan(before.get(id!)!.end);
    expect(w.paths.append).toBe(1);
  });
});
