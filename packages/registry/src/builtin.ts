/**
 * The built-in preset: what vmakit compares when the repository has no vmakit.config.ts.
 */
import type { IndexPlugin } from '@vmakit/core';
import { cowBtreePlugin } from '@vmakit/index-cow-btree';
import { maplePlugin } from '@vmakit/index-maple';
import { persistentRbtreePlugin } from '@vmakit/index-persistent-rbtree';
import { rbtreePlugin } from '@vmakit/index-rbtree';
import { builtinProfiles, builtinWorkloads, type WorkloadPlugin } from '@vmakit/sim';
import { builtinStrategies } from '@vmakit/strategies';
import { referencePlugin } from '@vmakit/testkit';
import type { StrategyPlugin } from '@vmakit/x86-fault';
import type { ProfilePlugin } from './plugins.js';

/** The built-in indexes: the reference oracle and the four contestants. */
export const builtinIndexes: readonly IndexPlugin[] = Object.freeze([
  referencePlugin,
  rbtreePlugin,
  maplePlugin,
  persistentRbtreePlugin,
  cowBtreePlugin,
]);

/** The built-in fault strategies. */
export const builtinStrategyPlugins: readonly StrategyPlugin<object>[] = builtinStrategies;

/** The built-in simulator workloads. */
export const builtinWorkloadPlugins: readonly WorkloadPlugin[] = builtinWorkloads;

/** The built-in machine profiles. */
export const builtinProfilePlugins: readonly ProfilePlugin[] = Object.freeze(
  builtinProfiles.map(
    (profile): ProfilePlugin => ({
      meta: { name: profile.name, version: '0.1.0', kind: 'profile', description: profile.description },
      profile,
    }),
  ),
);
