/**
 * Options and results of the two capture modes. Both write a capture directory in the format of
 * the shared traces (start.maps, start.smaps, trace.txt or trace.txt.gz, end.maps, end.smaps).
 */
import type { FdSyscallName, SyscallName } from '@vmakit/formats';
import type { LostReport } from './lost-events.js';
import type { PerfReadiness } from './perf-recorder.js';

/** A step of a capture, for a progress display. */
export type CapturePhase =
  | 'checking'
  | 'building-helper'
  | 'starting'
  | 'stopped-at-start'
  | 'tracing'
  | 'stopped-at-end'
  | 'writing'
  | 'done';

/** One progress report. */
export interface CaptureProgress {
  readonly phase: CapturePhase;
  /** One line for a human. */
  readonly message: string;
}

/** Options shared by {@link captureCommand} and {@link capturePid}. */
export interface CaptureOptions {
  /** The capture directory to create. It must not exist unless `force` is set. */
  readonly out: string;
  /** Replace an existing `out` (atomically, once the new capture is complete). Default false. */
  readonly force?: boolean;
  /**
   * Write `trace.txt.gz`: true always, false never, 'auto' (default) when the text is larger than
   * `gzipAboveBytes`.
   */
  readonly gzip?: boolean | 'auto';
  /** Threshold of `gzip: 'auto'`, default 1 MiB. */
  readonly gzipAboveBytes?: number;
  /** Rename file paths in maps and smaps to `/opt/app/fileN`. Default false (real paths). */
  readonly anonymize?: boolean;
  /**
   * Keep a capture in which perf lost events, marked by a `LOST-EVENTS.txt` file and the
   * `PERF_RECORD_LOST` lines of its trace (which replay refuses). Default false: such a capture
   * is an error and nothing is written.
   */
  readonly keepLost?: boolean;
  /** perf ring-buffer pages per mmap (`-m`), default 8192 as in the README's method. */
  readonly mmapPages?: number;
  /** perf executable (default: `VMAKIT_PERF` or `perf` on PATH). */
  readonly perfPath?: string;
  /** tracefs mount points to look at. */
  readonly tracefs?: readonly string[];
  /** How long perf may take to start recording, default 30 s. */
  readonly perfReadyTimeoutMs?: number;
  /** How long a process may take to reach a stop after SIGSTOP, default 10 s. */
  readonly stopTimeoutMs?: number;
  /** Progress reports. */
  readonly onProgress?: (p: CaptureProgress) => void;
  /** Aborts the capture (the process is resumed, or killed in command mode). */
  readonly signal?: AbortSignal;
}

/** Options of {@link captureCommand}. */
export interface CaptureCommandOptions extends CaptureOptions {
  /**
   * Longest tracing time in seconds. Without it the capture runs until the program exits; with
   * it, a program still running then is stopped, captured, and terminated (like `timeout`).
   */
  readonly durationSeconds?: number;
  /** C compiler for the stop helper (default: `CC`, cc, gcc, clang). */
  readonly cc?: string;
  readonly cwd?: string;
  /** Environment of the program (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** The program's standard streams (default 'inherit'). */
  readonly stdio?: 'inherit' | 'ignore';
  /** How long the program may take to reach its stop before main, default 10 s. */
  readonly startTimeoutMs?: number;
}

/** Options of {@link capturePid}. */
export interface CapturePidOptions extends CaptureOptions {
  /** How long to trace, in seconds. */
  readonly durationSeconds: number;
}

/** How tracing ended. */
export type CaptureEnd =
  /** The program stopped itself at exit (command mode) or stopped on its own: end.* captured. */
  | 'exit-stop'
  /** The duration elapsed and the process was stopped: end.* captured. */
  | 'duration'
  /** The process exited without stopping: no end.maps/end.smaps. */
  | 'process-exited';

/** Counts over the written trace. */
export interface CaptureEventCounts {
  /** exceptions:page_fault_user events. */
  readonly faults: number;
  /** Completed system calls (enter and exit) per name. */
  readonly syscalls: Partial<Record<SyscallName, number>>;
  /** Completed system calls in all. */
  readonly syscallsTotal: number;
  /** System calls that returned an error. */
  readonly syscallsFailed: number;
  /** System calls (memory or fd) entered but not exited when tracing stopped. */
  readonly unfinished: number;
  /** Completed file-descriptor calls (open, close, dup...) per name; not in the counts above. */
  readonly fdCalls: Partial<Record<FdSyscallName, number>>;
  /** Distinct threads seen. */
  readonly threads: number;
}

/** What a capture did. */
export interface CaptureSummary {
  /** The capture directory. */
  readonly out: string;
  readonly mode: 'command' | 'pid';
  readonly pid: number;
  /** The command line (command mode). */
  readonly command: readonly string[] | null;
  /** Files written into `out`, by name. */
  readonly files: readonly string[];
  /** Files of the format that could not be captured, and why. */
  readonly missing: readonly { readonly file: string; readonly reason: string }[];
  readonly end: CaptureEnd;
  /** Exit status of the program (command mode, when it exited). */
  readonly exit: { readonly code: number | null; readonly signal: string | null } | null;
  readonly events: CaptureEventCounts;
  /** Lost events; `kept` when the capture was kept anyway (keepLost). */
  readonly lost: LostReport & { readonly kept: boolean };
  /** Tracepoints recorded, and system calls skipped because the kernel lacks their tracepoints. */
  readonly tracepoints: {
    readonly used: readonly string[];
    readonly skipped: readonly { readonly syscall: SyscallName; readonly missing: string }[];
  };
  /** How the capture knew perf was recording before resuming the process. */
  readonly readiness: PerfReadiness;
  /** Size of the trace text before compression. */
  readonly traceBytes: number;
  readonly gzip: boolean;
  readonly anonymized: boolean;
  /** Running kernel (`uname -r`) and perf version. */
  readonly kernel: string;
  readonly perfVersion: string;
  /** Anything the user should know (skipped tracepoints, unknown VmFlags, approximations). */
  readonly warnings: readonly string[];
}
