/**
 * A registry: the checked lists of plug-ins every command iterates, and lookups by name that list
 * what exists when a name is unknown.
 */
import { type IndexPlugin, type PluginMeta, UnknownNameError, VmakitError } from '@vmakit/core';
import type { WorkloadPlugin } from '@vmakit/sim';
import type { StrategyPlugin } from '@vmakit/x86-fault';
import {
  builtinIndexes,
  builtinProfilePlugins,
  builtinStrategyPlugins,
  builtinWorkloadPlugins,
} from './builtin.js';
import type { ProfilePlugin, VmakitConfig } from './plugins.js';

/** The plug-ins of a run. */
export interface Registry {
  readonly indexes: readonly IndexPlugin[];
  readonly strategies: readonly StrategyPlugin<object>[];
  readonly workloads: readonly WorkloadPlugin[];
  readonly profiles: readonly ProfilePlugin[];
  /** Where the configuration came from (a file path) or `builtin`. */
  readonly source: string;
}

type Kind = 'index' | 'strategy' | 'workload' | 'profile';

const NAME = /^[a-z0-9][a-z0-9+._-]*$/;

/** Checks each plug-in's identification and that names are unique within a kind. */
function checkPlugins<T extends { readonly meta: PluginMeta }>(
  list: readonly T[] | undefined,
  kind: Kind,
  source: string,
): readonly T[] {
  if (list === undefined) throw new VmakitError(`${source}: no ${kind} list`);
  if (!Array.isArray(list)) throw new VmakitError(`${source}: '${kind}' plug-ins must be an array`);
  const seen = new Set<string>();
  list.forEach((p, i) => {
    const where = `${source}: ${kind} plug-in #${i + 1}`;
    if (p === null || typeof p !== 'object' || typeof p.meta !== 'object' || p.meta === null) {
      throw new VmakitError(`${where} has no meta { name, version, kind }`);
    }
    const { name, version } = p.meta;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new VmakitError(`${where}: meta.name must match ${NAME} (got ${JSON.stringify(name)})`);
    }
    if (typeof version !== 'string' || version === '') {
      throw new VmakitError(`${where} ('${name}'): meta.version must be a non-empty string`);
    }
    if (p.meta.kind !== kind) {
      throw new VmakitError(
        `${where} ('${name}'): meta.kind is '${String(p.meta.kind)}', expected '${kind}'`,
      );
    }
    if (seen.has(name)) throw new VmakitError(`${source}: two ${kind} plug-ins are named '${name}'`);
    seen.add(name);
  });
  return list;
}

function checkIndexShape(p: IndexPlugin, source: string): void {
  const where = `${source}: index plug-in '${p.meta.name}'`;
  if (typeof p.create !== 'function') throw new VmakitError(`${where} has no create() function`);
  if (!['unsafe', 'rcu', 'snapshot'].includes(p.semantics)) {
    throw new VmakitError(
      `${where}: semantics must be 'unsafe', 'rcu' or 'snapshot' (got '${String(p.semantics)}')`,
    );
  }
  if (p.era !== 'rbtree-era' && p.era !== 'maple-era') {
    throw new VmakitError(`${where}: era must be 'rbtree-era' or 'maple-era' (got '${String(p.era)}')`);
  }
}

/**
 * A registry from a configuration: kinds the configuration leaves out keep their built-in lists.
 * Throws VmakitError naming the source and the offending plug-in.
 */
export function createRegistry(config: VmakitConfig = {}, source = 'builtin'): Registry {
  const indexes = checkPlugins(config.indexes ?? builtinIndexes, 'index', source);
  for (const p of indexes) checkIndexShape(p, source);
  return {
    indexes,
    strategies: checkPlugins(config.strategies ?? builtinStrategyPlugins, 'strategy', source),
    workloads: checkPlugins(config.workloads ?? builtinWorkloadPlugins, 'workload', source),
    profiles: checkPlugins(config.profiles ?? builtinProfilePlugins, 'profile', source),
    source,
  };
}

/** The built-in registry (no configuration file). */
export function builtinRegistry(): Registry {
  return createRegistry({}, 'builtin');
}

function byName<T extends { readonly meta: PluginMeta }>(list: readonly T[], what: string, name: string): T {
  const found = list.find((p) => p.meta.name === name);
  if (found === undefined) {
    throw new UnknownNameError(
      what,
      name,
      list.map((p) => p.meta.name),
    );
  }
  return found;
}

/** The list, or the named subset of a comma-separated list (`all` for everything). */
function byNames<T extends { readonly meta: PluginMeta }>(
  list: readonly T[],
  what: string,
  names: string,
): T[] {
  if (names.trim() === 'all') return [...list];
  return names
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map((n) => byName(list, what, n));
}

/** Index plug-in by name. */
export function indexByName(r: Registry, name: string): IndexPlugin {
  return byName(r.indexes, 'index', name);
}
/** Index plug-ins by `all` or a comma-separated list. */
export function indexesByNames(r: Registry, names: string): IndexPlugin[] {
  return byNames(r.indexes, 'index', names);
}
/** Strategy plug-in by name. */
export function strategyByName(r: Registry, name: string): StrategyPlugin<object> {
  return byName(r.strategies, 'strategy', name);
}
/** Strategy plug-ins by `all` or a comma-separated list. */
export function strategiesByNames(r: Registry, names: string): StrategyPlugin<object>[] {
  return byNames(r.strategies, 'strategy', names);
}
/** Workload plug-in by name. */
export function workloadByName(r: Registry, name: string): WorkloadPlugin {
  return byName(r.workloads, 'workload', name);
}
/** Workload plug-ins by `all` or a comma-separated list. */
export function workloadsByNames(r: Registry, names: string): WorkloadPlugin[] {
  return byNames(r.workloads, 'workload', names);
}
/** Profile plug-in by name. */
export function profileByName(r: Registry, name: string): ProfilePlugin {
  return byName(r.profiles, 'profile', name);
}
