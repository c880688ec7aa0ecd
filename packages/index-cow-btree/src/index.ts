export {
  COW_BTREE_DEFAULT_NODE_SIZE,
  COW_BTREE_HEAP_BYTES_PER_ENTRY,
  CowBtreeIndex,
  type CowBtreeOptions,
  createCowBtreeIndex,
} from './cow-btree-index.js';
export { cowBtreePlugin } from './plugin.js';
