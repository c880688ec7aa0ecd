import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { replayCapture } from '@vmakit/replay';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CaptureError,
  capturePid,
  checkCaptureEnvironment,
  compileWorkload,
  parseProcStat,
} from '../src/index.js';
import { PerfRecorder } from '../src/perf-recorder.js';
import { runProgram } from '../src/run.js';
import { captureSkipReason, referencePlugin, tempDir } from './helpers/gate.js';

const skip = await captureSkipReason();
const T = 90_000;

function stateOf(pid: number): string | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state ?? null;
  } catch {
    return null;
  }
}

describe.skipIf(skip !== null)('capturePid end to end', () => {
  let dir = '';
  let paced = '';
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    dir = tempDir('capture-pid');
    paced = await compileWorkload('paced-churn', dir);
  }, T);
  afterEach(() => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      if (c.pid !== undefined) {
        try {
          process.kill(c.pid, 'SIGCONT');
        } catch {
          // gone
        }
      }
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function startPaced(rounds: string, pauseMicros = '2000'): Promise<ChildProcess> {
    const c = spawn(paced, ['2', rounds, pauseMicros], { stdio: 'ignore' });
    children.push(c);
    // Let both threads start (their stacks are then in start.maps).
    await new Promise((r) => setTimeout(r, 100));
    return c;
  }

  it(
    'a running multi-threaded process: stopped, traced for a while, resumed; replay agrees',
    async () => {
      const c = await startPaced('0');
      const s = await capturePid(c.pid!, { out: join(dir, 'out-running'), durationSeconds: 0.4 });
      expect(s.mode).toBe('pid');
      expect(s.end).toBe('duration');
      expect(s.files).toEqual(['start.maps', 'start.smaps', 'trace.txt', 'end.maps', 'end.smaps']);
      expect(s.events.threads).toBe(2);
      expect(s.events.syscalls.mmap).toBeGreaterThan(0);
      expect(s.lost.lost).toBe(false);
      // Resumed, still running.
      expect(c.exitCode).toBeNull();
      await new Promise((r) => setTimeout(r, 20));
      expect(stateOf(c.pid!)).not.toBe('T');
      const r = await replayCapture(s.out, { index: referencePlugin });
      expect(r.events.faults).toBe(s.events.faults);
      expect(r.syscalls.disagreements).toEqual([]);
      expect(r.events.unsupported).toBe(0);
      expect(r.final!.page_mismatches).toBe(0);
    },
    T,
  );

  it(
    'a process that exits during the capture: no end files, reported',
    async () => {
      // About 4 s of life: it outlives the capture's start (well under a second) and ends long before 60 s.
      const c = await startPaced('200', '20000');
      const s = await capturePid(c.pid!, { out: join(dir, 'out-exits'), durationSeconds: 60, gzip: false });
      expect(s.end).toBe('process-exited');
      expect(s.files).toEqual(['start.maps', 'start.smaps', 'trace.txt']);
      expect(s.missing.map((m) => m.file)).toEqual(['end.maps', 'end.smaps']);
      const r = await replayCapture(s.out, { index: referencePlugin });
      expect(r.final).toBeNull();
      expect(r.syscalls.disagreements).toEqual([]);
    },
    T,
  );

  it(
    'an abort during tracing: interrupted, the process resumed, nothing written',
    async () => {
      const c = await startPaced('0');
      const ac = new AbortController();
      const out = join(dir, 'out-aborted');
      let err: unknown = null;
      try {
        await capturePid(c.pid!, {
          out,
          durationSeconds: 30,
          signal: ac.signal,
          onProgress: (p) => {
            if (p.phase === 'tracing') setTimeout(() => ac.abort(), 100);
          },
        });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CaptureError);
      expect((err as CaptureError).code).toBe('interrupted');
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.startsWith('.out-aborted'))).toEqual([]);
      await new Promise((r) => setTimeout(r, 20));
      expect(c.exitCode).toBeNull();
      expect(stateOf(c.pid!)).not.toBe('T');
    },
    T,
  );

  it(
    "without the control fifo (old perf), readiness is inferred from perf's event descriptors",
    async () => {
      const c = await startPaced('0');
      const pid = c.pid!;
      const env = await checkCaptureEnvironment();
      process.kill(pid, 'SIGSTOP');
      const workDir = tempDir('capture-fallback');
      try {
        const rec = await PerfRecorder.start({
          perf: env.perf,
          pid,
          events: env.tracepoints.events,
          mmapPages: 256,
          workDir,
          useControl: false,
          readyTimeoutMs: 30_000,
        });
        expect(rec.readiness).toBe('event-descriptors');
        process.kill(pid, 'SIGCONT');
        await new Promise((r) => setTimeout(r, 200));
        process.kill(pid, 'SIGSTOP');
        const result = await rec.stop();
        expect(result.stderr).toMatch(/Captured and wrote/);
        process.kill(pid, 'SIGCONT');
        const script = await runProgram(env.perf, ['script', '-i', rec.dataPath, '-F', 'event']);
        expect(script.code).toBe(0);
        expect(script.stdout).toMatch(/exceptions:page_fault_user/);
        expect(script.stdout).toMatch(/syscalls:sys_exit_munmap/);
      } finally {
        process.kill(pid, 'SIGCONT');
        rmSync(workDir, { recursive: true, force: true });
      }
    },
    T,
  );
});

it.skipIf(skip === null)(skip ?? '', () => {});
