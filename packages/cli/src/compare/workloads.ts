/**
 * The captures `compare` replays by default: the real workloads in the shared data folder when it
 * is present, else none (the synthetic workloads of the simulator join as it lands).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findSharedDir } from '@vmakit/testkit';

/** A capture directory to replay. */
export interface CaptureWorkload {
  readonly name: string;
  readonly dir: string;
}

/** Capture directories (those holding start.maps) under `root`, sorted by name. */
export function capturesIn(root: string): CaptureWorkload[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'start.maps')))
    .map((d) => ({ name: d.name, dir: join(root, d.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The default captures. */
export function defaultCaptures(): CaptureWorkload[] {
  const shared = findSharedDir('traces');
  return shared === null ? [] : capturesIn(shared);
}
