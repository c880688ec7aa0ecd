import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCCompiler, probePerf } from '@vmakit/capture';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/errors.js';
import { runCli, runJson } from './fixtures/run-cli.js';

// Whether this machine can record: perf with the fault tracepoint, and a C compiler for the stop helper.
const probe = await probePerf();
const compiler = await findCCompiler();
const cannot = !probe.ok
  ? `perf is not usable here: ${probe.reason}`
  : compiler === null
    ? 'no C compiler'
    : null;

describe('vmakit capture', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vmakit-cli-capture-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses unusable options with a usage error, before touching perf', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['capture'], /nothing to capture: give a command after --/],
      [['capture', '--pid', '1'], /--pid needs --duration/],
      [
        ['capture', '--pid', '1', '--duration', '1', '--', 'true'],
        /give --pid or a command after --, not both/,
      ],
      [['capture', '--pid', 'abc', '--duration', '1'], /--pid must be an integer >= 1, not 'abc'/],
      [['capture', '--duration', '-3', '--', 'true'], /--duration must be a positive number, not '-3'/],
      [['capture', '--gzip', 'maybe', '--', 'true'], /--gzip must be auto, yes or no, not 'maybe'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.error?.message, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect((await runCli(['capture', '--help'])).stdout).toContain('Examples:');
  });

  it('an existing output folder is refused with its own exit status', async () => {
    const out = join(tmp, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine\n');
    const r = await runCli(['capture', '--quiet', '--out', out, '--', 'true']);
    expect(r.error).toBeNull();
    expect(r.exitCode).toBe(EXIT.outputExists);
    expect(r.stderr).toMatch(/capture failed \(output-exists\): .*taken/);
  });

  it.skipIf(cannot !== null)(
    `a fresh program's capture replays with page_mismatches 0 ${cannot === null ? '' : `(skipped: ${cannot})`}`,
    async () => {
      const out = join(tmp, 'dd');
      const { json } = await runJson([
        'capture',
        '--quiet',
        '--out',
        out,
        '--format',
        'json',
        '--',
        'dd',
        'if=/dev/zero',
        'of=/dev/null',
        'bs=1M',
        'count=1',
        'status=none',
      ]);
      const summary = json as {
        out: string;
        end: string;
        files: string[];
        events: { faults: number };
        lost: { lost: boolean; events: number };
      };
      expect(summary.out).toBe(out);
      expect(summary.end).toBe('exit-stop');
      expect(summary.files).toEqual(
        expect.arrayContaining(['start.maps', 'start.smaps', 'end.maps', 'end.smaps']),
      );
      expect(summary.events.faults).toBeGreaterThan(0);
      expect(summary.lost).toMatchObject({ lost: false, events: 0 });

      const replay = (
        await runJson(['replay', out, '--index', 'maple', '--strategy', 'per-vma-lock', '--format', 'json'])
      ).json as {
        final: { page_mismatches: number; vma_mismatches: number } | null;
        events: { faults: number };
      };
      expect(replay.events.faults).toBe(summary.events.faults);
      expect(replay.final?.page_mismatches).toBe(0);
      expect(replay.final?.vma_mismatches).toBe(0);
    },
  );

  it.skipIf(cannot !== null)(
    '--pid captures a running process for --duration seconds and leaves it running',
    async () => {
      const child = spawn('sleep', ['30'], { stdio: 'ignore' });
      try {
        const out = join(tmp, 'sleeper');
        const { json } = await runJson([
          'capture',
          '--quiet',
          '--pid',
          String(child.pid),
          '--duration',
          '0.5',
          '--out',
          out,
          '--format',
          'json',
        ]);
        expect(json).toMatchObject({ mode: 'pid', pid: child.pid, end: 'duration', lost: { lost: false } });
        expect(child.exitCode).toBeNull(); // still running: resumed after the capture
        const replay = (await runJson(['replay', out, '--index', 'rbtree', '--format', 'json'])).json as {
          final: { page_mismatches: number; vma_mismatches: number } | null;
        };
        expect(replay.final).toMatchObject({ page_mismatches: 0, vma_mismatches: 0 });
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it.skipIf(cannot !== null)(
    'a process that does not exist is refused with its own exit status',
    async () => {
      const r = await runCli([
        'capture',
        '--quiet',
        '--pid',
        '2147483646',
        '--duration',
        '1',
        '--out',
        join(tmp, 'none'),
      ]);
      expect(r.exitCode).toBe(EXIT.target);
      expect(r.stderr).toMatch(/no-such-process/);
    },
  );
});
