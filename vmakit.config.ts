/**
 * The plug-ins every vmakit command and the registry-wide conformance test iterate. `vmakit new index
 * NAME` adds its import and its plug-in here; keep one import per line and the list below so it can.
 */
import { builtinIndexes, defineConfig } from '@vmakit/registry';
import { sdslRbtreePlugin } from './packages/index-sdsl-rbtree/src/index.js';

export default defineConfig({
  indexes: [...builtinIndexes, sdslRbtreePlugin],
});
