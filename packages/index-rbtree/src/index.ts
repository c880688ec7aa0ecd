export { LINKAGE_BYTES } from './gap-tree.js';
export { RBTREE_INDEX_VERSION, rbtreePlugin } from './plugin.js';
export { createRbtreeIndex, RbtreeIndex, type RbtreeIndexOptions } from './rbtree-index.js';
export { VMACACHE_BYTES, VMACACHE_SIZE } from './vmacache.js';
