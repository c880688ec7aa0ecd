/**
 * `vmakit capture -- CMD ARGS…` and `vmakit capture --pid PID --duration S`: record a capture
 * directory of a real process with perf (@vmakit/capture: maps and smaps read while the process is
 * stopped, large ring buffers, lost events detected). A capture failure is one line naming what is
 * missing (perf, tracefs, a tracepoint, a permission) and an exit status per cause (errors.ts).
 */
import { basename, resolve } from 'node:path';
import { CaptureError, type CaptureSummary, captureCommand, capturePid } from '@vmakit/capture';
import type { Command } from 'commander';
import { captureExitStatus, UsageError } from '../errors.js';
import { parseInteger, parsePositive } from '../options.js';
import { keyValueTable, note, parseFormat, printJson, printText } from '../output.js';

interface CaptureCliOptions {
  pid?: string;
  duration?: string;
  out?: string;
  force?: boolean;
  anonymize?: boolean;
  gzip: string;
  keepLost?: boolean;
  mmapPages?: string;
  perf?: string;
  quiet?: boolean;
  format: string;
}

/** A capture folder name for a run started at `now`: `captures/<what>-<UTC stamp>`. */
export function defaultCaptureOut(what: string, now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[:]/g, '-');
  const safe = what.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'capture';
  return `captures/${safe}-${stamp}`;
}

function parseGzip(value: string): boolean | 'auto' {
  if (value === 'auto') return 'auto';
  if (value === 'yes' || value === 'true') return true;
  if (value === 'no' || value === 'false') return false;
  throw new UsageError(`--gzip must be auto, yes or no, not '${value}'`);
}

/** A short human summary of a capture (terminal-safe through keyValueTable). */
export function captureSummaryText(s: CaptureSummary): string {
  const syscalls = Object.entries(s.events.syscalls)
    .map(([n, c]) => `${n} ${c}`)
    .join(', ');
  const rows: Array<[string, string]> = [
    ['capture', s.out],
    ['mode', s.mode === 'command' ? `command: ${(s.command ?? []).join(' ')}` : `pid ${s.pid}`],
    ['ended by', s.end],
    ['files', s.files.join(', ')],
    ['faults', String(s.events.faults)],
    ['system calls', `${s.events.syscallsTotal} (${syscalls || 'none'}); ${s.events.syscallsFailed} failed`],
    ['unfinished calls', String(s.events.unfinished)],
    ['threads', String(s.events.threads)],
    [
      'lost events',
      s.lost.lost
        ? `${s.lost.events} in ${s.lost.records} records${s.lost.kept ? ' (kept: replay refuses it)' : ''}`
        : '0',
    ],
    ['trace bytes', `${s.traceBytes}${s.gzip ? ' (gzip)' : ''}`],
    ['kernel / perf', `${s.kernel} / ${s.perfVersion}`],
  ];
  if (s.exit !== null)
    rows.push(['exit', s.exit.signal !== null ? `signal ${s.exit.signal}` : `code ${s.exit.code}`]);
  const lines = [keyValueTable(rows)];
  for (const m of s.missing) lines.push(`not captured: ${m.file}: ${m.reason}`);
  for (const t of s.tracepoints.skipped) lines.push(`skipped ${t.syscall}: tracepoint ${t.missing} missing`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  for (const w of s.lost.warnings) lines.push(`perf: ${w}`);
  return lines.join('\n');
}

/** Registers the command. */
export function registerCapture(program: Command): void {
  program
    .command('capture')
    .description('record a capture directory (maps, smaps, perf trace) of a command or a running process')
    .argument('[command...]', 'the program and its arguments, after --')
    .option('--pid <pid>', 'capture a running process instead (it keeps running afterwards)')
    .option('--duration <s>', 'seconds to trace (required with --pid; a command still running then is ended)')
    .option('--out <dir>', 'capture directory to create (default: captures/<name>-<time>)')
    .option('--force', 'replace an existing capture directory')
    .option('--anonymize', 'rename file paths in maps and smaps to /opt/app/fileN')
    .option('--gzip <when>', 'write trace.txt.gz: auto (above 1 MiB), yes or no', 'auto')
    .option('--keep-lost', 'keep a capture in which perf lost events (marked; replay refuses it)')
    .option('--mmap-pages <n>', 'perf ring-buffer pages per CPU (default 8192)')
    .option('--perf <path>', 'perf executable (default: $VMAKIT_PERF or perf)')
    .option('--quiet', 'no progress lines on stderr')
    .option('--format <format>', 'text or json (the capture summary)', 'text')
    .addHelpText(
      'after',
      '\nExamples:\n  vmakit capture --out captures/ls -- ls -l /\n' +
        '  vmakit capture --out captures/dd -- dd if=/dev/zero of=/dev/null bs=1M count=64\n' +
        '  vmakit capture --pid 4242 --duration 5 --out captures/server\n' +
        '  vmakit replay captures/ls --index maple --strategy per-vma-lock\n' +
        '\nNeeds perf, tracefs and root (or perf_event_paranoid=-1, readable tracefs, ptrace access), and a\n' +
        'C compiler in command mode. Exit status: 0; 2 bad usage; 3 output exists; 4 perf, tracefs,\n' +
        'tracepoints or compiler missing; 5 permission; 6 no such process or command failed;\n' +
        '7 incomplete recording (lost events, perf failed, timeout); 130 interrupted.\n',
    )
    .action(async (argv: string[], opts: CaptureCliOptions) => {
      const format = parseFormat(opts.format);
      const pid = opts.pid !== undefined ? parseInteger('--pid', opts.pid, 1) : null;
      const duration = opts.duration !== undefined ? parsePositive('--duration', opts.duration) : undefined;
      if (pid !== null && argv.length > 0) throw new UsageError('give --pid or a command after --, not both');
      if (pid === null && argv.length === 0)
        throw new UsageError(
          'nothing to capture: give a command after -- (vmakit capture -- CMD ARGS) or --pid PID',
        );
      if (pid !== null && duration === undefined) throw new UsageError('--pid needs --duration <seconds>');
      const out = resolve(opts.out ?? defaultCaptureOut(pid !== null ? `pid-${pid}` : basename(argv[0]!)));
      const common = {
        out,
        gzip: parseGzip(opts.gzip),
        ...(opts.force === true ? { force: true } : {}),
        ...(opts.anonymize === true ? { anonymize: true } : {}),
        ...(opts.keepLost === true ? { keepLost: true } : {}),
        ...(opts.mmapPages !== undefined
          ? { mmapPages: parseInteger('--mmap-pages', opts.mmapPages, 1) }
          : {}),
        ...(opts.perf !== undefined ? { perfPath: opts.perf } : {}),
        ...(opts.quiet === true
          ? {}
          : { onProgress: (p: { phase: string; message: string }) => note(`capture: ${p.message}`) }),
      };
      let summary: CaptureSummary;
      try {
        summary =
          pid !== null
            ? await capturePid(pid, { ...common, durationSeconds: duration! })
            : await captureCommand(argv, {
                ...common,
                ...(duration !== undefined ? { durationSeconds: duration } : {}),
              });
      } catch (err) {
        if (!(err instanceof CaptureError)) throw err;
        // Each cause has its own exit status, so a script can tell "install perf" from "lost events".
        note(`vmakit: capture failed (${err.code}): ${err.message}`);
        process.exitCode = captureExitStatus(err.code);
        return;
      }
      if (format === 'json') printJson(summary);
      else printText(captureSummaryText(summary));
      if (summary.lost.lost)
        note(`warning: perf lost ${summary.lost.events} events; replay refuses this trace`);
    });
}
