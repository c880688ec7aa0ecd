import { IndexInvariantError, type IndexProbe } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { C_COLOR, C_PREV, C_WORDS, F_GAP, F_WORDS, type GapTree, H_LEFT, H_WORDS } from '../src/gap-tree.js';
import { LINKAGE_BYTES, RbtreeIndex, rbtreePlugin, VMACACHE_BYTES } from '../src/index.js';

interface T {
  readonly id: number;
}

const P = 4096;

interface Event {
  kind: 'read' | 'write' | 'alloc' | 'retire';
  node: number;
  arg: number | boolean;
}

function recorder(): IndexProbe & { events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    read: (node, line) => events.push({ kind: 'read', node, arg: line }),
    write: (node, line) => events.push({ kind: 'write', node, arg: line }),
    alloc: (node, bytes) => events.push({ kind: 'alloc', node, arg: bytes }),
    retire: (node, deferred) => events.push({ kind: 'retire', node, arg: deferred }),
  };
}

describe('probe', () => {
  it('reports allocation, retirement (immediate) and the writes of an update', () => {
    const probe = recorder();
    const ix = new RbtreeIndex<T>({ probe });
    ix.insert(0, P, { id: 501 });
    ix.insert(2 * P, 3 * P, { id: 502 });
    expect(probe.events).toContainEqual({ kind: 'alloc', node: 501, arg: LINKAGE_BYTES });
    expect(probe.events).toContainEqual({ kind: 'alloc', node: 502, arg: LINKAGE_BYTES });
    expect(probe.events.some((e) => e.kind === 'write' && e.node === 502)).toBe(true);
    probe.events.length = 0;
    ix.eraseAt(0);
    expect(probe.events).toContainEqual({ kind: 'retire', node: 501, arg: false });
    expect(probe.events.every((e) => e.kind !== 'alloc')).toBe(true);
  });

  it('reports the nodes a find walks (line 0), and the thread cache lines', () => {
    const probe = recorder();
    const ix = new RbtreeIndex<T>();
    const es = Array.from({ length: 63 }, (_, k) => ({ id: 1000 + k }));
    for (const [k, e] of es.entries()) ix.insert(2 * k * P, (2 * k + 1) * P, e);
    ix.probe = probe;
    expect(ix.find(40 * P)).toBe(es[20]);
    const reads = probe.events.filter((e) => e.kind === 'read');
    expect(reads.every((e) => e.arg === 0)).toBe(true);
    const vmaReads = reads.map((e) => e.node).filter((n) => n >= 1000 && n < 1063);
    // A balanced walk over 63 nodes visits at most 2 log2(64) = 12 of them, ending at the answer.
    expect(vmaReads.length).toBeGreaterThan(0);
    expect(vmaReads.length).toBeLessThanOrEqual(12);
    expect(vmaReads[vmaReads.length - 1]).toBe(1020);
    // The reader's path names the same nodes.
    const r = ix.openReader();
    probe.events.length = 0;
    r.find(40 * P);
    expect(r.path).toEqual(vmaReads);
    // With a thread id: the cache line is read (and written on the first, flushing, call).
    probe.events.length = 0;
    ix.find(40 * P, 3);
    const cacheEvents = probe.events.filter((e) => e.node < 1000 || e.node >= 1063);
    expect(cacheEvents.some((e) => e.kind === 'read')).toBe(true);
    expect(cacheEvents.some((e) => e.kind === 'write')).toBe(true);
    probe.events.length = 0;
    ix.find(40 * P, 3);
    expect(probe.events.filter((e) => e.node >= 1000 && e.node < 1063).map((e) => e.node)).toEqual([1020]);
    // Probe off: nothing reported.
    ix.probe = null;
    probe.events.length = 0;
    ix.find(0, 3);
    ix.insert(200 * P, 201 * P, { id: 9 });
    expect(probe.events).toEqual([]);
  });
});

describe('stats', () => {
  it('counts linkage bytes of the rbtree-era layout, height and cache counters', () => {
    const ix = new RbtreeIndex<T>();
    expect(LINKAGE_BYTES).toBe(48);
    expect(ix.stats()).toMatchObject({ entries: 0, nodes: 0, height: 0, bytes: 32 });
    for (let k = 0; k < 1000; k++) ix.insert(2 * k * P, (2 * k + 1) * P, { id: k + 1 });
    ix.find(0, 1);
    ix.find(0, 2);
    const s = ix.stats();
    expect(s.entries).toBe(1000);
    expect(s.nodes).toBe(1000);
    expect(s.height).toBeGreaterThanOrEqual(10);
    expect(s.height).toBeLessThanOrEqual(2 * Math.log2(1001));
    expect(s.bytes).toBe(1000 * 48 + 32 + 2 * VMACACHE_BYTES);
    expect(s.detail.VMACACHE_FIND_CALLS).toBe(2);
    expect(s.detail.highestVmEnd).toBe(1999 * P);
  });

  it('is registered as an unsafe rbtree-era plug-in', () => {
    expect(rbtreePlugin.meta).toMatchObject({ name: 'rbtree', kind: 'index' });
    expect(rbtreePlugin.semantics).toBe('unsafe');
    expect(rbtreePlugin.era).toBe('rbtree-era');
    const ix = rbtreePlugin.create<T>();
    expect(ix.name).toBe('rbtree');
    ix.insert(0, P, { id: 1 });
    expect(ix.lookup(0)?.id).toBe(1);
  });
});

describe('validate', () => {
  /** Reaches into the node store to break one invariant at a time. */
  function corrupt(ix: RbtreeIndex<T>, fn: (tree: GapTree<T>) => void) {
    fn((ix as unknown as { tree: GapTree<T> }).tree);
  }

  function build(): RbtreeIndex<T> {
    const ix = new RbtreeIndex<T>();
    for (let k = 0; k < 20; k++) ix.insert(2 * k * P, (2 * k + 1) * P, { id: k + 1 });
    ix.validate();
    return ix;
  }

  it('names a wrong rb_subtree_gap', () => {
    const ix = build();
    corrupt(ix, (t) => {
      t.f[t.root * F_WORDS + F_GAP] = 12345;
    });
    expect(() => ix.validate()).toThrow(IndexInvariantError);
    expect(() => ix.validate()).toThrow(
      /rb_subtree_gap of node \d+ \[0x[0-9a-f]+, 0x[0-9a-f]+\) \(id \d+\) is 12345/,
    );
  });

  it('names a red root, a red-red pair and unequal black heights', () => {
    const ix = build();
    corrupt(ix, (t) => {
      t.c[t.root * C_WORDS + C_COLOR] = 0;
    });
    expect(() => ix.validate()).toThrow(/root node \d+ .* is red/);
    const iy = build();
    corrupt(iy, (t) => {
      const l = t.h[t.root * H_WORDS + H_LEFT]!;
      t.c[l * C_WORDS + C_COLOR] = 1 - t.c[l * C_WORDS + C_COLOR]!;
    });
    expect(() => iy.validate()).toThrow(/black heights differ|red child/);
  });

  it('names a broken list link and a wrong highest_vm_end', () => {
    const ix = build();
    corrupt(ix, (t) => {
      t.c[t.root * C_WORDS + C_PREV] = 0;
    });
    expect(() => ix.validate()).toThrow(/vm_prev of node/);
    const iy = build();
    (iy as unknown as { tree: { highestEnd: number } }).tree.highestEnd = 1;
    expect(() => iy.validate()).toThrow(/highest_vm_end is 0x1, expected 0x27000/);
  });
});
