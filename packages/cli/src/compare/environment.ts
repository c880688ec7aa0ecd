/**
 * The environment a run happened in, recorded with every result so numbers can be traced back.
 */
import { execFileSync } from 'node:child_process';
import { cpus, platform, release } from 'node:os';

/** Where and with what a run happened. */
export interface RunEnvironment {
  readonly node: string;
  readonly platform: string;
  readonly kernel: string;
  readonly cpu_model: string;
  readonly cpus: number;
  /** `git rev-parse HEAD` of the working tree, or null outside a repository. */
  readonly git_revision: string | null;
  /** True when the working tree had uncommitted changes. */
  readonly git_dirty: boolean | null;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Reads the environment (one `git` call or two). */
export function runEnvironment(cwd: string = process.cwd()): RunEnvironment {
  const list = cpus();
  const revision = git(['rev-parse', 'HEAD'], cwd);
  const status = revision === null ? null : git(['status', '--porcelain'], cwd);
  return {
    node: process.version,
    platform: platform(),
    kernel: release(),
    cpu_model: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    git_revision: revision,
    git_dirty: status === null ? null : status.length > 0,
  };
}
