/**
 * Finding the vmakit repository a command runs in, and what the scaffolder needs from it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ScaffoldError } from './errors.js';

/** What the scaffolder reads from a vmakit repository. */
export interface VmakitRepo {
  /** Absolute path of the repository root (the folder holding pnpm-workspace.yaml). */
  readonly root: string;
  /** `repository.url` of @vmakit/core's package.json, for the new package's `repository`. */
  readonly repositoryUrl: string | null;
  /** Names of every workspace package under packages/ (to refuse a clash). */
  readonly packageNames: ReadonlySet<string>;
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The nearest folder at or above `from` holding pnpm-workspace.yaml, or null. O(depth). */
export function findWorkspaceRoot(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * The vmakit repository containing `from`: a pnpm workspace whose packages/core is @vmakit/core and
 * packages/testkit is @vmakit/testkit (the generated package depends on both), with a root
 * tsconfig.json. Throws ScaffoldError('not-a-repo') saying what is missing.
 */
export function openVmakitRepo(from: string): VmakitRepo {
  const root = findWorkspaceRoot(from);
  if (root === null) {
    throw new ScaffoldError(
      'not-a-repo',
      `${resolve(from)} is not inside a vmakit repository (no pnpm-workspace.yaml above it); run this in a clone of vmakit`,
    );
  }
  const core = readJson(join(root, 'packages', 'core', 'package.json'));
  const testkit = readJson(join(root, 'packages', 'testkit', 'package.json'));
  if (core?.name !== '@vmakit/core' || testkit?.name !== '@vmakit/testkit') {
    throw new ScaffoldError(
      'not-a-repo',
      `${root} is a pnpm workspace but not a vmakit repository (packages/core must be @vmakit/core and packages/testkit @vmakit/testkit)`,
    );
  }
  if (!existsSync(join(root, 'tsconfig.json'))) {
    throw new ScaffoldError('not-a-repo', `${root}: no tsconfig.json (the solution file new packages join)`);
  }
  const repo = core.repository as { url?: unknown } | undefined;
  const packageNames = new Set<string>();
  const packagesDir = join(root, 'packages');
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const name = readJson(join(packagesDir, entry.name, 'package.json'))?.name;
    if (typeof name === 'string') packageNames.add(name);
  }
  return {
    root,
    repositoryUrl: typeof repo?.url === 'string' ? repo.url : null,
    packageNames,
  };
}
