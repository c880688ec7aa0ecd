/**
 * Running the built `vmakit` CLI (packages/cli/dist/bin.js, made by `tsc -b`, which `pnpm test`
 * runs first) in a child process from the repository root.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '@vmakit/testkit';

/** The repository root. */
export const ROOT: string = findRepoRoot(import.meta.dirname) ?? process.cwd();

/** The built CLI entry point. */
export const BIN: string = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** Why the CLI tests cannot run, or null. */
export function cliMissing(): string | null {
  return existsSync(BIN) ? null : `${BIN} is not built: run 'npx tsc -b' first`;
}

/** The result of a finished CLI run. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `vmakit ARGS` to completion. */
export function vmakit(args: readonly string[]): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `vmakit ARGS` without waiting, with `env` added to the environment. */
export function vmakitChild(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
}
