/**
 * Linking a new package into the workspace: `pnpm install` at the repository root.
 */
import { spawnSync } from 'node:child_process';
import { ScaffoldError } from './errors.js';

/** Options of runPnpmInstall(). */
export interface InstallOptions {
  /** Extra arguments, e.g. `['--offline']` (default: `['--prefer-offline']`). */
  readonly args?: readonly string[];
  /** Where pnpm's output goes (default: inherited, so the user sees it). */
  readonly stdio?: 'inherit' | 'pipe';
}

/**
 * Runs `pnpm install` in `root` so the workspace links the new package (its node_modules and the
 * lockfile). Throws ScaffoldError('install-failed') naming the command to rerun. Blocks until done.
 */
export function runPnpmInstall(root: string, options: InstallOptions = {}): void {
  // A new package must enter the lockfile; with CI=true pnpm would default to --frozen-lockfile
  // and refuse (ERR_PNPM_OUTDATED_LOCKFILE), so say so explicitly.
  const args = ['install', '--no-frozen-lockfile', ...(options.args ?? ['--prefer-offline'])];
  const r = spawnSync('pnpm', args, {
    cwd: root,
    stdio: options.stdio ?? 'inherit',
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  if (r.error !== undefined || r.status !== 0) {
    const why =
      r.error?.message ??
      `exit status ${r.status}${r.stderr ? `: ${String(r.stderr).trim().slice(-500)}` : ''}`;
    throw new ScaffoldError(
      'install-failed',
      `the package was created, but \`pnpm ${args.join(' ')}\` failed in ${root} (${why}); run \`pnpm install\` there`,
    );
  }
}
