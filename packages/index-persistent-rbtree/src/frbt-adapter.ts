/**
 * The one place that touches functional-red-black-tree (1.0.1). It types the parts of the library
 * the index uses and hides its traps:
 * - equal keys are allowed and go left, so a careless insert silently creates a duplicate: the
 *   adapter refuses to insert a key that is present;
 * - `find`/`ge`/`gt`/`le`/`lt` return an iterator with `valid === false` when nothing matches (not
 *   null, whatever the library's README and @types say): the adapter returns null instead;
 * - `remove` of a missing key returns the very same tree: the adapter treats that as a bug.
 *
 * The tree is persistent: every update returns a new tree that shares all nodes off the changed
 * root-to-leaf path with the old one (path copying; rbtree.js `insert`, iterator `remove`/`update`),
 * and it never writes a node that an earlier tree can reach. That is what makes a published tree a
 * safe snapshot for lockless readers (Bonsai, ASPLOS 2012).
 */
import { IndexInvariantError } from '@vmakit/core';
import createRBTree from 'functional-red-black-tree';

/** rbtree.js colours. */
export const RB_RED = 0;
export const RB_BLACK = 1;

/** A node as rbtree.js lays it out (`RBNode`); the @types package mistypes `left`/`right`. */
export interface RbNode<V> {
  readonly _color: number;
  readonly key: number;
  readonly value: V;
  readonly left: RbNode<V> | null;
  readonly right: RbNode<V> | null;
  /** Nodes in this subtree (the library's only augmentation). */
  readonly _count: number;
}

/** A valid position in a tree: stepping off either end makes `valid` false. */
export interface RbCursor<V> {
  readonly valid: boolean;
  readonly key: number;
  readonly value: V;
  readonly node: RbNode<V>;
  next(): void;
  prev(): void;
}

interface LibIterator<V> extends RbCursor<V> {
  update(value: V): LibTree<V>;
}

interface LibTree<V> {
  readonly root: RbNode<V> | null;
  readonly length: number;
  insert(key: number, value: V): LibTree<V>;
  remove(key: number): LibTree<V>;
  get(key: number): V | undefined;
  find(key: number): LibIterator<V>;
  ge(key: number): LibIterator<V>;
  gt(key: number): LibIterator<V>;
  le(key: number): LibIterator<V>;
  lt(key: number): LibIterator<V>;
  forEach(visit: (key: number, value: V) => boolean, lo: number): unknown;
}

/** An immutable version of the tree. Opaque outside this module except for its root and size. */
export interface RbVersion<V> {
  readonly root: RbNode<V> | null;
  readonly length: number;
}

function lib<V>(t: RbVersion<V>): LibTree<V> {
  return t as unknown as LibTree<V>;
}

/** Subtraction is exact for the safe integers used as keys; NaN never reaches the tree. */
function compareKeys(a: number, b: number): number {
  return a - b;
}

/** An empty tree ordered by numeric key. */
export function rbEmpty<V>(): RbVersion<V> {
  return createRBTree<number, V>(compareKeys) as unknown as RbVersion<V>;
}

function cursorOrNull<V>(it: LibIterator<V>): RbCursor<V> | null {
  return it.valid ? it : null;
}

/** First key > key (`gt`), or null. O(log n). */
export function rbFirstAbove<V>(t: RbVersion<V>, key: number): RbCursor<V> | null {
  return cursorOrNull(lib(t).gt(key));
}

/** Last key <= key (`le`), or null. O(log n). */
export function rbLastAtOrBelow<V>(t: RbVersion<V>, key: number): RbCursor<V> | null {
  return cursorOrNull(lib(t).le(key));
}

/** The entry with exactly this key, or null (`find`'s invalid iterator becomes null). O(log n). */
export function rbFind<V>(t: RbVersion<V>, key: number): RbCursor<V> | null {
  return cursorOrNull(lib(t).find(key));
}

/**
 * Calls visit with each value whose key is >= lo, in ascending order, until it returns true. The
 * library's recursive in-order walk: faster than stepping an iterator, but it exposes no nodes.
 * O(log n + k).
 */
export function rbForEachFrom<V>(t: RbVersion<V>, lo: number, visit: (value: V) => boolean): void {
  if (t.root === null) return;
  // biome-ignore lint/suspicious/useIterableCallbackReturn: rbtree.js forEach stops when the visitor returns true.
  lib(t).forEach((_key, value) => visit(value), lo);
}

/**
 * A new version with key → value added. The key must be absent: the library would otherwise add a
 * second node with the same key. O(log n) (one lookup, then path copying).
 */
export function rbInsertNew<V>(t: RbVersion<V>, key: number, value: V): RbVersion<V> {
  const tree = lib(t);
  if (tree.get(key) !== undefined) {
    throw new IndexInvariantError(`persistent-rbtree: key ${key} is already present; refusing a duplicate`);
  }
  return tree.insert(key, value);
}

/** A new version without key, which must be present (the library returns the same tree otherwise). O(log n). */
export function rbRemoveExisting<V>(t: RbVersion<V>, key: number): RbVersion<V> {
  const next = lib(t).remove(key);
  if (next === t) throw new IndexInvariantError(`persistent-rbtree: key ${key} is not in the tree`);
  return next;
}

/** A new version where the present key maps to value (path copy of one root-to-node path). O(log n). */
export function rbReplaceValue<V>(t: RbVersion<V>, key: number, value: V): RbVersion<V> {
  const it = lib(t).find(key);
  if (!it.valid) throw new IndexInvariantError(`persistent-rbtree: key ${key} is not in the tree`);
  return it.update(value);
}
