/**
 * The machine and runtime a benchmark ran on, recorded with its numbers.
 */
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where and with what a benchmark ran. */
export interface BenchEnvironment {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly kernel: string;
  readonly cpu_model: string;
  readonly cpus: number;
  readonly total_memory_bytes: number;
  /** tinybench's version, or null when its package.json cannot be read. */
  readonly tinybench: string | null;
  /** Timer used for every sample. */
  readonly timestamp_provider: string;
  readonly started_at: string;
  finished_at: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews timings. */
  readonly load_average_start: number;
  load_average_end: number;
}

function tinybenchVersion(): string | null {
  try {
    // tinybench's `exports` map hides package.json; walk up from its resolved entry instead.
    const entry = fileURLToPath(import.meta.resolve('tinybench'));
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}

/** Reads the environment (no subprocesses). */
export function benchEnvironment(timestampProvider: string): BenchEnvironment {
  const list = cpus();
  const now = new Date().toISOString();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    arch: arch(),
    kernel: release(),
    cpu_model: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    total_memory_bytes: totalmem(),
    tinybench: tinybenchVersion(),
    timestamp_provider: timestampProvider,
    started_at: now,
    finished_at: now,
    load_average_start: loadavg()[0] ?? 0,
    load_average_end: loadavg()[0] ?? 0,
  };
}
