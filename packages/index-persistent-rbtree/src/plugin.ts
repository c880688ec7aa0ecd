/** The `persistent-rbtree` plug-in descriptor. */
import { defineIndexPlugin, type IndexPlugin } from '@vmakit/core';
import { createPersistentRbtreeIndex } from './persistent-rbtree-index.js';

/** Registers the persistent red-black tree index as `persistent-rbtree`. */
export const persistentRbtreePlugin: IndexPlugin = defineIndexPlugin({
  meta: {
    name: 'persistent-rbtree',
    version: '0.1.0',
    kind: 'index',
    description:
      'Bonsai-style immutable red-black tree: path copying, one-pointer publication, snapshot readers',
  },
  semantics: 'snapshot',
  era: 'maple-era',
  create: (options) => createPersistentRbtreeIndex(options),
});
