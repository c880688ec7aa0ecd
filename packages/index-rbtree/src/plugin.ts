/**
 * The `rbtree` index plug-in: Linux <= 6.0's augmented red-black tree with the VMA list and the
 * per-thread vmacache; lockless readers may miss but never return a wrong VMA.
 */
import { defineIndexPlugin, type IndexEntry, type IndexOptions, type IndexPlugin } from '@vmakit/core';
import { createRbtreeIndex } from './rbtree-index.js';

/** Version of @vmakit/index-rbtree. */
export const RBTREE_INDEX_VERSION = '0.1.0';

/** Registry entry for `--index rbtree`. */
export const rbtreePlugin: IndexPlugin = defineIndexPlugin({
  meta: {
    name: 'rbtree',
    version: RBTREE_INDEX_VERSION,
    kind: 'index',
    description: 'Linux <= 6.0: augmented rbtree (rb_subtree_gap) + VMA list + per-thread vmacache',
  },
  semantics: 'unsafe',
  era: 'rbtree-era',
  create: <E extends IndexEntry>(options?: IndexOptions) => createRbtreeIndex<E>(options),
});
