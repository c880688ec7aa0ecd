export {
  createPersistentRbtreeIndex,
  PersistentRbtreeIndex,
  RBTREE_HEAP_BYTES_PER_ENTRY,
  RBTREE_NODE_MODEL_BYTES,
} from './persistent-rbtree-index.js';
export { persistentRbtreePlugin } from './plugin.js';
