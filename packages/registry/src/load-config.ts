/**
 * Finds and loads `vmakit.config.ts` (or `.mts`, `.mjs`, `.js`) from a folder. TypeScript configs are
 * loaded with jiti, because Node 20 cannot run TypeScript by itself.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VmakitError } from '@vmakit/core';
import { createJiti } from 'jiti';
import type { VmakitConfig } from './plugins.js';
import { createRegistry, type Registry } from './registry.js';

/** Config file names, in the order they are looked for. */
export const CONFIG_FILES = [
  'vmakit.config.ts',
  'vmakit.config.mts',
  'vmakit.config.mjs',
  'vmakit.config.js',
];

/** The config file in `dir`, or null. */
export function findConfigFile(dir: string): string | null {
  for (const name of CONFIG_FILES) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/** Loads and checks the configuration at `path`. */
export async function loadConfigFile(path: string): Promise<VmakitConfig> {
  const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: false });
  let loaded: unknown;
  try {
    loaded = await jiti.import(resolve(path), { default: true });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new VmakitError(`${path}: cannot load the configuration: ${why}`);
  }
  if (loaded === null || typeof loaded !== 'object' || Array.isArray(loaded)) {
    throw new VmakitError(`${path}: the default export must be defineConfig({ ... })`);
  }
  const allowed = new Set(['indexes', 'strategies', 'workloads', 'profiles']);
  for (const key of Object.keys(loaded)) {
    if (!allowed.has(key)) {
      throw new VmakitError(`${path}: unknown key '${key}' (allowed: ${[...allowed].join(', ')})`);
    }
  }
  return loaded as VmakitConfig;
}

/**
 * The registry of the project in `dir`: its vmakit.config file when there is one, else the built-in
 * preset.
 */
export async function loadRegistry(dir: string): Promise<Registry> {
  const path = findConfigFile(dir);
  if (path === null) return createRegistry({}, 'builtin');
  return createRegistry(await loadConfigFile(path), path);
}
