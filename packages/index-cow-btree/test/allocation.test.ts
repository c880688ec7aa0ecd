import type { IndexProbe } from '@vmakit/core';
import { xorshift } from '@vmakit/testkit/conformance';
import { describe, expect, it } from 'vitest';
import { btRoot, type RawBNode } from '../src/btree-adapter.js';
import { type CowBtreeIndex, createCowBtreeIndex } from '../src/index.js';

interface T {
  id: number;
}
const PAGE = 0x1000;

/** White-box: the published tree's root (the accounting under test must match a full diff of it). */
function publishedRoot(ix: CowBtreeIndex<T>): RawBNode {
  return btRoot(
    (ix as unknown as { versions: { published: Parameters<typeof btRoot>[0] } }).versions.published,
  );
}

function allNodes(root: RawBNode): Set<RawBNode> {
  const out = new Set<RawBNode>();
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.add(n);
    if (n.children !== undefined) stack.push(...n.children);
  }
  return out;
}

function build(n: number, seed: number, maxNodeSize = 16, probe: IndexProbe | null = null): CowBtreeIndex<T> {
  const ix = createCowBtreeIndex<T>({ probe, maxNodeSize });
  const order = Array.from({ length: n }, (_, i) => i);
  const rnd = xorshift(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const i of order) ix.insert(2 * i * PAGE, (2 * i + 1) * PAGE, { id: i });
  return ix;
}

describe('cow-btree node accounting', () => {
  for (const size of [4, 16]) {
    it(`counts exactly the nodes a full identity diff of the two versions finds (node size ${size})`, () => {
      const ix = build(2000, 1, size);
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
          expect([fresh, gone]).toEqual([0, 0]);
          continue;
        }
        const d = ix.accounting();
        expect([d.lastUpdateNodesAllocated, d.lastUpdateNodesRetired], `step ${step}`).toEqual([fresh, gone]);
      }
      ix.validate();
    });
  }

  it('copies O(log n) nodes per insert, remove and eraseAt on a big tree', () => {
    const n = 20_000;
    const ix = build(n, 3);
    const levels = ix.stats().height;
    // The brief's generic bound, and the B-tree one: the root-to-leaf path plus splits or merges.
    const bound = Math.min(4 * Math.log2(n) + 8, 2 * levels + 2);
    const rnd = xorshift(4);
    let worst = 0;
    for (let step = 0; step < 2000; step++) {
      const i = Math.floor(rnd() * n);
      if (ix.lookup(2 * i * PAGE) !== null) ix.eraseAt(2 * i * PAGE);
      else ix.insert(2 * i * PAGE, (2 * i + 1) * PAGE, { id: i });
      const allocated = ix.accounting().lastUpdateNodesAllocated;
      expect(allocated).toBeGreaterThanOrEqual(levels);
      expect(allocated).toBeLessThanOrEqual(bound);
      worst = Math.max(worst, allocated);
    }
    expect(ix.accounting().maxUpdateNodesAllocated).toBeLessThanOrEqual(bound);
    ix.validate();
  });

  it('reports alloc, writes and deferred retires to the probe for exactly the counted nodes', () => {
    const events = {
      alloc: 0,
      write: 0,
      retireDeferred: 0,
      read: 0,
      lines: new Set<number>(),
      bytes: new Set<number>(),
    };
    const probe: IndexProbe = {
      read: (_node, line) => {
        events.read++;
        events.lines.add(line);
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
      },
    };
    const ix = build(500, 5, 16, probe);
    const total = ix.accounting();
    // The empty root leaf the index starts with is allocated at creation, outside any update.
    expect(events.alloc).toBe(total.totalNodesAllocated + 1);
    expect(events.retireDeferred).toBe(total.totalNodesRetired);
    // A 16-key node models 8 + 16 * 16 = 264 bytes: five cache lines, all written when copied.
    expect([...events.bytes]).toEqual([264]);
    expect(events.write).toBe(5 * events.alloc);
    events.read = 0;
    events.lines.clear();
    const reader = ix.openReader();
    reader.lookup(2 * 250 * PAGE);
    const levels = ix.stats().height;
    expect(reader.path.length).toBe(levels);
    expect(new Set(reader.path).size).toBe(levels);
    // Per node: a binary search over at most 16 keys (<= 5 compares) plus the slot followed.
    expect(events.read).toBeGreaterThanOrEqual(2 * levels);
    expect(events.read).toBeLessThanOrEqual(6 * levels);
    expect(Math.max(...events.lines)).toBeLessThanOrEqual(4);
    reader.close();
  });

  it('counts the nodes of a multi-step update once, against the previous published version', () => {
    const ix = build(1000, 6, 4);
    const before = allNodes(publishedRoot(ix));
    ix.beginUpdate();
    for (let i = 0; i < 20; i++) ix.eraseAt(2 * i * PAGE);
    for (let i = 0; i < 20; i++) ix.insert((2 * i + 1) * PAGE, (2 * i + 2) * PAGE, { id: 5000 + i });
    ix.publish();
    const after = allNodes(publishedRoot(ix));
    const d = ix.accounting();
    expect(d.lastUpdateNodesAllocated).toBe([...after].filter((n) => !before.has(n)).length);
    expect(d.lastUpdateNodesRetired).toBe([...before].filter((n) => !after.has(n)).length);
    ix.validate();
  });
});
