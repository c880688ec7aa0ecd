/**
 * Lost-event detection. perf reports lost data in three places: `PERF_RECORD_LOST`/`LOST_SAMPLES`
 * lines in `perf script --show-lost-events` output, and warnings on the standard error of `perf
 * record` and `perf script` ("Processed N events and lost M chunks!", "Processed N samples and lost
 * X%!"). A capture with any of them is incomplete: a missing sys_exit or fault makes the replay
 * diverge from the kernel.
 */

/** What was found. */
export interface LostReport {
  /** `PERF_RECORD_LOST*` lines in the trace. */
  readonly records: number;
  /** Events those lines say were lost. */
  readonly events: number;
  /** perf's own warnings about lost data, verbatim. */
  readonly warnings: readonly string[];
  /** True when anything was lost. */
  readonly lost: boolean;
}

const LOST_WARNING = [
  /\blost\s+\d+\s+chunks?\b/i,
  /\blost\s+[\d.]+%/i,
  /\blost\s+\d+\s+(?:events?|samples?)\b/i,
  /Check IO\/CPU overload/i,
  /PERF_RECORD_LOST/,
];

/**
 * perf's warnings about lost data in a standard-error text, one line each (the "Processed ..." line
 * of a multi-line "Warning:" block). O(length).
 */
export function lostWarningsIn(stderr: string): string[] {
  const out: string[] = [];
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (line !== '' && LOST_WARNING.some((re) => re.test(line))) out.push(line);
  }
  return out;
}

const LOST_LINE = /\bPERF_RECORD_LOST(?:_SAMPLES)?\b(?::)?\s*(?:lost\s+(\d+))?/;

/**
 * Counts `PERF_RECORD_LOST*` lines of a perf script text (for unit checks on text in memory; a
 * capture counts them while validating its trace). O(lines).
 */
export function lostRecordsIn(lines: Iterable<string>): { records: number; events: number } {
  let records = 0;
  let events = 0;
  for (const line of lines) {
    const m = LOST_LINE.exec(line);
    if (m === null) continue;
    records++;
    if (m[1] !== undefined) events += Number(m[1]);
  }
  return { records, events };
}

/** Combines the counts from the trace with the warnings of perf's standard error streams. */
export function lostReport(
  trace: { records: number; events: number },
  stderrs: readonly string[],
): LostReport {
  const warnings = stderrs.flatMap(lostWarningsIn).filter((w) => !w.includes('PERF_RECORD_LOST'));
  return {
    records: trace.records,
    events: trace.events,
    warnings,
    lost: trace.records > 0 || warnings.length > 0,
  };
}
