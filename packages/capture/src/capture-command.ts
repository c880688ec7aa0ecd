/**
 * Command mode: run a program and capture it from just before `main` to its exit.
 *
 * The program starts with the LD_PRELOAD stop helper, whose constructor stops the process after
 * exec and dynamic loading, before `main`; the capture reads maps and smaps, starts perf, waits
 * until it records and resumes the program. The helper's destructor stops it again during exit(),
 * before its address space is torn down: maps and smaps are read, perf is stopped, and the program
 * is resumed to finish. A program that ends without the exit stop (`_exit`, a fatal signal) leaves
 * no end.maps/end.smaps, which the summary reports. The program is never left stopped: errors and
 * interruptions kill it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { executableKind } from './elf.js';
import { CaptureError } from './errors.js';
import { CaptureGuard, sendSignal } from './guard.js';
import { checkOutput, commitDirectory, makeTempSibling } from './output-dir.js';
import { PerfRecorder } from './perf-recorder.js';
import { checkCaptureEnvironment } from './preflight.js';
import {
  exeOf,
  interrupted,
  type ProcSnapshot,
  processCondition,
  readProcSnapshot,
  readProcStat,
  sleep,
} from './proc.js';
import { captureSettings, durationMs, environmentWarnings } from './settings.js';
import { buildStopHelper, ORIGINAL_PRELOAD_ENV, PARENT_ENV, requireCCompiler } from './stop-helper.js';
import type { CaptureCommandOptions, CaptureEnd, CaptureSummary } from './types.js';
import { writeCaptureFiles } from './write-capture.js';

/** The file `spawn` will execute for `cmd`, or null when there is none. */
export async function resolveExecutable(
  cmd: string,
  cwd: string,
  pathEnv: string | undefined,
): Promise<string | null> {
  const usable = async (p: string): Promise<boolean> => {
    try {
      await access(p, constants.X_OK);
      return (await stat(p)).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) {
    const p = resolve(cwd, cmd);
    return (await usable(p)) ? p : null;
  }
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    const p = resolve(cwd, dir === '' ? '.' : dir, cmd);
    if (await usable(p)) return p;
  }
  return null;
}

/** Refuses programs the LD_PRELOAD helper cannot stop, before anything runs. */
async function checkExecutable(cmd: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const path = await resolveExecutable(cmd, cwd, env.PATH);
  if (path === null) {
    throw new CaptureError(
      'command-failed',
      cmd.includes('/')
        ? `cannot run '${cmd}': no such executable file`
        : `cannot run '${cmd}': not found on PATH`,
    );
  }
  const kind = await executableKind(path);
  if (kind === 'static') {
    throw new CaptureError(
      'command-failed',
      `${path} is statically linked: no dynamic loader runs, so the LD_PRELOAD helper cannot stop it before main or at exit. Start it yourself and capture it by pid (capturePid), or rebuild it dynamically linked`,
    );
  }
  if (kind === 'elf32') {
    throw new CaptureError(
      'command-failed',
      `${path} is a 32-bit program: the stop helper is built for the 64-bit ABI and the capture format is x86-64 only`,
    );
  }
  return path;
}

/** How the program ended. */
interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs `argv` and captures it into the directory `options.out`. Returns a summary; throws
 * CaptureError (with a code and a message that says what to do) on failure, with nothing written
 * and the program killed.
 */
export async function captureCommand(
  argv: readonly string[],
  options: CaptureCommandOptions,
): Promise<CaptureSummary> {
  if (!Array.isArray(argv) || argv.length === 0 || typeof argv[0] !== 'string' || argv[0] === '') {
    throw new CaptureError(
      'bad-options',
      'no command given: pass the program and its arguments (capture -- CMD ARGS...)',
    );
  }
  const s = captureSettings(options);
  const limit = durationMs(options.durationSeconds);
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const out = await checkOutput(options.out, s.force);
  const cwd = resolve(options.cwd ?? process.cwd());
  const baseEnv = options.env ?? process.env;
  s.progress('checking', 'checking perf, tracefs, permissions and the program');
  await checkExecutable(argv[0]!, cwd, baseEnv);
  const env = await checkCaptureEnvironment({ perfPath: options.perfPath, tracefs: options.tracefs });
  s.progress('building-helper', 'building the LD_PRELOAD stop helper');
  const cc = await requireCCompiler(options.cc);
  const workDir = await mkdtemp(join(tmpdir(), 'vmakit-capture-'));

  const guard = new CaptureGuard(options.signal);
  let child: ChildProcess | null = null;
  let exit: ExitInfo | null = null;
  let exited: Promise<void> = Promise.resolve();
  let recorder: PerfRecorder | null = null;
  let tmpOut: string | null = null;
  const killChild = (): void => {
    if (child?.pid === undefined || exit !== null) return;
    sendSignal(child.pid, 'SIGKILL');
    sendSignal(child.pid, 'SIGCONT');
  };
  guard.add(() => {
    recorder?.killNow();
    killChild();
  });
  guard.install();
  try {
    const helper = await buildStopHelper(workDir, cc);
    const original = baseEnv.LD_PRELOAD ?? '';
    const childEnv: NodeJS.ProcessEnv = {
      ...baseEnv,
      LD_PRELOAD: original === '' ? helper : `${helper}:${original}`,
      [PARENT_ENV]: String(process.pid),
      [ORIGINAL_PRELOAD_ENV]: original,
    };
    s.progress('starting', `starting ${argv.join(' ')}`);
    let spawnError: Error | null = null;
    const c = spawn(argv[0]!, argv.slice(1), { cwd, env: childEnv, stdio: options.stdio ?? 'inherit' });
    child = c;
    exited = new Promise((resolveExit) => {
      c.on('error', (err) => {
        spawnError = err;
        exit ??= { code: null, signal: null };
        resolveExit();
      });
      c.on('exit', (code, signal) => {
        exit = { code, signal };
        resolveExit();
      });
    });
    const pid = c.pid;
    if (pid === undefined) {
      await exited;
      throw new CaptureError(
        'command-failed',
        `cannot start '${argv[0]}': ${(spawnError as Error | null)?.message ?? 'spawn failed'}`,
      );
    }
    const describeExit = (): string => {
      const e = exit as ExitInfo | null;
      return e === null
        ? 'still running'
        : e.signal !== null
          ? `killed by ${e.signal}`
          : `exit status ${e.code}`;
    };

    // 1. The stop before main.
    const first = await waitStopped(pid, startTimeoutMs, guard.signal, () => exit !== null);
    if (first === 'gone') {
      await exited;
      if (spawnError !== null) {
        throw new CaptureError(
          'command-failed',
          `cannot start '${argv[0]}': ${(spawnError as Error).message}`,
        );
      }
      throw new CaptureError(
        'command-failed',
        `'${argv.join(' ')}' ended (${describeExit()}) before reaching main, so nothing was captured; run it alone to see why (the loader may have refused the stop helper: look for 'cannot be preloaded' on its standard error)`,
      );
    }
    if (first === 'timeout') {
      throw new CaptureError(
        'timeout',
        `'${argv[0]}' did not stop before main within ${startTimeoutMs} ms: the dynamic loader ignored LD_PRELOAD (setuid or secure-execution program?) or the program is a wrapper that runs another one. Start the real program directly, or capture it by pid`,
      );
    }
    const startStat = await readProcStat(pid);
    const startExe = await exeOf(pid);
    const start = await readProcSnapshot(pid);
    s.progress('stopped-at-start', `stopped before main (pid ${pid}); starting perf`);
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
    sendSignal(pid, 'SIGCONT');
    s.progress(
      'tracing',
      `perf is recording; running ${argv[0]}${limit === null ? '' : ` for at most ${limit / 1000} s`}`,
    );

    // 2. The stop at exit, the end of the time limit, or the program's end.
    let execSeen: string | null = null;
    const second = await waitStopped(
      pid,
      limit,
      guard.signal,
      () => exit !== null,
      async () => {
        const now = await exeOf(pid);
        if (now !== null && startExe !== null && now !== startExe) execSeen ??= now;
      },
    );
    let endReason: CaptureEnd;
    let end: ProcSnapshot | null = null;
    if (second === 'timeout') {
      sendSignal(pid, 'SIGSTOP');
      const st = await waitStopped(pid, s.stopTimeoutMs, guard.signal, () => exit !== null);
      if (st === 'timeout') {
        throw new CaptureError(
          'timeout',
          `'${argv[0]}' did not stop within ${s.stopTimeoutMs} ms after SIGSTOP at the end of the time limit (a thread in uninterruptible sleep?)`,
        );
      }
      endReason = st === 'stopped' ? 'duration' : 'process-exited';
    } else {
      endReason = second === 'stopped' ? 'exit-stop' : 'process-exited';
    }
    if (endReason !== 'process-exited') {
      const now = await exeOf(pid);
      if (now !== null && startExe !== null && now !== startExe) execSeen ??= now;
      end = await readProcSnapshot(pid).catch((err: unknown) => {
        if (err instanceof CaptureError && err.code === 'no-such-process') return null;
        throw err;
      });
      if (end === null) endReason = 'process-exited';
      else
        s.progress(
          'stopped-at-end',
          `stopped ${endReason === 'exit-stop' ? 'at exit' : 'at the time limit'}; stopping perf`,
        );
    }
    if (execSeen !== null) {
      throw new CaptureError(
        'command-failed',
        `'${argv[0]}' replaced itself with another program (${execSeen}) during the capture; a capture follows one address space, so run that program directly`,
      );
    }
    const rec = await recorder.stop();
    recorder = null;

    // 3. Let the program finish: terminate it after a time limit, else resume every stop until it exits.
    if (endReason === 'duration') sendSignal(pid, 'SIGTERM');
    await letFinish(
      pid,
      startStat?.startTime,
      () => exit !== null,
      exited,
      guard.signal,
      endReason === 'duration',
    );

    const missing: { file: string; reason: string }[] = [];
    const warnings: string[] = [];
    if (end === null) {
      const reason = `the program ended (${describeExit()}) without its exit stop (it called _exit, was killed, or exec'd): its address space was gone before it could be read`;
      missing.push({ file: 'end.maps', reason }, { file: 'end.smaps', reason });
      warnings.push(reason);
    }
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
    const e = exit as ExitInfo | null;
    return {
      out,
      mode: 'command',
      pid,
      command: [...argv],
      files: written.files,
      missing,
      end: endReason,
      exit: e === null ? null : { code: e.code, signal: e.signal },
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
    killChild();
    await settleWithin(exited, 5000);
    guard.runCleanups();
    guard.dispose();
    await rm(workDir, { recursive: true, force: true });
    if (tmpOut !== null) await rm(tmpOut, { recursive: true, force: true });
  }
}

/** Waits for `p`, at most `ms` (without keeping the event loop alive once `p` settled). */
async function settleWithin(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/**
 * Polls until the process is stopped, gone, or `timeoutMs` passed; `tick` runs at most every
 * 100 ms while it runs (exec detection).
 */
async function waitStopped(
  pid: number,
  timeoutMs: number | null,
  signal: AbortSignal,
  hasExited: () => boolean,
  tick?: () => Promise<void>,
): Promise<'stopped' | 'gone' | 'timeout'> {
  const deadline = timeoutMs === null ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  let delay = 1;
  let nextTick = 0;
  for (;;) {
    if (signal.aborted) throw interrupted();
    if (hasExited()) return 'gone';
    const c = await processCondition(pid);
    if (c === 'gone') return 'gone';
    if (c === 'stopped') return 'stopped';
    if (c === 'traced') {
      throw new CaptureError(
        'permission',
        `process ${pid} is stopped by a debugger (ptrace); detach it before capturing`,
      );
    }
    if (tick !== undefined && Date.now() >= nextTick) {
      await tick();
      nextTick = Date.now() + 100;
    }
    if (Date.now() >= deadline) return 'timeout';
    await sleep(delay, signal);
    delay = Math.min(10, delay * 2);
  }
}

/**
 * Resumes the program until it exits (its exit stop, and any later stop). After a time limit it
 * was sent SIGTERM; it gets 5 s, then SIGKILL.
 */
async function letFinish(
  pid: number,
  startTime: number | undefined,
  hasExited: () => boolean,
  exited: Promise<void>,
  signal: AbortSignal,
  terminating: boolean,
): Promise<void> {
  const killAt = terminating ? Date.now() + 5000 : Number.POSITIVE_INFINITY;
  while (!hasExited()) {
    if (signal.aborted) throw interrupted();
    const c = await processCondition(pid, startTime);
    if (c === 'gone') break;
    if (c === 'stopped') sendSignal(pid, 'SIGCONT');
    if (Date.now() >= killAt) sendSignal(pid, 'SIGKILL');
    await sleep(10, signal);
  }
  await exited;
}
