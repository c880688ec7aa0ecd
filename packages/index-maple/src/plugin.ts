/**
 * The `maple` index plug-in.
 */
import { defineIndexPlugin, type IndexEntry, type IndexOptions, type IndexPlugin } from '@vmakit/core';
import { createMapleIndex } from './maple-index.js';

/** Registered as `maple`: the Linux 6.1+ maple tree in RCU mode (the VMA tree's mode since v6.4). */
export const maplePlugin: IndexPlugin = defineIndexPlugin({
  meta: {
    name: 'maple',
    version: '0.1.0',
    kind: 'index',
    description: 'Maple tree (Linux 6.1+): 256-byte range B-tree nodes with gap tracking, RCU mode',
  },
  semantics: 'rcu',
  era: 'maple-era',
  create: <E extends IndexEntry>(options?: IndexOptions) => createMapleIndex<E>(options),
});
