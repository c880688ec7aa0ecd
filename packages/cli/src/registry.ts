/**
 * The registry the commands iterate: the project's vmakit.config file (found at the root of the
 * repository the command runs in), or the built-in preset.
 */
import { loadRegistry, type Registry } from '@vmakit/registry';
import { findRepoRoot } from '@vmakit/testkit';

/** Resolves the registry once per process. */
export type RegistrySource = () => Promise<Registry>;

let cached: Promise<Registry> | null = null;

/** The registry of the repository containing the working directory (or of the working directory). */
export const projectRegistry: RegistrySource = () => {
  if (cached === null) cached = loadRegistry(findRepoRoot(process.cwd()) ?? process.cwd());
  return cached;
};
