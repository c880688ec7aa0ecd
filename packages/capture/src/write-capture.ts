/**
 * Turns what a capture collected (maps and smaps text of both stops, perf.data) into the files of a
 * capture directory, then reads every file back with the @vmakit/formats parsers: a capture is
 * declared good only if the replay tools will accept it.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { ParseError } from '@vmakit/core';
import {
  CAPTURE_FILES,
  type FdSyscallName,
  pairSyscalls,
  parseTrace,
  readCaptureDir,
  type SyscallName,
  type TraceEvent,
  writeCaptureDir,
} from '@vmakit/formats';
import { anonymizeProcText, PathAnonymizer } from './anonymize.js';
import { CaptureError } from './errors.js';
import { type LostReport, lostReport } from './lost-events.js';
import { buildPerfScriptArgs } from './perf-args.js';
import { classifyPerfFailure, perfFailureText } from './perf-messages.js';
import type { ProcSnapshot } from './proc.js';
import { BoundedText } from './run.js';
import type { CaptureEventCounts } from './types.js';

/** Name of the marker file of a capture kept despite lost events. */
export const LOST_MARKER = 'LOST-EVENTS.txt';

/** Inputs of {@link writeCaptureFiles}. */
export interface CaptureMaterial {
  /** The temporary directory being filled. */
  readonly dir: string;
  readonly perf: string;
  readonly dataPath: string;
  readonly start: ProcSnapshot;
  /** null when the process could not be stopped at the end. */
  readonly end: ProcSnapshot | null;
  readonly gzip: boolean | 'auto';
  readonly gzipAboveBytes: number;
  readonly anonymize: boolean;
  readonly keepLost: boolean;
  /** perf record's standard error, scanned for lost-data warnings. */
  readonly recordStderr: string;
}

/** What was written. */
export interface WrittenCapture {
  readonly files: string[];
  readonly events: CaptureEventCounts;
  readonly lost: LostReport;
  readonly traceBytes: number;
  readonly gzip: boolean;
  readonly warnings: string[];
}

/** Runs perf script into `path`, gzip-compressing when it ends in `.gz`; returns perf's stderr. */
async function perfScriptTo(perf: string, dataPath: string, path: string): Promise<string> {
  const child = spawn(perf, buildPerfScriptArgs(dataPath), { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = new BoundedText();
  child.stderr.setEncoding('utf8').on('data', (d: string) => stderr.add(d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error: Error | null }>(
    (resolve) => {
      child.on('error', (error) => resolve({ code: null, signal: null, error }));
      child.on('close', (code, signal) => resolve({ code, signal, error: null }));
    },
  );
  const out = createWriteStream(path, { flags: 'wx' });
  const piped = path.endsWith('.gz')
    ? pipeline(child.stdout, createGzip(), out)
    : pipeline(child.stdout, out);
  const [r] = await Promise.all([exited, piped.catch((err: unknown) => err)]);
  const text = stderr.toString();
  if (r.error !== null) {
    throw new CaptureError('perf-failed', `cannot run perf script: ${r.error.message}`, { cause: r.error });
  }
  if (r.code !== 0) {
    throw new CaptureError(
      classifyPerfFailure(text),
      `perf script failed (exit ${r.code ?? r.signal}): ${perfFailureText(text)}`,
    );
  }
  return text;
}

async function gzipFile(plain: string): Promise<string> {
  const gz = `${plain}.gz`;
  await pipeline(createReadStream(plain), createGzip(), createWriteStream(gz, { flags: 'wx' }));
  await unlink(plain);
  return gz;
}

/** Reads the trace back: counts, and every line parsed (pairs checked unless events were lost). */
async function countTrace(
  path: string,
  name: string,
): Promise<{
  events: CaptureEventCounts;
  lostRecords: number;
  lostEvents: number;
}> {
  const counts: Partial<Record<SyscallName, number>> = {};
  const fdCalls: Partial<Record<FdSyscallName, number>> = {};
  const tids = new Set<number>();
  let faults = 0;
  let total = 0;
  let failed = 0;
  // First pass: lost records are allowed so they can be counted and reported.
  const reader = parseTrace(path, name, { allowLost: true });
  for await (const e of reader as AsyncIterable<TraceEvent>) if (e.kind !== 'lost') tids.add(e.tid);
  const lostRecords = reader.summary.lostRecords;
  const lostEvents = reader.summary.lostEvents;
  let unfinished = 0;
  if (lostRecords === 0) {
    // Second pass as the replay reads it: enter/exit pairs by thread.
    const pairer = pairSyscalls(parseTrace(path, name));
    for await (const e of pairer) {
      if (e.kind === 'fault') faults++;
      else if (e.kind === 'syscall') {
        total++;
        counts[e.name] = (counts[e.name] ?? 0) + 1;
        if (e.ret < 0) failed++;
      } else if (e.kind === 'fdcall') fdCalls[e.name] = (fdCalls[e.name] ?? 0) + 1;
    }
    unfinished = pairer.unfinished.length;
  } else {
    faults = reader.summary.faults;
    for (const [k, n] of Object.entries(reader.summary.sysExit)) {
      counts[k as SyscallName] = n;
      total += n;
    }
    for (const [k, n] of Object.entries(reader.summary.fdExit)) fdCalls[k as FdSyscallName] = n;
  }
  return {
    events: {
      faults,
      syscalls: counts,
      syscallsTotal: total,
      syscallsFailed: failed,
      unfinished,
      fdCalls,
      threads: tids.size,
    },
    lostRecords,
    lostEvents,
  };
}

function invalid(what: string, err: unknown): CaptureError {
  const detail = err instanceof Error ? err.message : String(err);
  return new CaptureError(
    'invalid-capture',
    `the capture's ${what} does not parse (${detail}); this is a bug of the capture or the parsers — please report it with the perf and kernel versions`,
    { cause: err },
  );
}

/**
 * Writes the capture files into `m.dir` and validates them. Throws CaptureError('lost-events')
 * when perf lost events and `keepLost` is off. O(trace size).
 */
export async function writeCaptureFiles(m: CaptureMaterial): Promise<WrittenCapture> {
  const warnings: string[] = [];
  const plainTrace = join(m.dir, CAPTURE_FILES.trace);
  let tracePath = m.gzip === true ? `${plainTrace}.gz` : plainTrace;
  const scriptStderr = await perfScriptTo(m.perf, m.dataPath, tracePath);
  let traceBytes: number;
  if (m.gzip === true) {
    // The uncompressed size is not known without reading back; the counting pass below gives it.
    traceBytes = -1;
  } else {
    traceBytes = (await stat(plainTrace)).size;
    if (m.gzip === 'auto' && traceBytes > m.gzipAboveBytes) tracePath = await gzipFile(plainTrace);
  }
  const traceName = tracePath.endsWith('.gz') ? `${CAPTURE_FILES.trace}.gz` : CAPTURE_FILES.trace;

  let counted: Awaited<ReturnType<typeof countTrace>>;
  try {
    counted = await countTrace(tracePath, traceName);
  } catch (err) {
    if (err instanceof ParseError) throw invalid('trace', err);
    throw err;
  }
  if (traceBytes < 0) traceBytes = await uncompressedSize(tracePath);
  const lost = lostReport({ records: counted.lostRecords, events: counted.lostEvents }, [
    m.recordStderr,
    scriptStderr,
  ]);
  if (lost.lost && !m.keepLost) {
    throw new CaptureError(
      'lost-events',
      `perf lost events (${lost.records} PERF_RECORD_LOST records, ${lost.events} events${lost.warnings.length > 0 ? `; perf: ${lost.warnings.join(' ')}` : ''}): the trace is incomplete and was not kept. Use a larger ring buffer (mmapPages, e.g. 16384 or 32768), a shorter capture, or keep it anyway (keepLost) for inspection`,
    );
  }

  const anon = m.anonymize ? new PathAnonymizer() : null;
  const text = (t: string, file: string): string => (anon === null ? t : anonymizeProcText(t, file, anon));
  // start first, so numbering follows first appearance in time.
  const parts = {
    startMaps: text(m.start.maps, CAPTURE_FILES.startMaps),
    startSmaps: text(m.start.smaps, CAPTURE_FILES.startSmaps),
    ...(m.end !== null
      ? {
          endMaps: text(m.end.maps, CAPTURE_FILES.endMaps),
          endSmaps: text(m.end.smaps, CAPTURE_FILES.endSmaps),
        }
      : {}),
  };
  await writeCaptureDir(m.dir, parts);
  if (lost.lost) {
    await writeFile(
      join(m.dir, LOST_MARKER),
      `perf lost events during this capture: ${lost.records} PERF_RECORD_LOST records, ${lost.events} events.\n${lost.warnings.join('\n')}\nThe trace is incomplete; replay refuses it at its first PERF_RECORD_LOST line.\n`,
    );
    warnings.push(`kept despite lost events (${lost.events} lost); marked with ${LOST_MARKER}`);
  }

  // Read every file back as the replay will.
  try {
    const dir = await readCaptureDir(m.dir).catch(async (err: unknown) => {
      if (err instanceof ParseError && /unknown VmFlags mnemonic/.test(err.message)) {
        warnings.push(
          `${err.message}: smaps shows a flag newer than the parsers' table; replay will refuse it until the table knows it`,
        );
        return readCaptureDir(m.dir, { allowUnknownFlags: true });
      }
      throw err;
    });
    for (const [maps, smaps] of [
      [dir.startMaps, dir.startSmaps],
      [dir.endMaps, dir.endSmaps],
    ] as const) {
      if (maps !== null && smaps !== null && maps.entries.length !== smaps.entries.length) {
        throw new CaptureError(
          'invalid-capture',
          `${smaps.file} has ${smaps.entries.length} VMAs but ${maps.file} has ${maps.entries.length}: the address space changed between the two reads (was the process really stopped?)`,
        );
      }
    }
    if (dir.startMaps.entries.length === 0) {
      throw new CaptureError('invalid-capture', 'start.maps lists no VMA: the process had no address space');
    }
  } catch (err) {
    if (err instanceof ParseError) throw invalid('maps or smaps', err);
    throw err;
  }
  if (counted.events.unfinished > 0) {
    warnings.push(
      `${counted.events.unfinished} system call(s) had entered but not exited when tracing stopped; they are not applied by a replay`,
    );
  }

  const files = [
    CAPTURE_FILES.startMaps,
    CAPTURE_FILES.startSmaps,
    traceName,
    ...(m.end !== null ? [CAPTURE_FILES.endMaps, CAPTURE_FILES.endSmaps] : []),
    ...(lost.lost ? [LOST_MARKER] : []),
  ];
  return {
    files,
    events: counted.events,
    lost,
    traceBytes,
    gzip: tracePath.endsWith('.gz'),
    warnings,
  };
}

async function uncompressedSize(gzPath: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(gzPath).pipe(createGunzip())) n += (chunk as Buffer).length;
  return n;
}
