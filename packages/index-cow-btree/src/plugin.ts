/** The `cow-btree` plug-in descriptor. */
import { defineIndexPlugin, type IndexPlugin } from '@vmakit/core';
import { createCowBtreeIndex } from './cow-btree-index.js';

/** Registers the copy-on-write B-tree index as `cow-btree`. */
export const cowBtreePlugin: IndexPlugin = defineIndexPlugin({
  meta: {
    name: 'cow-btree',
    version: '0.1.0',
    kind: 'index',
    description: 'immutable B+ tree (16 keys/node): clone, copy-on-write, freeze, publish; snapshot readers',
  },
  semantics: 'snapshot',
  era: 'maple-era',
  create: (options) => createCowBtreeIndex(options),
});
