/**
 * pid mode: capture a running process for a while.
 *
 * SIGSTOP the process and wait until every thread is stopped; read maps and smaps; start perf
 * and wait until it records; SIGCONT; after the duration SIGSTOP again, read maps and smaps, stop
 * perf, SIGCONT. The process is resumed on every path, including errors and interruptions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureError } from './errors.js';
import { CaptureGuard, sendSignal } from './guard.js';
import { checkOutput, commitDirectory, makeTempSibling } from './output-dir.js';
import { PerfRecorder } from './perf-recorder.js';
import { checkCaptureEnvironment } from './preflight.js';
import {
  interrupted,
  type ProcSnapshot,
  processCondition,
  readProcSnapshot,
  readProcStat,
  sleep,
  waitForStopOrExit,
} from './proc.js';
import { captureSettings, durationMs, environmentWarnings } from './settings.js';
import type { CaptureEnd, CapturePidOptions, CaptureSummary } from './types.js';
import { writeCaptureFiles } from './write-capture.js';

/** Checks that `pid` is a running process this capture may stop; returns its start time. */
async function checkTarget(pid: number): Promise<number> {
  if (!Number.isSafeInteger(pid) || pid <= 0)
    throw new CaptureError('bad-options', `pid must be a positive integer, got ${pid}`);
  if (pid === process.pid)
    throw new CaptureError('bad-options', `pid ${pid} is this process; a capture cannot stop itself`);
  const st = await readProcStat(pid);
  if (st === null) throw new CaptureError('no-such-process', `no process with pid ${pid}`);
  if (st.state === 'Z' || st.state === 'X') {
    throw new CaptureError(
      'no-such-process',
      `process ${pid} (${st.comm}) has exited (zombie); nothing to capture`,
    );
  }
  if (st.state === 't') {
    throw new CaptureError(
      'permission',
      `process ${pid} (${st.comm}) is stopped by a debugger (ptrace); detach it first`,
    );
  }
  if (st.state === 'T') {
    throw new CaptureError(
      'bad-options',
      `process ${pid} (${st.comm}) is already stopped; resume it first ('kill -CONT ${pid}'): the capture stops and resumes it itself`,
    );
  }
  try {
    process.kill(pid, 0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM') {
      throw new CaptureError(
        'permission',
        `not allowed to signal process ${pid} (${st.comm}): it belongs to another user; run the capture as root`,
      );
    }
    throw new CaptureError('no-such-process', `no process with pid ${pid}`);
  }
  return st.startTime;
}

/** Waits `ms` or until the process is gone; true when it is gone. */
async function traceFor(pid: number, ms: number, startTime: number, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if ((await processCondition(pid, startTime)) === 'gone') return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(left, 50), signal);
  }
}

/**
 * Captures the process `pid` for `durationSeconds` into the directory `options.out`. Returns a
 * summary; throws CaptureError (with a code and a message that says what to do) on failure, with
 * nothing written. The process is always resumed.
 */
export async function capturePid(pid: number, options: CapturePidOptions): Promise<CaptureSummary> {
  const s = captureSettings(options);
  const duration = durationMs(options.durationSeconds);
  if (duration === null) throw new CaptureError('bad-options', 'durationSeconds is required in pid mode');
  const out = await checkOutput(options.out, s.force);
  s.progress('checking', 'checking the process, perf, tracefs and permissions');
  await checkTarget(pid);
  const env = await checkCaptureEnvironment({ perfPath: options.perfPath, tracefs: options.tracefs });
  // Checked again: the environment checks take a moment in which the process may have changed.
  const startTime = await checkTarget(pid);

  const guard = new CaptureGuard(options.signal);
  const workDir = await mkdtemp(join(tmpdir(), 'vmakit-capture-'));
  let tmpOut: string | null = null;
  let recorder: PerfRecorder | null = null;
  let stopped = false;
  const resume = (): void => {
    if (stopped) sendSignal(pid, 'SIGCONT');
    stopped = false;
  };
  guard.add(() => {
    recorder?.killNow();
    resume();
  });
  guard.install();
  try {
    const warnings: string[] = [];
    const stopAndWait = async (when: string): Promise<'stopped' | 'gone'> => {
      sendSignal(pid, 'SIGSTOP');
      stopped = true;
      const c = await waitForStopOrExit(pid, { timeoutMs: s.stopTimeoutMs, signal: guard.signal, startTime });
      if (c === 'timeout') {
        throw new CaptureError(
          'timeout',
          `process ${pid} did not stop within ${s.stopTimeoutMs} ms after SIGSTOP (${when}); a thread may be in uninterruptible sleep (state D) — try again or raise stopTimeoutMs`,
        );
      }
      return c;
    };

    s.progress('starting', `stopping process ${pid}`);
    if ((await stopAndWait('at start')) === 'gone')
      throw new CaptureError('no-such-process', `process ${pid} exited before it could be stopped`);
    const start = await readProcSnapshot(pid);
    s.progress('stopped-at-start', `process ${pid} stopped; starting perf`);
    recorder = await PerfRecorder.start({
      perf: env.perf,
      pid,
      events: env.tracepoints.events,
      mmapPages: s.mmapPages,
      workDir,
      useControl: env.supportsControl,
      readyTimeoutMs: s.perfReadyTimeoutMs,
      signal: guard.signal,
    });
    const readiness = recorder.readiness;
    resume();
    s.progress('tracing', `perf is recording; tracing process ${pid} for ${duration / 1000} s`);
    const gone = await traceFor(pid, duration, startTime, guard.signal);

    let end: ProcSnapshot | null = null;
    let endReason: CaptureEnd = 'process-exited';
    const missing: { file: string; reason: string }[] = [];
    if (!gone && (await stopAndWait('at the end')) === 'stopped') {
      end = await readProcSnapshot(pid).catch((err: unknown) => {
        if (err instanceof CaptureError && err.code === 'no-such-process') return null;
        throw err;
      });
      endReason = 'duration';
      s.progress('stopped-at-end', `process ${pid} stopped again; stopping perf`);
    }
    if (end === null) {
      endReason = 'process-exited';
      const reason = `process ${pid} exited during the capture; its address space was gone before it could be read`;
      missing.push({ file: 'end.maps', reason }, { file: 'end.smaps', reason });
      warnings.push(reason);
    }
    const rec = await recorder.stop();
    recorder = null;
    resume();

    s.progress('writing', 'converting perf.data with perf script and validating the capture');
    tmpOut = await makeTempSibling(out);
    const written = await writeCaptureFiles({
      dir: tmpOut,
      perf: env.perf,
      dataPath: join(workDir, 'perf.data'),
      start,
      end,
      gzip: s.gzip,
      gzipAboveBytes: s.gzipAboveBytes,
      anonymize: s.anonymize,
      keepLost: s.keepLost,
      recordStderr: rec.stderr,
    });
    if (guard.signal.aborted) throw interrupted();
    await commitDirectory(tmpOut, out, s.force);
    tmpOut = null;
    warnings.push(...environmentWarnings(env, readiness));
    s.progress('done', `capture written to ${out}`);
    return {
      out,
      mode: 'pid',
      pid,
      command: null,
      files: written.files,
      missing,
      end: endReason,
      exit: null,
      events: written.events,
      lost: { ...written.lost, kept: written.lost.lost },
      tracepoints: { used: env.tracepoints.events, skipped: env.tracepoints.skipped },
      readiness,
      traceBytes: written.traceBytes,
      gzip: written.gzip,
      anonymized: s.anonymize,
      kernel: env.kernel,
      perfVersion: env.perfVersion,
      warnings: [...warnings, ...written.warnings],
    };
  } catch (err) {
    // After an interruption, whatever failed next (perf killed, the process gone) is its consequence.
    if (guard.signal.aborted) throw interrupted();
    throw err;
  } finally {
    recorder?.killNow();
    resume();
    guard.runCleanups();
    guard.dispose();
    await rm(workDir, { recursive: true, force: true });
    if (tmpOut !== null) await rm(tmpOut, { recursive: true, force: true });
  }
}
