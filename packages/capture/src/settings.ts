/**
 * Defaults and validation of the options both capture modes share.
 */
import { CaptureError } from './errors.js';
import type { PerfReadiness } from './perf-recorder.js';
import type { CaptureEnvironment } from './preflight.js';
import { ESSENTIAL_FD_SYSCALLS } from './tracepoints.js';
import type { CaptureOptions, CapturePhase } from './types.js';

/** The options with every default filled in. */
export interface CaptureSettings {
  readonly force: boolean;
  readonly gzip: boolean | 'auto';
  readonly gzipAboveBytes: number;
  readonly anonymize: boolean;
  readonly keepLost: boolean;
  readonly mmapPages: number;
  readonly perfReadyTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly progress: (phase: CapturePhase, message: string) => void;
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v <= 0)
    throw new CaptureError('bad-options', `${name} must be a positive integer, got ${v}`);
  return v;
}

/** Validates and completes the shared options. */
export function captureSettings(o: CaptureOptions): CaptureSettings {
  if (o.gzip !== undefined && o.gzip !== true && o.gzip !== false && o.gzip !== 'auto') {
    throw new CaptureError('bad-options', `gzip must be true, false or 'auto', got ${String(o.gzip)}`);
  }
  const onProgress = o.onProgress;
  return {
    force: o.force === true,
    gzip: o.gzip ?? 'auto',
    gzipAboveBytes: positiveInt('gzipAboveBytes', o.gzipAboveBytes, 1 << 20),
    anonymize: o.anonymize === true,
    keepLost: o.keepLost === true,
    mmapPages: positiveInt('mmapPages', o.mmapPages, 8192),
    perfReadyTimeoutMs: positiveInt('perfReadyTimeoutMs', o.perfReadyTimeoutMs, 30_000),
    stopTimeoutMs: positiveInt('stopTimeoutMs', o.stopTimeoutMs, 10_000),
    progress: (phase, message) => onProgress?.({ phase, message }),
  };
}

/** Validates a duration in seconds (finite, > 0) and returns it in milliseconds. */
export function durationMs(seconds: number | undefined, name = 'durationSeconds'): number | null {
  if (seconds === undefined) return null;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new CaptureError(
      'bad-options',
      `${name} must be a positive number of seconds, got ${String(seconds)}`,
    );
  }
  return Math.round(seconds * 1000);
}

/** Warnings every summary carries about how the environment shaped the capture. */
export function environmentWarnings(env: CaptureEnvironment, readiness: PerfReadiness): string[] {
  const w = env.tracepoints.skipped.map(
    (k) => `${k.syscall} not traced: the kernel has no ${k.missing} tracepoint`,
  );
  const essential = env.tracepoints.fdSkipped.filter((k) => ESSENTIAL_FD_SYSCALLS.includes(k.syscall));
  if (essential.length > 0) {
    w.push(
      `file descriptors not followed (the kernel has no ${essential.map((k) => k.missing).join(', ')} tracepoint): a replay maps traced files with permissive open modes`,
    );
  }
  if (readiness !== 'control-ack') {
    w.push(
      'perf was started without its control fifo: readiness was inferred from its event descriptors, so the first events after resuming may be missing',
    );
  }
  return w;
}
