/**
 * describeSnapshotSemantics(): the suite every `snapshot` index (immutable versions published by one
 * reference swap) shares — readers keep their version, drafts stay invisible, brackets nest, closed
 * readers refuse lookups, and validate() also checks the versions open readers pin.
 */
import { IndexContractError, type IndexFactory, IndexInvariantError, type VmaIndex } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import type { TestEntry } from './entry.js';
import { xorshift } from './prng.js';

/** The hooks into one index's internals that the suite needs. */
export interface SnapshotSemanticsOptions {
  /**
   * Corrupts, behind the index's back, the version pinned by its only open reader, and returns a
   * function that undoes the corruption: validate() must notice it in between.
   */
  readonly corruptPinned: (index: VmaIndex<TestEntry>) => () => void;
  /** How many node ids the index's version tracker still holds (after every reader closed). */
  readonly trackedNodeIds: (index: VmaIndex<TestEntry>) => number;
  /** Builds the index the pinned-version corruption test uses (default: the suite's factory). */
  readonly corruptionFactory?: IndexFactory;
}

const PAGE = 0x1000;
const e = (id: number): TestEntry => ({ id });

/**
 * Registers `<name> snapshot semantics` with vitest. Call it at the top level of a test file:
 *
 *     describeSnapshotSemantics('cow-btree', (o) => createCowBtreeIndex(o), { corruptPinned, trackedNodeIds });
 *
 * `factory` must return a new, empty index of semantics `snapshot` each call. The largest case
 * runs 2,000 updates over 200 entries with one reader open: O(updates × log n).
 */
export function describeSnapshotSemantics(
  name: string,
  factory: IndexFactory,
  options: SnapshotSemanticsOptions,
): void {
  const corruptionFactory = options.corruptionFactory ?? factory;

  describe(`${name} snapshot semantics`, () => {
    it('a reader keeps the answers of the version it opened, through many later updates', () => {
      const ix = factory<TestEntry>();
      for (let i = 0; i < 200; i++) ix.insert(i * 4 * PAGE, i * 4 * PAGE + 2 * PAGE, e(i));
      const reader = ix.openReader();
      const probes = Array.from({ length: 800 }, (_, i) => i * PAGE + 17);
      const before = probes.map((a) => [reader.find(a)?.id ?? null, reader.lookup(a)?.id ?? null]);
      const rnd = xorshift(42);
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
      expect(options.trackedNodeIds(ix)).toBe(ix.stats().nodes);
    });

    it('readers never see a draft; only the outermost publish() publishes', () => {
      const ix = factory<TestEntry>();
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
      const ix = factory<TestEntry>();
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
      const ix = factory<TestEntry>();
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
      const ix = corruptionFactory<TestEntry>();
      for (let i = 0; i < 50; i++) ix.insert(i * 2 * PAGE, (i * 2 + 1) * PAGE, e(i));
      const r = ix.openReader();
      for (let i = 0; i < 50; i += 2) ix.eraseAt(i * 2 * PAGE);
      ix.validate();
      const undo = options.corruptPinned(ix);
      expect(() => ix.validate()).toThrow(IndexInvariantError);
      undo();
      ix.validate();
      r.close();
    });
  });
}
