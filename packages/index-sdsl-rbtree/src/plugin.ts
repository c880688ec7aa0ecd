/**
 * The `sdsl-rbtree` index plug-in: what `vmakit.config.ts` lists so that every command (`vmakit list`,
 * `replay --index sdsl-rbtree`, `bench indexes`, `pnpm compare`) and the registry-wide conformance test
 * see this index.
 */
import { defineIndexPlugin, type IndexEntry, type IndexOptions, type IndexPlugin } from '@vmakit/core';
import { createSdslRbtreeIndex } from './sdsl-rbtree-index.js';

/**
 * Registered as `sdsl-rbtree`: a mutable library red-black tree (lockless reads `unsafe`); the tree
 * keeps its links in its own nodes, so VMAs have the maple-era layout (no embedded rb_node).
 */
export const sdslRbtreePlugin: IndexPlugin = defineIndexPlugin({
  meta: {
    name: 'sdsl-rbtree',
    version: '0.1.0',
    kind: 'index',
    description: 'js-sdsl OrderedMap (@js-sdsl/ordered-map 4.4.2): a mutable red-black tree keyed by VMA end',
  },
  semantics: 'unsafe',
  era: 'maple-era',
  create: <E extends IndexEntry>(options?: IndexOptions) => createSdslRbtreeIndex<E>(options),
});
