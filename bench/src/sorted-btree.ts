/**
 * The one place the benchmarks import sorted-btree (2.1.0). The package is CommonJS with
 * `exports.default = BTree` and no `exports` map: under plain Node ESM (how the built CLI runs)
 * `import BTree from 'sorted-btree'` yields the `module.exports` object, so `new BTree()` throws
 * "not a constructor" (btree-typescript issue #36), while vitest's interop hands over the class
 * and hides the problem. Taking `.default` when present works in both.
 */
import type * as btreeTypes from 'sorted-btree';
import btreeModule from 'sorted-btree';

/** The BTree class, however the module was loaded. */
export const BTree: typeof btreeModule.default =
  (btreeModule as unknown as { default?: typeof btreeModule.default }).default ??
  (btreeModule as unknown as typeof btreeModule.default);

/** A sorted-btree instance. */
export type BTreeOf<K, V> = btreeTypes.default<K, V>;
