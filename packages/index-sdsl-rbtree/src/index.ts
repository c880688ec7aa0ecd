export { sdslRbtreePlugin } from './plugin.js';
export { createSdslRbtreeIndex, SdslRbtreeIndex } from './sdsl-rbtree-index.js';
