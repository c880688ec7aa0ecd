/**
 * What /proc tells about a process: whether every thread is stopped, whether it is gone, and its
 * maps and smaps text.
 *
 * Thread states are the letters of fs/proc/array.c task_state_array: `T` is a group stop (SIGSTOP),
 * `t` a ptrace stop, `Z`/`X` a thread that has exited. A process is stopped when every thread that
 * has not exited shows `T`: only then is the address space frozen (a SIGSTOP reaches each thread
 * on its way back to user mode, so one thread may still be running for a moment).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { CaptureError } from './errors.js';

/** One /proc/PID/stat line, the fields a capture needs. */
export interface ProcStat {
  /** `comm`, as the kernel prints it inside parentheses. */
  readonly comm: string;
  /** State letter. */
  readonly state: string;
  readonly ppid: number;
  /** Start time in clock ticks after boot: with the pid, identifies one process over time. */
  readonly startTime: number;
}

/**
 * Parses a /proc/PID/stat text. The comm may hold spaces and parentheses, so fields are counted
 * from the last ')'. Returns null for text that does not have the shape. O(length).
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // rest[0] is field 3 (state); starttime is field 22.
  if (rest.length < 20) return null;
  const ppid = Number(rest[1]);
  const startTime = Number(rest[19]);
  if (!Number.isSafeInteger(ppid) || !Number.isSafeInteger(startTime)) return null;
  return { comm: text.slice(open + 1, close), state: rest[0]!, ppid, startTime };
}

/** /proc/PID/stat of a process or thread, null when it does not exist (any more). */
export async function readProcStat(pid: number, tid?: number): Promise<ProcStat | null> {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  try {
    return parseProcStat(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

/** How a process is doing. */
export type ProcessCondition = 'running' | 'stopped' | 'gone' | 'traced';

/**
 * Whether every live thread of `pid` is in a group stop. `expectStart` (the process start time)
 * guards against a reused pid. O(threads).
 */
export async function processCondition(pid: number, expectStart?: number): Promise<ProcessCondition> {
  const main = await readProcStat(pid);
  if (main === null) return 'gone';
  if (expectStart !== undefined && main.startTime !== expectStart) return 'gone';
  let tids: string[];
  try {
    tids = await readdir(`/proc/${pid}/task`);
  } catch {
    return 'gone';
  }
  let live = 0;
  let stopped = 0;
  let traced = false;
  for (const t of tids) {
    const s = t === String(pid) ? main : await readProcStat(pid, Number(t));
    if (s === null || s.state === 'Z' || s.state === 'X' || s.state === 'x') continue;
    live++;
    if (s.state === 'T') stopped++;
    else if (s.state === 't') traced = true;
  }
  if (live === 0) return 'gone';
  if (traced) return 'traced';
  return stopped === live ? 'stopped' : 'running';
}

/** Resolves after `ms`, or rejects with an interrupted CaptureError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(interrupted());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(interrupted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error of an aborted capture. */
export function interrupted(): CaptureError {
  return new CaptureError(
    'interrupted',
    'the capture was interrupted (SIGINT, SIGTERM or abort); the process was resumed',
  );
}

/** Options of {@link waitForCondition}. */
export interface WaitOptions {
  /** Give up after this many milliseconds (null: wait forever). */
  readonly timeoutMs: number | null;
  readonly signal?: AbortSignal;
  /** Process start time, to notice a reused pid. */
  readonly startTime?: number;
  /** Extra exit test (e.g. a child's exit event seen by Node). */
  readonly exited?: () => boolean;
}

/**
 * Polls until the process is stopped or gone: 'stopped', 'gone', or 'timeout'. Polls every
 * millisecond at first, backing off to 10 ms. A ptrace stop is an error: a debugger owns the process.
 */
export async function waitForStopOrExit(
  pid: number,
  o: WaitOptions,
): Promise<'stopped' | 'gone' | 'timeout'> {
  const deadline = o.timeoutMs === null ? Number.POSITIVE_INFINITY : Date.now() + o.timeoutMs;
  let delay = 1;
  for (;;) {
    if (o.signal?.aborted === true) throw interrupted();
    if (o.exited?.() === true) return 'gone';
    const c = await processCondition(pid, o.startTime);
    if (c === 'stopped' || c === 'gone') return c;
    if (c === 'traced') {
      throw new CaptureError(
        'permission',
        `process ${pid} is stopped by a debugger (ptrace); detach the debugger before capturing it`,
      );
    }
    if (Date.now() >= deadline) return 'timeout';
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())), o.signal);
    delay = Math.min(10, delay * 2);
  }
}

/** maps and smaps of a stopped process. */
export interface ProcSnapshot {
  readonly maps: string;
  readonly smaps: string;
}

/** Reads /proc/PID/maps then /proc/PID/smaps; clear errors for permission and a vanished process. */
export async function readProcSnapshot(pid: number): Promise<ProcSnapshot> {
  const read = async (name: string): Promise<string> => {
    try {
      return await readFile(`/proc/${pid}/${name}`, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') {
        throw new CaptureError(
          'permission',
          `cannot read /proc/${pid}/${name} (${code}): reading another user's address space needs root or CAP_SYS_PTRACE`,
          { cause: err },
        );
      }
      if (code === 'ENOENT' || code === 'ESRCH') {
        throw new CaptureError(
          'no-such-process',
          `process ${pid} went away while its /proc/${pid}/${name} was read`,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
  };
  const maps = await read('maps');
  const smaps = await read('smaps');
  // An exiting process has an empty maps (its mm is gone): that is not a snapshot of the workload.
  if (maps === '') {
    throw new CaptureError('no-such-process', `process ${pid} has no address space any more (it is exiting)`);
  }
  return { maps, smaps };
}

/** The executable of a process, null when unknown. */
export async function exeOf(pid: number): Promise<string | null> {
  try {
    return await readlink(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}
