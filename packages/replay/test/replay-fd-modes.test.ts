import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineIndexPlugin, VM_MAYWRITE, VM_SHARED } from '@vmakit/core';
import { type PairedFdCall, type PairedSyscall, parseMapsText } from '@vmakit/formats';
import { createReferenceIndex } from '@vmakit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FdTable, fmodeOfOpenFlags } from '../src/fd-table.js';
import { applySyscall, buildInitialState, FileTable, replayCapture } from '../src/index.js';

const reference = defineIndexPlugin({
  meta: { name: 'reference', version: '0', kind: 'index' },
  semantics: 'snapshot',
  era: 'maple-era',
  create: (o) => createReferenceIndex(o),
});

const START = [
  '555555554000-555555555000 r--p 00000000 fe:00 100                        /opt/app/file1',
  '555555555000-555555576000 rw-p 00000000 00:00 0                          [heap]',
  '7ffff7fc0000-7ffff7fff000 r-xp 00000000 fe:00 200                        /opt/app/file2.so',
  '7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]',
];
/** Where the model puts 7 pages top-down: just below the loader, as the kernel did. */
const MAPPED = '7ffff7fb9000-7ffff7fc0000';

function line(t: number, event: string, fields: string): string {
  return `              dd 1 [000]  ${t.toFixed(6)}: ${event}: ${fields}`;
}

/** openat(AT_FDCWD, ..., flags) = 3; mmap(NULL, 7 pages, PROT_READ, MAP_SHARED, 3, 0); close(3). */
function sharedReadMapTrace(openFlags: string, withFdEvents = true): string[] {
  const open = [
    line(
      1,
      'syscalls:sys_enter_openat',
      `dfd: 0xffffff9c, filename: 0x7f9b3cbb7970, flags: ${openFlags}, mode: 0x00000000`,
    ),
    line(1.000001, 'syscalls:sys_exit_openat', '0x3'),
  ];
  const map = [
    line(
      2,
      'syscalls:sys_enter_mmap',
      'addr: 0x00000000, len: 0x00007000, prot: 0x00000001, flags: 0x00000001, fd: 0x00000003, off: 0x00000000',
    ),
    line(2.000001, 'syscalls:sys_exit_mmap', `0x${MAPPED.slice(0, 12)}`),
  ];
  const close = [
    line(3, 'syscalls:sys_enter_close', 'fd: 0x00000003'),
    line(3.000001, 'syscalls:sys_exit_close', '0x0'),
  ];
  return withFdEvents ? [...open, ...map, ...close] : map;
}

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** A capture whose end state adds the shared mapping, with the VmFlags the kernel showed for it. */
function capture(trace: string[], mapPerms: string, vmFlags: string): string {
  dir = mkdtempSync(join(tmpdir(), 'vmakit-replay-fd-'));
  const mapped = `${MAPPED} ${mapPerms} 00000000 fe:00 300                        /opt/app/file3`;
  writeFileSync(join(dir, 'start.maps'), `${START.join('\n')}\n`);
  writeFileSync(join(dir, 'trace.txt'), `${trace.join('\n')}\n`);
  writeFileSync(join(dir, 'end.maps'), `${[...START.slice(0, 2), mapped, ...START.slice(2)].join('\n')}\n`);
  // Only the traced mapping's smaps entry: the others keep their start.maps flags.
  writeFileSync(join(dir, 'end.smaps'), `${mapped}\nVmFlags: ${vmFlags} \n`);
  return dir;
}

describe('file mmaps take the open mode of their descriptor', () => {
  it('O_RDONLY then MAP_SHARED|PROT_READ: no sh, no mw (do_mmap drops VM_SHARED and VM_MAYWRITE)', async () => {
    const d = capture(sharedReadMapTrace('0x00080000'), 'r--s', 'rd mr me ms');
    const r = await replayCapture(d, { index: reference });
    expect(r.events.fd_calls).toBe(2);
    expect(r.events.syscalls).toBe(1);
    expect(r.syscalls.disagreements).toEqual([]);
    expect(r.final).toMatchObject({ exact_match: true, flag_mismatches: 0 });
    expect(r.diff).toEqual([]);
  });

  it('O_RDWR then MAP_SHARED|PROT_READ: the shared mapping keeps sh and mw', async () => {
    const d = capture(sharedReadMapTrace('0x00080002'), 'r--s', 'rd sh mr mw me ms');
    const r = await replayCapture(d, { index: reference });
    expect(r.syscalls.disagreements).toEqual([]);
    expect(r.final).toMatchObject({ exact_match: true, flag_mismatches: 0 });
  });

  it('without the fd events (an old capture) the permissive default stays, and differs from the kernel', async () => {
    const d = capture(sharedReadMapTrace('0x00080000', false), 'r--s', 'rd mr me ms');
    const r = await replayCapture(d, { index: reference });
    expect(r.events.fd_calls).toBe(0);
    expect(r.final).toMatchObject({ exact_match: true, flag_mismatches: 1 });
    expect(r.diff).toEqual([`${MAPPED} VmFlags kernel [rd mr me ms] model [rd sh mr mw me ms]`]);
  });

  it('an O_RDONLY descriptor cannot be mapped shared writable: the model fails it like the kernel', async () => {
    const trace = sharedReadMapTrace('0x00000000').map((l) =>
      l
        .replace('prot: 0x00000001', 'prot: 0x00000003')
        .replace(`sys_exit_mmap: 0x${MAPPED.slice(0, 12)}`, 'sys_exit_mmap: 0xfffffffffffffff3'),
    );
    dir = mkdtempSync(join(tmpdir(), 'vmakit-replay-fd-'));
    writeFileSync(join(dir, 'start.maps'), `${START.join('\n')}\n`);
    writeFileSync(join(dir, 'trace.txt'), `${trace.join('\n')}\n`);
    writeFileSync(join(dir, 'end.maps'), `${START.join('\n')}\n`);
    const r = await replayCapture(dir, { index: reference });
    // -EACCES (13) from both.
    expect(r.events.syscalls_failed).toBe(1);
    expect(r.syscalls.disagreements).toEqual([]);
    expect(r.final).toMatchObject({ exact_match: true });
  });
});

let seq = 0;
function call(name: PairedFdCall['name'], args: Record<string, number>, ret: number): PairedFdCall {
  seq++;
  return {
    kind: 'fdcall',
    name,
    args,
    rawArgs: {},
    ret,
    retRaw: BigInt(ret),
    tid: 1,
    comm: 'app',
    cpu: 0,
    enterLine: seq,
    exitLine: seq,
    time: seq,
    timeText: String(seq),
    enterTime: seq,
  };
}

describe('FdTable', () => {
  it('OPEN_FMODE: O_RDONLY read, O_WRONLY write, O_RDWR both, access mode 3 neither, O_PATH path only', () => {
    expect(fmodeOfOpenFlags(0)).toEqual({ readable: true, writable: false, pathOnly: false });
    expect(fmodeOfOpenFlags(1)).toEqual({ readable: false, writable: true, pathOnly: false });
    expect(fmodeOfOpenFlags(2 | 0o100 | 0o1000)).toEqual({ readable: true, writable: true, pathOnly: false });
    expect(fmodeOfOpenFlags(3)).toEqual({ readable: false, writable: false, pathOnly: false });
    expect(fmodeOfOpenFlags(0o10000000 | 2)).toEqual({ readable: false, writable: false, pathOnly: true });
  });

  it('follows dups, closes and reuse; untracked descriptors keep the permissive identity', () => {
    const t = new FdTable((fd, closes) => ({ id: 1000 + fd * 10 + closes, path: `fd:${fd}` }));
    // Never opened in the trace: the untracked identity, mode unknown.
    expect(t.lookup(5)).toMatchObject({ file: { id: 1050 }, modeKnown: false });
    t.apply(call('openat', { dfd: -100, filename: 0, flags: 0, mode: 0 }, 3));
    const ro = t.lookup(3).file;
    expect(ro).toMatchObject({ readable: true, writable: false });
    // A failed open changes nothing.
    t.apply(call('open', { filename: 0, flags: 2, mode: 0 }, -2));
    expect(t.lookup(3).file).toBe(ro);
    // dup, dup2, fcntl(F_DUPFD_CLOEXEC) share the same open file description.
    t.apply(call('dup', { fildes: 3 }, 4));
    t.apply(call('dup2', { oldfd: 3, newfd: 7 }, 7));
    t.apply(call('fcntl', { fd: 3, cmd: 1030, arg: 10 }, 10));
    t.apply(call('fcntl', { fd: 3, cmd: 3, arg: 0 }, 0x8000)); // F_GETFL: not a dup
    for (const fd of [4, 7, 10]) expect(t.lookup(fd).file).toBe(ro);
    expect(t.lookup(0x8000).modeKnown).toBe(false);
    // close frees the number: a later untracked reuse is another file than before.
    t.apply(call('close', { fd: 3 }, 0));
    expect(t.lookup(3)).toMatchObject({ file: { id: 1031 }, modeKnown: false });
    expect(t.lookup(4).file).toBe(ro);
    // close_range closes every known number in range; with CLOSE_RANGE_CLOEXEC it closes nothing.
    t.apply(call('close_range', { fd: 4, max_fd: 0xffffffff, flags: 4 }, 0));
    expect(t.lookup(7).file).toBe(ro);
    t.apply(call('close_range', { fd: 5, max_fd: 0xffffffff, flags: 0 }, 0));
    expect(t.lookup(4).file).toBe(ro);
    expect(t.lookup(7).modeKnown).toBe(false);
    expect(t.lookup(5)).toMatchObject({ file: { id: 1051 } });
    // O_PATH, and openat2 whose flags the trace cannot show.
    t.apply(call('openat', { dfd: -100, filename: 0, flags: 0o10000000, mode: 0 }, 6));
    expect(t.lookup(6).pathOnly).toBe(true);
    t.apply(call('openat2', { dfd: -100, filename: 0, how: 0, usize: 24 }, 8));
    expect(t.lookup(8)).toMatchObject({ modeKnown: false, pathOnly: false });
    expect(t.lookup(8).file.writable).toBeUndefined();
    expect(t.tracked).toBe(3);
  });

  it('FileTable: a traced read-only open maps without VM_MAYWRITE/VM_SHARED; O_PATH mmap is EBADF', () => {
    const files = new FileTable();
    expect(files.fromFd(3)).toEqual({ id: files.fromFd(3).id, path: 'fd:3' });
    files.applyFdCall(call('openat', { dfd: -100, filename: 0, flags: 0, mode: 0 }, 3));
    expect(files.fromFd(3)).toMatchObject({ path: 'fd:3', readable: true, writable: false });
    files.applyFdCall(call('openat', { dfd: -100, filename: 0, flags: 0o10000000, mode: 0 }, 4));
    expect(files.fdIsPathOnly(4)).toBe(true);
    const maps = parseMapsText(`${START.join('\n')}\n`, 'start.maps');
    const { mm } = buildInitialState(reference, maps, null);
    const mmap = (fd: number, ret: number): PairedSyscall => ({
      kind: 'syscall',
      name: 'mmap',
      args: { addr: 0, len: 0x1000, prot: 1, flags: 1, fd, off: 0 },
      rawArgs: {},
      ret,
      retRaw: BigInt(ret),
      tid: 1,
      comm: 'app',
      cpu: 0,
      enterLine: 1,
      exitLine: 1,
      time: 1,
      timeText: '1',
      enterTime: 1,
    });
    expect(applySyscall(mm, files, mmap(4, -9))).toMatchObject({ agreed: true, model: -9 });
    const at = 0x7ffff7fbf000;
    expect(applySyscall(mm, files, mmap(3, at))).toMatchObject({ agreed: true, model: at });
    const v = mm.vmaLookup(at)!;
    expect(v.flags & (VM_MAYWRITE | VM_SHARED)).toBe(0);
  });
});
