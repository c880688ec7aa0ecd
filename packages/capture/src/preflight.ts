/**
 * Checks, before anything is stopped, that a capture can work here: perf runs, the caller may open
 * tracepoint events, tracefs lists the tracepoints, and which of them the kernel has. Each failure
 * is a CaptureError that says what to install, mount or change.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureError, type CaptureErrorCode } from './errors.js';
import { classifyPerfFailure, perfFailureText } from './perf-messages.js';
import { runProgram } from './run.js';
import {
  FAULT_TRACEPOINT,
  selectTracepoints,
  TRACEFS_CANDIDATES,
  type TracepointSelection,
  tracefsEventExists,
} from './tracepoints.js';

/** What the checks found. */
export interface CaptureEnvironment {
  /** The perf executable used. */
  readonly perf: string;
  /** `perf --version` output, e.g. `perf version 6.1.187`. */
  readonly perfVersion: string;
  /** `uname -r` of the running kernel. */
  readonly kernel: string;
  /** Tracepoints to record and those skipped. */
  readonly tracepoints: TracepointSelection;
  /** perf knows `--control` and `-D -1`: readiness can be confirmed by an `ack`. */
  readonly supportsControl: boolean;
}

/** Options of {@link checkCaptureEnvironment}. */
export interface EnvironmentOptions {
  /** perf executable (default: `VMAKIT_PERF` or `perf` on PATH). */
  readonly perfPath?: string;
  /** tracefs mount points to look at (default: /sys/kernel/tracing, /sys/kernel/debug/tracing). */
  readonly tracefs?: readonly string[];
}

/** The perf executable an options object selects. */
export function perfExecutable(perfPath?: string): string {
  return perfPath ?? (process.env.VMAKIT_PERF || 'perf');
}

/** CAP_SYS_ADMIN (21) and CAP_PERFMON (38) in a CapEff hex mask (include/uapi/linux/capability.h). */
export function hasPerfCapability(capEffHex: string): boolean {
  let mask: bigint;
  try {
    mask = BigInt(`0x${capEffHex.trim()}`);
  } catch {
    return false;
  }
  return (mask & (1n << 21n)) !== 0n || (mask & (1n << 38n)) !== 0n;
}

/**
 * Whether the caller may record tracepoint samples. Tracepoint samples carry raw data, which
 * kernel/events/core.c (perf_trace_event_perm via perf_allow_tracepoint) refuses unless
 * perf_event_paranoid is -1 or the caller has CAP_PERFMON / CAP_SYS_ADMIN. Returns null when
 * allowed, else the reason and what to do.
 */
export function tracePermissionProblem(
  uid: number,
  paranoid: number | null,
  capEffHex: string | null,
): string | null {
  if (uid === 0) return null;
  if (capEffHex !== null && hasPerfCapability(capEffHex)) return null;
  if (paranoid !== null && paranoid <= -1) return null;
  return `recording tracepoints needs root, CAP_PERFMON, or kernel.perf_event_paranoid=-1 (it is ${paranoid ?? 'unknown'}); run the capture as root, or 'sysctl -w kernel.perf_event_paranoid=-1' and make tracefs readable`;
}

async function readOr(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** The running kernel's release (`uname -r`). */
export async function kernelRelease(): Promise<string> {
  return ((await readOr('/proc/sys/kernel/osrelease')) ?? 'unknown').trim();
}

/**
 * Runs every check that needs no process: perf present and runnable, permission to record
 * tracepoints, tracefs mounted, tracepoints present, control-fifo support. O(tracepoints).
 */
export async function checkCaptureEnvironment(options: EnvironmentOptions = {}): Promise<CaptureEnvironment> {
  if (process.platform !== 'linux') {
    throw new CaptureError(
      'perf-missing',
      `capturing needs Linux (perf and /proc); this is ${process.platform}`,
    );
  }
  const perf = perfExecutable(options.perfPath);
  const v = await runProgram(perf, ['--version'], { timeoutMs: 20_000 });
  if (v.error !== null) {
    throw new CaptureError(
      'perf-missing',
      v.error.code === 'ENOENT'
        ? `perf is not installed (${perf.includes('/') ? `no executable ${perf}` : `no '${perf}' on PATH`}); install it (Debian/Ubuntu: linux-perf or linux-tools-$(uname -r); Fedora: perf) or pass its path`
        : `cannot run '${perf}': ${v.error.message}`,
      { cause: v.error },
    );
  }
  if (v.code !== 0) {
    throw new CaptureError(
      'perf-missing',
      `'${perf} --version' failed (exit ${v.code ?? v.signal}): ${perfFailureText(v.stderr + v.stdout)}; install the perf matching the running kernel`,
    );
  }
  const uid = process.getuid?.() ?? 0;
  const paranoidText = await readOr('/proc/sys/kernel/perf_event_paranoid');
  const paranoid = paranoidText === null ? null : Number(paranoidText.trim());
  const status = await readOr('/proc/self/status');
  const capEff = status?.match(/^CapEff:\s*([0-9a-fA-F]+)$/m)?.[1] ?? null;
  const problem = tracePermissionProblem(uid, Number.isFinite(paranoid) ? paranoid : null, capEff);
  if (problem !== null) throw new CaptureError('permission', problem);

  const tracepoints = selectTracepoints(tracefsEventExists(options.tracefs ?? TRACEFS_CANDIDATES));
  // `perf record -h` prints the option list and exits 129; --control and `-D -1` arrived in perf 5.10/5.11.
  const help = await runProgram(perf, ['record', '-h'], { timeoutMs: 20_000 });
  const helpText = help.stdout + help.stderr;
  const supportsControl =
    helpText.includes('--control') && helpText.includes('-1: start with events disabled');
  return {
    perf,
    perfVersion: v.stdout.trim(),
    kernel: await kernelRelease(),
    tracepoints,
    supportsControl,
  };
}

/** The answer of {@link probePerf}. */
export type PerfProbe =
  | { readonly ok: true; readonly environment: CaptureEnvironment }
  | { readonly ok: false; readonly reason: string; readonly code: CaptureErrorCode };

/**
 * Tries it for real: the environment checks, then `perf record -e exceptions:page_fault_user --
 * true`. Tests use it to decide whether to skip. Never throws.
 */
export async function probePerf(options: EnvironmentOptions = {}): Promise<PerfProbe> {
  let environment: CaptureEnvironment;
  try {
    environment = await checkCaptureEnvironment(options);
  } catch (err) {
    if (err instanceof CaptureError) return { ok: false, reason: err.message, code: err.code };
    return { ok: false, reason: String(err), code: 'perf-failed' };
  }
  const dir = await mkdtemp(join(tmpdir(), 'vmakit-probe-'));
  try {
    const r = await runProgram(
      environment.perf,
      ['record', '-e', FAULT_TRACEPOINT, '-o', join(dir, 'probe.data'), '--no-buildid', '--', 'true'],
      { timeoutMs: 30_000 },
    );
    if (r.code === 0) return { ok: true, environment };
    const text = r.stderr + r.stdout;
    return {
      ok: false,
      reason: `'perf record -e ${FAULT_TRACEPOINT} -- true' failed (${r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}`}): ${perfFailureText(text)}`,
      code: r.timedOut ? 'timeout' : classifyPerfFailure(text),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
