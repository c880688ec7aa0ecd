export { createSdslRbtreeIndex, SdslRbtreeIndex } from './sdsl-rbtree-index.js';
export { sdslRbtreePlugin } from './plugin.js';
