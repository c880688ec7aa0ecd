/**
 * The one place that imports sorted-btree (2.1.0). Two jobs:
 *
 * 1. The ESM default-export trap. The package is CommonJS (`exports.default = BTree`, no `exports`
 *    map). Under plain Node ESM, `import BTree from 'sorted-btree'` yields the `module.exports`
 *    object, so `new BTree()` throws "not a constructor" (btree-typescript issue #36); vitest's
 *    interop hands back the class itself and hides the problem. Taking `.default` when present
 *    works in both worlds. test/dist-import.test.ts loads the built output with plain `node` to
 *    prove it.
 * 2. Typed access to the internal node layout (`_root`, `keys`, `values`, `children`), which the
 *    index reads (never writes) to count nodes and to report the cache lines a descent touches.
 *
 * Keys are numbers (a range's last byte, `end - 1`, like maple-tree pivots); the comparator is plain
 * subtraction, exact for safe integers. The library throws on a NaN key, so callers never pass one.
 */
import { IndexInvariantError } from '@vmakit/core';
import type * as btreeTypes from 'sorted-btree';
import btreeModule from 'sorted-btree';

/** A sorted-btree instance with number keys. */
export type BTree<V> = btreeTypes.default<number, V>;

type BTreeClass = typeof btreeModule.default;

/**
 * The default export of a CommonJS module imported from ESM: `mod.default` when the loader handed
 * over `module.exports` (plain Node), else `mod` itself (loaders that already unwrapped it, vitest).
 */
export function unwrapDefault<T>(mod: unknown): T {
  const inner = (mod as { default?: T } | null)?.default;
  return inner ?? (mod as T);
}

/** The BTree class, however the module was loaded. */
const BTreeCtor: BTreeClass = unwrapDefault<BTreeClass>(btreeModule);

/** A node as b+tree.js lays it out: a leaf (keys, values) or an internal node (keys, children). */
export interface RawBNode {
  /** Leaf: the keys. Internal: `keys[i]` caches the largest key under `children[i]`. */
  readonly keys: readonly number[];
  readonly values: readonly unknown[];
  readonly children?: readonly RawBNode[];
  readonly isShared?: boolean;
}

function compareKeys(a: number, b: number): number {
  return a - b;
}

/** An empty tree whose nodes hold at most maxNodeSize keys (the library clamps to 4..256). O(1). */
export function btCreate<V>(maxNodeSize: number): BTree<V> {
  return new BTreeCtor<number, V>(undefined, compareKeys, maxNodeSize);
}

/** The root node (library-internal field). */
export function btRoot<V>(tree: BTree<V>): RawBNode {
  return (tree as unknown as { _root: RawBNode })._root;
}

/** The value with the smallest key >= key, or undefined. O(log n). */
export function btAtOrAbove<V>(tree: BTree<V>, key: number): V | undefined {
  return tree.getPairOrNextHigher(key)?.[1];
}

/** The value with the largest key <= key, or undefined. O(log n). */
export function btAtOrBelow<V>(tree: BTree<V>, key: number): V | undefined {
  return tree.getPairOrNextLower(key)?.[1];
}

/** The value with the smallest key > key, or undefined. O(log n). */
export function btAbove<V>(tree: BTree<V>, key: number): V | undefined {
  return tree.nextHigherPair(key)?.[1];
}

/** Adds key → value; the key must be absent (set() would silently overwrite). O(log n). */
export function btInsertNew<V>(tree: BTree<V>, key: number, value: V): void {
  if (!tree.set(key, value, false)) {
    throw new IndexInvariantError(`cow-btree: key ${key} is already present; refusing to overwrite it`);
  }
}

/** Replaces the value of a present key. O(log n). */
export function btReplaceValue<V>(tree: BTree<V>, key: number, value: V): void {
  if (tree.set(key, value, true)) {
    throw new IndexInvariantError(`cow-btree: key ${key} was not in the tree`);
  }
}

/** Removes a present key. O(log n). */
export function btDeleteExisting<V>(tree: BTree<V>, key: number): void {
  if (!tree.delete(key)) throw new IndexInvariantError(`cow-btree: key ${key} is not in the tree`);
}

/**
 * The library's structural check (cached sizes and max keys, node fill, internal-node key order);
 * its Error becomes ours. O(nodes). Leaf and global key order are left to the caller's O(n) pass.
 */
export function btCheckValid<V>(tree: BTree<V>, what: string): void {
  try {
    tree.checkValid();
  } catch (err) {
    throw new IndexInvariantError(`cow-btree (${what}): ${err instanceof Error ? err.message : String(err)}`);
  }
}
