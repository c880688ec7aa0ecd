import type { IndexProbe } from '@vmakit/core';
import { xorshift } from '@vmakit/testkit/conformance';
import { describe, expect, it } from 'vitest';
import { createPersistentRbtreeIndex, type PersistentRbtreeIndex } from '../src/index.js';

interface T {
  id: number;
}
const PAGE = 0x1000;

interface RawNode {
  left: RawNode | null;
  right: RawNode | null;
}

/** White-box: the published tree's root (the accounting under test must match a full diff of it). */
function publishedRoot(ix: PersistentRbtreeIndex<T>): RawNode | null {
  return (ix as unknown as { versions: { published: { root: RawNode | null } } }).versions.published.root;
}

function allNodes(root: RawNode | null): Set<RawNode> {
  const out = new Set<RawNode>();
  const stack = root === null ? [] : [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.add(n);
    if (n.left !== null) stack.push(n.left);
    if (n.right !== null) stack.push(n.right);
  }
  return out;
}

/** Inserts n one-page ranges with one-page holes, in a fixed shuffled order. */
function build(n: number, seed: number, probe: IndexProbe | null = null): PersistentRbtreeIndex<T> {
  const ix = createPersistentRbtreeIndex<T>({ probe });
  const order = Array.from({ length: n }, (_, i) => i);
  const rnd = xorshift(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const i of order) ix.insert(2 * i * PAGE, (2 * i + 1) * PAGE, { id: i });
  return ix;
}

describe('persistent-rbtree node accounting', () => {
  it('counts exactly the nodes a full identity diff of the two versions finds', () => {
    const ix = build(2000, 1);
    const rnd = xorshift(2);
    for (let step = 0; step < 300; step++) {
      const before = allNodes(publishedRoot(ix));
      const version = ix.version;
      const page = Math.floor(rnd() * 4000);
      const r = rnd();
      if (r < 0.35) ix.eraseAt(page * PAGE);
      else if (r < 0.7) ix.store(page * PAGE, (page + 1) * PAGE, { id: 10_000 + step });
      else ix.store(page * PAGE, (page + 1 + Math.floor(rnd() * 6)) * PAGE, null);
      const after = allNodes(publishedRoot(ix));
      const fresh = [...after].filter((n) => !before.has(n)).length;
      const gone = [...before].filter((n) => !after.has(n)).length;
      if (ix.version === version) {
        // Nothing was published (eraseAt of a hole): the version is untouched.
        expect([fresh, gone]).toEqual([0, 0]);
        continue;
      }
      const d = ix.accounting();
      expect([d.lastUpdateNodesAllocated, d.lastUpdateNodesRetired], `step ${step}`).toEqual([fresh, gone]);
    }
    ix.validate();
  });

  it('allocates O(log n) nodes per insert, remove and eraseAt on a big tree (<= 4 log2 n + 8)', () => {
    const n = 20_000;
    const ix = build(n, 3);
    const bound = 4 * Math.log2(n) + 8;
    const rnd = xorshift(4);
    let worst = 0;
    for (let step = 0; step < 2000; step++) {
      const i = Math.floor(rnd() * n);
      const before = ix.version;
      if (ix.lookup(2 * i * PAGE) !== null) {
        ix.eraseAt(2 * i * PAGE);
        const d = ix.accounting();
        // Removing a range drops one node more than it creates.
        expect(d.lastUpdateNodesRetired - d.lastUpdateNodesAllocated).toBe(1);
      } else {
        ix.insert(2 * i * PAGE, (2 * i + 1) * PAGE, { id: i });
        const d = ix.accounting();
        expect(d.lastUpdateNodesAllocated - d.lastUpdateNodesRetired).toBe(1);
      }
      expect(ix.version).toBe(before + 1);
      const allocated = ix.accounting().lastUpdateNodesAllocated;
      expect(allocated).toBeGreaterThan(0);
      expect(allocated).toBeLessThanOrEqual(bound);
      worst = Math.max(worst, allocated);
    }
    expect(ix.accounting().maxUpdateNodesAllocated).toBeLessThanOrEqual(bound);
    // Path copying touches at least the root-to-node path: more than a constant.
    expect(worst).toBeGreaterThanOrEqual(Math.log2(n));
    ix.validate();
  });

  it('reports alloc, write and deferred retire to the probe for exactly the counted nodes', () => {
    const events = { alloc: 0, write: 0, retireDeferred: 0, retireNow: 0, read: 0, bytes: new Set<number>() };
    const probe: IndexProbe = {
      read: () => {
        events.read++;
      },
      write: () => {
        events.write++;
      },
      alloc: (_node, bytes) => {
        events.alloc++;
        events.bytes.add(bytes);
      },
      retire: (_node, deferred) => {
        if (deferred) events.retireDeferred++;
        else events.retireNow++;
      },
    };
    const ix = build(500, 5, probe);
    const total = ix.accounting();
    expect(events.alloc).toBe(total.totalNodesAllocated);
    expect(events.retireDeferred).toBe(total.totalNodesRetired);
    expect(events.write).toBe(events.alloc);
    expect([...events.bytes]).toEqual([48]);
    // A lookup reports one read per node of the library's descent, which a reader exposes as its path.
    events.read = 0;
    const reader = ix.openReader();
    reader.lookup(2 * 250 * PAGE);
    expect(events.read).toBe(reader.path.length);
    expect(reader.path.length).toBeGreaterThanOrEqual(Math.log2(500));
    expect(reader.path.length).toBeLessThanOrEqual(2 * Math.log2(501));
    expect(new Set(reader.path).size).toBe(reader.path.length);
    events.read = 0;
    ix.find(2 * 250 * PAGE);
    expect(events.read).toBe(reader.path.length);
    reader.close();
  });

  it('counts the nodes of a multi-step update once, against the previous published version', () => {
    const ix = build(1000, 6);
    const before = allNodes(publishedRoot(ix));
    ix.beginUpdate();
    for (let i = 0; i < 20; i++) ix.eraseAt(2 * i * PAGE);
    for (let i = 0; i < 20; i++) ix.insert((2 * i + 1) * PAGE, (2 * i + 2) * PAGE, { id: 5000 + i });
    ix.publish();
    const after = allNodes(publishedRoot(ix));
    const d = ix.accounting();
    expect(d.lastUpdateNodesAllocated).toBe([...after].filter((n) => !before.has(n)).length);
    expect(d.lastUpdateNodesRetired).toBe([...before].filter((n) => !after.has(n)).length);
    expect(ix.stats().nodes).toBe(1000);
    ix.validate();
  });
});
