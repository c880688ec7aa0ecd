/**
 * Exit statuses and the errors the CLI itself raises. Every failure a user can cause ends with one
 * clear line on stderr and a documented status (README: Exit statuses); only a bug prints a stack.
 */
import type { CaptureErrorCode } from '@vmakit/capture';
import { VmakitError } from '@vmakit/core';

/** Exit statuses of `vmakit`. */
export const EXIT = {
  ok: 0,
  /** A check failed: vector mismatches, protocol violations, a benchmarked index gave a wrong answer. */
  checkFailed: 1,
  /** Bad usage or input: unknown option or name, malformed file, invalid results document. */
  usage: 2,
  /** capture: the output directory exists or cannot be written. */
  outputExists: 3,
  /** capture: perf, tracefs, tracepoints or a C compiler is missing. */
  environment: 4,
  /** capture: not allowed to trace or stop the process. */
  permission: 5,
  /** capture: the process does not exist, or the command failed to start. */
  target: 6,
  /** capture: the recording is incomplete (lost events, perf failed, timeout, invalid files). */
  captureFailed: 7,
  /** A bug in vmakit (stack trace printed). */
  internal: 70,
  /** Interrupted by SIGINT (128 + 2). */
  interrupted: 130,
  /** Terminated by SIGTERM (128 + 15). */
  terminated: 143,
} as const;

/** A command-line option or argument that cannot be used as given. */
export class UsageError extends VmakitError {
  override readonly name = 'UsageError';
}

/** A run that completed but whose checks failed; the command already printed why. */
export class CheckFailedError extends VmakitError {
  override readonly name = 'CheckFailedError';
}

/** The run was stopped by a signal after writing what finished. */
export class InterruptedError extends VmakitError {
  override readonly name = 'InterruptedError';
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    message: string,
  ) {
    super(message);
  }
}

/** Exit status of a capture failure, by its code. */
export function captureExitStatus(code: CaptureErrorCode): number {
  switch (code) {
    case 'bad-options':
      return EXIT.usage;
    case 'output-exists':
      return EXIT.outputExists;
    case 'perf-missing':
    case 'tracefs-missing':
    case 'tracepoints-unavailable':
    case 'no-compiler':
      return EXIT.environment;
    case 'permission':
      return EXIT.permission;
    case 'no-such-process':
    case 'command-failed':
      return EXIT.target;
    case 'perf-failed':
    case 'lost-events':
    case 'timeout':
    case 'invalid-capture':
      return EXIT.captureFailed;
    case 'interrupted':
      return EXIT.interrupted;
  }
}

/** Errors of Node's file system calls (ENOENT, EACCES, ...) are input problems, not bugs. */
export function isSystemInputError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return (
    err instanceof Error &&
    typeof code === 'string' &&
    ['ENOENT', 'EACCES', 'EPERM', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOSPC', 'EROFS', 'ELOOP'].includes(code)
  );
}
