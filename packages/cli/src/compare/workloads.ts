/**
 * The embedded defaults of `compare`: the synthetic will-it-scale and pft workloads of the
 * simulator, and the small real captures the repository ships in fixtures/captures (recorded with
 * `vmakit capture`), so the head-to-head runs on any checkout without the shared data folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHED_FIGURES } from '@vmakit/sim';
import { findRepoRoot, findSharedDir } from '@vmakit/testkit';

/** A capture directory to replay. */
export interface CaptureWorkload {
  readonly name: string;
  readonly dir: string;
}

/**
 * The simulated workloads compare runs by default: will-it-scale's page_fault1-3, mmap1-2,
 * malloc1 and brk1 (the tests the maple tree and per-VMA lock series were measured with) and pft
 * (the speculative page fault series' benchmark).
 */
export const DEFAULT_SIM_WORKLOADS: readonly string[] = [
  'page_fault1',
  'page_fault2',
  'page_fault3',
  'mmap1',
  'mmap2',
  'malloc1',
  'brk1',
  'pft',
];

/** Capture directories (those holding start.maps) under `root`, sorted by name. O(entries). */
export function capturesIn(root: string): CaptureWorkload[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'start.maps')))
    .map((d) => ({ name: d.name, dir: join(root, d.name) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The fixtures folder of the repository containing `cwd`, or null outside a checkout. */
export function fixtureCapturesDir(cwd: string = process.cwd()): string | null {
  const root = findRepoRoot(cwd);
  if (root === null) return null;
  const dir = join(root, 'fixtures', 'captures');
  return existsSync(dir) ? dir : null;
}

/** The default captures: the repository's fixtures (none outside a checkout). */
export function defaultCaptures(cwd: string = process.cwd()): CaptureWorkload[] {
  const dir = fixtureCapturesDir(cwd);
  return dir === null ? [] : capturesIn(dir);
}

/** Names of the captures the published figures replay as `trace:<name>` workloads. O(figures). */
export function publishedCaptureNames(): string[] {
  const names = new Set<string>();
  const visit = (w: unknown) => {
    if (typeof w === 'string' && w.startsWith('trace:')) names.add(w.slice('trace:'.length));
  };
  for (const f of PUBLISHED_FIGURES) {
    const check = f.check as {
      readonly workload?: unknown;
      readonly items?: readonly { readonly workload?: unknown }[];
    };
    visit(check.workload);
    for (const item of check.items ?? []) visit(item.workload);
  }
  return [...names].sort();
}

/**
 * The published figures' captures found in the shared traces folder, by name: they are real
 * recordings too large to ship, so without the shared folder those figures' rows are not run.
 */
export function publishedTraceDirs(): Record<string, string> {
  const shared = findSharedDir('traces');
  const out: Record<string, string> = {};
  if (shared === null) return out;
  for (const name of publishedCaptureNames())
    if (existsSync(join(shared, name, 'start.maps'))) out[name] = join(shared, name);
  return out;
}
