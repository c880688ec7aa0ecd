/**
 * Locates the team's shared data folder (`../shared` next to the repository: real captures, kernel
 * test vectors, reference notes). Users' clones do not have it, so callers must treat `null` as
 * "skip, with a message".
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Walks up from `from` to the folder holding pnpm-workspace.yaml. */
export function findRepoRoot(from: string = process.cwd()): string | null {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * The shared folder, or a sub-folder of it (`traces`, `kernel-vectors`, `reference`), or null when
 * absent. `VMAKIT_SHARED_DIR` overrides the default `<repo>/../shared`.
 */
export function findSharedDir(sub?: string, from?: string): string | null {
  const env = process.env.VMAKIT_SHARED_DIR;
  let base: string | null = null;
  if (env !== undefined && env !== '') base = resolve(env);
  else {
    const root = findRepoRoot(from);
    if (root !== null) base = resolve(root, '..', 'shared');
  }
  if (base === null) return null;
  const dir = sub === undefined ? base : join(base, sub);
  return existsSync(dir) ? dir : null;
}

/** Message for a test that skips because the shared folder is absent. */
export function sharedMissingMessage(sub: string): string {
  return `skipped: ../shared/${sub} is not present (set VMAKIT_SHARED_DIR to run tests that need it)`;
}
