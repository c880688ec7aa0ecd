/**
 * The plug-ins every command iterates: indexes now; strategies, workloads and machine profiles join
 * as their packages land. One registry serves list, replay, vectors, bench, sim and compare.
 */
import { defineIndexPlugin, type IndexPlugin, UnknownNameError } from '@vmakit/core';
import { cowBtreePlugin } from '@vmakit/index-cow-btree';
import { maplePlugin } from '@vmakit/index-maple';
import { persistentRbtreePlugin } from '@vmakit/index-persistent-rbtree';
import { rbtreePlugin } from '@vmakit/index-rbtree';
import { createReferenceIndex } from '@vmakit/testkit';

/** The reference index as a plug-in: the oracle, always available. */
export const referencePlugin: IndexPlugin = defineIndexPlugin({
  meta: {
    name: 'reference',
    version: '0.1.0',
    kind: 'index',
    description: 'sorted arrays, obviously correct: the oracle every index is compared with',
  },
  semantics: 'snapshot',
  era: 'maple-era',
  create: (options) => createReferenceIndex(options),
});

/** What the commands can choose from. */
export interface Registry {
  readonly indexes: readonly IndexPlugin[];
}

/** The registry built into vmakit. */
export function builtinRegistry(): Registry {
  return { indexes: [referencePlugin, rbtreePlugin, maplePlugin, persistentRbtreePlugin, cowBtreePlugin] };
}

/** Find an index plug-in by name; UnknownNameError lists the known ones. */
export function indexByName(registry: Registry, name: string): IndexPlugin {
  const found = registry.indexes.find((p) => p.meta.name === name);
  if (found === undefined) {
    throw new UnknownNameError(
      'index',
      name,
      registry.indexes.map((p) => p.meta.name),
    );
  }
  return found;
}

/** Resolve `all` or a comma-separated list of index names. */
export function indexesByNames(registry: Registry, names: string): IndexPlugin[] {
  if (names === 'all') return [...registry.indexes];
  return names.split(',').map((n) => indexByName(registry, n.trim()));
}
