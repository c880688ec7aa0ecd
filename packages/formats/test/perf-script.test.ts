import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  type FaultEvent,
  type FdEnterEvent,
  type FdExitEvent,
  parseTrace,
  parseTraceLine,
  parseTraceText,
  type SysEnterEvent,
  type SysExitEvent,
  type TraceEvent,
} from '../src/index.js';
import {
  CAPTURES,
  chunked,
  collect,
  expectParseError,
  expectParseErrorAsync,
  findSharedDir,
  sharedMissingMessage,
} from './helpers.js';

/** A line in the layout perf script prints (comm in 16 columns, time in 12, event right-aligned). */
function line(comm: string, tid: string, cpu: string, time: string, event: string, fields: string): string {
  return `${comm.padStart(16)} ${tid} [${cpu}] ${time.padStart(12)}: ${event.padStart(30)}: ${fields}`;
}

const F = 'exceptions:page_fault_user';

function one(text: string): TraceEvent {
  const e = parseTraceLine(text, 't.txt', 1);
  expect(e).not.toBeNull();
  return e!;
}

describe('parseTraceLine', () => {
  it('reads a real fault line', () => {
    const e = one(
      '        w_arenas 12293 [001]  3161.703046:       exceptions:page_fault_user: address=0x7f6876c8ed58 ip=0x7f6876d1bd6c error_code=0x6',
    ) as FaultEvent;
    expect(e).toEqual({
      line: 1,
      comm: 'w_arenas',
      pid: null,
      tid: 12293,
      cpu: 1,
      time: 3161.703046,
      timeText: '3161.703046',
      kind: 'fault',
      address: 0x7f6876c8ed58,
      addressPage: 0x7f6876c8e000,
      addressOffset: 0xd58,
      ip: 0x7f6876d1bd6c,
      ipPage: 0x7f6876d1b000,
      ipOffset: 0xd6c,
      errorCode: 6,
    });
  });

  it('keeps kernel-half addresses exact as page + offset', () => {
    const e = one(
      line(
        'a',
        '1',
        '000',
        '1.000001',
        F,
        'address=0xffffffffff600123 ip=0xffffffffff600000 error_code=0x15',
      ),
    ) as FaultEvent;
    expect(BigInt(e.addressPage)).toBe(0xffffffffff600000n);
    expect(e.addressOffset).toBe(0x123);
    expect(BigInt(e.ipPage) + BigInt(e.ipOffset)).toBe(0xffffffffff600000n);
    expect(e.errorCode).toBe(0x15);
  });

  it('decodes mmap arguments by C type: fd is a signed int, the rest unsigned long', () => {
    const e = one(
      '        w_arenas 12293 [001]  3161.702987:          syscalls:sys_enter_mmap: addr: 0x00000000, len: 0x00801000, prot: 0x00000000, flags: 0x00020022, fd: 0xffffffff, off: 0x00000000',
    ) as SysEnterEvent;
    expect(e.kind).toBe('sys_enter');
    expect(e.name).toBe('mmap');
    expect(e.args).toEqual({ addr: 0, len: 0x801000, prot: 0, flags: 0x20022, fd: -1, off: 0 });
    expect(e.rawArgs.fd).toBe(0xffffffffn);
    const wide = one(
      line(
        'a',
        '1',
        '000',
        '1.0',
        'syscalls:sys_enter_mmap',
        'addr: 0x0, len: 0xfffffffffffff001, prot: 0x3, flags: 0x22, fd: 0xffffffffffffffff, off: 0x0',
      ),
    ) as SysEnterEvent;
    expect(wide.args.fd).toBe(-1);
    expect(wide.rawArgs.len).toBe(0xfffffffffffff001n);
  });

  it('decodes int parameters of madvise, pkey_mprotect, mlock2, mlockall, shmat', () => {
    const m = one(
      line(
        'a',
        '1',
        '000',
        '1.0',
        'syscalls:sys_enter_madvise',
        'start: 0x7f0000000000, len_in: 0x2000, behavior: 0x00000004',
      ),
    ) as SysEnterEvent;
    expect(m.args).toEqual({ start: 0x7f0000000000, len_in: 0x2000, behavior: 4 });
    const p = one(
      line(
        'a',
        '1',
        '000',
        '1.0',
        'syscalls:sys_enter_pkey_mprotect',
        'start: 0x1000, len: 0x1000, prot: 0x1, pkey: 0xffffffff',
      ),
    ) as SysEnterEvent;
    expect(p.args.pkey).toBe(-1);
    const s = one(
      line(
        'a',
        '1',
        '000',
        '1.0',
        'syscalls:sys_enter_shmat',
        'shmid: 0x00000007, shmaddr: 0x00000000, shmflg: 0x00001000',
      ),
    ) as SysEnterEvent;
    expect(s.args).toEqual({ shmid: 7, shmaddr: 0, shmflg: 0x1000 });
    const l = one(
      line('a', '1', '000', '1.0', 'syscalls:sys_enter_mlockall', 'flags: 0x00000003'),
    ) as SysEnterEvent;
    expect(l.args).toEqual({ flags: 3 });
    const r = one(
      line(
        'a',
        '1',
        '000',
        '1.0',
        'syscalls:sys_enter_mremap',
        'addr: 0x1000, old_len: 0x1000, new_len: 0x2000, flags: 0x1, new_addr: 0x0',
      ),
    ) as SysEnterEvent;
    expect(r.args).toEqual({ addr: 0x1000, old_len: 0x1000, new_len: 0x2000, flags: 1, new_addr: 0 });
  });

  it('accepts munlockall with no fields', () => {
    const e = one(`${line('a', '1', '000', '1.0', 'syscalls:sys_enter_munlockall', '')}`) as SysEnterEvent;
    expect(e.args).toEqual({});
    const bare = one(
      '               a 1 [000]     1.000000: syscalls:sys_enter_munlockall:',
    ) as SysEnterEvent;
    expect(bare.name).toBe('munlockall');
  });

  it('reads return values as signed longs, hex or decimal', () => {
    const ret = (text: string): number =>
      (one(line('a', '1', '000', '1.0', 'syscalls:sys_exit_mmap', text)) as SysExitEvent).ret;
    expect(ret('0x7f687648e000')).toBe(0x7f687648e000);
    expect(ret('0x0')).toBe(0);
    expect(ret('0xfffffffffffffff4')).toBe(-12);
    expect(ret('0xffffffffffffffea')).toBe(-22);
    expect(ret('-12')).toBe(-12);
    expect(ret('0')).toBe(0);
    const e = one(
      line('a', '1', '000', '1.0', 'syscalls:sys_exit_brk', '0xffffffffffffffff'),
    ) as SysExitEvent;
    expect(e.retRaw).toBe(-1n);
  });

  it('parses comm from the right: spaces, digits, colons and brackets', () => {
    const f = 'address=0x1000 ip=0x1000 error_code=0x4';
    expect(one(line('Web Content 2', '4242', '003', '10.5', F, f)).comm).toBe('Web Content 2');
    expect(one(line('1234', '99', '000', '10.5', F, f)).comm).toBe('1234');
    expect(one(line('a: b [1] 2.0:', '7', '002', '10.5', F, f))).toMatchObject({
      comm: 'a: b [1] 2.0:',
      tid: 7,
      cpu: 2,
    });
    expect(one(line('x 1 [0] 2.0: y:z:', '8', '001', '10.5', F, f))).toMatchObject({
      comm: 'x 1 [0] 2.0: y:z:',
      tid: 8,
    });
    const long = one(`averyveryverylongcommname 77 [000]     1.000000: ${F}: ${f}`);
    expect(long).toMatchObject({ comm: 'averyveryverylongcommname', tid: 77 });
  });

  it('reads pid/tid and tid -1', () => {
    expect(
      one(`         python3   12248/12249   [001]  3158.209596: ${F}: address=0x1 ip=0x1 error_code=0x14`),
    ).toMatchObject({
      pid: 12248,
      tid: 12249,
    });
    const lost = parseTraceLine(
      '             :-1    -1 [000]     0.000000: PERF_RECORD_LOST lost 42',
      't.txt',
      3,
      {
        allowLost: true,
      },
    );
    expect(lost).toMatchObject({ kind: 'lost', comm: ':-1', tid: -1, record: 'LOST', count: 42, line: 3 });
  });

  it('skips blank and comment lines', () => {
    expect(parseTraceLine('', 't', 1)).toBeNull();
    expect(parseTraceLine('# ========', 't', 1)).toBeNull();
    expect(parseTraceLine('      ', 't', 1)).toBeNull();
    // A comm may start with '#': only column 0 marks a comment.
    expect(one(line('#w', '5', '000', '1.0', F, 'address=0x1 ip=0x1 error_code=0x4')).comm).toBe('#w');
  });
});

describe('file-descriptor calls', () => {
  it('reads a real openat pair as fd events, counted apart from the memory calls', () => {
    const text =
      '              dd 13124 [000] 21166.041735: syscalls:sys_enter_openat: dfd: 0xffffff9c, filename: 0x7f90b51e7970, flags: 0x00000000, mode: 0x00000000\n' +
      '              dd 13124 [000] 21166.041742:  syscalls:sys_exit_openat: 0x3\n' +
      '              dd 13124 [000] 21166.041752:  syscalls:sys_enter_close: fd: 0x00000003\n' +
      '              dd 13124 [000] 21166.041753:   syscalls:sys_exit_close: 0x0\n';
    const r = parseTraceText(text, 't.txt');
    const enter = r.events[0] as FdEnterEvent;
    expect(enter).toMatchObject({ kind: 'fd_enter', name: 'openat', comm: 'dd', tid: 13124, line: 1 });
    // dfd is AT_FDCWD (-100) as a signed int; flags 0 is O_RDONLY.
    expect(enter.args).toEqual({ dfd: -100, filename: 0x7f90b51e7970, flags: 0, mode: 0 });
    expect((r.events[1] as FdExitEvent).ret).toBe(3);
    expect(r.events[2]).toMatchObject({ kind: 'fd_enter', name: 'close', args: { fd: 3 } });
    expect(r.summary.fdEnter).toEqual({ openat: 1, close: 1 });
    expect(r.summary.fdExit).toEqual({ openat: 1, close: 1 });
    expect(r.summary.sysEnter).toEqual({});
  });

  it('decodes every fd call by C type (close_range bounds unsigned, failures negative)', () => {
    const at = (event: string, fields: string) => one(line('a', '1', '000', '1.0', event, fields));
    expect(at('syscalls:sys_enter_open', 'filename: 0x1000, flags: 0x00000002, mode: 0x1a4')).toMatchObject({
      args: { filename: 0x1000, flags: 2, mode: 0o644 },
    });
    expect(
      at('syscalls:sys_enter_openat2', 'dfd: 0xffffff9c, filename: 0x1000, how: 0x2000, usize: 0x18'),
    ).toMatchObject({ name: 'openat2', args: { dfd: -100, how: 0x2000, usize: 24 } });
    expect(at('syscalls:sys_enter_close_range', 'fd: 0x3, max_fd: 0xffffffff, flags: 0x0')).toMatchObject({
      args: { fd: 3, max_fd: 0xffffffff, flags: 0 },
    });
    expect(at('syscalls:sys_enter_dup', 'fildes: 0x3')).toMatchObject({ args: { fildes: 3 } });
    expect(at('syscalls:sys_enter_dup3', 'oldfd: 0x3, newfd: 0x1, flags: 0x80000')).toMatchObject({
      args: { oldfd: 3, newfd: 1, flags: 0x80000 },
    });
    expect(at('syscalls:sys_enter_fcntl', 'fd: 0x3, cmd: 0x406, arg: 0xa')).toMatchObject({
      args: { fd: 3, cmd: 1030, arg: 10 },
    });
    expect(at('syscalls:sys_exit_openat', '0xfffffffffffffffe')).toMatchObject({ kind: 'fd_exit', ret: -2 });
  });
});

describe('trace errors name the file and line', () => {
  const good = `${line('a', '1', '000', '1.000001', F, 'address=0x1000 ip=0x2000 error_code=0x4')}\n`;
  const mmap = (fields: string): string =>
    `${line('a', '1', '000', '2.0', 'syscalls:sys_enter_mmap', fields)}\n`;
  const cases: Array<[string, string, number, string]> = [
    [
      'bad hex address',
      `${good}${line('a', '1', '000', '2.0', F, 'address=0x12g4 ip=0x1 error_code=0x4')}\n`,
      2,
      'address',
    ],
    [
      'missing fault field',
      `${good}${line('a', '1', '000', '2.0', F, 'address=0x1 error_code=0x4')}\n`,
      2,
      'address=0x..',
    ],
    [
      'wrong fault field',
      `${line('a', '1', '000', '2.0', F, 'address=0x1 pc=0x1 error_code=0x4')}\n`,
      1,
      "'ip='",
    ],
    [
      'symbolic address',
      `${line('a', '1', '000', '2.0', F, 'address=foo+0x10 ip=0x1 error_code=0x4')}\n`,
      1,
      'address',
    ],
    [
      'wide error code',
      `${line('a', '1', '000', '2.0', F, 'address=0x1 ip=0x1 error_code=0x100000000')}\n`,
      1,
      'wider than 32 bits',
    ],
    [
      'missing mmap field',
      mmap('addr: 0x0, len: 0x1000, prot: 0x3, flags: 0x22, fd: 0xffffffff'),
      1,
      'expected 6 fields',
    ],
    [
      'extra mmap field',
      mmap('addr: 0x0, len: 0x1000, prot: 0x3, flags: 0x22, fd: 0x1, off: 0x0, x: 0x1'),
      1,
      'expected 6 fields',
    ],
    [
      'renamed mmap field',
      mmap('addr: 0x0, length: 0x1000, prot: 0x3, flags: 0x22, fd: 0x1, off: 0x0'),
      1,
      "'len: 0x..'",
    ],
    ['bad mmap hex', mmap('addr: 0x0, len: 0x10z0, prot: 0x3, flags: 0x22, fd: 0x1, off: 0x0'), 1, 'len'],
    [
      '65-bit value',
      mmap('addr: 0x0, len: 0x10000000000000000, prot: 0x3, flags: 0x22, fd: 0x1, off: 0x0'),
      1,
      'len',
    ],
    [
      'bad return',
      `${good}${line('a', '1', '000', '2.0', 'syscalls:sys_exit_mmap', 'oops')}\n`,
      2,
      'return value',
    ],
    [
      'unknown event',
      `${good}${good}${line('a', '1', '000', '2.0', 'sched:sched_switch', 'prev_comm=a')}\n`,
      3,
      'unknown event',
    ],
    [
      'untraced syscall',
      `${line('a', '1', '000', '2.0', 'syscalls:sys_enter_read', 'fd: 0x3')}\n`,
      1,
      'unknown event',
    ],
    [
      'lost events',
      `${good}             :-1    -1 [000]     0.000000: PERF_RECORD_LOST lost 42\n`,
      2,
      'lost 42 events',
    ],
    ['no header', `${good}garbage here\n`, 2, "expected '<comm> <tid> [<cpu>]"],
    [
      'no cpu',
      '               a 1     1.000000: exceptions:page_fault_user: address=0x1 ip=0x1 error_code=0x4\n',
      1,
      'expected',
    ],
    [
      'time goes backwards',
      `${line('a', '1', '000', '2.000000', F, 'address=0x1 ip=0x1 error_code=0x4')}\n${good}`,
      2,
      'earlier than',
    ],
    ['truncated last line', `${good}${good.slice(0, 60)}`, 2, 'not terminated by a newline'],
    [
      'openat with a field missing',
      `${good}${line('a', '1', '000', '2.0', 'syscalls:sys_enter_openat', 'dfd: 0xffffff9c, flags: 0x0, mode: 0x0')}\n`,
      2,
      "sys_enter_openat: expected 4 fields 'dfd: 0x.., filename: 0x.., flags: 0x.., mode: 0x..'",
    ],
    [
      'close with a bad fd',
      `${line('a', '1', '000', '2.0', 'syscalls:sys_enter_close', 'fd: 3')}\n`,
      1,
      'sys_enter_close fd: expected 0x-prefixed 64-bit hex',
    ],
    [
      'dup2 with fields out of order',
      `${line('a', '1', '000', '2.0', 'syscalls:sys_enter_dup2', 'newfd: 0x1, oldfd: 0x3')}\n`,
      1,
      "expected field 'oldfd: 0x..'",
    ],
    [
      'bad openat return',
      `${good}${line('a', '1', '000', '2.0', 'syscalls:sys_exit_openat', '0xg')}\n`,
      2,
      'sys_exit_openat: expected a return value',
    ],
  ];
  for (const [name, text, lineNo, fragment] of cases) {
    it(name, () => {
      expectParseError(() => parseTraceText(text, 'trace.txt'), 'trace.txt', lineNo, fragment);
    });
  }

  it('collects unknown events when allowed and reports them', () => {
    const text = `${good}${line('a', '1', '000', '2.0', 'sched:sched_switch', 'prev_comm=a next_pid=3')}\n${line('a', '1', '000', '3.0', 'sched:sched_switch', 'x')}\n`;
    const r = parseTraceText(text, 't', { allowUnknown: true });
    expect(r.events.map((e) => e.kind)).toEqual(['fault', 'unknown', 'unknown']);
    expect(r.events[1]).toMatchObject({ event: 'sched:sched_switch', fields: 'prev_comm=a next_pid=3' });
    expect(r.summary.unknown).toEqual({ 'sched:sched_switch': 2 });
  });

  it('yields lost events when allowed, so a caller can refuse the capture', () => {
    const text = `${good}             :-1    -1 [000]     0.000000: PERF_RECORD_LOST lost 42\n${good.replace('1.000001', '1.5')}`;
    const r = parseTraceText(text, 't', { allowLost: true });
    expect(r.summary).toMatchObject({ lostRecords: 1, lostEvents: 42, faults: 2 });
  });

  it('accepts unordered time when asked', () => {
    const text = `${line('a', '1', '000', '2.000000', F, 'address=0x1 ip=0x1 error_code=0x4')}\n${good}`;
    expect(parseTraceText(text, 't', { allowUnorderedTime: true }).events).toHaveLength(2);
  });
});

describe('parseTrace (streaming)', () => {
  const text = [
    line('w_arenas', '12293', '001', '3161.702987', 'syscalls:sys_enter_brk', 'brk: 0x00000000'),
    line('w_arenas', '12293', '001', '3161.702988', 'syscalls:sys_exit_brk', '0x5555cbd01000'),
    line(
      'w_arenas',
      '12293',
      '001',
      '3161.702989',
      F,
      'address=0x5555cbd01008 ip=0x7f6876d29106 error_code=0x6',
    ),
  ]
    .map((l) => `${l}\n`)
    .join('');

  it('agrees with the in-memory parser, plain and gzip, in small chunks', async () => {
    const sync = parseTraceText(text, 't.txt');
    const plain = parseTrace(chunked(text, 13), 't.txt');
    expect(await collect(plain)).toEqual(sync.events);
    expect(plain.summary).toEqual(sync.summary);
    const gz = parseTrace(chunked(gzipSync(Buffer.from(text)), 9), 't.txt.gz');
    expect(await collect(gz)).toEqual(sync.events);
  });

  it('reports a truncated gzip trace at the cut line', async () => {
    const gz = gzipSync(Buffer.from(text));
    await expectParseErrorAsync(
      () => collect(parseTrace(chunked(gz.subarray(0, gz.length - 8), 9), 't.txt.gz')),
      't.txt.gz',
      4,
      'gzip stream ends early',
    );
  });

  it('can be iterated only once', async () => {
    const r = parseTrace(chunked(text, 100), 't.txt');
    await collect(r);
    await expect(collect(r)).rejects.toThrow(/only once/);
  });
});

const traces = findSharedDir('traces');

/** The README's numbers for each capture. */
const EXPECTED: Record<string, { faults: number; calls: Record<string, number>; threads: number }> = {
  'py-sqlite': { faults: 3312, calls: { brk: 69, mmap: 1, munmap: 1 }, threads: 1 },
  'c-arenas': { faults: 7331, calls: { mprotect: 966, madvise: 35, mmap: 8, munmap: 5, brk: 2 }, threads: 4 },
};

describe.skipIf(traces === null)('real traces parse completely', () => {
  for (const cap of CAPTURES) {
    it(`${cap}: counts match the README`, async () => {
      const path = join(traces!, cap, 'trace.txt');
      const reader = parseTrace(path, `${cap}/trace.txt`);
      const tids = new Set<number>();
      let events = 0;
      for await (const e of reader) {
        tids.add(e.tid);
        events++;
        expect(e.kind === 'fault' || e.kind === 'sys_enter' || e.kind === 'sys_exit').toBe(true);
      }
      const want = EXPECTED[cap]!;
      const lines = readFileSync(path, 'utf8').split('\n').length - 1;
      expect(reader.summary.lines).toBe(lines);
      expect(events).toBe(lines);
      expect(reader.summary.faults).toBe(want.faults);
      expect(reader.summary.sysEnter).toEqual(want.calls);
      expect(reader.summary.sysExit).toEqual(want.calls);
      expect(reader.summary.lostRecords).toBe(0);
      expect(reader.summary.unknown).toEqual({});
      expect(tids.size).toBe(want.threads);
    });

    it(`${cap}: the gzip-compressed trace gives the same events`, async () => {
      const path = join(traces!, cap, 'trace.txt');
      const gz = gzipSync(readFileSync(path));
      const plain = parseTraceText(readFileSync(path, 'utf8'), 'trace.txt');
      const fromGz = await collect(parseTrace(chunked(gz, 65536), 'trace.txt.gz'));
      expect(fromGz).toEqual(plain.events);
      // Cut at 60%: the error must come at the first line zlib cannot fully inflate, computed here
      // independently by inflating the cut deflate body with a sync flush.
      const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
      const inflated = inflateRawSync(cut.subarray(10), { finishFlush: constants.Z_SYNC_FLUSH }).toString(
        'utf8',
      );
      const complete = inflated.split('\n').length - 1;
      await expectParseErrorAsync(
        () => collect(parseTrace(chunked(cut, 65536), 'trace.txt.gz')),
        'trace.txt.gz',
        complete + 1,
        'gzip stream ends early',
      );
    });
  }
});

it.skipIf(traces !== null)('real traces', () => {
  console.log(sharedMissingMessage('traces'));
});
