import { IndexContractError, IndexInvariantError } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { createPersistentRbtreeIndex } from '../src/index.js';

interface T {
  id: number;
}
const e = (id: number): T => ({ id });
const PAGE = 0x1000;

/** A deterministic xorshift generator, so the test sequence is fixed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

describe('persistent-rbtree snapshot semantics', () => {
  it('a reader keeps the answers of the version it opened, through many later updates', () => {
    const ix = createPersistentRbtreeIndex<T>();
    for (let i = 0; i < 200; i++) ix.insert(i * 4 * PAGE, i * 4 * PAGE + 2 * PAGE, e(i));
    const reader = ix.openReader();
    const probes = Array.from({ length: 800 }, (_, i) => i * PAGE + 17);
    const before = probes.map((a) => [reader.find(a)?.id ?? null, reader.lookup(a)?.id ?? null]);
    const rnd = prng(42);
    let next = 1000;
    for (let step = 0; step < 2000; step++) {
      const page = Math.floor(rnd() * 800);
      const r = rnd();
      if (r < 0.4) ix.eraseAt(page * PAGE);
      else if (r < 0.7) ix.store(page * PAGE, (page + 1 + Math.floor(rnd() * 5)) * PAGE, e(next++));
      else ix.store(page * PAGE, (page + 1) * PAGE, null);
    }
    ix.validate();
    expect(ix.version).toBeGreaterThan(1500);
    const after = probes.map((a) => [reader.find(a)?.id ?? null, reader.lookup(a)?.id ?? null]);
    expect(after).toEqual(before);
    expect(reader.outcome).toBe('clean');
    const held = ix.stats().detail;
    expect(held.openReaders).toBe(1);
    expect(held.versionsRetained).toBe(1);
    expect(held.nodesAwaitingGrace).toBeGreaterThan(0);
    reader.close();
    const freed = ix.stats().detail;
    expect(freed.openReaders).toBe(0);
    expect(freed.versionsRetained).toBe(0);
    expect(freed.nodesAwaitingGrace).toBe(0);
    // Node ids are dropped when their grace period ends: the id map holds the live nodes only.
    const ids = (ix as unknown as { tracker: { ids: Map<unknown, number> } }).tracker.ids;
    expect(ids.size).toBe(ix.stats().nodes);
  });

  it('readers never see a draft; only the outermost publish() publishes', () => {
    const ix = createPersistentRbtreeIndex<T>();
    const a = e(1);
    const b = e(2);
    ix.insert(PAGE, 3 * PAGE, a);
    const v0 = ix.version;
    ix.beginUpdate();
    ix.remove(PAGE, 3 * PAGE, a);
    ix.beginUpdate();
    ix.insert(5 * PAGE, 6 * PAGE, b);
    const during = ix.openReader();
    // The writer sees its draft, a reader the published version.
    expect(ix.find(0)).toBe(b);
    expect(during.find(0)).toBe(a);
    ix.publish();
    expect(ix.version).toBe(v0);
    expect(ix.openReader().find(0)).toBe(a);
    ix.publish();
    expect(ix.version).toBe(v0 + 1);
    expect(during.find(0)).toBe(a);
    expect(during.lookup(PAGE)).toBe(a);
    const now = ix.openReader();
    expect(now.find(0)).toBe(b);
    expect(now.lookup(PAGE)).toBeNull();
    ix.validate();
    expect(() => ix.publish()).toThrow(IndexContractError);
  });

  it('an empty bracket publishes nothing; an update outside brackets publishes at once', () => {
    const ix = createPersistentRbtreeIndex<T>();
    ix.beginUpdate();
    ix.publish();
    expect(ix.version).toBe(0);
    ix.insert(0, PAGE, e(1));
    expect(ix.version).toBe(1);
    expect(ix.openReader().lookup(0)?.id).toBe(1);
    // A rejected update leaves no draft behind.
    expect(() => ix.insert(0, PAGE, e(2))).toThrow(IndexContractError);
    ix.beginUpdate();
    ix.publish();
    expect(ix.version).toBe(1);
  });

  it('a closed reader refuses lookups; close() twice is harmless', () => {
    const ix = createPersistentRbtreeIndex<T>();
    ix.insert(0, PAGE, e(1));
    const r = ix.openReader();
    expect(r.path).toEqual([]);
    expect(r.lookup(0)?.id).toBe(1);
    expect(r.path.length).toBe(1);
    r.close();
    r.close();
    expect(r.path).toEqual([]);
    expect(() => r.find(0)).toThrow(IndexContractError);
    expect(() => r.lookup(0)).toThrow(IndexContractError);
  });

  it('validate() checks the versions open readers pin', () => {
    const ix = createPersistentRbtreeIndex<T>();
    for (let i = 0; i < 50; i++) ix.insert(i * 2 * PAGE, (i * 2 + 1) * PAGE, e(i));
    const r = ix.openReader();
    for (let i = 0; i < 50; i += 2) ix.eraseAt(i * 2 * PAGE);
    ix.validate();
    // Corrupt the pinned (old) version behind the index's back: validate() must notice.
    const pinned = (ix as unknown as { readers: Map<number, { root: { _count: number } }> }).readers;
    const root = [...pinned.values()][0]!.root as { _count: number };
    root._count += 1;
    expect(() => ix.validate()).toThrow(IndexInvariantError);
    root._count -= 1;
    ix.validate();
    r.close();
  });
});
