/**
 * The built-in workloads and lookup by name. Captured traces are not built in (they need a folder):
 * `resolveWorkload('trace:<dir>')` loads one, and every other name resolves to a built-in.
 */
import { UnknownNameError } from '@vmakit/core';
import type { WorkloadPlugin } from '../workload.js';
import { ebizzyPlugin } from './ebizzy.js';
import { mixedPlugin } from './mixed.js';
import { pftPlugin } from './pft.js';
import { traceWorkload } from './trace.js';
import { willItScalePlugins } from './will-it-scale.js';

/** Every built-in workload: the seven will-it-scale tests, pft, ebizzy and mixed. */
export const builtinWorkloads: readonly WorkloadPlugin[] = Object.freeze([
  ...willItScalePlugins,
  pftPlugin,
  ebizzyPlugin,
  mixedPlugin,
]);

/** Prefix of a captured-trace workload name: `trace:<capture folder>`. */
export const TRACE_PREFIX = 'trace:';

/** The built-in workload `name`; UnknownNameError lists the names that exist. O(workloads). */
export function workloadByName(name: string): WorkloadPlugin {
  const found = builtinWorkloads.find((p) => p.meta.name === name);
  if (found !== undefined) return found;
  throw new UnknownNameError('workload', name, [
    ...builtinWorkloads.map((p) => p.meta.name),
    `${TRACE_PREFIX}<capture dir> (via resolveWorkload)`,
  ]);
}

/**
 * A built-in workload by name, or a captured trace for `trace:<dir>` (loaded from disk, hence async).
 * Throws UnknownNameError for other unknown names, CaptureDirError / ParseError for a bad capture.
 */
export async function resolveWorkload(name: string): Promise<WorkloadPlugin> {
  if (name.startsWith(TRACE_PREFIX)) {
    const dir = name.slice(TRACE_PREFIX.length);
    if (dir === '') throw new UnknownNameError('workload', name, ['trace:<capture dir>']);
    return traceWorkload(dir);
  }
  return workloadByName(name);
}
