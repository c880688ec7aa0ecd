export type { MapleOptions } from './maple-index.js';
export { createMapleIndex, MapleIndex } from './maple-index.js';
export { maplePlugin } from './plugin.js';
export type { UpdateFootprint } from './tree.js';
export type { StoreType } from './write.js';
