/**
 * Choosing where tasks run: worker threads when they can load the same registry as the command
 * (the project's vmakit.config or the built-in preset), this thread otherwise.
 */
import { availableParallelism } from 'node:os';
import type { Registry } from '@vmakit/registry';
import type { RegistrySource } from '../registry.js';
import { inlinePool, type TaskPool, workerPool } from './pool.js';

/** Default number of worker threads: the machine's available parallelism. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** A pool of `jobs` workers over `source`'s registry (in this thread when it has no project folder). */
export function openPool(source: RegistrySource, registry: Registry, jobs: number): TaskPool {
  const dir = source.projectDir;
  return dir === undefined ? inlinePool(registry) : workerPool(Math.max(1, jobs), dir);
}
