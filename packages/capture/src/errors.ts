/**
 * The one error type of the capture package. Every failure says what failed and what to do about
 * it, and carries a machine-readable code so a command line can map it to an exit status.
 */
import { VmakitError } from '@vmakit/core';

/** Why a capture failed. */
export type CaptureErrorCode =
  /** The `perf` executable is not installed or not runnable. */
  | 'perf-missing'
  /** tracefs is not mounted (or not readable), so tracepoints cannot be listed or opened. */
  | 'tracefs-missing'
  /** The fault tracepoint or every memory-syscall tracepoint is missing from the running kernel. */
  | 'tracepoints-unavailable'
  /** Not allowed to trace, stop or read the process (perf_event_paranoid, not root, ptrace rules). */
  | 'permission'
  /** The pid does not exist, is a zombie, or is not a process this capture may stop. */
  | 'no-such-process'
  /** The command could not be started or ended before it could be captured. */
  | 'command-failed'
  /** Command mode needs a C compiler for its stop helper and none works. */
  | 'no-compiler'
  /** perf itself failed (record or script). */
  | 'perf-failed'
  /** perf lost events: the trace is incomplete. */
  | 'lost-events'
  /** The process did not stop (or perf did not start) within the allowed time. */
  | 'timeout'
  /** SIGINT/SIGTERM or an AbortSignal ended the capture. */
  | 'interrupted'
  /** The files read back do not form a valid capture directory. */
  | 'invalid-capture'
  /** The output directory exists and `force` was not given, or cannot be written. */
  | 'output-exists'
  /** Invalid options. */
  | 'bad-options';

/** A capture failed; `message` tells what and what to do, `code` classifies it. */
export class CaptureError extends VmakitError {
  override readonly name = 'CaptureError';
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
