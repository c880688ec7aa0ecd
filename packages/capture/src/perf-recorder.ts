/**
 * One `perf record` session attached to a process, started so that the capture knows when events
 * really count.
 *
 * With perf's control fifo (perf 5.11+): perf starts with its events disabled (`-D -1`); the
 * capture writes `enable` and waits for perf's `ack`, which perf sends after its enable ioctls
 * returned (tools/perf/util/evlist.c, evlist__ctlfd_process). Only then is the stopped process
 * resumed, so no event of the workload is missed. The capture opens both fifos itself without
 * blocking (a fifo opened read-write or non-blocking does not wait for the other side) and keeps
 * the control fifo open, so the command waits in the pipe even if perf opens it later.
 *
 * Without control support, readiness is approximated: wait until perf holds at least one event
 * descriptor per event and thread and their number has stopped growing, then a short settling
 * delay; the summary says so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CaptureError } from './errors.js';
import { buildPerfRecordArgs, type PerfControl } from './perf-args.js';
import { classifyPerfFailure, perfFailureText } from './perf-messages.js';
import { interrupted, sleep } from './proc.js';
import { BoundedText, runProgram } from './run.js';

/** Options of {@link PerfRecorder.start}. */
export interface PerfRecorderOptions {
  readonly perf: string;
  readonly pid: number;
  readonly events: readonly string[];
  readonly mmapPages: number;
  /** Directory for perf.data and the fifos. */
  readonly workDir: string;
  /** Use the control fifo (perf supports it). */
  readonly useControl: boolean;
  /** How long perf may take to open its events. */
  readonly readyTimeoutMs: number;
  readonly signal?: AbortSignal;
}

/** How readiness was established. */
export type PerfReadiness = 'control-ack' | 'event-descriptors';

/** How perf record ended. */
export interface PerfRecordResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** A running `perf record`. */
export class PerfRecorder {
  private readonly stderr = new BoundedText();
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exitPromise: Promise<void>;
  private spawnError: Error | null = null;

  private constructor(
    private readonly child: ChildProcess,
    /** perf.data path. */
    readonly dataPath: string,
    /** The command line, for messages. */
    readonly args: readonly string[],
  ) {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => this.stderr.add(d));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => this.stderr.add(d));
    this.exitPromise = new Promise((resolve) => {
      child.on('error', (err) => {
        this.spawnError = err;
        this.exitInfo ??= { code: null, signal: null };
        resolve();
      });
      child.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
    });
  }

  /** How readiness was established (set by start). */
  readiness: PerfReadiness = 'control-ack';

  /** True once perf has exited. */
  get exited(): boolean {
    return this.exitInfo !== null;
  }

  /** perf's standard error so far. */
  stderrText(): string {
    return this.stderr.toString();
  }

  /** Starts perf and resolves once its events count. Kills perf on failure. */
  static async start(o: PerfRecorderOptions): Promise<PerfRecorder> {
    const dataPath = join(o.workDir, 'perf.data');
    let control: PerfControl | null = null;
    if (o.useControl) {
      const ctl = join(o.workDir, 'perf-ctl.fifo');
      const ack = join(o.workDir, 'perf-ack.fifo');
      const mk = await runProgram('mkfifo', ['-m', '600', ctl, ack], { timeoutMs: 10_000 });
      if (mk.error === null && mk.code === 0) control = { ctl, ack };
    }
    const args = buildPerfRecordArgs({
      pid: o.pid,
      events: o.events,
      mmapPages: o.mmapPages,
      output: dataPath,
      control,
    });
    // Its own process group: a Ctrl-C at the terminal must not stop perf before the capture has
    // stopped the workload; the capture sends perf its SIGINT itself.
    const child = spawn(o.perf, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const rec = new PerfRecorder(child, dataPath, args);
    try {
      if (control !== null) await rec.awaitAck(control, o);
      else {
        rec.readiness = 'event-descriptors';
        await rec.awaitDescriptors(o);
      }
    } catch (err) {
      rec.killNow();
      await rec.exitPromise;
      throw err;
    }
    return rec;
  }

  private failure(what: string): CaptureError {
    if (this.spawnError !== null) {
      const code = (this.spawnError as NodeJS.ErrnoException).code;
      return new CaptureError(
        code === 'ENOENT' ? 'perf-missing' : 'perf-failed',
        `cannot start perf: ${this.spawnError.message}`,
        { cause: this.spawnError },
      );
    }
    const text = this.stderrText();
    const e = this.exitInfo;
    return new CaptureError(
      classifyPerfFailure(text),
      `perf record ${what} (exit ${e?.code ?? e?.signal ?? '?'}): ${perfFailureText(text)}`,
    );
  }

  private async awaitAck(control: PerfControl, o: PerfRecorderOptions): Promise<void> {
    const ctlFd = openSync(control.ctl, constants.O_RDWR | constants.O_NONBLOCK);
    let ackFd = -1;
    try {
      writeSync(ctlFd, 'enable\n');
      ackFd = openSync(control.ack, constants.O_RDONLY | constants.O_NONBLOCK);
      const buf = Buffer.alloc(64);
      let got = '';
      const deadline = Date.now() + o.readyTimeoutMs;
      let delay = 1;
      for (;;) {
        if (o.signal?.aborted === true) throw interrupted();
        let n = 0;
        try {
          n = readSync(ackFd, buf, 0, buf.length, null);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        }
        if (n > 0) {
          got += buf.toString('utf8', 0, n);
          if (got.includes('ack')) return;
        }
        if (this.exited) throw this.failure('exited before it started recording');
        if (Date.now() >= deadline) {
          throw new CaptureError(
            'timeout',
            `perf record did not confirm it was recording within ${o.readyTimeoutMs} ms (no 'ack' on its control fifo); perf said: ${perfFailureText(this.stderrText())}`,
          );
        }
        await sleep(delay);
        delay = Math.min(10, delay * 2);
      }
    } finally {
      if (ackFd >= 0) closeSync(ackFd);
      closeSync(ctlFd);
    }
  }

  private async awaitDescriptors(o: PerfRecorderOptions): Promise<void> {
    const deadline = Date.now() + o.readyTimeoutMs;
    const pid = this.child.pid;
    let threads = 1;
    try {
      threads = Math.max(1, (await readdir(`/proc/${o.pid}/task`)).length);
    } catch {
      // the target's own check reports a vanished process
    }
    // perf opens each event once per thread (and, depending on version and options, once per CPU,
    // plus side-band events): wait for at least events x threads descriptors and then until the
    // count has stopped growing.
    const minimum = o.events.length * threads;
    let last = -1;
    let stableRounds = 0;
    for (;;) {
      if (o.signal?.aborted === true) throw interrupted();
      if (this.exited || pid === undefined) throw this.failure('exited before it started recording');
      const count = await countPerfEventFds(pid);
      stableRounds = count === last ? stableRounds + 1 : 0;
      last = count;
      if (count >= minimum && stableRounds >= 4) {
        // perf enables the events right after opening and mapping them; give it that moment.
        await sleep(250, o.signal);
        if (this.exited) throw this.failure('exited before it started recording');
        return;
      }
      if (Date.now() >= deadline) {
        throw new CaptureError(
          'timeout',
          `perf record did not open its ${o.events.length} events within ${o.readyTimeoutMs} ms; perf said: ${perfFailureText(this.stderrText())}`,
        );
      }
      await sleep(25);
    }
  }

  /**
   * Stops recording (SIGINT, as the README's method says) and waits for perf to write perf.data;
   * SIGKILL after `timeoutMs`. Throws when perf failed.
   */
  async stop(timeoutMs = 120_000): Promise<PerfRecordResult> {
    if (!this.exited && this.child.pid !== undefined) {
      try {
        process.kill(this.child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exitPromise.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.killNow();
      await this.exitPromise;
      throw new CaptureError(
        'perf-failed',
        `perf record did not finish within ${timeoutMs} ms after SIGINT; it was killed`,
      );
    }
    const e = this.exitInfo!;
    const stderr = this.stderrText();
    // perf record re-raises SIGINT after writing its data (record__sig_exit), or exits 0 when the
    // traced process ended first.
    const normal = e.signal === 'SIGINT' || e.code === 0 || e.code === 130;
    if (!normal || !/Captured and wrote/.test(stderr)) throw this.failure('failed');
    return { code: e.code, signal: e.signal, stderr };
  }

  /** Kills perf at once (cleanup paths); synchronous. */
  killNow(): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Descriptors of `pid` that are perf events. */
async function countPerfEventFds(pid: number): Promise<number> {
  let count = 0;
  try {
    for (const fd of await readdir(`/proc/${pid}/fd`)) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (target === 'anon_inode:[perf_event]') count++;
    }
  } catch {
    // perf is exiting; the caller notices
  }
  return count;
}
