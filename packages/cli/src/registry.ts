/**
 * The registry the commands iterate: the project's vmakit.config file (found at the root of the
 * repository the command runs in), or the built-in preset.
 */
import { loadRegistry, type Registry } from '@vmakit/registry';
import { findRepoRoot } from '@vmakit/testkit';

/**
 * Resolves the registry once per process. `projectDir`, when set, is the folder the registry was
 * loaded from: worker threads load the same registry from it (plug-ins cannot be sent to a worker).
 * A source without it runs its work in the main thread.
 */
export type RegistrySource = (() => Promise<Registry>) & { readonly projectDir?: string };

let cached: Promise<Registry> | null = null;

/** The folder whose vmakit.config the project registry comes from. */
export function projectDir(): string {
  return findRepoRoot(process.cwd()) ?? process.cwd();
}

function loadProject(): Promise<Registry> {
  if (cached === null) cached = loadRegistry(projectDir());
  return cached;
}
Object.defineProperty(loadProject, 'projectDir', { get: projectDir, enumerable: true });

/** The registry of the repository containing the working directory (or of the working directory). */
export const projectRegistry: RegistrySource = loadProject;
