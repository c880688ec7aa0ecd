/**
 * The plug-in kinds a registry holds. Indexes, strategies and workloads are their packages' own
 * plug-in types; machine profiles get a thin plug-in wrapper so that every plug-in carries
 * `meta: { name, version, kind }`.
 */
import type { IndexPlugin, PluginMeta } from '@vmakit/core';
import type { MachineProfile, WorkloadPlugin } from '@vmakit/sim';
import type { StrategyPlugin } from '@vmakit/x86-fault';

/** A machine profile for the simulator as a plug-in. */
export interface ProfilePlugin {
  readonly meta: PluginMeta<'profile'>;
  readonly profile: MachineProfile;
}

/** Identity function that type-checks a profile plug-in. */
export function defineProfilePlugin(plugin: ProfilePlugin): ProfilePlugin {
  return plugin;
}

/** What a configuration (and so a registry) lists. */
export interface VmakitConfig {
  readonly indexes?: readonly IndexPlugin[];
  readonly strategies?: readonly StrategyPlugin<object>[];
  readonly workloads?: readonly WorkloadPlugin[];
  readonly profiles?: readonly ProfilePlugin[];
}

/**
 * Identity function for `vmakit.config.ts`: gives the configuration its type. A kind left out keeps
 * the built-in list; a kind given replaces it (spread the built-ins to extend them).
 */
export function defineConfig(config: VmakitConfig): VmakitConfig {
  return config;
}
