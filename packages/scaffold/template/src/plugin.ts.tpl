/**
 * The `__name__` index plug-in: what `vmakit.config.ts` lists so that every command (`vmakit list`,
 * `replay --index __name__`, `bench indexes`, `pnpm compare`) and the registry-wide conformance test
 * see this index.
 */
import { defineIndexPlugin, type IndexEntry, type IndexOptions, type IndexPlugin } from '@vmakit/core';
import { create__Name__Index } from './__name__-index.js';

/** Registered as `__name__`. Keep `semantics` and `era` equal to what the index declares. */
export const __nameCamel__Plugin: IndexPlugin = defineIndexPlugin({
  meta: {
    name: '__name__',
    version: '0.1.0',
    kind: 'index',
    description: '__description__',
  },
  semantics: 'snapshot',
  era: 'maple-era',
  create: <E extends IndexEntry>(options?: IndexOptions) => create__Name__Index<E>(options),
});
