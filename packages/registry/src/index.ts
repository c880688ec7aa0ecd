export {
  builtinIndexes,
  builtinProfilePlugins,
  builtinStrategyPlugins,
  builtinWorkloadPlugins,
} from './builtin.js';
export { CONFIG_FILES, findConfigFile, loadConfigFile, loadRegistry } from './load-config.js';
export type { ProfilePlugin, VmakitConfig } from './plugins.js';
export { defineConfig, defineProfilePlugin } from './plugins.js';
export type { Registry } from './registry.js';
export {
  builtinRegistry,
  createRegistry,
  indexByName,
  indexesByNames,
  profileByName,
  strategiesByNames,
  strategyByName,
  workloadByName,
  workloadsByNames,
} from './registry.js';
