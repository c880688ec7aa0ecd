/**
 * Reading perf's standard error: which lines matter to a user, and what kind of failure they show.
 */
import type { CaptureErrorCode } from './errors.js';

// `-F ...,trace` applies to every event type perf knows; it notes each type without tracepoint
// fields. These lines and perf record's progress lines are not problems.
const NOISE = [
  /^'trace' not valid for .* events\. Ignoring\.$/,
  /^\[ perf record: /,
  /^Events (?:disabled|enabled)$/,
  /^Warning:$/,
];

/**
 * The lines of perf's standard error worth showing a user: everything except known progress and
 * field-selection notes. O(length).
 */
export function perfMessages(stderr: string): string[] {
  const out: string[] = [];
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (line !== '' && !NOISE.some((re) => re.test(line))) out.push(line);
  }
  return out;
}

/** The error code a failed perf run's standard error points to. */
export function classifyPerfFailure(stderr: string): CaptureErrorCode {
  if (
    /perf_event_paranoid|No permission|Permission denied|not permitted|EACCES|EPERM|can't access trace events/i.test(
      stderr,
    )
  )
    return 'permission';
  if (/unknown tracepoint|event syntax error|Perhaps this kernel misses/i.test(stderr))
    return 'tracepoints-unavailable';
  if (/No such process|ESRCH/i.test(stderr)) return 'no-such-process';
  return 'perf-failed';
}

/** perf's standard error condensed to the lines that explain a failure. */
export function perfFailureText(stderr: string, max = 6): string {
  const lines = perfMessages(stderr).filter(
    (l) => !/^Usage:|^or: perf|^-[a-zA-Z], --|^Run 'perf list'/.test(l),
  );
  return lines.slice(0, max).join(' | ') || '(perf printed nothing)';
}
