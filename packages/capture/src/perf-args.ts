/**
 * Command lines of `perf record` and `perf script` as the capture method prescribes (traces
 * README): the tracepoints, a large ring buffer per mmap (`-m 8192` pages), attached to a pid, and
 * `perf script --show-lost-events -F comm,tid,cpu,time,event,trace` for the text.
 */

/** perf's control fifo pair: perf reads commands from `ctl` and answers `ack` on `ack`. */
export interface PerfControl {
  readonly ctl: string;
  readonly ack: string;
}

/** Inputs of {@link buildPerfRecordArgs}. */
export interface PerfRecordArgs {
  readonly pid: number;
  /** Tracepoints, `subsystem:name`. */
  readonly events: readonly string[];
  /** Ring-buffer pages per mmap (`-m`); the README's captures used 8192. */
  readonly mmapPages: number;
  /** perf.data path. */
  readonly output: string;
  /**
   * With a control fifo, perf starts with its events disabled (`-D -1`) and enables them on the
   * `enable` command, answering `ack` once they count: the moment the capture may resume the process.
   */
  readonly control?: PerfControl | null;
}

/**
 * Arguments of `perf record` (without the `perf` itself). `--no-buildid` skips the post-processing
 * pass that would read the whole perf.data for build ids the capture never uses. O(events).
 */
export function buildPerfRecordArgs(a: PerfRecordArgs): string[] {
  if (!Number.isSafeInteger(a.pid) || a.pid <= 0) throw new RangeError(`pid ${a.pid} is not a process id`);
  if (!Number.isSafeInteger(a.mmapPages) || a.mmapPages <= 0) {
    throw new RangeError(`mmapPages ${a.mmapPages} must be a positive number of pages`);
  }
  if (a.events.length === 0) throw new RangeError('no events to record');
  const args = ['record'];
  for (const e of a.events) args.push('-e', e);
  args.push('-m', String(a.mmapPages), '-p', String(a.pid), '-o', a.output, '--no-buildid');
  if (a.control != null) args.push('-D', '-1', '--control', `fifo:${a.control.ctl},${a.control.ack}`);
  return args;
}

/** The fields of the capture's trace text, in perf's order. */
export const PERF_SCRIPT_FIELDS = 'comm,tid,cpu,time,event,trace';

/** Arguments of `perf script` turning `input` (perf.data) into the capture's trace text. */
export function buildPerfScriptArgs(input: string): string[] {
  return ['script', '-i', input, '--show-lost-events', '-F', PERF_SCRIPT_FIELDS];
}
