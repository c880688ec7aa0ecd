import { IndexContractError, IndexInvariantError } from '@vmakit/core';
import createRBTree from 'functional-red-black-tree';
import { describe, expect, it } from 'vitest';
import {
  rbEmpty,
  rbFind,
  rbFirstAbove,
  rbInsertNew,
  rbRemoveExisting,
  rbReplaceValue,
} from '../src/frbt-adapter.js';
import { createPersistentRbtreeIndex } from '../src/index.js';

describe('functional-red-black-tree traps (library facts the adapter hides)', () => {
  it('the library itself: duplicates, invalid iterators, silent no-op remove', () => {
    const t = createRBTree<number, string>((a, b) => a - b).insert(1, 'a');
    // Equal keys are accepted: a second node appears.
    expect(t.insert(1, 'b').length).toBe(2);
    // find of a missing key is an iterator, just not a valid one (not null).
    const it = t.find(2);
    expect(it).not.toBeNull();
    expect(it.valid).toBe(false);
    // remove of a missing key hands back the very same tree.
    expect(t.remove(2)).toBe(t);
  });

  it('the adapter refuses duplicates, returns null for misses and rejects removing what is absent', () => {
    const t = rbInsertNew(rbEmpty<string>(), 10, 'a');
    expect(() => rbInsertNew(t, 10, 'b')).toThrow(IndexInvariantError);
    expect(t.length).toBe(1);
    expect(rbFind(t, 11)).toBeNull();
    expect(rbFind(t, 10)?.value).toBe('a');
    expect(rbFirstAbove(t, 10)).toBeNull();
    expect(rbFirstAbove(t, 9)?.key).toBe(10);
    expect(() => rbRemoveExisting(t, 11)).toThrow(IndexInvariantError);
    expect(rbRemoveExisting(t, 10).length).toBe(0);
    expect(() => rbReplaceValue(t, 11, 'x')).toThrow(IndexInvariantError);
    const u = rbReplaceValue(t, 10, 'z');
    expect(rbFind(u, 10)?.value).toBe('z');
    // The old version is untouched.
    expect(rbFind(t, 10)?.value).toBe('a');
  });

  it('the index never reaches the traps: overlaps and absent ranges are contract errors', () => {
    const ix = createPersistentRbtreeIndex<{ id: number }>({ checked: true });
    const a = { id: 1 };
    ix.insert(0x1000, 0x2000, a);
    // Same end key as an existing range: rejected as an overlap before the library could duplicate it.
    expect(() => ix.insert(0x1000, 0x2000, { id: 2 })).toThrow(IndexContractError);
    expect(() => ix.remove(0x1000, 0x3000, a)).toThrow(/not a range of the index/);
    expect(() => ix.remove(0x1000, 0x2000, { id: 1 })).toThrow(IndexContractError);
    expect(() => ix.insert(0x1800, 0x3000, a)).toThrow(/page aligned/);
    expect(() => ix.insert(0x3000, 0x4000, null as unknown as { id: number })).toThrow(/no entry/);
    expect(ix.eraseAt(0x5000)).toBeNull();
    expect(ix.size).toBe(1);
    expect(ix.version).toBe(1);
    ix.validate();
  });
});
