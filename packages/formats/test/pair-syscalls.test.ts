import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PairedEvent, pairSyscalls, parseTrace, parseTraceText, type TraceEvent } from '../src/index.js';
import { CAPTURES, collect, expectParseErrorAsync, findSharedDir, sharedMissingMessage } from './helpers.js';

function line(tid: number, time: string, event: string, fields: string): string {
  return `${'app'.padStart(16)} ${tid} [000] ${time.padStart(12)}: ${event.padStart(30)}: ${fields}\n`;
}
const enter = (tid: number, t: string, name: string, f: string): string =>
  line(tid, t, `syscalls:sys_enter_${name}`, f);
const exit = (tid: number, t: string, name: string, ret: string): string =>
  line(tid, t, `syscalls:sys_exit_${name}`, ret);
const fault = (tid: number, t: string, addr: string): string =>
  line(tid, t, 'exceptions:page_fault_user', `address=${addr} ip=0x401000 error_code=0x6`);

function events(text: string): TraceEvent[] {
  return parseTraceText(text, 'p.txt').events;
}

function summary(e: PairedEvent): string {
  return e.kind === 'syscall' || e.kind === 'fdcall'
    ? `${e.name}@${e.tid}=${e.ret}(${e.enterLine}-${e.exitLine})`
    : `${e.kind}@${e.line}`;
}

describe('pairSyscalls', () => {
  it('yields syscalls at their exits, interleaved threads, faults in order', async () => {
    const text =
      enter(
        10,
        '1.000001',
        'mmap',
        'addr: 0x0, len: 0x2000, prot: 0x3, flags: 0x22, fd: 0xffffffff, off: 0x0',
      ) +
      enter(11, '1.000002', 'brk', 'brk: 0x0') +
      fault(12, '1.000003', '0x7f0000001000') +
      exit(11, '1.000004', 'brk', '0x555555559000') +
      exit(10, '1.000005', 'mmap', '0x7f0000000000') +
      enter(10, '1.000006', 'munmap', 'addr: 0x7f0000000000, len: 0x2000') +
      exit(10, '1.000007', 'munmap', '0xffffffffffffffea');
    const p = pairSyscalls(events(text), { file: 'p.txt' });
    const out = await collect(p);
    expect(out.map(summary)).toEqual([
      'fault@3',
      'brk@11=93824992251904(2-4)',
      'mmap@10=139637976727552(1-5)',
      'munmap@10=-22(6-7)',
    ]);
    const mmap = out[2]!;
    expect(mmap.kind === 'syscall' && mmap.args).toEqual({
      addr: 0,
      len: 0x2000,
      prot: 3,
      flags: 0x22,
      fd: -1,
      off: 0,
    });
    expect(mmap.kind === 'syscall' && [mmap.enterTime, mmap.time, mmap.timeText]).toEqual([
      1.000001,
      1.000005,
      '1.000005',
    ]);
    expect(p.unfinished).toEqual([]);
  });

  it('reports syscalls still in progress when tracing stopped', async () => {
    const text =
      enter(7, '1.0', 'mprotect', 'start: 0x1000, len: 0x1000, prot: 0x1') +
      enter(5, '1.1', 'madvise', 'start: 0x1000, len_in: 0x1000, behavior: 0x4') +
      fault(6, '1.2', '0x1000');
    const p = pairSyscalls(events(text));
    expect((await collect(p)).map(summary)).toEqual(['fault@3']);
    expect(p.unfinished.map((e) => [e.tid, e.name, e.line])).toEqual([
      [7, 'mprotect', 1],
      [5, 'madvise', 2],
    ]);
  });

  it('pairs fd calls as fdcall events, sharing the per-thread state with memory calls', async () => {
    const text =
      enter(4, '1.0', 'openat', 'dfd: 0xffffff9c, filename: 0x1000, flags: 0x80002, mode: 0x0') +
      enter(5, '1.1', 'close', 'fd: 0x00000007') +
      exit(4, '1.2', 'openat', '0x3') +
      enter(4, '1.3', 'mmap', 'addr: 0x0, len: 0x1000, prot: 0x1, flags: 0x1, fd: 0x3, off: 0x0') +
      exit(4, '1.4', 'mmap', '0x7f0000000000') +
      exit(5, '1.5', 'close', '0x0');
    const out = await collect(pairSyscalls(events(text), { file: 'p.txt' }));
    expect(out.map((e) => (e.kind === 'fault' ? e.kind : `${e.kind}:${'name' in e ? e.name : ''}`))).toEqual([
      'fdcall:openat',
      'syscall:mmap',
      'fdcall:close',
    ]);
    expect(out[0]).toMatchObject({ kind: 'fdcall', tid: 4, ret: 3, enterLine: 1, exitLine: 3 });
    expect(out[0]!.kind === 'fdcall' && out[0]!.args).toEqual({
      dfd: -100,
      filename: 0x1000,
      flags: 0x80002,
      mode: 0,
    });
    await expectParseErrorAsync(
      () =>
        collect(
          pairSyscalls(
            events(
              enter(3, '1.0', 'openat', 'dfd: 0x0, filename: 0x0, flags: 0x0, mode: 0x0') +
                exit(3, '1.1', 'close', '0x0'),
            ),
            {
              file: 'p.txt',
            },
          ),
        ),
      'p.txt',
      2,
      'sys_exit_close of tid 3 does not match its open sys_enter_openat at line 1',
    );
  });

  it('errors on an exit without enter, naming the line', async () => {
    const text = fault(1, '1.0', '0x1000') + exit(3, '1.1', 'brk', '0x0');
    await expectParseErrorAsync(
      () => collect(pairSyscalls(events(text), { file: 'p.txt' })),
      'p.txt',
      2,
      'no matching sys_enter_brk',
    );
  });

  it('errors on an exit of another syscall', async () => {
    const text = enter(3, '1.0', 'brk', 'brk: 0x0') + exit(3, '1.1', 'mmap', '0x0');
    await expectParseErrorAsync(
      () => collect(pairSyscalls(events(text), { file: 'p.txt' })),
      'p.txt',
      2,
      'does not match',
    );
  });

  it('errors on a second enter by a thread already inside a syscall', async () => {
    const text = enter(3, '1.0', 'brk', 'brk: 0x0') + enter(3, '1.1', 'brk', 'brk: 0x0');
    await expectParseErrorAsync(
      () => collect(pairSyscalls(events(text), { file: 'p.txt' })),
      'p.txt',
      2,
      'has not exited',
    );
  });

  it('takes the file name from a TraceReader', async () => {
    const { Readable } = await import('node:stream');
    const reader = parseTrace(Readable.from([exit(3, '1.1', 'brk', '0x0')]), 'named.txt');
    await expectParseErrorAsync(() => collect(pairSyscalls(reader)), 'named.txt', 1);
  });
});

const traces = findSharedDir('traces');

describe.skipIf(traces === null)('real traces pair completely', () => {
  for (const cap of CAPTURES) {
    it(cap, async () => {
      const reader = parseTrace(join(traces!, cap, 'trace.txt'), `${cap}/trace.txt`);
      const p = pairSyscalls(reader);
      const calls: Record<string, number> = {};
      let faults = 0;
      let prevExit = 0;
      let failed = 0;
      for await (const e of p) {
        if (e.kind === 'fault') faults++;
        else if (e.kind === 'syscall') {
          calls[e.name] = (calls[e.name] ?? 0) + 1;
          expect(e.exitLine).toBeGreaterThan(prevExit);
          expect(e.enterLine).toBeLessThan(e.exitLine);
          prevExit = e.exitLine;
          if (e.ret < 0) failed++;
        }
      }
      expect(p.unfinished).toEqual([]);
      expect(faults).toBe(reader.summary.faults);
      expect(calls).toEqual(reader.summary.sysExit);
      // These workloads did not crash and made no failing memory calls.
      expect(failed).toBe(0);
    });
  }
});

it.skipIf(traces !== null)('real traces pair', () => {
  console.log(sharedMissingMessage('traces'));
});
